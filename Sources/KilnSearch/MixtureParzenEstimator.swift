/// Optuna's Parzen estimator (`optuna.samplers._tpe.parzen_estimator`, version 5.0): a density
/// over several hyperparameters at once, as a weighted mixture of product kernels, one kernel per
/// observed point plus one for the prior. Multivariate TPE fits one to the good trials and one to
/// the rest.

import Foundation
import KilnTensor

/// One hyperparameter as a dimension of a joint Parzen model: a bounded range (float or integer)
/// or a set of options. Unbounded priors (normal, lognormal, …) and priors with one value have none.
enum ParzenDimension: Equatable {
    case numerical(NumericalRange)
    /// Option indices with their prior probabilities.
    case categorical(prior: [Double])

    init?(_ distribution: Distribution) {
        func stepped(_ low: Double, _ high: Double, _ q: Double, isLog: Bool) -> ParzenDimension? {
            let gridLow = (low / q).rounded() * q, gridHigh = (high / q).rounded() * q
            guard gridLow < gridHigh, !isLog || gridLow - q / 2 > 0 else { return nil }
            return .numerical(NumericalRange(low: gridLow, high: gridHigh, step: q, isLog: isLog))
        }
        switch distribution {
        case let .uniform(low, high):
            guard low < high else { return nil }
            self = .numerical(NumericalRange(low: low, high: high, step: nil, isLog: false))
        case let .loguniform(low, high):
            guard low < high else { return nil }
            self = .numerical(NumericalRange(low: low, high: high, step: nil, isLog: true))
        case let .quniform(low, high, q), let .uniformint(low, high, q):
            guard let dimension = stepped(low, high, q, isLog: false) else { return nil }
            self = dimension
        case let .qloguniform(low, high, q):
            guard let dimension = stepped(exp(low), exp(high), q, isLog: true) else { return nil }
            self = dimension
        case let .randint(low, high):
            guard high - low >= 2 else { return nil }
            self = .numerical(NumericalRange(low: Double(low), high: Double(high - 1), step: 1, isLog: false))
        case let .choice(count):
            guard count >= 2 else { return nil }
            self = .categorical(prior: Array(repeating: 1 / Double(count), count: count))
        case let .pchoice(probabilities):
            guard probabilities.count >= 2 else { return nil }
            self = .categorical(prior: probabilities)
        case .normal, .qnormal, .lognormal, .qlognormal:
            return nil
        }
    }
}

/// A bounded range of values. Kernels live in model space (the logarithm of the value for log
/// ranges), truncated to `modelLow...modelHigh`; a stepped range takes the values `low`, `low +
/// step`, … `high`, and its bounds in model space are widened by half a step, as Optuna's.
struct NumericalRange: Equatable {
    /// The smallest and largest values: for a continuous log range, in log space (as Kiln's
    /// `loguniform` bounds are); otherwise in the original space.
    let low: Double, high: Double
    let step: Double?
    let isLog: Bool

    var modelLow: Double { bound(low, -1) }
    var modelHigh: Double { bound(high, 1) }

    private func bound(_ value: Double, _ side: Double) -> Double {
        guard let step else { return value }
        let widened = value + side * step / 2
        return isLog ? log(widened) : widened
    }

    func toModel(_ value: Double) -> Double { isLog ? log(value) : value }

    /// The value a model-space point stands for: exponentiated for log ranges, rounded to the
    /// nearest step (ties to even, as NumPy rounds) and kept within the range.
    func fromModel(_ x: Double) -> Double {
        let value = isLog ? exp(x) : x
        guard let step else { return value }
        return Swift.min(Swift.max((value / step).rounded(.toNearestOrEven) * step, low), high)
    }
}

/// p(x) = Σₖ wₖ Πᵢ Kₖᵢ(xᵢ): kernel k < n is centred on observation k, kernel n is the prior.
/// Numerical kernels are normals truncated to the range, centred on the observation in model
/// space, with the width the larger distance to its sorted neighbours (the range's ends count as
/// neighbours, the outermost points take their inner neighbour's distance), clipped to
/// [range / min(100, n + 2), range]; the prior kernel is centred mid-range with the width of the
/// range. A stepped value's density is its rounding interval's mass. A categorical kernel gives
/// the observed option 1 plus `priorWeight / (n + 1)` spread by the prior probabilities, then
/// normalised; the prior kernel is the prior. Weights are the observations' weights and
/// `priorWeight` for the prior kernel, normalised (only the prior when there are no observations).
struct MixtureParzenEstimator {
    let dimensions: [ParzenDimension]
    let weights: [Double]
    private let logWeights: [Double]
    private let kernels: [Kernels]

    /// The kernels of one dimension, by kernel.
    private enum Kernels {
        /// Centres and widths in model space, and log(σ √(2π) · mass of the range) (continuous)
        /// or log(mass of the range) (stepped), the normaliser of each truncated kernel.
        case numerical(NumericalRange, mus: [Double], sigmas: [Double], logNormalizers: [Double])
        /// Each kernel's log probability of each option.
        case categorical(logProbabilities: [[Double]])
    }

