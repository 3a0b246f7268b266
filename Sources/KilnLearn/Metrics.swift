import Foundation

/// Classification metrics as scikit-learn's `sklearn.metrics` computes them, on class indices.
public enum Metrics {
    /// The (weighted) share of samples whose prediction is right, or their total weight when
    /// `normalize` is false.
    public static func accuracy(_ truth: [Int], _ predicted: [Int], weights: [Double]?, normalize: Bool) throws -> Double {
        guard truth.count == predicted.count else {
            throw LearnError("Found input variables with inconsistent numbers of samples: [\(truth.count), \(predicted.count)]")
        }
        let w = weights ?? [Double](repeating: 1, count: truth.count)
        let right = truth.indices.reduce(0.0) { $0 + (truth[$1] == predicted[$1] ? w[$1] : 0) }
        return normalize ? right / w.reduce(0, +) : right
    }

    /// Mean (or total) cross-entropy `−log p[i, yᵢ]` with p clipped to [ε, 1 − ε], ε the float64
    /// machine epsilon (scikit-learn ≥ 1.5).
    public static func logLoss(_ truth: [Int], _ probabilities: Samples, weights: [Double]?, normalize: Bool) throws -> Double {
        guard truth.count == probabilities.rows else {
            throw LearnError("Found input variables with inconsistent numbers of samples: [\(truth.count), \(probabilities.rows)]")
        }
        let eps = Double.ulpOfOne
        let w = weights ?? [Double](repeating: 1, count: truth.count)
        let losses = truth.indices.map { i in -log(Swift.min(Swift.max(probabilities[i, truth[i]], eps), 1 - eps)) }
        let total = zip(losses, w).reduce(0.0) { $0 + $1.0 * $1.1 }
        return normalize ? total / w.reduce(0, +) : total
    }

    /// counts[t][p]: samples of true class t predicted as p, for classes 0..<classes (indices
    /// outside that range are not counted, as labels left out of `labels=`).
    public static func confusionMatrix(_ truth: [Int], _ predicted: [Int], classes: Int, weights: [Double]?) throws -> [[Double]] {
        guard truth.count == predicted.count else {
            throw LearnError("Found input variables with inconsistent numbers of samples: [\(truth.count), \(predicted.count)]")
        }
        var counts = [[Double]](repeating: [Double](repeating: 0, count: classes), count: classes)
        for i in truth.indices where (0..<classes).contains(truth[i]) && (0..<classes).contains(predicted[i]) {
            counts[truth[i]][predicted[i]] += weights?[i] ?? 1
        }
        return counts
    }
}
