/// Reductions along axes (`sum`, `prod`, `mean`, `var`, `std`, `min`, `max`, `argmin`,
/// `argmax`, `any`, `all`), written once: the reduced axes are gathered into contiguous lanes
/// and one lane function per operation gives each output element.
///
/// Float sums follow numpy's order so results agree to the last bit: pairwise summation
/// (blocks of 8 accumulators up to 128 elements) along lanes that are contiguous in memory,
/// a running sum otherwise; float32 sums round every addition to float32.

import Foundation
import KilnLang

enum Reduction {
    case sum, prod, mean, min, max, argmin, argmax, any, all
    case variance(ddof: Int)
    case standardDeviation(ddof: Int)

    /// numpy's name of the operation, for errors.
    private var name: String {
        switch self {
        case .min: return "minimum"
        case .max: return "maximum"
        case .argmin: return "argmin"
        default: return "argmax"
        }
    }

    /// The dtype of the result for an input dtype.
    private func resultType(_ d: DType) -> DType {
        switch self {
        case .sum, .prod: return d.isFloat ? d : .int64
        case .mean, .variance, .standardDeviation: return d.isFloat ? d : .float64
        case .min, .max: return d
        case .argmin, .argmax: return .int64
        case .any, .all: return .bool
        }
    }

    /// Whether integer inputs are reduced exactly in Int (otherwise as float64).
    private var isExactOnIntegers: Bool {
        switch self {
        case .mean, .variance, .standardDeviation: return false
        default: return true
        }
    }

    /// The reduction of `a` over `axis` (None: every axis; an int; a tuple of ints), as a
    /// scalar when no axis is left and `keepdims` is false.
    static func apply(_ op: Reduction, to a: NDArray, axis: Value, keepdims: Bool) throws -> Value {
        let axes = try Axes.list(axis, ndim: a.ndim, allowTuple: !(op.isArg))
        let reduced = Set(axes ?? Array(0..<a.ndim))
        let kept = (0..<a.ndim).filter { !reduced.contains($0) }
        let laneLength = reduced.map { a.shape[$0] }.reduce(1, *)
        let outShape = keepdims ? a.shape.enumerated().map { reduced.contains($0) ? 1 : $1 } : kept.map { a.shape[$0] }
        if laneLength == 0 { try op.checkNotEmpty() }
        // Lanes are contiguous when no kept axis of size > 1 follows a reduced axis.
        let firstReduced = reduced.min() ?? a.ndim
        let contiguous = kept.allSatisfy { $0 < firstReduced || a.shape[$0] == 1 }
        let order = kept + reduced.sorted()
        func lanes<T>(_ values: [T]) -> [T] { contiguous ? values : Shapes.transpose(values, a.shape, order) }
        let type = op.resultType(a.dtype)

        if !a.dtype.isFloat && op.isExactOnIntegers {
            let values = lanes(a.storage.ints)
            let out = stride(from: 0, to: values.count, by: Swift.max(laneLength, 1)).map { start in
                op.reduce(values[start..<start + laneLength])
            }
            return NDArray(type, outShape, ints: laneLength == 0 ? [Int](repeating: op.emptyInt, count: outShape.reduce(1, *)) : out).valueOrScalar
        }
        let compute = a.dtype.isFloat ? a.dtype : DType.float64
        let values = lanes(a.storage.doubles)
        let count = outShape.reduce(1, *)
        let out = laneLength == 0
            ? [Double](repeating: op.emptyDouble, count: count)
            : stride(from: 0, to: values.count, by: laneLength).map { start in
                op.reduce(values[start..<start + laneLength], compute, pairwise: contiguous)
            }
        return NDArray(type, outShape, doubles: out).valueOrScalar
    }

    private var isArg: Bool {
        switch self {
        case .argmin, .argmax: return true
        default: return false
        }
    }

    private func checkNotEmpty() throws {
        switch self {
        case .min, .max:
            throw KilnError.value("zero-size array to reduction operation \(name) which has no identity")
        case .argmin, .argmax:
            throw KilnError.value("attempt to get \(name) of an empty sequence")
        default: break
        }
    }

    /// The result over no elements (sum 0, prod 1, all True, mean nan…).
    private var emptyInt: Int {
        switch self {
        case .prod, .all: return 1
        default: return 0
        }
    }

    private var emptyDouble: Double {
        switch self {
        case .prod, .all: return 1
        case .sum, .any: return 0
        default: return .nan
        }
    }

    // MARK: Lane functions

    /// An integer lane (exact, wrapping as numpy does).
    private func reduce(_ lane: ArraySlice<Int>) -> Int {
        switch self {
        case .sum: return lane.reduce(0, &+)
        case .prod: return lane.reduce(1, &*)
        case .min: return lane.min() ?? 0
        case .max: return lane.max() ?? 0
        case .argmin: return Reduction.firstBest(lane, <)
        case .argmax: return Reduction.firstBest(lane, >)
        case .any: return lane.contains { $0 != 0 } ? 1 : 0
        case .all: return lane.allSatisfy { $0 != 0 } ? 1 : 0
        case .mean, .variance, .standardDeviation: preconditionFailure("computed on floats")
        }
    }

