/// The base of every Keras layer: a name, weights (trainable or not), shape inference and a
/// forward pass. Subclasses live one file per family (Dense, Convolutional, Pooling,
/// Normalization, Core, Merge), as in Swift for TensorFlow's swift-apis.

import KilnTensor

/// A static shape whose first (batch) dimension, or any other, may be unknown: `(None, 62, 62, 32)`.
public struct Shape: Equatable, CustomStringConvertible {
    public var dims: [Int?]

    public init(_ dims: [Int?]) { self.dims = dims }

    public var rank: Int { dims.count }

    /// Python's `str(tuple)`: `(None, 10)`, `(None,)`.
    public var description: String {
        let parts = dims.map { $0.map(String.init) ?? "None" }
        return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
    }

    /// The shape without its batch dimension.
    public var featureDims: [Int?] { Array(dims.dropFirst()) }

    /// The concrete shape of a tensor, as seen by a layer (batch included).
    public init(of tensor: Tensor) { dims = tensor.shape.map { $0 } }
}

/// A layer's error, in Keras' words and Python's exception type (almost always ValueError).
public struct LayerError: Error, CustomStringConvertible {
    public var type: String
    public var message: String

    public init(_ message: String, type: String = "ValueError") {
        self.type = type
        self.message = message
    }

    public var description: String { message }
}

/// A weight variable of a layer.
public final class Weight {
    public let name: String
    public var value: Tensor
    public let trainable: Bool

    init(name: String, value: Tensor, trainable: Bool) {
        self.name = name
        self.value = value
        self.trainable = trainable
    }
}

/// Per-session state Keras keeps globally: the counters behind automatic names (`dense`,
/// `dense_1`, …) and the generator that initialises weights.
public final class Backend {
    private var counters: [String: Int] = [:]
    public var random: RandomGenerator

    public init(seed: Int = 0) {
        random = RandomGenerator(seed: seed)
    }

    /// `prefix` the first time, then `prefix_1`, `prefix_2`, … (`zeroBased: false` starts at
    /// `prefix_1`, as Keras names inputs `input_1`).
    public func uniqueName(_ prefix: String, zeroBased: Bool = true) -> String {
        let n = counters[prefix, default: 0]
        counters[prefix] = n + 1
        if zeroBased { return n == 0 ? prefix : "\(prefix)_\(n)" }
        return "\(prefix)_\(n + 1)"
    }

    /// Forgets the names handed out (`keras.backend.clear_session()`).
    public func resetNames() { counters = [:] }

    /// Keras' `to_snake_case`: `SeparableConv2D` → `separable_conv2d`, `ReLU` → `re_lu`.
    public static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        // First pass: `(.)([A-Z][a-z0-9]+)` → `\1_\2`.
        var first: [Character] = []
        var i = 0
        while i < chars.count {
            if i > 0, chars[i].isUppercase, i + 1 < chars.count, chars[i + 1].isLowercase || chars[i + 1].isNumber {
                first.append("_")
            }
            first.append(chars[i])
            i += 1
        }
        // Second pass: `([a-z])([A-Z])` → `\1_\2`.
        var out = ""
        for (j, c) in first.enumerated() {
            if j > 0, c.isUppercase, first[j - 1].isLowercase { out.append("_") }
            out.append(c)
        }
        return out.lowercased()
    }
}

/// A Keras layer. Subclasses override `computeOutputShape`, `build` (to create weights) and
/// `forward`; the base keeps the name, weights and the graph nodes of the functional API.
open class Layer {
    /// The Keras class name (`"SeparableConv2D"`).
    public let className: String
    public var name: String
    public var trainable = true
    public private(set) var weights: [Weight] = []
    public private(set) var isBuilt = false
    /// `input_shape=` (without the batch dimension), when given.
    public var declaredInputShape: [Int?]?
    /// Calls of this layer in a functional graph, in order (node index = position).
    public internal(set) var inboundNodes: [Node] = []
    /// The Sequential model this layer was added to last, whose symbolic graph gives the
    /// layer's `input` and `output`.
    public internal(set) weak var container: Sequential?
    /// Regularizers by weight name (`"kernel"`, `"bias"`, …), added to the training loss.
    public var regularizers: [String: Regularizer] = [:]
    /// The output shape of the last build or call, for `summary()`.
    public internal(set) var outputShape: Shape?
    /// False while a training pass records a call whose inputs are the model's own inputs:
    /// nothing asks for ∂loss/∂input there, so layers whose input gradient is costly
    /// (convolutions, Dense) leave it out of their `LayerGradients`.
    public internal(set) var needsInputGradient = true
    /// Set by the front end: what the layer was built from (KilnLibrary keeps the constructor's
    /// arguments here, for `get_config()` and saving).
    public var origin: AnyObject?

    public init(className: String, name: String?, backend: Backend) {
        self.className = className
        self.name = name ?? backend.uniqueName(Backend.snakeCase(className))
    }

