import Foundation
import KilnSearch
import XCTest

/// Multivariate TPE on the search benchmark's problems, 20 seeds × 100 evaluations: median and
/// interquartile range of the regret after 25, 50 and 100 evaluations, and the mean time per
/// suggestion, over all and over those made with 90 to 99 trials done. Skipped unless KILN_MTPE_BENCH=1; run it in release:
/// `KILN_MTPE_BENCH=1 swift test -c release --filter MultivariateTPEBenchmark` (KILN_MTPE_SEEDS
/// changes the number of seeds).
final class MultivariateTPEBenchmark: XCTestCase {
    func testRegretAndTimePerSuggestion() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KILN_MTPE_BENCH"] == "1", "set KILN_MTPE_BENCH=1 to run the benchmark")
        let seeds = Int(ProcessInfo.processInfo.environment["KILN_MTPE_SEEDS"] ?? "") ?? 20
        for problem in [SearchProblem.branin, .hartmann6, .conditional] {
            print(samplerBenchmarkRow("kiln mtpe", problem, seeds: seeds) { MultivariateTPESampler() })
        }
    }
}