    /// A float lane, every operation rounded to `dtype` (float32 or float64).
    private func reduce(_ lane: ArraySlice<Double>, _ dtype: DType, pairwise: Bool) -> Double {
        let n = Double(lane.count)
        switch self {
        case .sum: return Reduction.sum(lane, dtype, pairwise: pairwise)
        case .prod: return lane.reduce(1) { dtype.round($0 * $1) }
        case .mean: return dtype.round(Reduction.sum(lane, dtype, pairwise: pairwise) / n)
        case .variance(let ddof), .standardDeviation(let ddof):
            let mean = dtype.round(Reduction.sum(lane, dtype, pairwise: pairwise) / n)
            let squares = lane.map { x -> Double in
                let d = dtype.round(x - mean)
                return dtype.round(d * d)
            }
            let variance = dtype.round(Reduction.sum(squares[...], dtype, pairwise: pairwise) / Swift.max(n - Double(ddof), 0))
            if case .variance = self { return variance }
            return dtype.round(variance.squareRoot())
        case .min: return lane.contains { $0.isNaN } ? .nan : lane.min() ?? .nan
        case .max: return lane.contains { $0.isNaN } ? .nan : lane.max() ?? .nan
        case .argmin, .argmax:
            if let nan = lane.firstIndex(where: { $0.isNaN }) { return Double(nan - lane.startIndex) }
            return Double(self == .argmin ? Reduction.firstBest(lane, <) : Reduction.firstBest(lane, >))
        case .any: return lane.contains { $0 != 0 } ? 1 : 0
        case .all: return lane.allSatisfy { $0 != 0 } ? 1 : 0
        }
    }

    /// The position in the lane of the first element no other beats.
    private static func firstBest<T: Comparable>(_ lane: ArraySlice<T>, _ beats: (T, T) -> Bool) -> Int {
        var best = lane.startIndex
        for i in lane.indices where beats(lane[i], lane[best]) { best = i }
        return best - lane.startIndex
    }

    /// numpy's float sum of a lane: pairwise along contiguous memory, else running.
    static func sum(_ lane: ArraySlice<Double>, _ dtype: DType, pairwise: Bool) -> Double {
        pairwise ? pairwiseSum(lane, dtype) : lane.reduce(0) { dtype.round($0 + $1) }
    }

    /// numpy's `pairwise_sum`: below 8 elements a running sum; up to 128, eight interleaved
    /// accumulators combined as a tree; above, the two halves (split at a multiple of 8).
    private static func pairwiseSum(_ a: ArraySlice<Double>, _ dtype: DType) -> Double {
        let n = a.count, s = a.startIndex
        if n < 8 { return a.reduce(0) { dtype.round($0 + $1) } }
        if n <= 128 {
            var r = Array(a[s..<s + 8])
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] = dtype.round(r[j] + a[s + i + j]) }
                i += 8
            }
            let left = dtype.round(dtype.round(r[0] + r[1]) + dtype.round(r[2] + r[3]))
            let right = dtype.round(dtype.round(r[4] + r[5]) + dtype.round(r[6] + r[7]))
            var res = dtype.round(left + right)
            while i < n {
                res = dtype.round(res + a[s + i])
                i += 1
            }
            return res
        }
        var half = n / 2
        half -= half % 8
        return dtype.round(pairwiseSum(a[s..<s + half], dtype) + pairwiseSum(a[(s + half)...], dtype))
    }
}

extension Reduction: Equatable {}

/// Reading `axis=` arguments.
enum Axes {
    /// The axes an `axis` argument names (nil for None), normalised to 0..<ndim, with numpy's
    /// AxisError for one out of range.
    static func list(_ axis: Value, ndim: Int, allowTuple: Bool = true) throws -> [Int]? {
        if case .none = axis { return nil }
        if allowTuple, let t = axis.as(KTuple.self) {
            let axes = try t.items.map { try single($0, ndim: ndim) }
            if Set(axes).count != axes.count { throw KilnError.value("duplicate value in 'axis'") }
            return axes
        }
        return [try single(axis, ndim: ndim)]
    }

    /// One axis (negative counts from the end).
    static func single(_ axis: Value, ndim: Int) throws -> Int {
        guard let i = axis.asInt, !(axis.isBool) else {
            throw KilnError.type("'\(axis.typeName)' object cannot be interpreted as an integer")
        }
        let k = i < 0 ? i + ndim : i
        guard k >= 0 && k < ndim else {
            throw KilnError("AxisError", "axis \(i) is out of bounds for array of dimension \(ndim)")
        }
        return k
    }
}

private extension Value {
    var isBool: Bool {
        if case .bool = self { return true }
        return false
    }
}
