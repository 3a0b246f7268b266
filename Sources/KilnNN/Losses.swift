/// Keras' losses with their gradients: categorical, sparse categorical and binary
/// crossentropy (from probabilities or `from_logits=True`), mean squared and absolute error,
/// Huber. Each loss is computed per sample (over the last axis) and averaged over the batch,
/// Keras' default reduction. From probabilities, predictions are clipped to [1e-7, 1 − 1e-7]
/// as Keras does; when the model's last activation is the matching softmax or sigmoid, the
/// trainer uses the logits instead (`fromLogits`), which is what Keras' TensorFlow backend does
/// too and keeps large logits stable.

import Foundation
import KilnTensor

public enum Loss: Equatable {
    case categoricalCrossentropy(fromLogits: Bool)
    case sparseCategoricalCrossentropy(fromLogits: Bool)
    case binaryCrossentropy(fromLogits: Bool)
    case meanSquaredError
    case meanAbsoluteError
    case huber(delta: Float)

    static let epsilon: Float = 1e-7

    /// The loss Keras calls `name` (and its aliases), with default arguments.
    public init?(name: String) {
        switch name {
        case "categorical_crossentropy", "CategoricalCrossentropy": self = .categoricalCrossentropy(fromLogits: false)
        case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy": self = .sparseCategoricalCrossentropy(fromLogits: false)
        case "binary_crossentropy", "BinaryCrossentropy": self = .binaryCrossentropy(fromLogits: false)
        case "mse", "mean_squared_error", "MeanSquaredError": self = .meanSquaredError
        case "mae", "mean_absolute_error", "MeanAbsoluteError": self = .meanAbsoluteError
        case "huber", "huber_loss", "Huber": self = .huber(delta: 1)
        default: return nil
        }
    }

    public static let names = ["binary_crossentropy", "categorical_crossentropy", "huber", "mae", "mean_absolute_error",
                               "mean_squared_error", "mse", "sparse_categorical_crossentropy"]

    /// Keras' name of the loss (the History key is "loss" whatever it is).
    public var name: String {
        switch self {
        case .categoricalCrossentropy: return "categorical_crossentropy"
        case .sparseCategoricalCrossentropy: return "sparse_categorical_crossentropy"
        case .binaryCrossentropy: return "binary_crossentropy"
        case .meanSquaredError: return "mean_squared_error"
        case .meanAbsoluteError: return "mean_absolute_error"
        case .huber: return "huber"
        }
    }

    /// The activation whose output this loss can take as logits instead (softmax for the
    /// categorical crossentropies, sigmoid for binary), when it is computed from probabilities.
    public var fusableActivation: Activation? {
        switch self {
        case .categoricalCrossentropy(false), .sparseCategoricalCrossentropy(false): return .softmax
        case .binaryCrossentropy(false): return .sigmoid
        default: return nil
        }
    }

    /// The same loss taking logits.
    public var onLogits: Loss {
        switch self {
        case .categoricalCrossentropy: return .categoricalCrossentropy(fromLogits: true)
        case .sparseCategoricalCrossentropy: return .sparseCategoricalCrossentropy(fromLogits: true)
        case .binaryCrossentropy: return .binaryCrossentropy(fromLogits: true)
        default: return self
        }
    }

    /// The mean loss over the batch and its gradient with respect to `prediction`.
    ///
    /// With `sampleWeights` (one per sample, the first axis; Keras' `sample_weight`), each
    /// sample's loss is multiplied by its weight before the mean over the batch, which still
    /// divides by the number of samples (Keras' "sum_over_batch_size").
    public func compute(target: Tensor, prediction: Tensor, sampleWeights: [Float]? = nil) throws -> (value: Float, gradient: Tensor) {
        let (k, rows) = try classesAndRows(prediction)
        let target = try Loss.sameRank(target, as: prediction)
        guard rows > 0 else { return (0, Tensor(shape: prediction.shape)) }
        var (perRow, gradient) = try rowsAndGradient(target: target, prediction: prediction, k: k, rows: rows)
        if let weights = sampleWeights {
            let samples = prediction.shape.first ?? 1
            guard weights.count == samples, samples > 0, rows % samples == 0 else {
                throw LayerError("sample_weight has \(weights.count) values for \(samples) samples (loss \(name))")
            }
            // Every row of a sample (rows > samples for sequence outputs) takes the sample's weight.
            let perSample = rows / samples
            let rowWeights = (0..<rows).map { weights[$0 / perSample] }
            perRow = zip(perRow, rowWeights).map { $0 * $1 }
            gradient = try gradient.reshaped([rows, k]).multiplying(try Tensor(shape: [rows, 1], values: rowWeights))
                .reshaped(prediction.shape)
        }
        let scale = 1 / Float(rows)
        return (Float(perRow.reduce(0.0) { $0 + Double($1) } / Double(rows)), gradient.multiplying(scalar: scale))
    }

    /// The loss of each sample (over the last axis), as Keras' loss functions return it.
    public func perSample(target: Tensor, prediction: Tensor) throws -> Tensor {
        let (k, rows) = try classesAndRows(prediction)
        let target = try Loss.sameRank(target, as: prediction)
        let perRow = rows > 0 ? try rowsAndGradient(target: target, prediction: prediction, k: k, rows: rows).0 : []
        return try Tensor(shape: Array(prediction.shape.dropLast()), values: perRow)
    }

