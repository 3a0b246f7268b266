/// Keras' metrics and the state each keeps over an epoch: the accuracies and mean errors as
/// sample-weighted means of per-batch values, the confusion-matrix metrics (AUC, precision,
/// recall) as true/false positive and negative counts summed over every batch, so that an
/// epoch's AUC is the AUC of all its predictions, not a mean of per-batch AUCs.

import Foundation
import KilnTensor

/// A metric Keras reports beside the loss.
public enum Metric: Equatable {
    case binaryAccuracy(threshold: Float)
    case categoricalAccuracy, sparseCategoricalAccuracy, meanAbsoluteError, meanSquaredError
    case auc(AUCSettings)
    case precision(threshold: Float), recall(threshold: Float)

    /// The metric `name` asks for, given the loss (Keras picks the accuracy from it).
    public init?(name: String, loss: Loss, outputShape: [Int]) {
        switch name {
        case "accuracy", "acc":
            switch loss {
            case .sparseCategoricalCrossentropy: self = .sparseCategoricalAccuracy
            case .categoricalCrossentropy: self = .categoricalAccuracy
            case .binaryCrossentropy: self = .binaryAccuracy(threshold: 0.5)
            default: self = (outputShape.last ?? 1) == 1 ? .binaryAccuracy(threshold: 0.5) : .categoricalAccuracy
            }
        case "binary_accuracy": self = .binaryAccuracy(threshold: 0.5)
        case "categorical_accuracy": self = .categoricalAccuracy
        case "sparse_categorical_accuracy": self = .sparseCategoricalAccuracy
        case "mae", "mean_absolute_error": self = .meanAbsoluteError
        case "mse", "mean_squared_error": self = .meanSquaredError
        case "auc", "AUC": self = .auc(AUCSettings())
        case "precision", "Precision": self = .precision(threshold: 0.5)
        case "recall", "Recall": self = .recall(threshold: 0.5)
        default: return nil
        }
    }

    public static let names = ["accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                               "mae", "mse", "auc", "precision", "recall"]

    /// The History key: "accuracy" for every accuracy asked for as "accuracy", Keras 3's short
    /// names for the errors, else the name as written ("AUC" stays "AUC", as in Keras 3).
    public func key(askedAs name: String) -> String {
        switch (self, name) {
        case (_, "acc"), (_, "accuracy"): return "accuracy"
        case (.meanAbsoluteError, _): return name == "mean_absolute_error" ? name : "mae"
        case (.meanSquaredError, _): return name == "mean_squared_error" ? name : "mse"
        default: return name
        }
    }

    /// The name Keras gives an object of this metric's class when none is passed.
    public var defaultName: String {
        switch self {
        case .binaryAccuracy: return "binary_accuracy"
        case .categoricalAccuracy: return "categorical_accuracy"
        case .sparseCategoricalAccuracy: return "sparse_categorical_accuracy"
        case .meanAbsoluteError: return "mean_absolute_error"
        case .meanSquaredError: return "mean_squared_error"
        case .auc: return "auc"
        case .precision: return "precision"
        case .recall: return "recall"
        }
    }

    /// The mean of a mean metric over the rows of one batch (nil for the confusion metrics).
    func batchMean(target: Tensor, prediction: Tensor) throws -> Float? {
        let p = prediction.scalars, t = target.scalars
        var total: Float = 0
        switch self {
        case .categoricalAccuracy, .sparseCategoricalAccuracy:
            let predicted = try prediction.argmax(axis: -1)
            let truth = self == .sparseCategoricalAccuracy ? t.map { Int($0) } : try target.argmax(axis: -1)
            guard predicted.count == truth.count else {
                throw LayerError("Accuracy needs one label per prediction: got \(truth.count) labels for \(predicted.count) predictions")
            }
            total = Float(zip(predicted, truth).filter { $0 == $1 }.count)
            return total / Float(max(predicted.count, 1))
        case .binaryAccuracy(let threshold):
            try requireSameCount(target, prediction)
            for (a, b) in zip(p, t) where (a > threshold ? 1 : 0) == (b > threshold ? 1 : 0) { total += 1 }
            return total / Float(max(p.count, 1))
        case .meanAbsoluteError, .meanSquaredError:
            try requireSameCount(target, prediction)
            for (a, b) in zip(p, t) { total += self == .meanAbsoluteError ? abs(a - b) : (a - b) * (a - b) }
            return total / Float(max(p.count, 1))
        case .auc, .precision, .recall:
            return nil
        }
    }

    func requireSameCount(_ target: Tensor, _ prediction: Tensor) throws {
        guard target.count == prediction.count else {
            throw LayerError("\(defaultName): targets of shape \(Tensor.describe(target.shape)) for predictions of shape \(Tensor.describe(prediction.shape))")
        }
    }
}

/// Keras' `AUC` arguments: the thresholds the confusion counts are taken at, which curve is
/// integrated and how.
public struct AUCSettings: Equatable {
    public enum Curve: String { case roc = "ROC", pr = "PR" }
    public enum Summation: String { case interpolation, minoring, majoring }

