/// Measuring and reporting time as IPython's `%time` and `%timeit` do, with their exact output.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// IPython's `_format_time`: a duration in the largest unit that keeps it at least 1
/// (`s`, `ms`, `µs`, `ns`) with `precision` significant digits (`12.3 ms`), or in days,
/// hours, minutes and seconds from a minute on (`1min 5s`).
public func formatDuration(_ seconds: Double, precision: Int = 3) -> String {
    if seconds >= 60 {
        var parts: [String] = []
        var leftover = seconds
        for (suffix, length) in [("d", 86_400.0), ("h", 3_600.0), ("min", 60.0), ("s", 1.0)] {
            let value = Int(leftover / length)
            if value > 0 {
                leftover = leftover.truncatingRemainder(dividingBy: length)
                parts.append("\(value)\(suffix)")
            }
            if leftover < 1 { break }
        }
        return parts.joined(separator: " ")
    }
    let units = ["s", "ms", "µs", "ns"]
    let scaling = [1.0, 1e3, 1e6, 1e9]
    // Python's -int(floor(log10(t)) // 3): floor division of the decimal exponent by 3.
    let order = seconds > 0 ? min(-Int((log10(seconds).rounded(.down) / 3).rounded(.down)), 3) : 3
    return String(format: "%.\(precision)g", seconds * scaling[order]) + " " + units[order]
}

/// CPU time the process has used so far, user and system (`getrusage`).
public struct CPUTimes {
    public var user: Double
    public var system: Double

    public static func now() -> CPUTimes {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return CPUTimes(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }
}

/// Seconds on a monotonic clock, for wall times.
public func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// What `%time` prints after the statement ran:
///
///     CPU times: user 1.2 ms, sys: 35 µs, total: 1.24 ms
///     Wall time: 1.25 ms
public func timeReport(cpuStart: CPUTimes, cpuEnd: CPUTimes, wallSeconds: Double) -> String {
    let user = cpuEnd.user - cpuStart.user
    let system = cpuEnd.system - cpuStart.system
    return "CPU times: user \(formatDuration(user)), sys: \(formatDuration(system)), total: \(formatDuration(user + system))\n"
        + "Wall time: \(formatDuration(wallSeconds))\n"
}

/// The runs of a `%timeit`: how many loops each run made and how long each run took.
public struct TimeitResult: CustomStringConvertible {
    public var loops: Int
    /// Seconds per run (of `loops` loops).
    public var runs: [Double]
    public var precision: Int

    public init(loops: Int, runs: [Double], precision: Int = 3) {
        self.loops = loops
        self.runs = runs
        self.precision = precision
    }

    /// Seconds per loop of each run.
    public var timings: [Double] { runs.map { $0 / Double(loops) } }

    public var average: Double { timings.reduce(0, +) / Double(max(timings.count, 1)) }

    /// The population standard deviation of the timings, as IPython computes it.
    public var standardDeviation: Double {
        let mean = average
        return (timings.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(timings.count, 1))).squareRoot()
    }

    /// IPython's line: `1.23 µs ± 4.5 ns per loop (mean ± std. dev. of 7 runs, 1,000,000 loops each)`.
    public var description: String {
        let mean = formatDuration(average, precision: precision)
        let deviation = formatDuration(standardDeviation, precision: precision)
        let runWord = runs.count == 1 ? "run" : "runs"
        let loopWord = loops == 1 ? "loop" : "loops"
        return "\(mean) ± \(deviation) per loop (mean ± std. dev. of \(runs.count) \(runWord), \(groupedThousands(loops)) \(loopWord) each)"
    }

    /// IPython's warning when the slowest run took over 4 times the fastest, or nil.
    public var cachingWarning: String? {
        guard let best = timings.min(), let worst = timings.max(), worst > 4 * best, best > 0, worst > 1e-6 else { return nil }
        return String(format: "The slowest run took %0.2f times longer than the fastest. This could mean that an intermediate result is being cached.", worst / best)
    }

    /// Python's `{:,}`: 1000000 → 1,000,000.
    private func groupedThousands(_ n: Int) -> String {
        var digits = String(n.magnitude)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(Substring(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return (n < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}

/// IPython's choice of the number of loops per run: the first power of ten (1, 10, 100, …,
/// 10⁹) whose loops take at least 0.2 s. `time(n)` runs the statement n times and returns the
/// seconds taken.
public func automaticLoopCount(_ time: (Int) throws -> Double) rethrows -> Int {
    var number = 1
    for exponent in 0..<10 {
        number = Int(pow(10.0, Double(exponent)))
        if try time(number) >= 0.2 { break }
    }
    return number
}