    /// Fits the mixture to `observations` (one row of values per point, in the original space,
    /// a column per dimension) weighted by `observationWeights` (one per row).
    init(_ observations: [[Double]], dimensions: [ParzenDimension], priorWeight: Double, observationWeights: [Double]) {
        self.dimensions = dimensions
        var weights = observations.isEmpty ? [1] : observationWeights + [priorWeight]
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        self.weights = weights
        logWeights = weights.map { log($0) }
        kernels = dimensions.enumerated().map { column, dimension in
            let values = observations.map { $0[column] }
            switch dimension {
            case .categorical(let prior):
                return .categorical(logProbabilities: MixtureParzenEstimator.categoricalKernels(values, prior: prior, priorWeight: priorWeight))
            case .numerical(let range):
                let observed = values.map(range.toModel)
                let mus = observed + [(range.modelLow + range.modelHigh) / 2]
                let sigmas = MixtureParzenEstimator.bandwidths(observed, low: range.modelLow, high: range.modelHigh) + [range.modelHigh - range.modelLow]
                let logNormalizers = zip(mus, sigmas).map { mu, sigma in
                    let logMass = TruncatedNormal.logMass((range.modelLow - mu) / sigma, (range.modelHigh - mu) / sigma)
                    return range.step == nil ? logMass + log(sigma) + TruncatedNormal.logNormalizer : logMass
                }
                return .numerical(range, mus: mus, sigmas: sigmas, logNormalizers: logNormalizers)
            }
        }
    }

    /// The observation kernels' widths (Optuna's `compute_sigmas` with magic clip, without
    /// endpoints): the larger gap to a sorted neighbour, the bounds counting as neighbours but
    /// the outermost points measured inwards, clipped to [(high − low) / min(100, n + 2), high − low].
    static func bandwidths(_ mus: [Double], low: Double, high: Double) -> [Double] {
        let n = mus.count
        let order = mus.indices.sorted { mus[$0] < mus[$1] }
        var points: [Double] = [low]
        points += order.map { mus[$0] }
        points.append(high)
        var sorted = (0..<n).map { (i: Int) -> Double in Swift.max(points[i + 1] - points[i], points[i + 2] - points[i + 1]) }
        if n >= 2 {
            sorted[0] = points[2] - points[1]
            sorted[n - 1] = points[n] - points[n - 1]
        }
        let largest = high - low, smallest = (high - low) / Swift.min(100, Double(n + 2))
        var sigmas = [Double](repeating: 0, count: n)
        for (rank, index) in order.enumerated() { sigmas[index] = Swift.min(Swift.max(sorted[rank], smallest), largest) }
        return sigmas
    }

    /// One row per observation (its option gets 1 more) and the prior's row, as log probabilities.
    private static func categoricalKernels(_ values: [Double], prior: [Double], priorWeight: Double) -> [[Double]] {
        let pseudoCounts = prior.map { $0 * Double(prior.count) * priorWeight / Double(values.count + 1) }
        let rows: [[Double]] = values.map { value in
            var row = pseudoCounts
            let option = Int(value)
            if row.indices.contains(option) { row[option] += 1 }
            let total = row.reduce(0, +)
            return row.map { total > 0 ? $0 / total : 0 }
        }
        return (values.isEmpty ? [prior] : rows + [prior]).map { $0.map { log($0) } }
    }

    /// `count` points drawn from the mixture, in the original space: a kernel chosen by weight,
    /// then every dimension drawn from that kernel.
    func sample(_ count: Int, _ rng: inout RandomGenerator) -> [[Double]] {
        (0..<count).map { _ in
            let k = sampleIndex(weights, &rng)
            return kernels.map { dimension in
                switch dimension {
                case let .categorical(logProbabilities):
                    return Double(sampleIndex(logProbabilities[k].map { exp($0) }, &rng))
                case let .numerical(range, mus, sigmas, _):
                    let a = (range.modelLow - mus[k]) / sigmas[k], b = (range.modelHigh - mus[k]) / sigmas[k]
                    return range.fromModel(mus[k] + sigmas[k] * TruncatedNormal.quantile(rng.nextDouble(), a, b))
                }
            }
        }
    }

    /// log p(point), `point` in the original space, in model space for numerical dimensions (no
    /// Jacobian for log ranges, as Optuna's: it cancels in the ratio TPE takes).
    func logDensity(_ point: [Double]) -> Double {
        var total = logWeights
        for (dimension, value) in zip(kernels, point) {
            switch dimension {
            case let .categorical(logProbabilities):
                let option = Int(value)
                for k in total.indices {
                    total[k] += logProbabilities[k].indices.contains(option) ? logProbabilities[k][option] : -.infinity
                }
            case let .numerical(range, mus, sigmas, logNormalizers):
                if let step = range.step {
                    let left = range.toModel(value - step / 2), right = range.toModel(value + step / 2)
                    for k in total.indices {
                        total[k] += TruncatedNormal.logMass((left - mus[k]) / sigmas[k], (right - mus[k]) / sigmas[k]) - logNormalizers[k]
                    }
                } else {
                    let x = range.toModel(value)
                    let inside = x >= range.modelLow && x <= range.modelHigh
                    for k in total.indices {
                        let z = (x - mus[k]) / sigmas[k]
                        total[k] += inside ? -0.5 * z * z - logNormalizers[k] : -.infinity
                    }
                }
            }
        }
        let largest = total.max() ?? -.infinity
        guard largest > -.infinity else { return -.infinity }
        return largest + log(total.reduce(0) { $0 + exp($1 - largest) })
    }
}
