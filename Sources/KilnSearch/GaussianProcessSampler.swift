/// Bayesian optimization with a Gaussian process (as scikit-optimize's `gp_minimize` and
/// keras-tuner's `BayesianOptimization` do it): a surrogate of the objective fitted to the
/// trials so far, and the next assignment where an acquisition function of its posterior is best.

import Foundation
import KilnTensor

/// Proposes assignments by Bayesian optimization. After `startupTrials` random trials, every
/// complete trial becomes a point of the unit cube (`UnitCubeEncoding`: log priors in log
/// space, choices one-hot, inactive parameters at a fixed place) with its value, negated when
/// maximizing and standardized to mean 0 and variance 1; running trials (other workers') count
/// with the mean value (a constant liar), so the search does not propose them again; failed
/// and pruned trials are left out. A `GaussianProcess` with a Matérn 5/2 kernel (a length
/// scale per column, a signal variance, and a noise variance unless `noise` fixes it) is fitted
/// by maximizing the log marginal likelihood with projected L-BFGS in log space (length scales
/// in [0.01, 100], signal variance in [0.01, 100], noise in [1e-10, 1]) — from the last
/// suggestion's hyperparameters and, when the number of complete trials is a multiple of 4,
/// from `restarts` random ones too (a restart every time costs half again for little gain). The acquisition (expected
/// improvement, probability of improvement, a confidence bound, or scikit-optimize's hedge of
/// the three, all on the minimized value) is evaluated at `candidates` points drawn from the
/// priors and half as many near the best trials, and the best `refinements` of them are
/// improved by projected L-BFGS over their continuous columns. The winner is decoded onto the
/// parameters' grids; a point already tried gives way to the next. Everything random comes
/// from the generator passed in, so a seed repeats the search.
public struct GaussianProcessSampler: Sampler {
    /// How good a point looks under the posterior N(μ, σ²) of the minimized value.
    public enum Acquisition: Equatable, Sendable {
        /// E[max(y* − ξ − f, 0)] = (y* − ξ − μ) Φ(z) + σ φ(z), z = (y* − ξ − μ)/σ, with y* the
        /// best value so far and ξ in the objective's units (scikit-optimize's default is 0.01).
        case expectedImprovement(xi: Double)
        /// P(f < y* − ξ) = Φ(z).
        case probabilityOfImprovement(xi: Double)
        /// The lower bound μ − βσ of the minimized value (keras-tuner's "upper confidence bound"
        /// of the maximized objective, with its beta, 2.6 by default).
        case confidenceBound(beta: Double)
        /// scikit-optimize's `gp_hedge` (Hoffman, Brochu & de Freitas 2011): each suggestion,
        /// expected improvement, probability of improvement (both with ξ) and the confidence
        /// bound (β = κ) each propose a point, and one proposal is taken at random, with
        /// probability ∝ exp(gain), a member's gain being the sum over past suggestions of minus
        /// the fitted mean at its proposal.
        case hedge(xi: Double, kappa: Double)
    }

    public var startupTrials: Int
    public var acquisition: Acquisition
    /// A fixed noise variance in standardized units (keras-tuner's alpha); nil fits it.
    public var noise: Double?
    public var candidates: Int
    public var refinements: Int
    public var restarts: Int
    /// The last fit's hyperparameters (log ℓ…, log σ², log noise), where the next fit starts.
    private var lastTheta: [Double]?
    /// The hedge's gains and its members' last proposals.
    private var gains: [Double] = []
    private var lastProposals: [[Double]?] = []

    /// scikit-optimize's `gp_minimize` defaults: 10 random start-up trials, the gp_hedge
    /// portfolio with ξ = 0.01 and κ = 1.96, the noise fitted.
    public init(startupTrials: Int = 10, acquisition: Acquisition = .hedge(xi: 0.01, kappa: 1.96), noise: Double? = nil,
                candidates: Int = 500, refinements: Int = 5, restarts: Int = 1) {
        self.startupTrials = startupTrials
        self.acquisition = acquisition
        self.noise = noise
        self.candidates = candidates
        self.refinements = refinements
        self.restarts = restarts
    }

