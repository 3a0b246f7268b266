/// Conversions between language values and arrays: `np.array(object)` for numbers, nested
/// lists and tuples, ranges and arrays (numpy's default dtypes: int64 for ints, float64 for
/// floats, bool for bools), and `tolist()` back to nested lists of Python numbers.

import KilnLang

extension NDArray {
    /// The array `value` denotes ("array_like"), converted to `dtype` when one is given. An
    /// array of the right dtype is returned as is (not copied).
    static func from(_ value: Value, dtype: DType? = nil) throws -> NDArray {
        if let a = value.as(NDArray.self) { return dtype.map(a.converted) ?? a }
        let reader = try NestedReader(value)
        let shape = reader.shape
        let inferred = reader.dtype ?? .float64
        let target = dtype ?? inferred
        if inferred.isFloat || target.isFloat {
            return NDArray(target, shape, doubles: reader.doubles)
        }
        if let bounds = target.integerBounds, let bad = reader.pythonInts.first(where: { !bounds.contains($0) }) {
            throw KilnError.overflow("Python integer \(bad) out of bounds for \(target.rawValue)")
        }
        return NDArray(target, shape, ints: reader.ints)
    }

    /// `tolist()`: nested lists of Python numbers (a Python number for a 0-d array).
    func toList() -> Value {
        if shape.isEmpty { return pythonValue(at: 0) }
        var position = 0
        func build(_ axis: Int) -> Value {
            if axis == shape.count - 1 {
                let items = (0..<shape[axis]).map { i in pythonValue(at: position + i) }
                position += shape[axis]
                return .object(KList(items))
            }
            return .object(KList((0..<shape[axis]).map { _ in build(axis + 1) }))
        }
        return build(0)
    }
}

/// Reads nested sequences in two passes: the shape from the first element at each depth,
/// then every element, checking that the nesting is rectangular and collecting the leaves in
/// row-major order with their common dtype.
private struct NestedReader {
    var shape: [Int] = []
    var dtype: DType?
    var doubles: [Double] = []
    var ints: [Int] = []
    /// Python ints seen (for numpy 2's out-of-bounds check against a small dtype).
    var pythonInts: [Int] = []

    init(_ value: Value) throws {
        var v = value
        while true {
            if let a = v.as(NDArray.self) {
                shape += a.shape
                break
            }
            guard let items = try NestedReader.items(v) else { break }
            shape.append(items.count)
            guard let first = items.first else { break }
            v = first
        }
        try read(value, depth: 0)
    }

    /// The elements of a list, tuple or range; nil for other values.
    private static func items(_ v: Value) throws -> [Value]? {
        guard case .object(let o) = v else { return nil }
        if let s = o as? KSequence { return s.items }
        guard o is KRange, let it = try o.makeIterator() else { return nil }
        var items: [Value] = []
        while let x = try it.next() { items.append(x) }
        return items
    }

    private mutating func read(_ value: Value, depth: Int) throws {
        if let a = value.as(NDArray.self) {
            guard Array(shape.dropFirst(depth)) == a.shape else { throw inhomogeneous(min(depth, shape.count)) }
            add(a.dtype, a.storage.doubles, a.storage.ints)
            return
        }
        if let items = try NestedReader.items(value) {
            guard depth < shape.count, items.count == shape[depth] else { throw inhomogeneous(min(depth, shape.count)) }
            for item in items { try read(item, depth: depth + 1) }
            return
        }
        guard depth == shape.count else { throw inhomogeneous(depth) }
        switch value {
        case .bool(let b): add(.bool, [b ? 1 : 0], [b ? 1 : 0])
        case .int(let i):
            add(.int64, [Double(i)], [i])
            pythonInts.append(i)
        case .float(let d): add(.float64, [d], [DType.int64.integer(from: d)])
        case .string:
            throw KilnError.type("not supported in Kiln: arrays of str (np arrays hold numbers and bools)")
        default:
            guard let s = value.as(Float32Scalar.self) else {
                throw KilnError.type("not supported in Kiln: arrays of '\(value.typeName)' objects (np arrays hold numbers and bools)")
            }
            add(.float32, [Double(s.value)], [DType.int64.integer(from: Double(s.value))])
        }
    }

    private mutating func add(_ type: DType, _ d: [Double], _ i: [Int]) {
        dtype = dtype.map { DType.promote($0, type) } ?? type
        doubles += d
        ints += i
    }

    private func inhomogeneous(_ depth: Int) -> KilnError {
        let detected = NDArray.describe(Array(shape.prefix(depth)))
        return KilnError.value("setting an array element with a sequence. The requested array has an inhomogeneous shape after \(depth) dimensions. The detected shape was \(detected) + inhomogeneous part.")
    }
}
