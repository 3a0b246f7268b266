/// Tree-structured Parzen estimators (Bergstra et al. 2011) as Hyperopt's `tpe.suggest`
/// implements them: after `startupTrials` random trials, the complete trials are split into the
/// best `ceil(gamma·√n)` (at most `forgetting`) and the rest; for every active hyperparameter,
/// one adaptive Parzen estimator is fitted to its values in each group (a Gaussian per value with
/// a prior component, widths from the neighbours' distances, older values down-weighted past
/// `forgetting`), `candidates` values are drawn from the good group's estimator, and the one
/// with the largest ratio l(x)/g(x) (the expected improvement) is taken. Hyperparameters are
/// chosen one by one in declaration order, so a choice's option decides which parameters under
/// it exist (the tree structure). Log-scale priors are modelled in log space; `q` priors score
/// a value by the probability of its rounding interval; choices and integers by counts with
/// prior pseudo-counts.

import Foundation
import KilnTensor

public struct TPESampler: Sampler {
    public var startupTrials: Int
    public var gamma: Double
    public var candidates: Int
    public var priorWeight: Double
    public var forgetting: Int

    /// Hyperopt's defaults: 20 random start-up trials, gamma 0.25, 24 candidates, prior weight 1,
    /// linear forgetting after 25 values.
    public init(startupTrials: Int = 20, gamma: Double = 0.25, candidates: Int = 24, priorWeight: Double = 1, forgetting: Int = 25) {
        self.startupTrials = startupTrials
        self.gamma = gamma
        self.candidates = candidates
        self.priorWeight = priorWeight
        self.forgetting = forgetting
    }

    public mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment {
        let complete = trials.filter { $0.state == .complete && $0.value != nil }
        guard complete.count >= Swift.max(startupTrials, 1) else { return space.sample(&rng) }
        // Trials by loss (largest values first when maximizing), ties by trial number.
        let sign = direction == .minimize ? 1.0 : -1.0
        let ranked = complete.sorted { a, b in
            let x = sign * (a.value ?? 0), y = sign * (b.value ?? 0)
            return x != y ? x < y : a.number < b.number
        }
        let belowCount = Swift.min(Int((gamma * Double(complete.count).squareRoot()).rounded(.up)), forgetting)
        let below = Set(ranked.prefix(belowCount).map(\.number))
        var assignment: Assignment = [:]
        for parameter in space.parameters where space.isActive(parameter, in: assignment) {
            // The parameter's values in each group, oldest first (for the forgetting weights).
            var good: [Double] = [], bad: [Double] = []
            for trial in complete {
                guard let value = trial.assignment[parameter.label] else { continue }
                if below.contains(trial.number) { good.append(value) } else { bad.append(value) }
            }
            assignment[parameter.label] = propose(parameter.distribution, good: good, bad: bad, rng: &rng)
        }
        return assignment
    }

    /// The candidate with the largest log l(x) − log g(x).
    func propose(_ distribution: Distribution, good: [Double], bad: [Double], rng: inout RandomGenerator) -> Double {
        if let prior = CategoricalPrior(distribution) {
            let l = prior.posterior(good, priorWeight: priorWeight, forgetting: forgetting)
            let g = prior.posterior(bad, priorWeight: priorWeight, forgetting: forgetting)
            var best = (score: -Double.infinity, value: 0.0)
            for _ in 0..<Swift.max(candidates, 1) {
                let k = sampleIndex(l, &rng)
                let score = log(l[k]) - log(g[k])
                if score > best.score { best = (score, Double(k + prior.offset)) }
            }
            return best.value
        }
        guard let model = ContinuousModel(distribution) else { return distribution.sample(&rng) }
        let l = ParzenEstimator(model.toModel(good), model, priorWeight: priorWeight, forgetting: forgetting)
        let g = ParzenEstimator(model.toModel(bad), model, priorWeight: priorWeight, forgetting: forgetting)
        var best = (score: -Double.infinity, value: l.sample(&rng))
        for _ in 0..<Swift.max(candidates, 1) {
            let x = l.sample(&rng)
            let score = l.logDensity(x) - g.logDensity(x)
            if score > best.score { best = (score, x) }
        }
        return best.value
    }
}