    /// `-ε, 1/(n−1), …, (n−2)/(n−1), 1+ε` for `num_thresholds = n`, or the given ones between
    /// `-ε` and `1+ε` (as Keras lists them; predictions are compared in float32).
    public let thresholds: [Double]
    /// True for Keras' evenly spaced default, counted by bucket as Keras counts them.
    public let evenlySpaced: Bool
    public var curve: Curve
    public var summation: Summation
    public var fromLogits: Bool

    public init(thresholdCount: Int = 200, thresholds: [Double]? = nil, curve: Curve = .roc,
                summation: Summation = .interpolation, fromLogits: Bool = false) throws {
        guard thresholds != nil || thresholdCount > 1 else {
            throw LayerError("Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=\(thresholdCount)", type: "ValueError")
        }
        let epsilon = 1e-7
        let inner = thresholds?.sorted() ?? AUCSettings.evenlySpaced(thresholdCount)
        self.init(thresholds: [0 - epsilon] + inner + [1 + epsilon], evenlySpaced: thresholds == nil, curve: curve,
                  summation: summation, fromLogits: fromLogits)
    }

    /// Keras' defaults: 200 evenly spaced thresholds, the ROC curve, interpolation.
    init() {
        self.init(thresholds: [-1e-7] + AUCSettings.evenlySpaced(200) + [1 + 1e-7], evenlySpaced: true, curve: .roc,
                  summation: .interpolation, fromLogits: false)
    }

    private init(thresholds: [Double], evenlySpaced: Bool, curve: Curve, summation: Summation, fromLogits: Bool) {
        self.thresholds = thresholds
        self.evenlySpaced = evenlySpaced
        self.curve = curve
        self.summation = summation
        self.fromLogits = fromLogits
    }

    /// `1/(n−1), …, (n−2)/(n−1)`: the thresholds strictly inside (0, 1).
    private static func evenlySpaced(_ n: Int) -> [Double] {
        (0..<max(n - 2, 0)).map { Double($0 + 1) / Double(n - 1) }
    }
}

/// True and false positives and negatives at each of a list of thresholds, summed over
/// every prediction seen (a prediction is positive at a threshold it is strictly above).
struct ConfusionCounts {
    let thresholds: [Float]
    let evenlySpaced: Bool
    /// Label weight (and its complement) of the predictions above exactly the first c thresholds, by c.
    private var positives: [Double], negatives: [Double]

    init(thresholds: [Float], evenlySpaced: Bool) {
        self.thresholds = thresholds
        self.evenlySpaced = evenlySpaced
        positives = Array(repeating: 0, count: thresholds.count + 1)
        negatives = positives
    }

