/// Matrix products: `a @ b` / `np.matmul` (1-d operands promoted to a row or column and the
/// extra axis removed again; stacks of matrices broadcast) and `np.dot` (numpy's rules for
/// 0-d, 1-d, 2-d and N-d operands). A single float32 product runs on OpenBLAS' sgemm; other
/// cases use one plain matrix-product kernel where floats accumulate in Double and integers
/// wrap as numpy's do.

import KilnLang
import KilnTensor

enum LinearAlgebra {
    private static let signature = "(n?,k),(k,m?)->(n?,m?)"

    /// `a @ b`.
    static func matmul(_ a: NDArray, _ b: NDArray) throws -> Value {
        for (i, x) in [a, b].enumerated() where x.ndim == 0 {
            throw KilnError.value("matmul: Input operand \(i) does not have enough dimensions (has 0, gufunc core with signature \(signature) requires 1)")
        }
        let aShape = a.ndim == 1 ? [1] + a.shape : a.shape
        let bShape = b.ndim == 1 ? b.shape + [1] : b.shape
        let (m, k) = (aShape[aShape.count - 2], aShape[aShape.count - 1])
        let (k2, n) = (bShape[bShape.count - 2], bShape[bShape.count - 1])
        guard k == k2 else {
            throw KilnError.value("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature \(signature) (size \(k2) is different from \(k))")
        }
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        let batch = try Broadcast.shape([aBatch, bBatch])
        var shape = batch
        if a.ndim > 1 { shape.append(m) }
        if b.ndim > 1 { shape.append(n) }
        _ = try NDArray.checkedCount(batch + [m, n], .float64)
        // Which matrix of a and of b each output matrix uses.
        let aIndex = Broadcast.expand(Array(0..<aBatch.reduce(1, *)), from: aBatch, to: batch)
        let bIndex = Broadcast.expand(Array(0..<bBatch.reduce(1, *)), from: bBatch, to: batch)
        return try product(a, b, pairs: Array(zip(aIndex, bIndex)), m, k, n, shape: shape)
    }

    /// `np.dot(a, b)`.
    static func dot(_ a: NDArray, _ b: NDArray) throws -> Value {
        if a.ndim == 0 || b.ndim == 0 {
            return try Elementwise.binary(.multiply, .object(a), .object(b)) ?? .none
        }
        let k = a.shape[a.ndim - 1]
        let bAxis = Swift.max(b.ndim - 2, 0)
        guard b.shape[bAxis] == k else {
            throw KilnError.value("shapes \(NDArray.describe(a.shape, compact: true)) and \(NDArray.describe(b.shape, compact: true)) not aligned: \(k) (dim \(a.ndim - 1)) != \(b.shape[bAxis]) (dim \(bAxis))")
        }
        if a.ndim <= 2 && b.ndim <= 2 { return try matmul(a, b) }
        // N-d: sum over a's last axis and b's second-to-last, as one matrix product.
        let m = a.size / Swift.max(k, 1)
        let order = [bAxis] + (0..<b.ndim).filter { $0 != bAxis }
        let bMatrix = try Shapes.transpose(b, order)
        let n = b.size / Swift.max(k, 1)
        let shape = Array(a.shape.dropLast()) + Array(b.shape.prefix(bAxis)) + [b.shape[b.ndim - 1]]
        _ = try NDArray.checkedCount(shape, .float64)
        return try product(a, bMatrix, pairs: [(0, 0)], m, k, n, shape: shape)
    }

    /// The matrix products a[i] · b[j] (m×k by k×n matrices, by their positions in the stacks)
    /// for each pair, in a's and b's common dtype, as an array of `shape`.
    private static func product(_ a: NDArray, _ b: NDArray, pairs: [(Int, Int)], _ m: Int, _ k: Int, _ n: Int,
                                shape: [Int]) throws -> Value {
        let dtype = DType.promote(a.dtype, b.dtype)
        // One float32 product goes to BLAS, as numpy's does.
        if dtype == .float32, pairs.count == 1, a.size == m * k, b.size == k * n {
            let c = try KilnTensor.matmul(try a.tensor().reshaped([m, k]), try b.tensor().reshaped([k, n]))
            return NDArray(try c.reshaped(shape)).valueOrScalar
        }
        if dtype.isFloat {
            let values = stacked(a.storage.doubles, b.storage.doubles, pairs, m, k, n)
            return NDArray(dtype, shape, doubles: values).valueOrScalar
        }
        return NDArray(dtype, shape, ints: stacked(a.storage.ints, b.storage.ints, pairs, m, k, n)).valueOrScalar
    }

    private static func stacked<T: ProductElement>(_ a: [T], _ b: [T], _ pairs: [(Int, Int)], _ m: Int, _ k: Int, _ n: Int) -> [T] {
        var out: [T] = []
        out.reserveCapacity(pairs.count * m * n)
        for (i, j) in pairs {
            out += kernel(a[i * m * k..<(i + 1) * m * k], b[j * k * n..<(j + 1) * k * n], m, k, n)
        }
        return out
    }

    /// The m×n product of an m×k and a k×n row-major matrix (i-k-j loop order, so the inner
    /// loop runs along rows of b and of the result).
    private static func kernel<T: ProductElement>(_ a: ArraySlice<T>, _ b: ArraySlice<T>, _ m: Int, _ k: Int, _ n: Int) -> [T] {
        var out = [T](repeating: T.zero, count: m * n)
        let a0 = a.startIndex, b0 = b.startIndex
        for i in 0..<m {
            for p in 0..<k {
                let x = a[a0 + i * k + p]
                let row = b0 + p * n
                for j in 0..<n { out[i * n + j] = T.multiplyAdd(out[i * n + j], x, b[row + j]) }
            }
        }
        return out
    }
}

/// An element type the product kernel accumulates: floats exactly, ints wrapping.
protocol ProductElement {
    static var zero: Self { get }
    static func multiplyAdd(_ sum: Self, _ x: Self, _ y: Self) -> Self
}

extension Double: ProductElement {
    static var zero: Double { 0 }
    static func multiplyAdd(_ sum: Double, _ x: Double, _ y: Double) -> Double { sum + x * y }
}

extension Int: ProductElement {
    static var zero: Int { 0 }
    static func multiplyAdd(_ sum: Int, _ x: Int, _ y: Int) -> Int { sum &+ x &* y }
}
