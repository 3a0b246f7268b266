import Foundation
import KilnSearch
import XCTest

/// The Gaussian-process sampler on the search benchmark's problems (Tests/Benchmarks/search),
/// 20 seeds × 100 evaluations: median and interquartile range of the regret after 25, 50 and
/// 100 evaluations, and the mean time per suggestion, over all and over those made with 90 to
/// 99 trials done. A benchmark, not a test: skipped unless KILN_GP_BENCH=1; run it in release:
/// `KILN_GP_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter GaussianProcessBenchmark`
/// (KILN_GP_SEEDS changes the number of seeds).
final class GaussianProcessBenchmark: XCTestCase {
    func testRegretAndTimePerSuggestion() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KILN_GP_BENCH"] == "1", "set KILN_GP_BENCH=1 to run the benchmark")
        let seeds = Int(ProcessInfo.processInfo.environment["KILN_GP_SEEDS"] ?? "") ?? 20
        for problem in [SearchProblem.branin, .hartmann6, .conditional] {
            print(samplerBenchmarkRow("kiln gp", problem, seeds: seeds) { GaussianProcessSampler() })
        }
    }
}
