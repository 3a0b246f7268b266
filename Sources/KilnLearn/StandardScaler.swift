/// Standardisation as scikit-learn's `StandardScaler`: `z = (x − mean_) / scale_` per feature,
/// with `mean_` the (weighted) mean, `var_` the population variance and `scale_ = √var_`
/// (1 for a constant feature); `withMean: false` keeps the centre, `withStd: false` the scale.
public struct StandardScaler: Transformer, Inspectable {
    public var withMean: Bool
    public var withStd: Bool
    public private(set) var mean: [Double] = []
    public private(set) var variance: [Double] = []
    public private(set) var scale: [Double] = []
    public private(set) var samplesSeen = 0

    public init(withMean: Bool = true, withStd: Bool = true) {
        self.withMean = withMean
        self.withStd = withStd
    }

    public mutating func fit(_ x: Samples, weights: [Double]?) throws {
        let n = x.rows, p = x.columns
        guard n > 0 else { throw LearnError("Found array with 0 sample(s) (shape=(0, \(p))) while a minimum of 1 is required by StandardScaler.") }
        let sw = weights ?? [Double](repeating: 1, count: n)
        let total = sw.reduce(0, +)
        mean = (0..<p).map { j in (0..<n).reduce(0) { $0 + sw[$1] * x[$1, j] } / total }
        variance = (0..<p).map { j in (0..<n).reduce(0) { s, i in let d = x[i, j] - mean[j]; return s + sw[i] * d * d } / total }
        // A feature whose variance is rounding noise is constant: scale 1 (scikit-learn's rule).
        scale = zip(variance, mean).map { v, m in
            let n = Double(n), eps = Double.ulpOfOne
            return v <= n * eps * v + (n * m * eps) * (n * m * eps) ? 1 : v.squareRoot()
        }
        samplesSeen = n
    }

    private func checked(_ x: Samples) throws {
        guard samplesSeen > 0 else { throw LearnError("StandardScaler is not fitted") }
        guard x.columns == mean.count else { throw LearnError("X has \(x.columns) features, but StandardScaler is expecting \(mean.count) features as input.") }
    }

    public func transform(_ x: Samples) throws -> Samples {
        try checked(x)
        var out = x
        for i in 0..<x.rows {
            for j in 0..<x.columns {
                out[i, j] = (x[i, j] - (withMean ? mean[j] : 0)) / (withStd ? scale[j] : 1)
            }
        }
        return out
    }

    public func inverseTransform(_ x: Samples) throws -> Samples {
        try checked(x)
        var out = x
        for i in 0..<x.rows {
            for j in 0..<x.columns {
                out[i, j] = x[i, j] * (withStd ? scale[j] : 1) + (withMean ? mean[j] : 0)
            }
        }
        return out
    }

    public var learnedArrays: [String: LearnedArray] {
        guard samplesSeen > 0 else { return [:] }
        var arrays = ["n_samples_seen_": LearnedArray(shape: [], values: [Double(samplesSeen)], isInteger: true)]
        if withMean || withStd { arrays["mean_"] = LearnedArray(shape: [mean.count], values: mean) }
        if withStd {
            arrays["var_"] = LearnedArray(shape: [variance.count], values: variance)
            arrays["scale_"] = LearnedArray(shape: [scale.count], values: scale)
        }
        return arrays
    }
}
