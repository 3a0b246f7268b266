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

    /// True when `backward` gives the same gradient with the output passed as the input too:
    /// linear, ReLU (x > 0 exactly where relu(x) > 0) and tanh (1 − y²). Sigmoid qualifies as
    /// well but is left out: a binary crossentropy fuses with it and needs its logits.
    public var backwardNeedsOnlyOutput: Bool { self == .linear || self == .relu || self == .tanh }

    /// The activation of every element of `x` (softmax and log_softmax: of every row along
    /// the last axis; a scalar is one row of one element).
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: return x
        case .softmax: return Activation.softmaxRows(x, log: false)
        case .logSoftmax: return Activation.softmaxRows(x, log: true)
        default:
            let n = x.count, source = x.pointer, activation = self
            return Tensor.filled(shape: x.shape) { out in
                let shared = UncheckedSendable(out)
                Parallel.forEachChunk(count: n, minimumChunk: elementwiseMinimumChunk) { range in
                    activation.forward(source + range.lowerBound, shared.value + range.lowerBound, range.count)
                }
            }
        }
    }

    /// `y[i] = f(x[i])` for `n` elements: one plain loop per activation, so each vectorises.
    /// `apply`, writing over `x` when its storage is not shared (each element depends only on
    /// itself, so no second buffer is needed); softmax rows still get a new buffer.
    public func applyInPlace(_ x: inout Tensor) {
        switch self {
        case .linear: return
        case .softmax, .logSoftmax: x = apply(x)
        default:
            let activation = self
            x.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                let shared = UncheckedSendable(base)
                Parallel.forEachChunk(count: buffer.count, minimumChunk: elementwiseMinimumChunk) { range in
                    activation.forward(shared.value + range.lowerBound, shared.value + range.lowerBound, range.count)
                }
            }
        }
    }

    /// Applies an elementwise activation to `count` floats in place (serially: callers run it
    /// inside their own parallel chunks). Softmax is not elementwise and is left to `apply`.
    func applyInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .linear, .softmax, .logSoftmax: return
        default: forward(p, p, count)
        }
    }

    private func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let alpha = Activation.seluAlpha, scale = Activation.seluScale
        switch self {
        case .linear, .softmax, .logSoftmax: y.update(from: x, count: n)
        case .relu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
        case .sigmoid: for i in 0..<n { y[i] = fastSigmoid(x[i]) }
        case .tanh: for i in 0..<n { y[i] = fastTanh(x[i]) }
        case .selu: for i in 0..<n { y[i] = x[i] > 0 ? scale * x[i] : scale * alpha * (fastExp(Swift.min(x[i], 0)) - 1) }
        case .elu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : fastExp(Swift.min(x[i], 0)) - 1 }
        case .softplus: for i in 0..<n { y[i] = Activation.softplus(x[i]) }
        case .softsign: for i in 0..<n { y[i] = x[i] / (1 + Swift.abs(x[i])) }
        case .swish: for i in 0..<n { y[i] = x[i] * fastSigmoid(x[i]) }
        case .gelu: for i in 0..<n { y[i] = 0.5 * x[i] * (1 + fastErf(x[i] * 0.70710678118654752)) }
        case .exponential: for i in 0..<n { y[i] = Foundation.exp(x[i]) }
        case .hardSigmoid: for i in 0..<n { y[i] = Activation.hardSigmoid(x[i]) }
        case .hardSilu: for i in 0..<n { y[i] = x[i] * Activation.hardSigmoid(x[i]) }
        case .relu6: for i in 0..<n { y[i] = Swift.min(Swift.max(x[i], 0), 6) }
        case .leakyRelu(let slope): for i in 0..<n { y[i] = x[i] >= 0 ? x[i] : slope * x[i] }
        case .mish: for i in 0..<n { y[i] = x[i] * fastTanh(Activation.softplus(x[i])) }
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
        case .softmax: return Activation.softmaxBackward(y, g, log: false)
        case .logSoftmax: return Activation.softmaxBackward(y, g, log: true)
        default:
            let n = x.count, px = x.pointer, py = y.pointer, pg = g.pointer, activation = self
            return Tensor.filled(shape: x.shape) { out in
                let shared = UncheckedSendable(out)
                Parallel.forEachChunk(count: n, minimumChunk: elementwiseMinimumChunk) { range in
                    let i = range.lowerBound
                    activation.backward(px + i, py + i, pg + i, shared.value + i, range.count)
                }
            }
        }
    }

    /// `d[i] = x[i] > 0 ? g[i] : 0` for `n` elements, eight lanes at a time (the compiler
    /// does not vectorise the plain loop: it cannot rule out `d` overlapping `x` or `g`).
    @inline(__always)
    private static func reluBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ n: Int) {
        typealias Lanes = SIMD8<Float>
        let xs = UnsafeRawPointer(x), gs = UnsafeRawPointer(g), ds = UnsafeMutableRawPointer(d)
        let zero = Lanes(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let offset = i * MemoryLayout<Float>.stride
            let positive = xs.loadUnaligned(fromByteOffset: offset, as: Lanes.self) .> zero
            ds.storeBytes(of: zero.replacing(with: gs.loadUnaligned(fromByteOffset: offset, as: Lanes.self), where: positive),
                          toByteOffset: offset, as: Lanes.self)
            i += 8
        }
        while i < n {
            d[i] = x[i] > 0 ? g[i] : 0
            i += 1
        }
    }

    /// For an activation whose backward needs only its output (`backwardNeedsOnlyOutput`): the
    /// gradient `g ⊙ f′` from the output `y`, and in the same pass its sums over every axis but
    /// the last (a layer's bias gradient), so the gradient is read once instead of twice.
    /// Rows are summed in Float within blocks of 256 and the blocks in Double, per chunk of rows,
    /// and the chunks in order, so the result does not depend on timing.
    public func backwardWithColumnSums(output y: Tensor, upstream g: Tensor) throws -> (gradient: Tensor, columnSums: Tensor) {
        guard y.shape == g.shape, let columns = y.shape.last, columns > 0, y.rank >= 1 else {
            throw ShapeError("activation gradient: output \(Tensor.describe(y.shape)) and upstream gradient \(Tensor.describe(g.shape)) must have one shape with a last axis")
        }
        let rows = y.count / columns
        let chunks = Parallel.chunks(count: rows, minimumChunk: Swift.max(1, elementwiseMinimumChunk / columns))
        var partials = [Double](repeating: 0, count: Swift.max(chunks.count, 1) * columns)
        let py = y.pointer, pg = g.pointer, activation = self
        let gradient = partials.withUnsafeMutableBufferPointer { totals -> Tensor in
            guard let totalBase = totals.baseAddress else { return Tensor(shape: y.shape) }
            let sharedTotals = UncheckedSendable(totalBase)
            return Tensor.filled(shape: y.shape) { out in
                let shared = UncheckedSendable(out)
                Parallel.forEachChunk(count: chunks.count, minimumChunk: 1) { chunkRange in
                    let block = UnsafeMutablePointer<Float>.allocate(capacity: columns)
                    defer { block.deallocate() }
                    for chunk in chunkRange {
                        let total = sharedTotals.value + chunk * columns
                        var start = chunks[chunk].lowerBound
                        while start < chunks[chunk].upperBound {
                            let end = Swift.min(start + 256, chunks[chunk].upperBound)
                            block.update(repeating: 0, count: columns)
                            let offset = start * columns, count = (end - start) * columns
                            activation.backward(py + offset, py + offset, pg + offset, shared.value + offset, count)
                            for r in start..<end { addRow(block, UnsafePointer(shared.value + r * columns), columns) }
                            for j in 0..<columns { total[j] += Double(block[j]) }
                            start = end
                        }
                    }
                }
            }
        }
        var sums = [Double](repeating: 0, count: columns)
        for chunk in 0..<chunks.count {
            for j in 0..<columns { sums[j] += partials[chunk * columns + j] }
        }
        return (gradient, try Tensor(shape: [columns], values: sums.map { Float($0) }))
    }

    /// `d[i] = g[i] · f′(x[i])` (using `y[i] = f(x[i])` where that is cheaper) for `n` elements.
    private func backward(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        let alpha = Activation.seluAlpha, scale = Activation.seluScale
        switch self {
        case .linear, .softmax, .logSoftmax: d.update(from: g, count: n)
        case .relu: Activation.reluBackward(x, g, d, n)
        case .sigmoid: for i in 0..<n { d[i] = g[i] * y[i] * (1 - y[i]) }
        case .tanh: for i in 0..<n { d[i] = g[i] * (1 - y[i] * y[i]) }
        case .selu: for i in 0..<n { d[i] = x[i] > 0 ? g[i] * scale : g[i] * scale * alpha * fastExp(Swift.min(x[i], 0)) }
        case .elu: for i in 0..<n { d[i] = x[i] > 0 ? g[i] : g[i] * fastExp(Swift.min(x[i], 0)) }
        case .softplus: for i in 0..<n { d[i] = g[i] * fastSigmoid(x[i]) }
        case .softsign:
            for i in 0..<n {
                let s = 1 + Swift.abs(x[i])
                d[i] = g[i] / (s * s)
            }
        case .swish:
            for i in 0..<n {
                let s = fastSigmoid(x[i])
                d[i] = g[i] * (s + x[i] * s * (1 - s))
            }
        case .gelu:
            for i in 0..<n {
                let cdf = 0.5 * (1 + fastErf(x[i] * 0.70710678118654752))
                let pdf = fastExp(-0.5 * x[i] * x[i]) * 0.3989422804014327
                d[i] = g[i] * (cdf + x[i] * pdf)
            }
        case .exponential: for i in 0..<n { d[i] = g[i] * y[i] }
        case .hardSigmoid: for i in 0..<n { d[i] = x[i] > -3 && x[i] < 3 ? g[i] / 6 : 0 }
        case .hardSilu: for i in 0..<n { d[i] = x[i] <= -3 ? 0 : (x[i] >= 3 ? g[i] : g[i] * (2 * x[i] + 3) / 6) }
        case .relu6: for i in 0..<n { d[i] = x[i] > 0 && x[i] < 6 ? g[i] : 0 }
        case .leakyRelu(let slope): for i in 0..<n { d[i] = x[i] >= 0 ? g[i] : g[i] * slope }
        case .mish:
            for i in 0..<n {
                let t = fastTanh(Activation.softplus(x[i]))
                d[i] = g[i] * (t + x[i] * (1 - t * t) * fastSigmoid(x[i]))
            }
        }
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
                    // Exponentials first (a vectorisable loop), then their sum.
                    for j in 0..<m { ys[j] = fastExp(xs[j] - peak) }
                    var total: Float = 0
                    for j in 0..<m { total += ys[j] }
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
                        for j in 0..<m { dx[j] = gs[j] - fastExp(ys[j]) * dot }
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
    x.mapped(GeneralReLU(negativeSlope: negativeSlope, maxValue: maxValue ?? .infinity, clips: maxValue != nil, threshold: threshold))
}

