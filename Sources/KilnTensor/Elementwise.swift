/// Elementwise arithmetic: binary operators that broadcast with numpy's rules, their scalar
/// forms, and unary maps. Same-shape operands, a scalar operand and a trailing block (a bias
/// over the last axes) have their own vectorised loops; any other broadcast walks the output
/// with the dimensions that can be merged merged, so its inner loop is contiguous too.

import Foundation

/// A binary elementwise operator; generic kernels are specialised for each, so the inner
/// loops inline the operator and vectorise.
protocol BinaryOperator {
    static func apply(_ a: Float, _ b: Float) -> Float
}

enum AddOperator: BinaryOperator {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

enum SubtractOperator: BinaryOperator {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

enum MultiplyOperator: BinaryOperator {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

enum DivideOperator: BinaryOperator {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}

/// numpy's `maximum`: NaN if either operand is NaN.
enum MaximumOperator: BinaryOperator {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b || a.isNaN ? a : b }
}

/// numpy's `minimum`: NaN if either operand is NaN.
enum MinimumOperator: BinaryOperator {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < b || a.isNaN ? a : b }
}

/// A function of one element, as a type, so loops over it are specialised and inlined.
protocol UnaryFunction {
    func callAsFunction(_ x: Float) -> Float
}

/// A function of two elements, as a type (see `UnaryFunction`).
protocol BinaryFunction {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

struct Negate: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { -x }
}

struct Absolute: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.abs(x) }
}

struct Square: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * x }
}

struct SquareRoot: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() }
}

struct Exponential: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) }
}

struct Logarithm: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
}

struct Power: UnaryFunction {
    var exponent: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, exponent) }
}

struct Clip: UnaryFunction {
    var lower: Float, upper: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x < lower ? lower : (x > upper ? upper : x) }
}

/// `Op(x, scalar)`.
struct RightScalar<Op: BinaryOperator>: UnaryFunction {
    var scalar: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Op.apply(x, scalar) }
}

/// `Op(scalar, x)`.
struct LeftScalar<Op: BinaryOperator>: UnaryFunction {
    var scalar: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Op.apply(scalar, x) }
}

/// Elements per chunk below which an elementwise loop is not worth splitting across cores.
let elementwiseMinimumChunk = 1 << 15

