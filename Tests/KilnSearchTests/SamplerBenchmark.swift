import Foundation
import KilnSearch
import KilnTensor

/// One row of the search benchmark for a sampler on a problem: the median [interquartile range]
/// of the regret after 25, 50 and 100 evaluations over `seeds` seeds, and the mean wall time
/// per suggestion, over all and over those made with 90 to 99 trials done.
func samplerBenchmarkRow<S: Sampler>(_ label: String, _ problem: SearchProblem, seeds: Int, evaluations: Int = 100,
                                     _ makeSampler: () -> S) -> String {
    let clock = SuggestionClock()
    let runs = (0..<seeds).map { problem.run(TimedSampler(makeSampler(), clock: clock), seed: $0, trials: evaluations) }
    let columns = [25, 50, 100].filter { $0 <= evaluations }.map { n in
        let (q1, median, q3) = quartiles(runs.map { problem.regret($0, after: n) })
        return String(format: "regret@%d=%.4g [%.4g, %.4g]", n, median, q1, q3)
    }
    return "\(label) \(problem.name) " + columns.joined(separator: " ")
        + String(format: " ms_per_suggestion=%.3f (at 90-99 trials %.3f)", clock.milliseconds(), clock.milliseconds(after: evaluations - 10))
}

/// The quartiles with linear interpolation (NumPy's `percentile`).
private func quartiles(_ values: [Double]) -> (Double, Double, Double) {
    let sorted = values.sorted()
    func at(_ q: Double) -> Double {
        let k = Double(sorted.count - 1) * q, low = Int(k), high = Swift.min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (k - Double(low))
    }
    return (at(0.25), at(0.5), at(0.75))
}

/// The time each suggestion took, with the number of trials it saw.
private final class SuggestionClock {
    var times: [(trials: Int, seconds: Double)] = []

    /// The mean in milliseconds of the suggestions made with at least `trials` trials done.
    func milliseconds(after trials: Int = 0) -> Double {
        let late = times.filter { $0.trials >= trials }
        return 1000 * late.reduce(0) { $0 + $1.seconds } / Double(Swift.max(late.count, 1))
    }
}

/// A sampler that times another's suggestions.
private struct TimedSampler<Wrapped: Sampler>: Sampler {
    var wrapped: Wrapped
    let clock: SuggestionClock

    init(_ wrapped: Wrapped, clock: SuggestionClock) {
        self.wrapped = wrapped
        self.clock = clock
    }

    mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment {
        let start = DispatchTime.now().uptimeNanoseconds
        let assignment = wrapped.suggest(space, trials: trials, direction: direction, rng: &rng)
        clock.times.append((trials.count, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        return assignment
    }
}
