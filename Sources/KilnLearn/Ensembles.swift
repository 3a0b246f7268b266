/// Ensembles of classifiers that are already trained, from their class probabilities on the
/// same samples: the plain average; the weighted average whose weights — on the simplex, as
/// |zᵢ| / Σ|zⱼ| of free parameters — are fitted by Nelder-Mead to minimise the log loss on
/// validation data; stacking, a logistic-regression meta-learner on the models' probabilities
/// with its out-of-fold score; and diversity, the pairwise disagreement of the models'
/// predictions and the correlation of their errors. Nothing here knows what made the
/// probabilities: a Keras network and a gradient-boosted forest are averaged alike.

import Foundation

public enum Ensembles {
    /// Checks that every model gives a samples × classes matrix of the same shape.
    static func check(_ probabilities: [Samples]) throws -> (rows: Int, classes: Int) {
        guard let first = probabilities.first else { throw LearnError("an ensemble needs at least one model") }
        for (i, p) in probabilities.enumerated() where p.rows != first.rows || p.columns != first.columns {
            throw LearnError("model \(i) gives \(p.rows) × \(p.columns) probabilities, model 0 \(first.rows) × \(first.columns); every model must predict the same samples and classes")
        }
        return (first.rows, first.columns)
    }

    /// Σ wᵢ pᵢ.
    public static func weightedAverage(_ probabilities: [Samples], weights: [Double]) throws -> Samples {
        let (rows, classes) = try check(probabilities)
        guard weights.count == probabilities.count else {
            throw LearnError("\(weights.count) weights for \(probabilities.count) models; give one weight per model")
        }
        var mixed = [Double](repeating: 0, count: rows * classes)
        for (p, w) in zip(probabilities, weights) {
            for i in mixed.indices { mixed[i] += w * p.values[i] }
        }
        return try Samples(rows: rows, columns: classes, values: mixed)
    }

    /// The plain average.
    public static func average(_ probabilities: [Samples]) throws -> Samples {
        try weightedAverage(probabilities, weights: Array(repeating: 1 / Double(Swift.max(probabilities.count, 1)), count: probabilities.count))
    }

    /// Weights on the simplex from free parameters: |zᵢ| / Σ|zⱼ| (equal weights when every zᵢ
    /// is 0). Unlike a softmax this does not flatten out near a corner, so Nelder-Mead can move
    /// weight between models however unequal they are.
    public static func simplex(_ z: [Double]) -> [Double] {
        let total = z.reduce(0) { $0 + abs($1) }
        guard total > 0, total.isFinite else { return z.map { _ in 1 / Double(z.count) } }
        return z.map { abs($0) / total }
    }

    /// Weights on the simplex minimising `loss` of the weighted average, found by Nelder-Mead
    /// (scipy's defaults) over the parameters of `simplex`, from equal weights, restarted from
    /// its own result (a fresh simplex around it) until a restart gains less than 1e-10 — at
    /// most 10 runs; `result` counts every run's iterations and evaluations.
    public static func fitWeights(_ probabilities: [Samples], labels: [Int],
                                  loss: (([Int], Samples) throws -> Double)? = nil) throws -> (weights: [Double], loss: Double, result: MinimizationResult) {
        let (rows, _) = try check(probabilities)
        guard labels.count == rows else { throw LearnError("\(labels.count) labels for \(rows) samples") }
        let objective = loss ?? { truth, p in try Metrics.logLoss(truth, p, weights: nil, normalize: true) }
        let f = { (z: [Double]) in try objective(labels, try weightedAverage(probabilities, weights: simplex(z))) }
        let equal = 1 / Double(probabilities.count)
        var result = try NelderMead().minimize(f, from: Array(repeating: equal, count: probabilities.count))
        for _ in 1..<10 {
            // Rescaled so that the fresh simplex's 5% steps are steps in the weights.
            let start = simplex(result.x).map { $0 == 0 ? equal / 20 : $0 }
            let again = try NelderMead().minimize(f, from: start)
            let gain = result.fun - again.fun
            result.iterations += again.iterations
            result.evaluations += again.evaluations
            if gain > 0 { result.x = again.x; result.fun = again.fun; result.status = again.status }
            if !(gain > 1e-10) { break }
        }
        return (simplex(result.x), result.fun, result)
    }

    /// The models' probabilities side by side: samples × (models · classes), the stacking
    /// meta-learner's input.
    public static func stacked(_ probabilities: [Samples]) throws -> Samples {
        let (rows, classes) = try check(probabilities)
        var values: [Double] = []
        values.reserveCapacity(rows * classes * probabilities.count)
        for r in 0..<rows {
            for p in probabilities { values += p.row(r) }
        }
        return try Samples(rows: rows, columns: classes * probabilities.count, values: values)
    }

    /// Pairwise disagreement (the share of samples on which two models predict different
    /// classes) and error correlation (Pearson's correlation of their 0/1 errors; 0 when
    /// either makes no error or errs everywhere).
    public static func diversity(_ probabilities: [Samples], labels: [Int]) throws -> (disagreement: [[Double]], errorCorrelation: [[Double]], accuracy: [Double]) {
        let (rows, _) = try check(probabilities)
        guard labels.count == rows, rows > 0 else { throw LearnError("\(labels.count) labels for \(rows) samples") }
        let predictions = probabilities.map { p in (0..<rows).map { r in argmax(p.row(r)) } }
        let errors = predictions.map { predicted in zip(predicted, labels).map { $0 == $1 ? 0.0 : 1.0 } }
        let n = probabilities.count
        var disagreement = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var correlation = disagreement
        for i in 0..<n {
            for j in 0..<n {
                disagreement[i][j] = Double(zip(predictions[i], predictions[j]).filter { $0 != $1 }.count) / Double(rows)
                correlation[i][j] = pearson(errors[i], errors[j])
            }
        }
        return (disagreement, correlation, errors.map { 1 - $0.reduce(0, +) / Double(rows) })
    }

    /// The index of the largest value (the first of equals).
    public static func argmax(_ values: ArraySlice<Double>) -> Int {
        var best = values.startIndex
        for i in values.indices where values[i] > values[best] { best = i }
        return best - values.startIndex
    }

    private static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) {
            sab += (x - ma) * (y - mb)
            saa += (x - ma) * (x - ma)
            sbb += (y - mb) * (y - mb)
        }
        return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : 0
    }
}
