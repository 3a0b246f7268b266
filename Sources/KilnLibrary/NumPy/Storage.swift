/// The element buffer of an `NDArray`: float32 elements live in a `Tensor` (so handing an
/// array to the engine copies nothing), float64 elements in `[Double]`, and the integer and
/// bool dtypes in `[Int]`. Elements are in row-major order; the array holds the shape.

import KilnTensor

enum Storage {
    /// float32 elements; the tensor's own shape is not used, only its flat buffer.
    case float32(Tensor)
    case float64([Double])
    /// int64, int32, uint8 and bool (0 or 1) elements, already wrapped to their dtype.
    case integer([Int])

    var count: Int {
        switch self {
        case .float32(let t): return t.count
        case .float64(let v): return v.count
        case .integer(let v): return v.count
        }
    }

    /// A zero-filled buffer of `count` elements for `dtype`.
    static func zeros(_ dtype: DType, count: Int) -> Storage {
        switch dtype {
        case .float32: return .float32(Tensor(shape: [count]))
        case .float64: return .float64([Double](repeating: 0, count: count))
        default: return .integer([Int](repeating: 0, count: count))
        }
    }

    /// Stores floats in `dtype`: rounded to float32, kept as float64, or converted to an
    /// integer dtype as `astype` does.
    static func make(_ dtype: DType, doubles: [Double]) -> Storage {
        switch dtype {
        case .float32: return .float32(tensor(doubles.map { Float($0) }))
        case .float64: return .float64(doubles)
        default: return .integer(doubles.map(dtype.integer(from:)))
        }
    }

    /// Stores ints in `dtype` (wrapped to the integer dtype, or converted to floats).
    static func make(_ dtype: DType, ints: [Int]) -> Storage {
        switch dtype {
        case .float32: return .float32(tensor(ints.map { Float($0) }))
        case .float64: return .float64(ints.map { Double($0) })
        case .int64: return .integer(ints)
        default: return .integer(ints.map(dtype.wrap))
        }
    }

    private static func tensor(_ values: [Float]) -> Tensor {
        var t = Tensor(shape: [values.count])
        t.withUnsafeMutableBufferPointer { out in
            for i in values.indices { out[i] = values[i] }
        }
        return t
    }

    /// The elements as floats (integers converted exactly up to 2**53).
    var doubles: [Double] {
        switch self {
        case .float32(let t): return t.withUnsafeBufferPointer { $0.map { Double($0) } }
        case .float64(let v): return v
        case .integer(let v): return v.map { Double($0) }
        }
    }

    /// The elements as ints (floats truncated as `astype(int64)` does).
    var ints: [Int] {
        switch self {
        case .integer(let v): return v
        default: return doubles.map(DType.int64.integer(from:))
        }
    }

    /// Element `i` as a float.
    func double(at i: Int) -> Double {
        switch self {
        case .float32(let t): return t.withUnsafeBufferPointer { Double($0[i]) }
        case .float64(let v): return v[i]
        case .integer(let v): return Double(v[i])
        }
    }

    /// Element `i` as an int (only for integer storage).
    func int(at i: Int) -> Int {
        switch self {
        case .integer(let v): return v[i]
        default: return DType.int64.integer(from: double(at: i))
        }
    }

    /// The elements at `offsets`, in that order.
    func gather(_ offsets: [Int]) -> Storage {
        switch self {
        case .float32(let t):
            var out = Tensor(shape: [offsets.count])
            t.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    for (i, o) in offsets.enumerated() { target[i] = source[o] }
                }
            }
            return .float32(out)
        case .float64(let v): return .float64(offsets.map { v[$0] })
        case .integer(let v): return .integer(offsets.map { v[$0] })
        }
    }

    /// The elements `range` (a contiguous block).
    func block(_ range: Range<Int>) -> Storage {
        switch self {
        case .float32(let t):
            var out = Tensor(shape: [range.count])
            t.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    for i in 0..<range.count { target[i] = source[range.lowerBound + i] }
                }
            }
            return .float32(out)
        case .float64(let v): return .float64(Array(v[range]))
        case .integer(let v): return .integer(Array(v[range]))
        }
    }

    /// Writes `values` (same storage kind, one per offset) at `offsets`.
    mutating func scatter(_ offsets: [Int], _ values: Storage) {
        switch (self, values) {
        case (.float32(var t), .float32(let source)):
            self = .float64([])  // drop the extra reference so the write does not copy
            source.withUnsafeBufferPointer { s in
                t.withUnsafeMutableBufferPointer { target in
                    for (i, o) in offsets.enumerated() { target[o] = s[i] }
                }
            }
            self = .float32(t)
        case (.float64(var v), .float64(let s)):
            self = .float64([])
            for (i, o) in offsets.enumerated() { v[o] = s[i] }
            self = .float64(v)
        case (.integer(var v), .integer(let s)):
            self = .integer([])
            for (i, o) in offsets.enumerated() { v[o] = s[i] }
            self = .integer(v)
        default:
            preconditionFailure("Storage.scatter: values must be converted to the array's dtype first")
        }
    }
}
