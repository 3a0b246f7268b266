/// Layers without weights, plus Embedding: Activation, Dropout, AlphaDropout, Flatten,
/// Reshape, ReLU, LeakyReLU, Embedding.

import KilnTensor

/// `Activation(name)`: applies an activation function elementwise (softmax over the last axis).
public final class ActivationLayer: Layer {
    public let activation: Activation

    public init(_ activation: Activation, name: String?, backend: Backend) {
        self.activation = activation
        super.init(className: "Activation", name: name, backend: backend)
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        activation.apply(try onlyInput(inputs))
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        activated(try onlyInput(inputs), activation) { g in LayerGradients(inputs: [g]) }
    }
}

/// `ReLU(max_value, negative_slope, threshold)`: x for threshold ≤ x < max_value,
/// negative_slope · (x − threshold) below the threshold, max_value above it.
public final class ReLULayer: Layer {
    public let maxValue: Float?
    public let negativeSlope: Float
    public let threshold: Float

    public init(maxValue: Float?, negativeSlope: Float, threshold: Float, name: String?, backend: Backend) throws {
        if let m = maxValue, m < 0 { throw LayerError("max_value of a ReLU layer cannot be negative. Received: \(m)") }
        guard negativeSlope >= 0 else { throw LayerError("negative_slope of a ReLU layer cannot be negative. Received: \(negativeSlope)") }
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
        super.init(className: "ReLU", name: name, backend: backend)
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        relu(try onlyInput(inputs), negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold)
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        return Recorded(output: try forward(inputs, training: true)) { [negativeSlope, maxValue, threshold] g in
            LayerGradients(inputs: [try reluBackward(x, upstream: g, negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold)])
        }
    }
}

/// `LeakyReLU(negative_slope)`: x for x ≥ 0, negative_slope · x below.
public final class LeakyReLULayer: Layer {
    public let negativeSlope: Float

    public init(negativeSlope: Float, name: String?, backend: Backend) {
        self.negativeSlope = negativeSlope
        super.init(className: "LeakyReLU", name: name, backend: backend)
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        relu(try onlyInput(inputs), negativeSlope: negativeSlope, maxValue: nil, threshold: 0)
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        return Recorded(output: try forward(inputs, training: true)) { [negativeSlope] g in
            LayerGradients(inputs: [try reluBackward(x, upstream: g, negativeSlope: negativeSlope)])
        }
    }
}

/// What Dropout and AlphaDropout share: a rate in [0, 1) and the session's generator for masks.
public class RandomDropLayer: Layer {
    public let rate: Float
    let backend: Backend

    init(className: String, rate: Float, name: String?, backend: Backend) throws {
        guard rate >= 0, rate < 1 else {
            throw LayerError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=\(rate)")
        }
        self.rate = rate
        self.backend = backend
        super.init(className: className, name: name, backend: backend)
    }

    /// `value(x, kept)` for every element, `kept` drawn with probability 1 − rate; the identity at
    /// inference or for rate 0.
    func drop(_ inputs: [Tensor], training: Bool, _ value: (Float, Bool) -> Float) throws -> Tensor {
        try dropRecording(inputs, training: training, value, slope: { _ in 1 }).output
    }

    /// `drop` plus the derivative of each element's output with respect to its input
    /// (`slope(kept)`), which the backward pass multiplies the gradient by.
    func dropRecording(_ inputs: [Tensor], training: Bool, _ value: (Float, Bool) -> Float,
                       slope: (Bool) -> Float) throws -> Recorded {
        let x = try onlyInput(inputs)
        guard training, rate > 0 else { return Recorded(output: x) { g in LayerGradients(inputs: [g]) } }
        var y = x
        var derivative = Tensor(shape: x.shape)
        y.withUnsafeMutableBufferPointer { p in
            derivative.withUnsafeMutableBufferPointer { d in
                for i in 0..<p.count {
                    let kept = backend.random.uniform() >= rate
                    p[i] = value(p[i], kept)
                    d[i] = slope(kept)
                }
            }
        }
        return Recorded(output: y) { g in LayerGradients(inputs: [try g.multiplying(derivative)]) }
    }
}

/// `Dropout(rate)`: in training, zeroes each element with probability `rate` and scales the
/// rest by 1 / (1 − rate); the identity at inference.
public final class Dropout: RandomDropLayer {
    public init(rate: Float, name: String?, backend: Backend) throws {
        try super.init(className: "Dropout", rate: rate, name: name, backend: backend)
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let scale = 1 / (1 - rate)
        return try drop(inputs, training: training) { x, kept in kept ? x * scale : 0 }
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let scale = 1 / (1 - rate)
        return try dropRecording(inputs, training: true, { x, kept in kept ? x * scale : 0 }, slope: { $0 ? scale : 0 })
    }
}