extension Tensor {
    /// The shape of the result of a binary operation on shapes `a` and `b` under numpy's
    /// broadcasting rules: the shapes are aligned on their last axes, missing leading axes count
    /// as 1, and each pair of sizes must be equal or contain a 1 (the result takes the other).
    /// Throws `ShapeError` naming both shapes when they are incompatible.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        if a == b { return a }
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                throw ShapeError("operands could not be broadcast together with shapes \(describe(a)) \(describe(b))")
            }
        }
        return result
    }

    /// `self + other`, broadcasting (numpy rules).
    public func adding(_ other: Tensor) throws -> Tensor { try broadcasting(other, AddOperator.self) }

    /// `self - other`, broadcasting (numpy rules).
    public func subtracting(_ other: Tensor) throws -> Tensor { try broadcasting(other, SubtractOperator.self) }

    /// `self * other` elementwise, broadcasting (numpy rules).
    public func multiplying(_ other: Tensor) throws -> Tensor { try broadcasting(other, MultiplyOperator.self) }

    /// `self / other` elementwise, broadcasting (numpy rules); IEEE results for division by 0.
    public func dividing(_ other: Tensor) throws -> Tensor { try broadcasting(other, DivideOperator.self) }

    /// The elementwise larger of `self` and `other`, broadcasting; NaN wins, as in numpy.
    public func maximum(_ other: Tensor) throws -> Tensor { try broadcasting(other, MaximumOperator.self) }

    /// The elementwise smaller of `self` and `other`, broadcasting; NaN wins, as in numpy.
    public func minimum(_ other: Tensor) throws -> Tensor { try broadcasting(other, MinimumOperator.self) }

    /// `self + scalar` for every element.
    public func adding(scalar: Float) -> Tensor { withScalar(scalar, AddOperator.self) }

    /// `self - scalar` for every element.
    public func subtracting(scalar: Float) -> Tensor { withScalar(scalar, SubtractOperator.self) }

    /// `self * scalar` for every element.
    public func multiplying(scalar: Float) -> Tensor { withScalar(scalar, MultiplyOperator.self) }

    /// `self / scalar` for every element.
    public func dividing(scalar: Float) -> Tensor { withScalar(scalar, DivideOperator.self) }

    /// `max(self, scalar)` for every element (NaN stays NaN).
    public func maximum(scalar: Float) -> Tensor { withScalar(scalar, MaximumOperator.self) }

    /// `min(self, scalar)` for every element (NaN stays NaN).
    public func minimum(scalar: Float) -> Tensor { withScalar(scalar, MinimumOperator.self) }

    /// `f(x)` for every element `x`, in a tensor of the same shape.
    public func map(_ f: (Float) -> Float) -> Tensor {
        let n = count, source = pointer
        return Tensor.filled(shape: shape) { out in
            for i in 0..<n { out[i] = f(source[i]) }
        }
    }

    /// `-x` for every element.
    public func negated() -> Tensor { mapped(Negate()) }

    /// `|x|` for every element.
    public func absolute() -> Tensor { mapped(Absolute()) }

    /// `x * x` for every element.
    public func squared() -> Tensor { mapped(Square()) }

    /// `√x` for every element (NaN for negative x).
    public func squareRoot() -> Tensor { mapped(SquareRoot()) }

    /// `eˣ` for every element.
    public func exp() -> Tensor { mapped(Exponential()) }

    /// The natural logarithm of every element (−∞ at 0, NaN below).
    public func log() -> Tensor { mapped(Logarithm()) }

    /// `xᵖ` for every element.
    public func raised(toPower p: Float) -> Tensor {
        if p == 2 { return squared() }
        if p == 0.5 { return squareRoot() }
        return mapped(Power(exponent: p))
    }

    /// Every element clipped to `[lower, upper]` (numpy's `clip`; NaN stays NaN).
    public func clipped(lower: Float, upper: Float) -> Tensor { mapped(Clip(lower: lower, upper: upper)) }

    /// `f(x)` for every element, split across cores. Generic over the function's type so the
    /// loop is specialised for it and vectorises (a closure would be an opaque call per element).
    func mapped<F: UnaryFunction>(_ f: F) -> Tensor {
        let n = count, source = pointer
        return Tensor.filled(shape: shape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: n, minimumChunk: elementwiseMinimumChunk) { range in
                let out = shared.value
                for i in range { out[i] = f(source[i]) }
            }
        }
    }

    /// `f(self[i], other[i])` for two tensors of one shape (throws `ShapeError` otherwise).
    func zipped<F: BinaryFunction>(_ other: Tensor, _ f: F) throws -> Tensor {
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

    func withScalar<Op: BinaryOperator>(_ scalar: Float, _: Op.Type) -> Tensor {
        mapped(RightScalar<Op>(scalar: scalar))
    }

    /// `Op(self, other)` with numpy broadcasting.
    func broadcasting<Op: BinaryOperator>(_ other: Tensor, _: Op.Type) throws -> Tensor {
        let outShape = try Tensor.broadcastShape(shape, other.shape)
        let a = pointer, b = other.pointer
        let n = Tensor.count(of: outShape)
        if shape == other.shape {
            return Tensor.filled(shape: outShape) { out in
                let shared = UncheckedSendable(out)
                Parallel.forEachChunk(count: n, minimumChunk: elementwiseMinimumChunk) { range in
                    let out = shared.value
                    for i in range { out[i] = Op.apply(a[i], b[i]) }
                }
            }
        }
        if other.count == 1 && outShape == shape {
            return mapped(RightScalar<Op>(scalar: b[0]))
        }
        if count == 1 && outShape == other.shape {
            return other.mapped(LeftScalar<Op>(scalar: a[0]))
        }
        if outShape == shape, Tensor.isTrailingBlock(other.shape, of: shape) {
            return Tensor.filled(shape: outShape) { out in
                Tensor.repeatingBlock(out, a, b, total: n, block: other.count, blockIsRight: true, Op.self)
            }
        }
        if outShape == other.shape, Tensor.isTrailingBlock(shape, of: other.shape) {
            return Tensor.filled(shape: outShape) { out in
                Tensor.repeatingBlock(out, b, a, total: n, block: count, blockIsRight: false, Op.self)
            }
        }
        return Tensor.filled(shape: outShape) { out in
            Tensor.generalBroadcast(out, outShape, a, shape, b, other.shape, Op.self)
        }
    }

    /// Whether `block`, with leading 1s dropped, equals the last axes of `shape` (a bias vector
    /// over the last axis is the common case).
    static func isTrailingBlock(_ block: [Int], of shape: [Int]) -> Bool {
        let trimmed = block.drop { $0 == 1 }
        guard trimmed.count <= shape.count else { return false }
        return Array(shape.suffix(trimmed.count)) == Array(trimmed)
    }

    /// `out[r·m + j] = Op(full[r·m + j], block[j])` (or with the operands swapped when the block
    /// is the left operand), for the rows `r` of a `total`-element tensor with `m = block`.
    @inline(__always)
    static func repeatingBlock<Op: BinaryOperator>(
        _ out: UnsafeMutablePointer<Float>, _ full: UnsafeMutablePointer<Float>, _ block: UnsafeMutablePointer<Float>,
        total: Int, block m: Int, blockIsRight: Bool, _: Op.Type
    ) {
        guard m > 0 else { return }
        let rows = total / m
        let shared = UncheckedSendable(out)
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, elementwiseMinimumChunk / m)) { range in
            let out = shared.value
            for r in range {
                let o = out + r * m, f = full + r * m
                if blockIsRight {
                    for j in 0..<m { o[j] = Op.apply(f[j], block[j]) }
                } else {
                    for j in 0..<m { o[j] = Op.apply(block[j], f[j]) }
                }
            }
        }
    }

    /// Any broadcast: operand strides are 0 along broadcast axes; adjacent axes along which
    /// both operands are laid out contiguously are merged, and the innermost merged axis runs
    /// as a plain loop (each operand's stride there is 0 or 1).
    static func generalBroadcast<Op: BinaryOperator>(
        _ out: UnsafeMutablePointer<Float>, _ outShape: [Int],
        _ a: UnsafeMutablePointer<Float>, _ aShape: [Int],
        _ b: UnsafeMutablePointer<Float>, _ bShape: [Int], _: Op.Type
    ) {
        let total = count(of: outShape)
        guard total > 0 else { return }
        // Merged axes, innermost first: (size, stride in a, stride in b).
        var dims: [(size: Int, sa: Int, sb: Int)] = []
        let stridesA = broadcastStrides(aShape, to: outShape)
        let stridesB = broadcastStrides(bShape, to: outShape)
        for axis in stride(from: outShape.count - 1, through: 0, by: -1) where outShape[axis] != 1 {
            let size = outShape[axis], sa = stridesA[axis], sb = stridesB[axis]
            if let last = dims.last, sa == last.sa * last.size, sb == last.sb * last.size {
                dims[dims.count - 1].size *= size
            } else {
                dims.append((size, sa, sb))
            }
        }
        if dims.isEmpty { dims.append((1, 0, 0)) }
        let inner = dims[0]
        let outer = Array(dims.dropFirst())
        let outerCount = total / inner.size
        let shared = UncheckedSendable(out)
        Parallel.forEachChunk(count: outerCount, minimumChunk: Swift.max(1, elementwiseMinimumChunk / inner.size)) { range in
            let out = shared.value
            for o in range {
                var rest = o, offA = 0, offB = 0
                for d in outer {
                    let i = rest % d.size
                    rest /= d.size
                    offA += i * d.sa
                    offB += i * d.sb
                }
                let dst = out + o * inner.size, pa = a + offA, pb = b + offB
                let m = inner.size
                switch (inner.sa, inner.sb) {
                case (0, 0): for j in 0..<m { dst[j] = Op.apply(pa[0], pb[0]) }
                case (0, _): for j in 0..<m { dst[j] = Op.apply(pa[0], pb[j]) }
                case (_, 0): for j in 0..<m { dst[j] = Op.apply(pa[j], pb[0]) }
                default: for j in 0..<m { dst[j] = Op.apply(pa[j], pb[j]) }
                }
            }
        }
    }

    /// Row-major strides of `shape` laid against the axes of `target` (right-aligned), with 0
    /// for axes `shape` lacks or has as 1.
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let axis = i + target.count - shape.count
            strides[axis] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }
}
