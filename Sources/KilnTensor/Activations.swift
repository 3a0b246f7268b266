/// Keras' activation functions (`keras.activations`, Keras 3 definitions), applied elementwise
/// (softmax and log_softmax over the last axis), with their derivatives for the backward pass.

import Foundation

/// An activation function as Keras names it (`Dense(64, activation="relu")`).
public enum Activation: Equatable, Sendable {
    /// `x`.
    case linear
    /// `max(x, 0)`.
    case relu
    /// `1 / (1 + e⁻ˣ)`.
    case sigmoid
    /// `tanh(x)`.
    case tanh
    /// `eˣⁱ / Σⱼ eˣʲ` over the last axis, computed as `e^(xᵢ - max x)` for stability.
    case softmax
    /// `xᵢ - max x - log Σⱼ e^(xⱼ - max x)` over the last axis.
    case logSoftmax
    /// `scale · x` for x > 0, else `scale · α · (eˣ - 1)` with Keras' α ≈ 1.6733, scale ≈ 1.0507.
    case selu
    /// `x` for x > 0, else `eˣ - 1` (α = 1).
    case elu
    /// `log(1 + eˣ)`, computed as `max(x, 0) + log1p(e^-|x|)`.
    case softplus
    /// `x / (1 + |x|)`.
    case softsign
    /// `x · sigmoid(x)` (Keras' swish, also named silu).
    case swish
    /// `x/2 · (1 + erf(x / √2))`: the exact GELU, Keras' default (`approximate=False`).
    case gelu
    /// `eˣ`.
    case exponential
    /// `relu6(x + 3) / 6` (Keras 3's hard_sigmoid).
    case hardSigmoid
    /// `x · hard_sigmoid(x)` (Keras' hard_silu, also named hard_swish).
    case hardSilu
    /// `min(max(x, 0), 6)`.
    case relu6
    /// `x` for x ≥ 0, else `negativeSlope · x` (Keras' default slope for the name: 0.2).
    case leakyRelu(negativeSlope: Float)
    /// `x · tanh(softplus(x))`.
    case mish

    /// The Keras names `init?(name:)` accepts, for error messages.
    public static let names: [String] = [
        "linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "selu", "elu", "softplus",
        "softsign", "swish", "silu", "gelu", "exponential", "hard_sigmoid", "hard_silu",
        "hard_swish", "relu6", "leaky_relu", "mish",
    ]

    /// The activation Keras calls `name` (`"relu"`, `"leaky_relu"` with slope 0.2, …), or nil.
    public init?(name: String) {
        switch name {
        case "linear": self = .linear
        case "relu": self = .relu
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "softmax": self = .softmax
        case "log_softmax": self = .logSoftmax
        case "selu": self = .selu
        case "elu": self = .elu
        case "softplus": self = .softplus
        case "softsign": self = .softsign
        case "swish", "silu": self = .swish
        case "gelu": self = .gelu
        case "exponential": self = .exponential
        case "hard_sigmoid": self = .hardSigmoid
        case "hard_silu", "hard_swish": self = .hardSilu
        case "relu6": self = .relu6
        case "leaky_relu": self = .leakyRelu(negativeSlope: 0.2)
        case "mish": self = .mish
        default: return nil
        }
    }