    public mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment {
        let encoding = UnitCubeEncoding(space)
        let complete = trials.filter { $0.state == .complete && $0.value?.isFinite == true }
        guard complete.count >= Swift.max(startupTrials, 1), encoding.width > 0 else { return space.sample(&rng) }
        let sign = direction == .minimize ? 1.0 : -1.0
        var values = complete.map { sign * ($0.value ?? 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        let scale = spread > 1e-12 ? spread : 1
        values = values.map { ($0 - mean) / scale }
        let incumbent = values.min() ?? 0
        let points = complete.map { encoding.encode($0.assignment) }
        let running = trials.filter { $0.state == .running }.map { encoding.encode($0.assignment) }
        let rows = points + running
        let targets = values + Array(repeating: 0, count: running.count)

        let d = encoding.width
        let lower = Array(repeating: log(0.01), count: d) + [log(0.01), log(noise ?? 1e-10)]
        let upper = Array(repeating: log(100.0), count: d) + [log(100.0), log(noise ?? 1)]
        var starts = [lastTheta.flatMap { $0.count == d + 2 ? $0 : nil } ?? Array(repeating: 0, count: d) + [0, log(noise ?? 1e-3)]]
        for _ in 0..<(complete.count % 4 == 0 ? Swift.max(restarts, 0) : 0) {
            starts.append((0..<(d + 2)).map { lower[$0] + (upper[$0] - lower[$0]) * rng.nextDouble() })
        }
        guard let fit = GaussianProcess.fitted(inputs: rows.flatMap { $0 }, targets: targets, dimension: d,
                                               lower: lower, upper: upper, starts: starts) else {
            return space.sample(&rng)
        }
        lastTheta = fit.theta

        let leaders = values.indices.sorted { values[$0] < values[$1] }.prefix(5).map { points[$0] }
        let pool = candidatePool(encoding, leaders: leaders, rng: &rng)
        let predictions = pool.map { point -> (mean: Double, deviation: Double) in
            let p = fit.process.predict(point)
            return (p.mean, p.variance.squareRoot())
        }
        let tried = Set(rows), members = acquisition.members
        let proposals = members.map { member in
            propose(AcquisitionScorer(process: fit.process, acquisition: member.standardized(scale: scale), incumbent: incumbent),
                    pool: pool, predictions: predictions, encoding: encoding, excluding: tried)
        }
        var chosen = 0
        if members.count > 1 {
            // scikit-optimize's gp_hedge: each member gains minus the value the new fit predicts
            // at its last proposal (objective units); one is drawn with probability ∝ exp(gain).
            if gains.count != members.count { gains = Array(repeating: 0, count: members.count) }
            for (i, point) in lastProposals.enumerated() where i < gains.count {
                if let point, point.count == encoding.width { gains[i] -= fit.process.predict(point).mean * scale }
            }
            let top = gains.max() ?? 0
            let weights = gains.map { exp($0 - top) }
            var u = rng.nextDouble() * weights.reduce(0, +)
            while chosen < weights.count - 1 && u >= weights[chosen] {
                u -= weights[chosen]
                chosen += 1
            }
            lastProposals = proposals
        }
        guard let point = proposals[chosen] ?? proposals.compactMap({ $0 }).first else { return space.sample(&rng) }
        return encoding.decode(point)
    }

    /// `candidates` points drawn from the priors and half as many near the `leaders` (their
    /// continuous columns moved by N(0, 0.05²)), each on its parameters' grids.
    private func candidatePool(_ encoding: UnitCubeEncoding, leaders: [[Double]], rng: inout RandomGenerator) -> [[Double]] {
        var pool = (0..<Swift.max(candidates, 1)).map { _ in encoding.encode(encoding.space.sample(&rng)) }
        for k in 0..<Swift.max(candidates / 2, 1) {
            var x = leaders[k % leaders.count]
            let movable = encoding.movableColumns(at: x)
            for c in 0..<encoding.width where movable[c] { x[c] = Swift.min(Swift.max(x[c] + 0.05 * rng.standardNormal(), 0), 1) }
            pool.append(encoding.encode(encoding.decode(x)))
        }
        return pool
    }

    /// The untried point (on the grids) with the best score: the pool screened by the scorer,
    /// its best `refinements` improved by projected L-BFGS over their movable columns, the next
    /// 20 as they are; nil when all of them have been tried.
    private func propose(_ scorer: AcquisitionScorer, pool: [[Double]], predictions: [(mean: Double, deviation: Double)],
                         encoding: UnitCubeEncoding, excluding tried: Set<[Double]>) -> [Double]? {
        let d = encoding.width
        let screened = pool.indices.map { (point: pool[$0], score: scorer.value(mean: predictions[$0].mean, deviation: predictions[$0].deviation).value) }
            .sorted { $0.score < $1.score }
        var refined = screened.prefix(Swift.max(refinements, 0)).map { start -> (point: [Double], score: Double) in
            let movable = encoding.movableColumns(at: start.point)
            let minimizer = BoxMinimizer(lower: (0..<d).map { movable[$0] ? 0 : start.point[$0] },
                                         upper: (0..<d).map { movable[$0] ? 1 : start.point[$0] }, maxIterations: 30)
            let result = minimizer.minimize(from: start.point) { scorer.score($0, gradient: &$1) }
            return result.value < start.score ? (result.point, result.value) : start
        }
        refined += Array(screened.dropFirst(refined.count).prefix(20))
        return refined.sorted { $0.score < $1.score }.map { encoding.encode(encoding.decode($0.point)) }.first { !tried.contains($0) }
    }
}

extension GaussianProcessSampler.Acquisition {
    /// The acquisitions a proposal is drawn from (the hedge's three, or this one).
    var members: [Self] {
        if case let .hedge(xi, kappa) = self { return [.expectedImprovement(xi: xi), .probabilityOfImprovement(xi: xi), .confidenceBound(beta: kappa)] }
        return [self]
    }

    /// The acquisition on standardized values (ξ divided by the objective's spread).
    func standardized(scale: Double) -> Self {
        switch self {
        case .expectedImprovement(let xi): return .expectedImprovement(xi: xi / scale)
        case .probabilityOfImprovement(let xi): return .probabilityOfImprovement(xi: xi / scale)
        case .hedge(let xi, let kappa): return .hedge(xi: xi / scale, kappa: kappa)
        case .confidenceBound: return self
        }
    }
}

/// An acquisition function of a fitted process, as a value to minimize (the negated expected
/// improvement, or μ − βσ) with its gradient.
struct AcquisitionScorer {
    let process: GaussianProcess
    let acquisition: GaussianProcessSampler.Acquisition
    /// The best (smallest) standardized value so far.
    let incumbent: Double

    func score(_ x: [Double]) -> Double {
        let (mean, variance) = process.predict(x)
        return value(mean: mean, deviation: variance.squareRoot()).value
    }

    func score(_ x: [Double], gradient: inout [Double]) -> Double {
        let p = process.predictWithGradient(x)
        let deviation = p.variance.squareRoot()
        let (value, byMean, byDeviation) = self.value(mean: p.mean, deviation: deviation)
        for i in gradient.indices {
            gradient[i] = byMean * p.meanGradient[i] + byDeviation * p.varianceGradient[i] / (2 * deviation)
        }
        return value
    }

    /// The score and its derivatives with respect to μ and σ.
    func value(mean: Double, deviation: Double) -> (value: Double, byMean: Double, byDeviation: Double) {
        switch acquisition {
        case .expectedImprovement(let xi):
            let improvement = incumbent - xi - mean, z = improvement / deviation
            let cdf = 0.5 * erfc(-z / 2.0.squareRoot()), pdf = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            return (-(improvement * cdf + deviation * pdf), cdf, -pdf)
        case .probabilityOfImprovement(let xi):
            let z = (incumbent - xi - mean) / deviation, pdf = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            return (-0.5 * erfc(-z / 2.0.squareRoot()), pdf / deviation, pdf * z / deviation)
        case .confidenceBound(let beta), .hedge(_, let beta):
            // A hedge is scored member by member; as one function it is its confidence bound.
            return (mean - beta * deviation, 1, -beta)
        }
    }
}