    /// The shape of the output for inputs of the given shapes; throws when they do not fit.
    open func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        try single(inputs)
    }

    /// Creates the weights for inputs of the given shapes.
    open func build(_ inputs: [Shape], backend: Backend) throws {}

    /// The output for concrete inputs.
    open func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        guard let x = inputs.first else { throw LayerError("Layer \"\(name)\" expects one input, got none") }
        return x
    }

    /// The training-mode forward pass with its backward pass (see Differentiation.swift).
    /// Layers that have no gradient say so.
    open func record(_ inputs: [Tensor]) throws -> Recorded {
        throw LayerError("not supported in Kiln yet: training through \(className) layer \"\(name)\"", type: "NotImplementedError")
    }

    /// Number of inputs the layer takes (nil: any number, as Add and Concatenate).
    open var inputCount: Int? { 1 }

    /// Builds the layer for the given input shapes (once) and records its output shape.
    public func buildIfNeeded(_ inputs: [Shape], backend: Backend) throws -> Shape {
        let out = try computeOutputShape(inputs)
        if !isBuilt {
            try build(inputs, backend: backend)
            isBuilt = true
        }
        outputShape = out
        return out
    }

    /// Weights larger than this many elements (4 GiB of Float32) are refused instead of
    /// exhausting memory.
    static let maximumWeightElements = 1 << 30

    public func addWeight(_ name: String, shape: [Int], initializer: Initializer, trainable: Bool = true, backend: Backend) throws -> Weight {
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count <= Layer.maximumWeightElements else {
            throw LayerError("OOM when allocating weight \(name) of shape \(Tensor.describe(shape)) for layer \"\(self.name)\": \(overflow ? "too many" : String(count)) elements do not fit in memory", type: "ResourceExhaustedError")
        }
        let w = Weight(name: name, value: initializer.make(shape: shape, using: &backend.random), trainable: trainable)
        weights.append(w)
        return w
    }

    public var trainableWeights: [Weight] { trainable ? weights.filter(\.trainable) : [] }
    public var nonTrainableWeights: [Weight] { trainable ? weights.filter { !$0.trainable } : weights }

    public func countParams() -> Int { weights.reduce(0) { $0 + $1.value.count } }

    /// Keras' `set_weights`: same number of arrays, each of the weight's shape.
    public func setWeights(_ values: [Tensor]) throws {
        guard values.count == weights.count else {
            throw LayerError("Layer \(name) expects \(weights.count) weight arrays, but the saved weights have \(values.count) elements.")
        }
        for (w, v) in zip(weights, values) where w.value.shape != v.shape {
            throw LayerError("Layer \(name) weight shape \(Tensor.describe(w.value.shape)) is not compatible with provided weight shape \(Tensor.describe(v.shape)).")
        }
        for (w, v) in zip(weights, values) { w.value = v }
    }

    // MARK: Helpers for subclasses

    /// The one input of a single-input layer.
    public func single(_ inputs: [Shape]) throws -> Shape {
        guard inputs.count == 1 else {
            throw LayerError("Layer \"\(name)\" expects 1 input(s), but it received \(inputs.count) input tensors.")
        }
        return inputs[0]
    }

    /// Keras' input-spec check: `Input 0 of layer "conv2d" is incompatible with the layer: expected min_ndim=4, found ndim=2. Full shape received: (None, 10)`.
    public func requireRank(_ shape: Shape, _ rank: Int, minimum: Bool = false) throws {
        let ok = minimum ? shape.rank >= rank : shape.rank == rank
        if !ok {
            let expected = minimum ? "min_ndim=\(rank)" : "ndim=\(rank)"
            throw LayerError("Input 0 of layer \"\(name)\" is incompatible with the layer: expected \(expected), found ndim=\(shape.rank). Full shape received: \(shape)")
        }
    }

    /// The size of the last (channel) axis, which must be known.
    public func channels(_ shape: Shape) throws -> Int {
        guard let c = shape.dims.last ?? nil else {
            throw LayerError("The last dimension of the inputs to layer \"\(name)\" should be defined. Found None. Full input shape received: \(shape)")
        }
        return c
    }

    /// The input of a forward pass must have the shape the layer was built for (batch aside).
    public func checkInput(_ x: Tensor, against expected: Shape?) throws {
        guard let expected = expected else { return }
        let got = Shape(of: x)
        guard got.rank == expected.rank else {
            throw LayerError("Input 0 of layer \"\(name)\" is incompatible with the layer: expected ndim=\(expected.rank), found ndim=\(got.rank). Full shape received: \(Shape([nil] + got.featureDims))")
        }
        for axis in 1..<max(1, expected.rank) {
            if let e = expected.dims[axis], e != x.shape[axis] {
                throw LayerError("Input 0 of layer \"\(name)\" is incompatible with the layer: expected axis \(axis) of input shape to have value \(e), but received input with shape \(Shape([nil] + got.featureDims))")
            }
        }
    }
}
