import Foundation
import KilnSearch
import KilnTensor
import XCTest

/// The search benchmark's rows for Kiln's Gaussian-process sampler (Tests/Benchmarks/search):
/// median [interquartile range] of the regret after 25, 50 and 100 evaluations on Branin and
/// Hartmann-6, the mean wall and processor time per evaluation, and the mean processor time of
/// the last 10 evaluations (a suggestion from about 95 trials). A benchmark, not a test: it is skipped unless
/// KILN_GP_BENCH=1, and meant for a release build:
///
///     KILN_GP_BENCH=1 swift test -c release --filter GaussianProcessBenchmark
///
/// SEEDS and EVALS (default 20 and 100) shorten it.
final class GaussianProcessBenchmark: XCTestCase {
    func testBenchmark() throws {
        let environment = ProcessInfo.processInfo.environment
        try XCTSkipUnless(environment["KILN_GP_BENCH"] == "1", "set KILN_GP_BENCH=1 to run the benchmark")
        let seeds = environment["SEEDS"].flatMap { Int($0) } ?? 20, evaluations = environment["EVALS"].flatMap { Int($0) } ?? 100
        let problems: [(String, SearchSpace, (Assignment) -> Double, Double)] = [
            ("branin", try TestProblems.braninSpace(), TestProblems.branin, TestProblems.braninOptimum),
            ("hartmann6", try TestProblems.hartmann6Space(), TestProblems.hartmann6, TestProblems.hartmann6Optimum),
        ]
        for (name, space, objective, optimum) in problems {
            var curves: [[Double]] = [], seconds = 0.0, cpuSeconds = 0.0, lastSeconds = 0.0
            let lastCount = Swift.min(10, evaluations)
            for seed in 0..<seeds {
                let study = Study(name: name, direction: .minimize, space: space, sampler: GaussianProcessSampler(), seed: seed)
                let start = Date(), cpuStart = cpuTime()
                study.optimize(trials: evaluations - lastCount, objective)
                let lastStart = cpuTime()
                study.optimize(trials: lastCount, objective)
                seconds += Date().timeIntervalSince(start)
                cpuSeconds += cpuTime() - cpuStart
                lastSeconds += cpuTime() - lastStart
                var best = Double.infinity
                curves.append(study.trials.map { best = Swift.min(best, $0.value ?? .infinity); return best - optimum })
            }
            var parts: [String] = []
            for n in [25, 50, 100] where n <= evaluations {
                let (q1, median, q3) = quartiles(curves.map { $0[n - 1] })
                parts.append("regret@\(n)=\(format(median)) [\(format(q1)), \(format(q3))]")
            }
            let runs = Double(seeds * evaluations)
            print("kiln gp \(name) " + parts.joined(separator: " ")
                  + String(format: " ms_per_eval=%.3f cpu_ms_per_eval=%.3f cpu_ms_last_%d=%.3f", 1000 * seconds / runs, 1000 * cpuSeconds / runs,
                                  lastCount, 1000 * lastSeconds / Double(seeds * lastCount)))
        }
    }

    /// The quartiles as numpy's `percentile` (linear interpolation) gives them.
    func quartiles(_ values: [Double]) -> (Double, Double, Double) {
        let s = values.sorted()
        func at(_ q: Double) -> Double {
            let k = Double(s.count - 1) * q, low = Int(k), high = Swift.min(low + 1, s.count - 1)
            return s[low] + (s[high] - s[low]) * (k - Double(low))
        }
        return (at(0.25), at(0.5), at(0.75))
    }

    /// This thread's processor time in seconds (unlike the wall clock, not lengthened by other
    /// processes on a busy machine).
    func cpuTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Four significant digits, as Python's `:.4g`.
    func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