    /// How many thresholds (a prefix of them) `p` is above. For Keras' evenly spaced thresholds
    /// this is its bucket rule, `max(0, ceil(p·(n−1)) − 1) + 1`, in float32 as Keras computes it.
    private func exceeded(_ p: Float) -> Int {
        let n = thresholds.count
        if evenlySpaced {
            let scaled = (p * Float(n - 1)).rounded(.up) - 1
            guard scaled.isFinite else { return scaled > 0 ? n : 1 }
            return Int(min(max(scaled, 0), Float(n - 1))) + 1
        }
        var low = 0, high = n
        while low < high {
            let mid = (low + high) / 2
            if p > thresholds[mid] { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func add(labels: [Float], predictions: [Float]) {
        for (label, p) in zip(labels, predictions) {
            let c = exceeded(p)
            positives[c] += Double(label)
            negatives[c] += Double(1 - label)
        }
    }

    /// (tp, fp, fn, tn) at each threshold.
    var counts: (tp: [Double], fp: [Double], fn: [Double], tn: [Double]) {
        let n = thresholds.count
        var tp = [Double](repeating: 0, count: n), fp = tp
        var above = (0.0, 0.0)
        for c in stride(from: n, through: 1, by: -1) {
            above.0 += positives[c]
            above.1 += negatives[c]
            tp[c - 1] = above.0
            fp[c - 1] = above.1
        }
        let allPositive = positives.reduce(0, +), allNegative = negatives.reduce(0, +)
        return (tp, fp, tp.map { allPositive - $0 }, fp.map { allNegative - $0 })
    }
}

/// `a / b`, or 0 where `b` is 0 (Keras' `divide_no_nan`).
private func divideNoNaN(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }

extension AUCSettings {
    /// The area under the curve the counts trace (Keras' `AUC.result`).
    func area(_ counts: ConfusionCounts) -> Double {
        let (tp, fp, fn, tn) = counts.counts
        let n = tp.count
        guard n > 1 else { return 0 }
        if curve == .pr, summation == .interpolation { return interpolatedPRArea(tp: tp, fp: fp, fn: fn) }
        let recall = (0..<n).map { divideNoNaN(tp[$0], tp[$0] + fn[$0]) }
        let x: [Double], y: [Double]
        switch curve {
        case .roc: (x, y) = ((0..<n).map { divideNoNaN(fp[$0], fp[$0] + tn[$0]) }, recall)
        case .pr: (x, y) = (recall, (0..<n).map { divideNoNaN(tp[$0], tp[$0] + fp[$0]) })
        }
        var area = 0.0
        for i in 0..<(n - 1) {
            let height: Double
            switch summation {
            case .interpolation: height = (y[i] + y[i + 1]) / 2
            case .minoring: height = min(y[i], y[i + 1])
            case .majoring: height = max(y[i], y[i + 1])
            }
            area += (x[i] - x[i + 1]) * height
        }
        return area
    }

    /// Davis & Goadrich's interpolation of the precision-recall curve between thresholds, in
    /// the closed form Keras uses (`AUC.interpolate_pr_auc`).
    private func interpolatedPRArea(tp: [Double], fp: [Double], fn: [Double]) -> Double {
        var area = 0.0
        for i in 0..<(tp.count - 1) {
            let dtp = tp[i] - tp[i + 1]
            let pA = tp[i] + fp[i], pB = tp[i + 1] + fp[i + 1]
            let slope = divideNoNaN(dtp, max(pA - pB, 0))
            let intercept = tp[i + 1] - slope * pB
            let ratio = pA > 0 && pB > 0 ? divideNoNaN(pA, max(pB, 0)) : 1
            area += divideNoNaN(slope * (dtp + intercept * log(ratio)), max(tp[i + 1] + fn[i + 1], 0))
        }
        return area
    }
}

/// A metric's state over the batches of an epoch or an evaluation, as Keras keeps it.
public struct MetricState {
    public let metric: Metric
    private var total = 0.0, samples = 0
    private var confusion: ConfusionCounts?

    public init(_ metric: Metric) {
        self.metric = metric
        switch metric {
        case .auc(let settings): confusion = ConfusionCounts(thresholds: settings.thresholds.map { Float($0) }, evenlySpaced: settings.evenlySpaced)
        case .precision(let t), .recall(let t): confusion = ConfusionCounts(thresholds: [t], evenlySpaced: false)
        default: confusion = nil
        }
    }

    /// Adds one batch: `rows` samples of targets and predictions.
    public mutating func update(target: Tensor, prediction: Tensor) throws {
        let rows = prediction.shape.first ?? 1
        if let mean = try metric.batchMean(target: target, prediction: prediction) {
            total += Double(mean) * Double(rows)
            samples += rows
            return
        }
        try metric.requireSameCount(target, prediction)
        var p = prediction.scalars
        if case .auc(let settings) = metric, settings.fromLogits { p = p.map { 1 / (1 + exp(-$0)) } }
        confusion?.add(labels: target.scalars, predictions: p)
    }

    /// The metric over everything added since the state was made.
    public var result: Float {
        guard let confusion else { return Float(total / Double(max(samples, 1))) }
        let (tp, fp, fn, _) = confusion.counts
        switch metric {
        case .auc(let settings): return Float(settings.area(confusion))
        case .precision: return Float(divideNoNaN(tp[0], tp[0] + fp[0]))
        case .recall: return Float(divideNoNaN(tp[0], tp[0] + fn[0]))
        default: return 0
        }
    }
}