/// `AlphaDropout(rate)`: dropout that keeps selu's self-normalising mean and variance: dropped
/// units take selu's negative saturation value α' = −λα, then an affine a·x + b restores the
/// moments (Klambauer et al. 2017). The identity at inference.
public final class AlphaDropout: RandomDropLayer {
    public init(rate: Float, name: String?, backend: Backend) throws {
        try super.init(className: "AlphaDropout", rate: rate, name: name, backend: backend)
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let alphaP: Float = -1.6732632423543772 * 1.0507009873554805
        let keep = 1 - rate
        let a = 1 / (keep + alphaP * alphaP * keep * rate).squareRoot()
        let b = -a * alphaP * rate
        return try drop(inputs, training: training) { x, kept in a * (kept ? x : alphaP) + b }
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let alphaP: Float = -1.6732632423543772 * 1.0507009873554805
        let keep = 1 - rate
        let a = 1 / (keep + alphaP * alphaP * keep * rate).squareRoot()
        let b = -a * alphaP * rate
        return try dropRecording(inputs, training: true, { x, kept in a * (kept ? x : alphaP) + b }, slope: { $0 ? a : 0 })
    }
}

/// `Flatten()`: (batch, d1, d2, …) → (batch, d1·d2·…).
public final class Flatten: Layer {
    public init(name: String?, backend: Backend) {
        super.init(className: "Flatten", name: name, backend: backend)
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        try requireRank(x, 1, minimum: true)
        let features = x.featureDims
        let product: Int? = features.contains(where: { $0 == nil }) ? nil : features.reduce(1) { $0 * ($1 ?? 1) }
        return Shape([x.dims.first ?? nil, product])
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        let batch = x.shape.first ?? 1
        return try x.reshaped([batch, batch == 0 ? 0 : x.count / max(batch, 1)])
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        reshapingRecord(try onlyInput(inputs), try forward(inputs, training: true))
    }
}

/// `Reshape(target_shape)`: the features (batch excluded) in another shape; one dimension may be -1.
public final class Reshape: Layer {
    public let targetShape: [Int]

    public init(targetShape: [Int], name: String?, backend: Backend) {
        self.targetShape = targetShape
        super.init(className: "Reshape", name: name, backend: backend)
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        let features = x.featureDims
        guard !features.contains(where: { $0 == nil }) else {
            return Shape([x.dims.first ?? nil] + targetShape.map { $0 == -1 ? nil : $0 })
        }
        let total = features.reduce(1) { $0 * ($1 ?? 1) }
        var resolved = targetShape
        if let unknown = targetShape.firstIndex(of: -1) {
            let known = targetShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            guard known > 0, total % known == 0 else { throw reshapeError(features) }
            resolved[unknown] = total / known
        }
        guard resolved.reduce(1, *) == total else { throw reshapeError(features) }
        return Shape([x.dims.first ?? nil] + resolved)
    }

    private func reshapeError(_ features: [Int?]) -> LayerError {
        let input = "[" + features.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + "]"
        return LayerError("total size of new array must be unchanged, input_shape = \(input), output_shape = \(targetShape)")
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        return try x.reshaped([x.shape.first ?? 1] + targetShape)
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        reshapingRecord(try onlyInput(inputs), try forward(inputs, training: true))
    }
}

/// `Embedding(input_dim, output_dim)`: row `i` of the embeddings matrix for each integer index `i`.
public final class Embedding: Layer {
    public let inputDim: Int
    public let outputDim: Int
    public let inputLength: Int?
    public let initializer: Initializer
    public private(set) var embeddings: Weight?

    public init(inputDim: Int, outputDim: Int, inputLength: Int?, initializer: Initializer = .randomUniform(minval: -0.05, maxval: 0.05),
                name: String?, backend: Backend) throws {
        guard inputDim > 0, outputDim > 0 else {
            throw LayerError("Both `input_dim` and `output_dim` should be positive, Received input_dim = \(inputDim) and output_dim = \(outputDim)")
        }
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.inputLength = inputLength
        self.initializer = initializer
        super.init(className: "Embedding", name: name, backend: backend)
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        return Shape(x.dims + [outputDim])
    }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        embeddings = try addWeight("embeddings", shape: [inputDim, outputDim], initializer: initializer, backend: backend)
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        guard let table = embeddings?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        var indices: [Int] = []
        indices.reserveCapacity(x.count)
        for v in x.scalars {
            let i = Int(v)
            guard Float(i) == v, i >= 0, i < inputDim else {
                throw LayerError("indices[\(indices.count)] = \(v) is not in [0, \(inputDim)) in layer \"\(name)\"", type: "InvalidArgumentError")
            }
            indices.append(i)
        }
        return try table.gatherRows(indices).reshaped(x.shape + [outputDim])
    }

    /// ∂embeddings: each row of the gradient added to the row of its index; indices get none.
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        let y = try forward(inputs, training: true)
        let indices = x.scalars.map { Int($0) }
        return Recorded(output: y) { [inputDim, outputDim] g in
            let rows = try g.reshaped([-1, outputDim])
            return LayerGradients(inputs: [Tensor(shape: x.shape)],
                                  weights: [try Tensor.scatterAddingRows(rows, indices: indices, rowCount: inputDim)])
        }
    }
}

extension Layer {
    /// The single input tensor of a forward pass.
    func onlyInput(_ inputs: [Tensor]) throws -> Tensor {
        guard inputs.count == 1, let x = inputs.first else {
            throw LayerError("Layer \"\(name)\" expects 1 input(s), but it received \(inputs.count) input tensors.")
        }
        return x
    }
}