    /// The Keras name (what `get_config()` reports).
    public var name: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .softmax: "softmax"
        case .logSoftmax: "log_softmax"
        case .selu: "selu"
        case .elu: "elu"
        case .softplus: "softplus"
        case .softsign: "softsign"
        case .swish: "swish"
        case .gelu: "gelu"
        case .exponential: "exponential"
        case .hardSigmoid: "hard_sigmoid"
        case .hardSilu: "hard_silu"
        case .relu6: "relu6"
        case .leakyRelu: "leaky_relu"
        case .mish: "mish"
        }
    }

    /// Keras' SELU constants.
    static let seluAlpha: Float = 1.6732632423543772848170429916717
    static let seluScale: Float = 1.0507009873554804934193349852946

    /// The activation of every element of `x` (softmax and log_softmax: of every row along
    /// the last axis; a scalar is one row of one element).
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: return x
        case .relu: return x.unary { $0 > 0 ? $0 : 0 }
        case .sigmoid: return x.unary(Activation.sigmoid)
        case .tanh: return x.unary { Foundation.tanh($0) }
        case .softmax: return Activation.softmaxRows(x, log: false)
        case .logSoftmax: return Activation.softmaxRows(x, log: true)
        case .selu:
            return x.unary { $0 > 0 ? Activation.seluScale * $0 : Activation.seluScale * Activation.seluAlpha * Foundation.expm1($0) }
        case .elu: return x.unary { $0 > 0 ? $0 : Foundation.expm1($0) }
        case .softplus: return x.unary(Activation.softplus)
        case .softsign: return x.unary { $0 / (1 + Swift.abs($0)) }
        case .swish: return x.unary { $0 * Activation.sigmoid($0) }
        case .gelu: return x.unary { 0.5 * $0 * (1 + Foundation.erf($0 * 0.70710678118654752)) }
        case .exponential: return x.unary { Foundation.exp($0) }
        case .hardSigmoid: return x.unary(Activation.hardSigmoid)
        case .hardSilu: return x.unary { $0 * Activation.hardSigmoid($0) }
        case .relu6: return x.unary { Swift.min(Swift.max($0, 0), 6) }
        case .leakyRelu(let slope): return x.unary { $0 >= 0 ? $0 : slope * $0 }
        case .mish: return x.unary { $0 * Foundation.tanh(Activation.softplus($0)) }
        }
    }

    /// The gradient with respect to the input, `∂L/∂x`, given the input `x`, the output
    /// `y = apply(x)` and the upstream gradient `∂L/∂y` (all of one shape). Softmax uses
    /// `y ⊙ (g − Σ g⊙y)` and log_softmax `g − eʸ Σ g` over the last axis; the elementwise ones
    /// multiply `g` by the derivative at `x` (at kinks, the derivative from the right for
    /// linear-looking pieces: relu′(0) = 0 as in TensorFlow).
    public func backward(input x: Tensor, output y: Tensor, upstream g: Tensor) throws -> Tensor {
        guard x.shape == g.shape, y.shape == g.shape else {
            throw ShapeError("activation gradient: input \(Tensor.describe(x.shape)), output \(Tensor.describe(y.shape)) and upstream gradient \(Tensor.describe(g.shape)) must have one shape")
        }
        switch self {
        case .linear: return g
        case .relu: return try g.zipped(x) { g, x in x > 0 ? g : 0 }
        case .sigmoid: return try g.zipped(y) { g, y in g * y * (1 - y) }
        case .tanh: return try g.zipped(y) { g, y in g * (1 - y * y) }
        case .softmax: return Activation.softmaxBackward(y, g, log: false)
        case .logSoftmax: return Activation.softmaxBackward(y, g, log: true)
        case .selu:
            return try g.zipped(x) { g, x in
                x > 0 ? g * Activation.seluScale : g * Activation.seluScale * Activation.seluAlpha * Foundation.exp(x)
            }
        case .elu: return try g.zipped(x) { g, x in x > 0 ? g : g * Foundation.exp(x) }
        case .softplus: return try g.zipped(x) { g, x in g * Activation.sigmoid(x) }
        case .softsign: return try g.zipped(x) { g, x in let d = 1 + Swift.abs(x); return g / (d * d) }
        case .swish:
            return try g.zipped(x) { g, x in
                let s = Activation.sigmoid(x)
                return g * (s + x * s * (1 - s))
            }
        case .gelu:
            return try g.zipped(x) { g, x in
                let cdf = 0.5 * (1 + Foundation.erf(x * 0.70710678118654752))
                let pdf = Foundation.exp(-0.5 * x * x) * 0.3989422804014327
                return g * (cdf + x * pdf)
            }
        case .exponential: return try g.zipped(y) { g, y in g * y }
        case .hardSigmoid: return try g.zipped(x) { g, x in x > -3 && x < 3 ? g / 6 : 0 }
        case .hardSilu:
            return try g.zipped(x) { g, x in
                x <= -3 ? 0 : (x >= 3 ? g : g * (2 * x + 3) / 6)
            }
        case .relu6: return try g.zipped(x) { g, x in x > 0 && x < 6 ? g : 0 }
        case .leakyRelu(let slope): return try g.zipped(x) { g, x in x >= 0 ? g : g * slope }
        case .mish:
            return try g.zipped(x) { g, x in
                let sp = Activation.softplus(x), t = Foundation.tanh(sp)
                return g * (t + x * (1 - t * t) * Activation.sigmoid(x))
            }
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    @inline(__always)
    static func softplus(_ x: Float) -> Float {
        Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    }

    @inline(__always)
    static func hardSigmoid(_ x: Float) -> Float {
        Swift.min(Swift.max(x + 3, 0), 6) / 6
    }

    /// Softmax (or log-softmax) of each row along the last axis, shifting by the row maximum.
    static func softmaxRows(_ x: Tensor, log: Bool) -> Tensor {
        let m = x.shape.last ?? 1
        guard m > 0, x.count > 0 else { return x }
        let rows = x.count / m, source = x.pointer
        return Tensor.filled(shape: x.shape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: rows, minimumChunk: max(1, 4096 / m)) { range in
                for r in range {
                    let xs = source + r * m, ys = shared.value + r * m
                    var peak = -Float.infinity
                    for j in 0..<m where xs[j] > peak || xs[j].isNaN { peak = xs[j] }
                    if peak == -.infinity { peak = 0 }
                    var total: Float = 0
                    for j in 0..<m {
                        let e = Foundation.exp(xs[j] - peak)
                        ys[j] = e
                        total += e
                    }
                    if log {
                        let shift = peak + Foundation.log(total)
                        for j in 0..<m { ys[j] = xs[j] - shift }
                    } else {
                        let scale = 1 / total
                        for j in 0..<m { ys[j] *= scale }
                    }
                }
            }
        }
    }

    /// The input gradient of softmax (`y ⊙ (g − Σ g⊙y)`) or log-softmax (`g − eʸ Σ g`) per row.
    static func softmaxBackward(_ y: Tensor, _ g: Tensor, log: Bool) -> Tensor {
        let m = y.shape.last ?? 1
        guard m > 0, y.count > 0 else { return g }
        let rows = y.count / m, py = y.pointer, pg = g.pointer
        return Tensor.filled(shape: y.shape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: rows, minimumChunk: max(1, 4096 / m)) { range in
                for r in range {
                    let ys = py + r * m, gs = pg + r * m, dx = shared.value + r * m
                    var dot: Float = 0
                    if log {
                        for j in 0..<m { dot += gs[j] }
                        for j in 0..<m { dx[j] = gs[j] - Foundation.exp(ys[j]) * dot }
                    } else {
                        for j in 0..<m { dot += gs[j] * ys[j] }
                        for j in 0..<m { dx[j] = ys[j] * (gs[j] - dot) }
                    }
                }
            }
        }
    }
}

