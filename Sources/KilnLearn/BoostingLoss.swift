/// The losses gradient boosting minimises, as scikit-learn's `_loss` module, over raw
/// predictions f (one column per tree of an iteration):
/// - squared error: ½(y − f)², g = f − y, h = 1, baseline the weighted mean of y;
/// - binary log loss: log(1 + eᶠ) − y·f, g = σ(f) − y, h = σ(f)(1 − σ(f)), baseline logit(ȳ);
/// - multinomial log loss: log Σₖ e^fₖ − f_y, gₖ = pₖ − [y = k], hₖ = pₖ(1 − pₖ), baseline
///   log pₖ − mean log p of the class frequencies.

import Foundation

public enum BoostingLoss: Sendable {
    case squaredError
    case binaryLogLoss
    case multinomial(classes: Int)

    /// Raw prediction columns per sample (trees per iteration).
    public var columns: Int {
        if case .multinomial(let k) = self { return k }
        return 1
    }

    /// Whether every hessian is 1 (then histograms keep counts only).
    public var constantHessian: Bool {
        if case .squaredError = self { return true }
        return false
    }

    /// The best constant raw prediction for targets `y` (class indices for classification).
    public func baseline(_ y: [Double], _ weights: [Double]?) -> [Double] {
        let total = weights?.reduce(0, +) ?? Double(y.count)
        func mean(_ f: (Double) -> Double) -> Double {
            var s = 0.0
            for i in 0..<y.count { s += (weights?[i] ?? 1) * f(y[i]) }
            return s / total
        }
        let eps = Double.ulpOfOne
        switch self {
        case .squaredError: return [mean { $0 }]
        case .binaryLogLoss:
            let p = Swift.min(Swift.max(mean { $0 }, eps), 1 - eps)
            return [log(p / (1 - p))]
        case .multinomial(let k):
            let logs = (0..<k).map { c in log(Swift.min(Swift.max(mean { $0 == Double(c) ? 1 : 0 }, eps), 1 - eps)) }
            let centre = logs.reduce(0, +) / Double(k)
            return logs.map { $0 - centre }
        }
    }

    /// Fills gradients and hessians (column-major: column c of sample i at c·n + i) at raw
    /// predictions `raw` (same layout); hessians are left alone when constant and unweighted.
    public func gradients(_ y: [Double], _ raw: [Double], _ weights: [Double]?, gradients g: inout [Double], hessians h: inout [Double]) {
        let n = y.count
        switch self {
        case .squaredError:
            for i in 0..<n { g[i] = (raw[i] - y[i]) * (weights?[i] ?? 1) }
            if let weights { for i in 0..<n { h[i] = weights[i] } }
        case .binaryLogLoss:
            for i in 0..<n {
                let p = 1 / (1 + exp(-raw[i])), w = weights?[i] ?? 1
                g[i] = (p - y[i]) * w
                h[i] = p * (1 - p) * w
            }
        case .multinomial(let k):
            var p = [Double](repeating: 0, count: k)
            for i in 0..<n {
                softmax(raw, row: i, n: n, into: &p)
                let w = weights?[i] ?? 1
                for c in 0..<k {
                    g[c * n + i] = (p[c] - (y[i] == Double(c) ? 1 : 0)) * w
                    h[c * n + i] = p[c] * (1 - p[c]) * w
                }
            }
        }
    }

    /// Raw predictions of `x`, column-major (column c of sample i at c·rows + i): the baseline
    /// plus, for every iteration, `output` of its tree for each column; rows in parallel.
    static func raw<Tree>(_ x: Samples, baseline: [Double], trees: [[Tree]], _ output: (Tree, ArraySlice<Double>) -> Double) throws -> [Double] {
        guard !trees.isEmpty else { throw LearnError("This estimator is not fitted yet.") }
        let k = baseline.count, n = x.rows
        var raw = (0..<k).flatMap { c in [Double](repeating: baseline[c], count: n) }
        raw.fillInParallel(count: n, minimumChunk: 256) { rows, out in
            for i in rows {
                let sample = x.row(i)
                for iteration in trees {
                    for (c, tree) in iteration.enumerated() { out[c * n + i] += output(tree, sample) }
                }
            }
        }
        return raw
    }

    /// Class probabilities (rows × classes) from a classifier's raw predictions (column-major,
    /// `columns` per sample): [1 − σ(f), σ(f)] for one column, softmax(f) for more.
    public static func probabilities(_ raw: [Double], rows n: Int, columns k: Int) throws -> Samples {
        if k == 1 {
            return try Samples(rows: n, columns: 2, values: raw.flatMap { f -> [Double] in
                let p = 1 / (1 + exp(-f))
                return [1 - p, p]
            })
        }
        var p = [Double](repeating: 0, count: k), values: [Double] = []
        values.reserveCapacity(n * k)
        for i in 0..<n {
            BoostingLoss.multinomial(classes: k).softmax(raw, row: i, n: n, into: &p)
            values += p
        }
        return try Samples(rows: n, columns: k, values: values)
    }

    /// The weighted mean loss at raw predictions `raw`.
    public func loss(_ y: [Double], _ raw: [Double], _ weights: [Double]?) -> Double {
        let n = y.count
        var total = 0.0, weight = 0.0
        for i in 0..<n {
            let w = weights?[i] ?? 1
            let l: Double
            switch self {
            case .squaredError: l = 0.5 * (raw[i] - y[i]) * (raw[i] - y[i])
            case .binaryLogLoss:
                let f = raw[i]
                l = (f > 0 ? f + log1p(exp(-f)) : log1p(exp(f))) - y[i] * f
            case .multinomial(let k):
                var top = -Double.infinity
                for c in 0..<k { top = Swift.max(top, raw[c * n + i]) }
                var s = 0.0
                for c in 0..<k { s += exp(raw[c * n + i] - top) }
                l = top + log(s) - raw[Int(y[i]) * n + i]
            }
            total += w * l
            weight += w
        }
        return total / weight
    }

    /// Class probabilities of sample `row` from raw predictions (column-major, `n` samples).
    func softmax(_ raw: [Double], row: Int, n: Int, into p: inout [Double]) {
        var top = -Double.infinity
        for c in 0..<p.count { top = Swift.max(top, raw[c * n + row]) }
        var s = 0.0
        for c in 0..<p.count { p[c] = exp(raw[c * n + row] - top); s += p[c] }
        for c in 0..<p.count { p[c] /= s }
    }
}
