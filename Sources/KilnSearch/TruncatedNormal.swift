/// The standard normal distribution truncated to an interval [a, b], computed as Optuna's
/// `_truncnorm` (after SciPy's `truncnorm`) computes it: probability masses in log space and
/// worked out in the left tail, where they are accurate, so that kernels far from their bounds
/// neither underflow nor lose their mass to cancellation.

import Foundation

enum TruncatedNormal {
    /// log √(2π).
    static let logNormalizer = 0.5 * log(2 * Double.pi)

    /// Φ(x), the standard normal CDF.
    static func cdf(_ x: Double) -> Double {
        let t = x / 2.0.squareRoot()
        if t < -1 / 2.0.squareRoot() { return 0.5 * erfc(-t) }
        if t < 1 / 2.0.squareRoot() { return 0.5 + 0.5 * erf(t) }
        return 1 - 0.5 * erfc(t)
    }

    /// log Φ(x), with the asymptotic series below −20 where Φ underflows.
    static func logCDF(_ x: Double) -> Double {
        if x > 6 { return -cdf(-x) }
        if x > -20 { return log(cdf(x)) }
        let leading = -0.5 * x * x - log(-x) - logNormalizer
        var total = 1.0, last = 0.0, numerator = 1.0, denominator = 1.0, sign = 1.0, i = 0.0
        while abs(last - total) > Double.ulpOfOne {
            i += 1
            last = total
            sign = -sign
            denominator *= 1 / (x * x)
            numerator *= 2 * i - 1
            total += sign * numerator * denominator
        }
        return leading + log(total)
    }

    /// log(Φ(b) − Φ(a)), the log probability of [a, b] under the standard normal.
    static func logMass(_ a: Double, _ b: Double) -> Double {
        if b <= 0 { return logDifference(logCDF(b), logCDF(a)) }
        if a > 0 { return logDifference(logCDF(-a), logCDF(-b)) }
        return log1p(-(0.5 + 0.5 * erf(a / 2.0.squareRoot())) - (0.5 + 0.5 * erf(-b / 2.0.squareRoot())))
    }

    /// log density at `x` of the standard normal truncated to [a, b] (−∞ outside).
    static func logDensity(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x >= a && x <= b else { return -.infinity }
        return -0.5 * x * x - logNormalizer - logMass(a, b)
    }

    /// The quantile: the x in [a, b] with (Φ(x) − Φ(a)) / (Φ(b) − Φ(a)) = q.
    static func quantile(_ q: Double, _ a: Double, _ b: Double) -> Double {
        guard a < b else { return a }
        if q <= 0 { return a }
        if q >= 1 { return b }
        let mass = logMass(a, b)
        let x = a < 0
            ? inverseLogCDF(logSum(logCDF(a), log(q) + mass))
            : -inverseLogCDF(logSum(logCDF(-b), log1p(-q) + mass))
        return Swift.min(Swift.max(x, a), b)
    }

    /// The x with log Φ(x) = y (y ≤ 0), by Newton's method from a tail or logistic first guess.
    static func inverseLogCDF(_ y: Double) -> Double {
        // Near y = 0 the right tail is found as the left tail of log(1 − Φ) and flipped.
        let flipped = y > -1e-2
        let z = flipped ? log(-expm1(y)) : y
        var x = z < -5 ? -(-2 * (z + logNormalizer)).squareRoot() : -(3.0.squareRoot() / Double.pi) * log(expm1(-z))
        for _ in 0..<100 {
            let logPhi = logCDF(x)
            let step = (logPhi - z) * exp(logPhi - (-0.5 * x * x - logNormalizer))
            x -= step
            if abs(step) < 1e-8 * abs(x) { break }
        }
        return flipped ? -x : x
    }

    /// log(eᵖ + e^q).
    static func logSum(_ p: Double, _ q: Double) -> Double {
        let high = Swift.max(p, q)
        guard high > -.infinity else { return -.infinity }
        return high + log1p(exp(-abs(p - q)))
    }

    /// log(eᵖ − e^q) for q ≤ p.
    static func logDifference(_ p: Double, _ q: Double) -> Double {
        p + log1p(-exp(q - p))
    }
}
