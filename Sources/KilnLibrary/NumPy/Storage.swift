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
        case .float32: return .float32(tensor(doubles.count) { Float(doubles[$0]) })
        case .float64: return .float64(doubles)
        default: return .integer(doubles.map(dtype.integer(from:)))
        }
    }

    /// Stores ints in `dtype` (wrapped to the integer dtype, or converted to floats).
    static func make(_ dtype: DType, ints: [Int]) -> Storage {
        switch dtype {
        case .float32: return .float32(tensor(ints.count) { Float(ints[$0]) })
        case .float64: return .float64(ints.map { Double($0) })
        case .int64: return .integer(ints)
        default: return .integer(ints.map(dtype.wrap))
        }
    }

    /// A flat tensor of `count` elements, element i being `element(i)`.
    private static func tensor(_ count: Int, _ element: (Int) -> Float) -> Tensor {
        var t = Tensor(shape: [count])
        t.withUnsafeMutableBufferPointer { out in
            for i in 0..<count { out[i] = element(i) }
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

    /// The blocks of `blockSize` elements that start at `offsets`, one after another.
    func gather(_ offsets: [Int], blockSize: Int = 1) -> Storage {
        let n = offsets.count * blockSize
        switch self {
        case .float32(let t):
            var out = Tensor(shape: [n])
            t.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { Storage.copy(from: source, at: offsets, to: $0, blockSize) }
            }
            return .float32(out)
        case .float64(let v): return .float64(Storage.gathered(v, offsets, blockSize))
        case .integer(let v): return .integer(Storage.gathered(v, offsets, blockSize))
        }
    }

    /// The elements `range` (a contiguous block).
    func block(_ range: Range<Int>) -> Storage { gather([range.lowerBound], blockSize: range.count) }

    /// Writes `values` (of the same storage kind, `offsets.count * blockSize` of them) as
    /// blocks of `blockSize` elements starting at `offsets`.
    mutating func scatter(_ offsets: [Int], blockSize: Int = 1, _ values: Storage) {
        // Each case first drops this enum's reference to the buffer, so writing it copies
        // nothing unless another array shares it.
        switch (self, values) {
        case (.float32(var t), .float32(let source)):
            self = .float64([])
            source.withUnsafeBufferPointer { s in
                t.withUnsafeMutableBufferPointer { Storage.copy(from: s, to: $0, at: offsets, blockSize) }
            }
            self = .float32(t)
        case (.float64(var v), .float64(let s)):
            self = .float64([])
            Storage.scattered(s, into: &v, offsets, blockSize)
            self = .float64(v)
        case (.integer(var v), .integer(let s)):
            self = .integer([])
            Storage.scattered(s, into: &v, offsets, blockSize)
            self = .integer(v)
        default:
            preconditionFailure("Storage.scatter: values must be converted to the array's dtype first")
        }
    }

    private static func gathered<T>(_ source: [T], _ offsets: [Int], _ blockSize: Int) -> [T] {
        [T](unsafeUninitializedCapacity: offsets.count * blockSize) { target, count in
            source.withUnsafeBufferPointer { copy(from: $0, at: offsets, to: target, blockSize) }
            count = offsets.count * blockSize
        }
    }

    private static func scattered<T>(_ source: [T], into target: inout [T], _ offsets: [Int], _ blockSize: Int) {
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { copy(from: s, to: $0, at: offsets, blockSize) }
        }
    }

    /// Copies the blocks starting at `offsets` of `source` one after another into `target`.
    private static func copy<T>(from source: UnsafeBufferPointer<T>, at offsets: [Int], to target: UnsafeMutableBufferPointer<T>, _ blockSize: Int) {
        guard let s = source.baseAddress, let t = target.baseAddress else { return }
        for (i, o) in offsets.enumerated() {
            (t + i * blockSize).initialize(from: s + o, count: blockSize)
        }
    }

    /// Copies consecutive blocks of `source` into `target` at `offsets`.
    private static func copy<T>(from source: UnsafeBufferPointer<T>, to target: UnsafeMutableBufferPointer<T>, at offsets: [Int], _ blockSize: Int) {
        guard let s = source.baseAddress, let t = target.baseAddress else { return }
        for (i, o) in offsets.enumerated() {
            (t + o).update(from: s + i * blockSize, count: blockSize)
        }
    }
}
