/// Weight regularizers (`kernel_regularizer=l2(0.01)`): a penalty l1·Σ|w| + l2·Σw² added to the
/// loss in training and evaluation, with gradient l1·sign(w) + 2·l2·w, as Keras computes them.

import KilnTensor

public struct Regularizer: Equatable {
    public var l1: Float
    public var l2: Float

    public init(l1: Float = 0, l2: Float = 0) {
        self.l1 = l1
        self.l2 = l2
    }

    public func penalty(_ w: Tensor) -> Float {
        var total: Double = 0
        for v in w.scalars { total += Double(l1) * Double(abs(v)) + Double(l2) * Double(v) * Double(v) }
        return Float(total)
    }

    public func gradient(_ w: Tensor) -> Tensor {
        w.map { l1 * ($0 > 0 ? 1 : ($0 < 0 ? -1 : 0)) + 2 * l2 * $0 }
    }
}

extension Model {
    /// The sum of every layer's weight penalties (Keras' `model.losses`).
    public func regularizationLoss() -> Float {
        layers.reduce(0) { total, layer in
            total + layer.weights.reduce(0) { $0 + (layer.regularizers[$1.name]?.penalty($1.value) ?? 0) }
        }
    }

    /// Adds the penalties' gradients for trainable weights.
    func addRegularizationGradients(to gradients: inout WeightGradients) throws {
        for layer in layers where layer.trainable {
            for w in layer.weights where w.trainable {
                if let r = layer.regularizers[w.name] { try gradients.add(r.gradient(w.value), for: w) }
            }
        }
    }
}