/// Hyperopt's linear forgetting: the newest `forgetting` values weigh 1, older ones ramp from
/// 1/n up to 1.
func forgettingWeights(_ n: Int, _ forgetting: Int) -> [Double] {
    guard n > forgetting, forgetting > 0 else { return Array(repeating: 1, count: n) }
    let rampCount = n - forgetting
    let ramp = (0..<rampCount).map { i in rampCount == 1 ? 1.0 / Double(n) : 1.0 / Double(n) + (1 - 1.0 / Double(n)) * Double(i) / Double(rampCount - 1) }
    return ramp + Array(repeating: 1, count: forgetting)
}

/// An index drawn with the given probabilities (the last when rounding leaves the draw past them).
func sampleIndex(_ probabilities: [Double], _ rng: inout RandomGenerator) -> Int {
    var u = rng.nextDouble()
    for (i, p) in probabilities.enumerated() {
        if u < p { return i }
        u -= p
    }
    return probabilities.count - 1
}

/// A choice or integer range as categories with prior probabilities.
private struct CategoricalPrior {
    let prior: [Double]
    /// Added to a category's index to give its value (randint's low bound).
    let offset: Int
    /// Hyperopt's pseudo-counts: randint adds `priorWeight` to each category, choices
    /// `count · priorWeight · p`.
    let flatPseudoCounts: Bool

    init?(_ distribution: Distribution) {
        switch distribution {
        case .choice(let count): (prior, offset, flatPseudoCounts) = (Array(repeating: 1 / Double(count), count: count), 0, false)
        case .pchoice(let probabilities): (prior, offset, flatPseudoCounts) = (probabilities, 0, false)
        case let .randint(low, high):
            let count = high - low
            guard count > 0, count <= 1 << 20 else { return nil }
            (prior, offset, flatPseudoCounts) = (Array(repeating: 1 / Double(count), count: count), low, true)
        default: return nil
        }
    }

    /// Category probabilities from weighted counts of `values` plus the prior pseudo-counts.
    func posterior(_ values: [Double], priorWeight: Double, forgetting: Int) -> [Double] {
        let weights = forgettingWeights(values.count, forgetting)
        var counts = prior.map { flatPseudoCounts ? priorWeight : Double(prior.count) * priorWeight * $0 }
        for (value, weight) in zip(values, weights) {
            let k = Int(value) - offset
            if k >= 0 && k < counts.count { counts[k] += weight }
        }
        let total = counts.reduce(0, +)
        return counts.map { total > 0 ? $0 / total : 1 / Double(counts.count) }
    }
}

/// A continuous prior seen in the space the estimators work in (log space for log priors).
struct ContinuousModel {
    let priorMu: Double, priorSigma: Double
    /// Bounds in model space (nil: unbounded).
    let low: Double?, high: Double?
    /// Rounding step in the original space.
    let q: Double?
    let isLog: Bool

    init?(_ distribution: Distribution) {
        switch distribution {
        case let .uniform(low, high): self.init(bounds: low, high, q: nil, isLog: false)
        case let .quniform(low, high, q), let .uniformint(low, high, q): self.init(bounds: low, high, q: q, isLog: false)
        case let .loguniform(low, high): self.init(bounds: low, high, q: nil, isLog: true)
        case let .qloguniform(low, high, q): self.init(bounds: low, high, q: q, isLog: true)
        case let .normal(mu, sigma): self.init(mu: mu, sigma: sigma, q: nil, isLog: false)
        case let .qnormal(mu, sigma, q): self.init(mu: mu, sigma: sigma, q: q, isLog: false)
        case let .lognormal(mu, sigma): self.init(mu: mu, sigma: sigma, q: nil, isLog: true)
        case let .qlognormal(mu, sigma, q): self.init(mu: mu, sigma: sigma, q: q, isLog: true)
        default: return nil
        }
    }

    private init(bounds low: Double, _ high: Double, q: Double?, isLog: Bool) {
        (priorMu, priorSigma, self.low, self.high, self.q, self.isLog) = ((low + high) / 2, Swift.max(high - low, 1e-12), low, high, q, isLog)
    }