    /// Keras' `squeeze_or_expand_to_same_rank`: targets of shape (n,) for predictions of shape
    /// (n, 1) (a Dense(1) output) gain the axis, targets of shape (n, 1) for (n,) lose it.
    static func sameRank(_ target: Tensor, as prediction: Tensor) throws -> Tensor {
        if target.rank + 1 == prediction.rank, prediction.shape.last == 1 { return try target.reshaped(prediction.shape) }
        if target.rank == prediction.rank + 1, target.shape.last == 1 { return try target.reshaped(prediction.shape) }
        return target
    }

    /// The size of the last axis and the number of samples over it.
    private func classesAndRows(_ prediction: Tensor) throws -> (k: Int, rows: Int) {
        guard let k = prediction.shape.last, prediction.rank >= 1, k > 0 else {
            throw LayerError("The predictions of shape \(Tensor.describe(prediction.shape)) have no class or value axis for loss \(name)")
        }
        return (k, prediction.count / k)
    }

    private func requireSameShape(_ target: Tensor, _ prediction: Tensor) throws {
        guard target.shape == prediction.shape else {
            throw LayerError("Arguments `target` and `output` must have the same shape. Received: target.shape=\(Tensor.describe(target.shape)), output.shape=\(Tensor.describe(prediction.shape)) (loss \(name))")
        }
    }

    /// Per-row losses and the gradient of their sum.
    private func rowsAndGradient(target: Tensor, prediction: Tensor, k: Int, rows: Int) throws -> ([Float], Tensor) {
        let p = prediction.scalars
        var grad = [Float](repeating: 0, count: p.count)
        var loss = [Float](repeating: 0, count: rows)
        let eps = Loss.epsilon
        switch self {
        case .sparseCategoricalCrossentropy(let fromLogits):
            guard target.count == rows else {
                throw LayerError("Sparse categorical crossentropy expects one integer label per sample: got labels of shape \(Tensor.describe(target.shape)) for predictions of shape \(Tensor.describe(prediction.shape))")
            }
            var labels: [Int] = []
            for v in target.scalars {
                guard v == v.rounded(), v >= 0, Int(v) < k else {
                    throw LayerError("Received a label value of \(v) which is outside the valid range of [0, \(k)).  Label values: \(target.scalars.prefix(10).map { Int($0) })", type: "InvalidArgumentError")
                }
                labels.append(Int(v))
            }
            if fromLogits {
                let (l, g) = try sparseSoftmaxCrossEntropy(logits: try prediction.reshaped([rows, k]), labels: labels)
                return (l.scalars, try g.reshaped(prediction.shape))
            }
            var onehot = [Float](repeating: 0, count: p.count)
            for (r, label) in labels.enumerated() { onehot[r * k + label] = 1 }
            return try Loss.categoricalCrossentropy(fromLogits: false)
                .rowsAndGradient(target: Tensor(shape: prediction.shape, values: onehot), prediction: prediction, k: k, rows: rows)
        case .categoricalCrossentropy(let fromLogits):
            try requireSameShape(target, prediction)
            if fromLogits {
                let (l, g) = try softmaxCrossEntropy(logits: try prediction.reshaped([rows, k]), labels: try target.reshaped([rows, k]))
                return (l.scalars, try g.reshaped(prediction.shape))
            }
            let t = target.scalars
            for r in 0..<rows {
                let base = r * k
                var total: Float = 0
                for j in 0..<k { total += p[base + j] }
                guard total > 0 else { continue }
                // q = clip(p / Σp); L = −Σ t log q; ∂L/∂p_i = (∂L/∂q_i − Σ_j ∂L/∂q_j q_j) / Σp.
                var dq = [Float](repeating: 0, count: k)
                var weighted: Float = 0
                for j in 0..<k {
                    let raw = p[base + j] / total
                    let q = min(max(raw, eps), 1 - eps)
                    loss[r] -= t[base + j] * Foundation.log(q)
                    if raw > eps && raw < 1 - eps { dq[j] = -t[base + j] / q }
                    weighted += dq[j] * raw
                }
                for j in 0..<k { grad[base + j] = (dq[j] - weighted) / total }
            }
        case .binaryCrossentropy(let fromLogits):
            try requireSameShape(target, prediction)
            let t = target.scalars
            for i in 0..<p.count {
                let r = i / k
                if fromLogits {
                    let z = p[i]
                    loss[r] += (max(z, 0) - z * t[i] + Foundation.log1p(Foundation.exp(-abs(z)))) / Float(k)
                    grad[i] = (1 / (1 + Foundation.exp(-z)) - t[i]) / Float(k)
                } else {
                    let q = min(max(p[i], eps), 1 - eps)
                    loss[r] -= (t[i] * Foundation.log(q) + (1 - t[i]) * Foundation.log(1 - q)) / Float(k)
                    if p[i] > eps && p[i] < 1 - eps { grad[i] = -(t[i] / q - (1 - t[i]) / (1 - q)) / Float(k) }
                }
            }
        case .meanSquaredError, .meanAbsoluteError, .huber:
            try requireSameShape(target, prediction)
            let t = target.scalars
            for i in 0..<p.count {
                let e = p[i] - t[i], r = i / k
                switch self {
                case .meanSquaredError:
                    loss[r] += e * e / Float(k)
                    grad[i] = 2 * e / Float(k)
                case .meanAbsoluteError:
                    loss[r] += abs(e) / Float(k)
                    grad[i] = (e > 0 ? 1 : (e < 0 ? -1 : 0)) / Float(k)
                case .huber(let delta):
                    loss[r] += (abs(e) <= delta ? 0.5 * e * e : delta * abs(e) - 0.5 * delta * delta) / Float(k)
                    grad[i] = (abs(e) <= delta ? e : delta * (e > 0 ? 1 : -1)) / Float(k)
                default: break
                }
            }
        }
        return (loss, try Tensor(shape: prediction.shape, values: grad))
    }
}