/// Keras' `relu(x, negative_slope, max_value, threshold)` (the ReLU layer):
/// `y = x` where `x > threshold` (or `max(x, 0)` when the threshold is 0), otherwise 0; then
/// clipped to `[0, maxValue]` when `maxValue` is given; then `negativeSlope · (x − threshold)`
/// is added where `x < threshold`.
public func relu(_ x: Tensor, negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0) -> Tensor {
    let clip = maxValue
    return x.unary { v in
        var y: Float = threshold != 0 ? (v > threshold ? v : 0) : (v > 0 ? v : 0)
        if let m = clip { y = Swift.min(Swift.max(y, 0), m) }
        if negativeSlope != 0 { y -= negativeSlope * Swift.max(threshold - v, 0) }
        return y
    }
}

/// The gradient of `relu(x, negativeSlope:maxValue:threshold:)` with respect to `x`, given
/// the upstream gradient `g` (same shape as `x`).
public func reluBackward(_ x: Tensor, upstream g: Tensor, negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0) throws -> Tensor {
    try g.zipped(x) { g, v in
        var d: Float = v > threshold ? 1 : 0
        if threshold == 0 && v <= 0 { d = 0 }
        if let m = maxValue, d != 0 {
            // The clip passes gradient only strictly inside (0, maxValue).
            if !(v > 0 && v < m) { d = 0 }
        }
        if negativeSlope != 0 && v < threshold { d += negativeSlope }
        return g * d
    }
}

extension Tensor {
    /// `f(self[i], other[i])` for two tensors of one shape (throws `ShapeError` otherwise).
    @inline(__always)
    func zipped(_ other: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        guard shape == other.shape else {
            throw ShapeError("shapes \(Tensor.describe(shape)) and \(Tensor.describe(other.shape)) must be equal")
        }
        let a = pointer, b = other.pointer, n = count
        return Tensor.filled(shape: shape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: n, minimumChunk: elementwiseMinimumChunk) { range in
                let out = shared.value
                for i in range { out[i] = f(a[i], b[i]) }
            }
        }
    }
}