    private init(mu: Double, sigma: Double, q: Double?, isLog: Bool) {
        (priorMu, priorSigma, low, high, self.q, self.isLog) = (mu, Swift.max(sigma, 1e-12), nil, nil, q, isLog)
    }

    func toModel(_ values: [Double]) -> [Double] { isLog ? values.map { log(Swift.max($0, 1e-300)) } : values }
    func fromModel(_ x: Double) -> Double { isLog ? exp(x) : x }
}

/// Hyperopt's adaptive Parzen estimator: a mixture of Gaussians, one per observed value plus
/// the prior, truncated to the prior's bounds.
struct ParzenEstimator {
    let weights: [Double], mus: [Double], sigmas: [Double]
    let model: ContinuousModel

    init(_ values: [Double], _ model: ContinuousModel, priorWeight: Double, forgetting: Int) {
        self.model = model
        let order = values.indices.sorted { values[$0] < values[$1] }
        let sorted = order.map { values[$0] }
        let priorPosition = sorted.firstIndex { $0 >= model.priorMu } ?? sorted.count
        var mus = sorted
        mus.insert(model.priorMu, at: priorPosition)
        var sigmas = [Double](repeating: model.priorSigma, count: mus.count)
        if mus.count == 2 {
            sigmas[1 - priorPosition] = model.priorSigma * 0.5
        } else if mus.count > 2 {
            for i in 1..<(mus.count - 1) { sigmas[i] = Swift.max(mus[i] - mus[i - 1], mus[i + 1] - mus[i]) }
            sigmas[0] = mus[1] - mus[0]
            sigmas[mus.count - 1] = mus[mus.count - 1] - mus[mus.count - 2]
        }
        let minimum = model.priorSigma / Swift.min(100, 1 + Double(mus.count))
        sigmas = sigmas.map { Swift.min(Swift.max($0, minimum), model.priorSigma) }
        sigmas[priorPosition] = model.priorSigma
        let forgetful = forgettingWeights(values.count, forgetting)
        var weights = [Double](repeating: 0, count: mus.count)
        for (rank, index) in order.enumerated() { weights[rank < priorPosition ? rank : rank + 1] = forgetful[index] }
        weights[priorPosition] = priorWeight
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
        self.mus = mus
        self.sigmas = sigmas
    }

    /// A value in the original space: a component by weight, a normal draw redrawn until it is
    /// within the bounds, then rounded to `q`.
    func sample(_ rng: inout RandomGenerator) -> Double {
        let k = sampleIndex(weights, &rng)
        var x = mus[k] + sigmas[k] * rng.standardNormal()
        var tries = 0
        while let low = model.low, let high = model.high, x < low || x >= high, tries < 100 {
            x = mus[k] + sigmas[k] * rng.standardNormal()
            tries += 1
        }
        if let low = model.low, let high = model.high { x = Swift.min(Swift.max(x, low), high) }
        var value = model.fromModel(x)
        if let q = model.q { value = (value / q).rounded() * q }
        return value
    }

    /// Log density (or, with `q`, log probability of the rounding interval) of an original-space
    /// value, the mixture renormalised to its truncation.
    func logDensity(_ value: Double) -> Double {
        var accepted = 0.0, density = 0.0
        for k in weights.indices {
            accepted += weights[k] * ((model.high.map { cdf($0, k) } ?? 1) - (model.low.map { cdf($0, k) } ?? 0))
            if let q = model.q {
                let lower = model.toModel([Swift.max(value - q / 2, model.isLog ? 1e-300 : -.infinity)])[0]
                let upper = model.toModel([value + q / 2])[0]
                density += weights[k] * (cdf(upper, k) - cdf(lower, k))
            } else {
                let x = model.toModel([value])[0], z = (x - mus[k]) / sigmas[k]
                density += weights[k] * exp(-0.5 * z * z) / (sigmas[k] * (2 * Double.pi).squareRoot())
            }
        }
        return log(Swift.max(density, 1e-300)) - log(Swift.max(accepted, 1e-300))
    }

    /// The normal CDF of component `k` at `x`.
    private func cdf(_ x: Double, _ k: Int) -> Double {
        0.5 * (1 + erf((x - mus[k]) / (sigmas[k] * 2.0.squareRoot())))
    }
}
