/// Multivariate TPE as Optuna 5.0's `TPESampler` runs it by default (Falkner et al. 2018's joint
/// kernels within Bergstra et al. 2011's TPE): after `startupTrials` random trials, the finished
/// trials are split into the best `min(⌈0.1 n⌉, 25)` and the rest, with running trials counted
/// among the rest (the constant liar); a `MixtureParzenEstimator` l is fitted to the good trials
/// and g to the rest over every hyperparameter all finished trials share, `candidates` points are
/// drawn jointly from l, and the one with the largest log l(x) − log g(x) is taken.

import Foundation
import KilnTensor

/// Optuna's multivariate TPE. Where the space is conditional, the joint model covers the
/// hyperparameters present in every complete or pruned trial (Optuna's intersection search
/// space); each other active hyperparameter is proposed alone by the same rule over the trials
/// that have it (Hyperopt's estimator for unbounded priors), and one no trial has is drawn from
/// its prior. Complete trials rank by value, then pruned trials by their last report (a later
/// step first); failed trials are ignored.
public struct MultivariateTPESampler: Sampler {
    public var startupTrials: Int
    public var candidates: Int
    public var priorWeight: Double
    /// Whether running trials count among the bad ones (Optuna's `constant_liar`).
    public var constantLiar: Bool

    /// Optuna 5.0's defaults: 10 random start-up trials, 24 candidates, prior weight 1, constant liar.
    public init(startupTrials: Int = 10, candidates: Int = 24, priorWeight: Double = 1, constantLiar: Bool = true) {
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.priorWeight = priorWeight
        self.constantLiar = constantLiar
    }

    /// How many of `n` finished trials count as good (Optuna's `default_gamma`): min(⌈0.1 n⌉, 25).
    public static func goodCount(_ n: Int) -> Int {
        Swift.min(Int((0.1 * Double(n)).rounded(.up)), 25)
    }

    /// The weights of `n` observations, oldest first (Optuna's `default_weights`): 1 each below
    /// 25; from 25 on, the oldest n − 25 ramp linearly from 1/n to 1 and the newest 25 weigh 1.
    public static func observationWeights(_ n: Int) -> [Double] {
        forgettingWeights(n, 25)
    }

    public mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment {
        let finished = trials.filter { ($0.state == .complete && $0.value != nil) || $0.state == .pruned }
        guard finished.count >= startupTrials else { return space.sample(&rng) }
        let running = constantLiar ? trials.filter { $0.state == .running } : []
        let (good, bad) = MultivariateTPESampler.split(finished, running: running, direction: direction)
        let shared = finished.isEmpty ? [] : space.parameters.filter { parameter in
            ParzenDimension(parameter.distribution) != nil && finished.allSatisfy { $0.assignment[parameter.label] != nil }
        }
        let joint = shared.isEmpty ? [:] : propose(shared, good: good, bad: bad, rng: &rng)
        var assignment: Assignment = [:]
        for parameter in space.parameters where space.isActive(parameter, in: assignment) {
            assignment[parameter.label] = joint[parameter.label] ?? proposeAlone(parameter, good: good, bad: bad, rng: &rng)
        }
        return assignment
    }

    /// The good and the bad trials, each in trial order (oldest first, for the weights): the best
    /// complete trials, then, if fewer than `goodCount(n)`, the best pruned ones; running trials
    /// are bad.
    static func split(_ finished: [Trial], running: [Trial], direction: Direction) -> (good: [Trial], bad: [Trial]) {
        let sign = direction == .minimize ? 1.0 : -1.0
        let complete = finished.filter { $0.state == .complete }.sorted { a, b in
            let x = sign * (a.value ?? 0), y = sign * (b.value ?? 0)
            return x != y ? x < y : a.number < b.number
        }
        // Optuna's `_get_pruned_trial_score`: later last steps first, then the last report.
        func score(_ trial: Trial) -> (Double, Double) {
            guard let last = trial.reports.max(by: { $0.step < $1.step }) else { return (1, 0) }
            return (-Double(last.step), last.value.isNaN ? .infinity : sign * last.value)
        }
        let pruned = finished.filter { $0.state == .pruned }.sorted { a, b in
            let x = score(a), y = score(b)
            return x != y ? x < y : a.number < b.number
        }
        let wanted = goodCount(finished.count)
        let goodComplete = Swift.min(wanted, complete.count)
        let goodPruned = Swift.min(wanted - goodComplete, pruned.count)
        let good = complete.prefix(goodComplete) + pruned.prefix(goodPruned)
        let bad = complete.dropFirst(goodComplete) + pruned.dropFirst(goodPruned) + running
        return (good.sorted { $0.number < $1.number }, bad.sorted { $0.number < $1.number })
    }

    /// Values for `parameters` (each with a `ParzenDimension`) from the joint estimators of the
    /// good and bad trials that have them all.
    private func propose(_ parameters: [Parameter], good: [Trial], bad: [Trial], rng: inout RandomGenerator) -> Assignment {
        let dimensions = parameters.compactMap { ParzenDimension($0.distribution) }
        let labels = parameters.map(\.label)
        func estimator(_ trials: [Trial]) -> MixtureParzenEstimator {
            let rows = trials.compactMap { trial -> [Double]? in
                let row = labels.compactMap { trial.assignment[$0] }
                return row.count == labels.count ? row : nil
            }
            return MixtureParzenEstimator(rows, dimensions: dimensions, priorWeight: priorWeight,
                                          observationWeights: MultivariateTPESampler.observationWeights(rows.count))
        }
        let l = estimator(good), g = estimator(bad)
        let points = l.sample(Swift.max(candidates, 1), &rng)
        var best = (score: -Double.infinity, index: 0)
        for (index, point) in points.enumerated() {
            let score = l.logDensity(point) - g.logDensity(point)
            if score > best.score { best = (score, index) }
        }
        return Dictionary(uniqueKeysWithValues: zip(labels, points[best.index]))
    }

    /// A value for a parameter outside the joint model: its prior when no trial has it, the
    /// univariate rule over the trials that do, Hyperopt's estimator for priors without a
    /// `ParzenDimension` (unbounded, or a single value).
    private func proposeAlone(_ parameter: Parameter, good: [Trial], bad: [Trial], rng: inout RandomGenerator) -> Double {
        let goodValues = good.compactMap { $0.assignment[parameter.label] }
        let badValues = bad.compactMap { $0.assignment[parameter.label] }
        guard !goodValues.isEmpty || !badValues.isEmpty else { return parameter.distribution.sample(&rng) }
        if ParzenDimension(parameter.distribution) != nil {
            return propose([parameter], good: good, bad: bad, rng: &rng)[parameter.label] ?? parameter.distribution.sample(&rng)
        }
        let hyperopt = TPESampler(candidates: candidates, priorWeight: priorWeight)
        return hyperopt.propose(parameter.distribution, good: goodValues, bad: badValues, rng: &rng)
    }
}
