/// KilnSearch chooses hyperparameters: search spaces, samplers and (to come) studies and
/// pruners. It knows nothing of neural networks or of the language: an objective is something
/// the caller runs for an assignment of values. This file holds the priors of single
/// hyperparameters, with Hyperopt's meanings (`hp.uniform`, `hp.qloguniform`, `hp.choice`, …).

import Foundation
import KilnTensor

/// The prior of one hyperparameter, as Hyperopt's `hp.*` define them. Log-space bounds are
/// given in log space, as Hyperopt takes them (`loguniform(low, high)` is `exp(uniform(low,
/// high))`); a `q` rounds the drawn value to a multiple of `q`.
public enum Distribution: Equatable, Sendable {
    /// Uniform in `[low, high)`.
    case uniform(low: Double, high: Double)
    /// `round(uniform(low, high) / q) · q`.
    case quniform(low: Double, high: Double, q: Double)
    /// `exp(uniform(low, high))`.
    case loguniform(low: Double, high: Double)
    /// `round(exp(uniform(low, high)) / q) · q`.
    case qloguniform(low: Double, high: Double, q: Double)
    /// Normal with mean `mu` and standard deviation `sigma`.
    case normal(mu: Double, sigma: Double)
    /// `round(normal(mu, sigma) / q) · q`.
    case qnormal(mu: Double, sigma: Double, q: Double)
    /// `exp(normal(mu, sigma))`.
    case lognormal(mu: Double, sigma: Double)
    /// `round(exp(normal(mu, sigma)) / q) · q`.
    case qlognormal(mu: Double, sigma: Double, q: Double)
    /// An integer uniform in `low..<high` (Hyperopt's `randint`).
    case randint(low: Int, high: Int)
    /// An integer `round(uniform(low, high) / q) · q` (Hyperopt's `uniformint`).
    case uniformint(low: Double, high: Double, q: Double)
    /// The index of one of `count` options, equally likely (`hp.choice`).
    case choice(count: Int)
    /// The index of an option drawn with the given probabilities (`hp.pchoice`).
    case pchoice(probabilities: [Double])

    /// Checks the arguments; `label` names the parameter in the error.
    public func validate(label: String) throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw SearchError("hyperparameter '\(label)': \(message)") }
        }
        switch self {
        case let .uniform(low, high), let .loguniform(low, high):
            try require(low.isFinite && high.isFinite && low <= high, "low must not exceed high (got \(low), \(high))")
        case let .quniform(low, high, q), let .qloguniform(low, high, q), let .uniformint(low, high, q):
            try require(low.isFinite && high.isFinite && low <= high, "low must not exceed high (got \(low), \(high))")
            try require(q > 0 && q.isFinite, "q must be positive (got \(q))")
        case let .normal(_, sigma), let .lognormal(_, sigma):
            try require(sigma >= 0 && sigma.isFinite, "sigma must be non-negative (got \(sigma))")
        case let .qnormal(_, sigma, q), let .qlognormal(_, sigma, q):
            try require(sigma >= 0 && sigma.isFinite, "sigma must be non-negative (got \(sigma))")
            try require(q > 0 && q.isFinite, "q must be positive (got \(q))")
        case let .randint(low, high):
            try require(low < high, "randint needs low < high (got \(low), \(high))")
        case let .choice(count):
            try require(count > 0, "choice needs at least one option")
        case let .pchoice(probabilities):
            try require(!probabilities.isEmpty, "pchoice needs at least one option")
            try require(probabilities.allSatisfy { $0 >= 0 && $0.isFinite }, "probabilities must be non-negative")
            try require(abs(probabilities.reduce(0, +) - 1) < 1e-6, "probabilities must sum to 1 (got \(probabilities.reduce(0, +)))")
        }
    }

    /// Whether values are whole numbers (indices and integer ranges).
    public var isInteger: Bool {
        switch self {
        case .randint, .uniformint, .choice, .pchoice: return true
        default: return false
        }
    }

    /// One value drawn from the prior.
    public func sample(_ rng: inout RandomGenerator) -> Double {
        func quantized(_ x: Double, _ q: Double) -> Double { (x / q).rounded() * q }
        switch self {
        case let .uniform(low, high): return low + (high - low) * rng.nextDouble()
        case let .quniform(low, high, q): return quantized(low + (high - low) * rng.nextDouble(), q)
        case let .loguniform(low, high): return exp(low + (high - low) * rng.nextDouble())
        case let .qloguniform(low, high, q): return quantized(exp(low + (high - low) * rng.nextDouble()), q)
        case let .normal(mu, sigma): return mu + sigma * rng.standardNormal()
        case let .qnormal(mu, sigma, q): return quantized(mu + sigma * rng.standardNormal(), q)
        case let .lognormal(mu, sigma): return exp(mu + sigma * rng.standardNormal())
        case let .qlognormal(mu, sigma, q): return quantized(exp(mu + sigma * rng.standardNormal()), q)
        case let .randint(low, high): return Double(low + rng.nextInt(below: high - low))
        case let .uniformint(low, high, q): return quantized(low + (high - low) * rng.nextDouble(), q)
        case let .choice(count): return Double(rng.nextInt(below: count))
        case let .pchoice(probabilities):
            var u = rng.nextDouble(), index = 0
            while index < probabilities.count - 1 && u >= probabilities[index] {
                u -= probabilities[index]
                index += 1
            }
            return Double(index)
        }
    }
}

/// A mistake in a search space or study, in words that name the parameter.
public struct SearchError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
