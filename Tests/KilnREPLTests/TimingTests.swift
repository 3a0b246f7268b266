import XCTest
@testable import KilnREPL

/// `%time` and `%timeit` report durations exactly as IPython 8 does (expected strings are
/// IPython's `_format_time` and `TimeitResult` output for the same numbers).
final class TimingTests: XCTestCase {
    func testDurationsAreFormattedAsIPythonDoes() {
        let cases: [(Double, String)] = [
            (0, "0 ns"), (1e-10, "0.1 ns"), (1.23e-9, "1.23 ns"), (4.5e-9, "4.5 ns"), (1.234567e-6, "1.23 µs"),
            (0.00099999, "1e+03 µs"), (0.0123, "12.3 ms"), (0.5, "500 ms"), (1.0, "1 s"), (12.3456, "12.3 s"),
            (59.9, "59.9 s"), (60, "1min"), (61.5, "1min 1s"), (3725.2, "1h 2min 5s"), (90061, "1d 1h 1min 1s"),
        ]
        for (seconds, expected) in cases {
            XCTAssertEqual(formatDuration(seconds), expected, "\(seconds)")
        }
    }

    func testTimeitLineIsIPythons() {
        let result = TimeitResult(loops: 100_000, runs: [0.123, 0.125, 0.121, 0.13, 0.124, 0.122, 0.126])
        XCTAssertEqual(result.description,
                       "1.24 µs ± 27.7 ns per loop (mean ± std. dev. of 7 runs, 100,000 loops each)")
        XCTAssertEqual(TimeitResult(loops: 1, runs: [2.5]).description,
                       "2.5 s ± 0 ns per loop (mean ± std. dev. of 1 run, 1 loop each)")
        XCTAssertEqual(TimeitResult(loops: 1000, runs: [0.2, 0.21, 0.22], precision: 2).description,
                       "2.1e+02 µs ± 8.2 µs per loop (mean ± std. dev. of 3 runs, 1,000 loops each)")
    }

    func testTimeReportHasCPUAndWallLines() {
        let report = timeReport(cpuStart: CPUTimes(user: 1, system: 2), cpuEnd: CPUTimes(user: 1.5, system: 2.25),
                                wallSeconds: 0.125)
        XCTAssertEqual(report, "CPU times: user 500 ms, sys: 250 ms, total: 750 ms\nWall time: 125 ms\n")
    }

    func testLoopCountIsTheFirstPowerOfTenTakingAFifthOfASecond() {
        var asked: [Int] = []
        let loops = automaticLoopCount { n in
            asked.append(n)
            return Double(n) * 3e-5
        }
        XCTAssertEqual(loops, 10_000)
        XCTAssertEqual(asked, [1, 10, 100, 1000, 10_000])
        XCTAssertEqual(automaticLoopCount { _ in 1.5 }, 1)
        XCTAssertEqual(automaticLoopCount { _ in 0 }, 1_000_000_000)
    }

    func testSlowestRunWarningAppearsOnlyForLargeSpreads() {
        XCTAssertEqual(TimeitResult(loops: 1, runs: [1e-3, 5e-3]).cachingWarning,
                       "The slowest run took 5.00 times longer than the fastest. This could mean that an intermediate result is being cached.")
        XCTAssertNil(TimeitResult(loops: 1, runs: [1e-3, 3e-3]).cachingWarning)
        XCTAssertNil(TimeitResult(loops: 1, runs: [1e-8, 9e-7]).cachingWarning)
    }
}