/// The gradient of `relu(x, negativeSlope:maxValue:threshold:)` with respect to `x`, given
/// the upstream gradient `g` (same shape as `x`): `g` where `x` is above the threshold (and
/// strictly inside `(0, maxValue)` when clipped), `g · negativeSlope` below the threshold.
public func reluBackward(_ x: Tensor, upstream g: Tensor, negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0) throws -> Tensor {
    try g.zipped(x, GeneralReLUGradient(negativeSlope: negativeSlope, maxValue: maxValue ?? .infinity, clips: maxValue != nil, threshold: threshold))
}

struct GeneralReLU: UnaryFunction {
    var negativeSlope: Float, maxValue: Float, clips: Bool, threshold: Float

    @inline(__always) func callAsFunction(_ v: Float) -> Float {
        var y: Float = v > threshold ? v : 0
        if clips { y = Swift.min(Swift.max(y, 0), maxValue) }
        return negativeSlope == 0 ? y : y - negativeSlope * Swift.max(threshold - v, 0)
    }
}

struct GeneralReLUGradient: BinaryFunction {
    var negativeSlope: Float, maxValue: Float, clips: Bool, threshold: Float

    @inline(__always) func callAsFunction(_ g: Float, _ v: Float) -> Float {
        var d: Float = v > threshold ? 1 : 0
        // The clip passes gradient only strictly inside (0, maxValue).
        if clips && !(v > 0 && v < maxValue) { d = 0 }
        if v < threshold { d += negativeSlope }
        return g * d
    }
}

/// `o[j] += x[j]` for j < n, eight lanes at a time (the plain loop does not vectorise: the
/// compiler cannot rule out `o` overlapping `x`).
@inline(__always)
private func addRow(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    let os = UnsafeMutableRawPointer(o), xs = UnsafeRawPointer(x)
    var j = 0
    while j + 8 <= n {
        let offset = j * MemoryLayout<Float>.stride
        os.storeBytes(of: os.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + xs.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                      toByteOffset: offset, as: SIMD8<Float>.self)
        j += 8
    }
    while j < n {
        o[j] += x[j]
        j += 1
    }
}
