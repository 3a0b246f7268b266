/// `NDArray`, the value `np.array(...)` makes: a dtype, a shape and row-major elements, with
/// the language protocol (printing, len, iteration, truth, operators, indexing, attributes)
/// wired to the numpy behaviour implemented in the other files of this folder.
///
/// Arrays are values with copy-on-write buffers: slicing and reshaping give new arrays, never
/// views that write through to the original.

import Foundation
import KilnLang
import KilnTensor

/// A numpy array. float32 arrays keep their elements in a `Tensor`, so `tensor()` and
/// `init(_ tensor:)` cost no copy; other dtypes keep `[Double]` or `[Int]`.
public final class NDArray: KObject, KScalarConvertible {
    public let dtype: DType
    public let shape: [Int]
    var storage: Storage

    /// An array of `dtype` and `shape` over `storage` (which must hold `shape`'s element count
    /// in the storage kind of `dtype`).
    init(_ dtype: DType, _ shape: [Int], _ storage: Storage) {
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
    }

    /// An array of `dtype` from floats (rounded or converted to the dtype).
    convenience init(_ dtype: DType, _ shape: [Int], doubles: [Double]) {
        self.init(dtype, shape, Storage.make(dtype, doubles: doubles))
    }

    /// An array of `dtype` from ints (wrapped or converted to the dtype).
    convenience init(_ dtype: DType, _ shape: [Int], ints: [Int]) {
        self.init(dtype, shape, Storage.make(dtype, ints: ints))
    }

    /// A float32 array with the tensor's shape and elements (no copy).
    public init(_ tensor: Tensor) {
        dtype = .float32
        shape = tensor.shape
        storage = .float32(tensor)
    }

    /// The elements as a float32 tensor of the array's shape: free for float32 arrays,
    /// converted for the other dtypes.
    public func tensor() throws -> Tensor {
        switch storage {
        case .float32(let t):
            return t.shape == shape ? t : try t.reshaped(shape)
        default:
            return try Tensor(shape: shape, values: storage.doubles.map { Float($0) })
        }
    }

    /// Number of elements (numpy's `size`).
    public var size: Int { storage.count }
    public var ndim: Int { shape.count }

    /// The same elements with another shape of equal size (shares the buffer).
    func reshaped(_ newShape: [Int]) -> NDArray { NDArray(dtype, newShape, storage) }

    /// The elements converted to `dtype` (the array itself when it already has that dtype).
    func converted(to newType: DType) -> NDArray {
        if newType == dtype { return self }
        if newType.isFloat || dtype.isFloat && newType != .bool {
            return NDArray(newType, shape, doubles: storage.doubles)
        }
        if dtype.isFloat { return NDArray(newType, shape, ints: storage.doubles.map { $0 != 0 ? 1 : 0 }) }
        return NDArray(newType, shape, ints: storage.ints)
    }

    // MARK: Sizes

    /// The element count of `shape`, or numpy's errors: ValueError for negative dimensions,
    /// MemoryError when the array could not be allocated.
    static func checkedCount(_ shape: [Int], _ dtype: DType) throws -> Int {
        if shape.contains(where: { $0 < 0 }) { throw KilnError.value("negative dimensions are not allowed") }
        var n = 1
        for d in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { throw KilnError.value("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.") }
            n = p
        }
        let bytes = Double(n) * Double(dtype == .float32 ? 4 : 8)
        if bytes > Double(ProcessInfo.processInfo.physicalMemory) / 2 {
            throw KilnError("MemoryError", "Unable to allocate \(sizeText(Double(n) * Double(dtype.itemSize))) for an array with shape \(describe(shape)) and data type \(dtype.rawValue)")
        }
        return n
    }

    /// numpy's binary size text: `7.28 TiB`.
    private static func sizeText(_ bytes: Double) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = bytes, unit = 0
        while value >= 1023.5 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.3g %@", value, units[unit])
    }

    /// `(2, 3)`, `(4,)`, `()`: a shape as numpy prints it.
    static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// The shape as a tuple value.
    var shapeValue: Value { .object(KTuple(shape.map { .int($0) })) }

    // MARK: Elements as language values

    /// Element `i` (flat) as numpy returns it from indexing, iteration and reductions: a
    /// float32 scalar object for float32, otherwise a Python float, int or bool.
    func scalar(at i: Int) -> Value {
        switch dtype {
        case .float32: return .object(Float32Scalar(Float(storage.double(at: i))))
        case .float64: return .float(storage.double(at: i))
        case .bool: return .bool(storage.int(at: i) != 0)
        default: return .int(storage.int(at: i))
        }
    }

    /// Element `i` as a plain Python value (`tolist`, `item`).
    func pythonValue(at i: Int) -> Value {
        dtype.isFloat ? .float(storage.double(at: i)) : (dtype == .bool ? .bool(storage.int(at: i) != 0) : .int(storage.int(at: i)))
    }

    /// A 0-d result as a scalar value, any other as an array (what numpy's ufuncs return).
    var valueOrScalar: Value { shape.isEmpty ? scalar(at: 0) : .object(self) }

    public var scalarValue: Value? { size == 1 ? pythonValue(at: 0) : nil }

    // MARK: The language protocol

    public override var typeName: String { "numpy.ndarray" }
    public override func repr() -> String { ArrayFormat.repr(self) }
    public override func str() -> String { ArrayFormat.str(self) }

    public override var truth: Bool { size == 1 ? storage.double(at: 0) != 0 : size > 1 }

    public override func truthValue() throws -> Bool {
        if size > 1 {
            throw KilnError.value("The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()")
        }
        if size == 0 {
            throw KilnError.value("The truth value of an empty array is ambiguous. Use `array.size > 0` to check that an array is not empty.")
        }
        return storage.double(at: 0) != 0
    }

    public override var count: Int? { shape.first }

    public override func makeIterator() throws -> KIterator? {
        guard let n = shape.first else { throw KilnError.type("iteration over a 0-d array") }
        return ArrayIterator((0..<n).map { row(at: $0) })
    }

    /// `a[i]` for 0 ≤ i < len(a): a scalar for a 1-d array, otherwise an array.
    func row(at i: Int) -> Value {
        if shape.count == 1 { return scalar(at: i) }
        let rowShape = Array(shape.dropFirst())
        let size = rowShape.reduce(1, *)
        return .object(NDArray(dtype, rowShape, storage.block(i * size..<(i + 1) * size)))
    }

    public override func contains(_ value: Value) throws -> Bool? {
        let equal = try Elementwise.compare(.eq, .object(self), value)
        return equal.storage.ints.contains(1)
    }

    /// Same shape and equal elements (used by `testing.eq` and list equality; the `==`
    /// operator compares elementwise).
    public override func isEqual(to other: Value) -> Bool {
        guard let o = other.as(NDArray.self) else { return false }
        if o === self { return true }
        guard o.shape == shape else { return false }
        if !dtype.isFloat && !o.dtype.isFloat { return storage.ints == o.storage.ints }
        return storage.doubles == o.storage.doubles
    }

    public override func hashValue() throws -> Int { throw KilnError.type("unhashable type: 'numpy.ndarray'") }

    public override func binaryOp(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? {
        try Elementwise.binary(op, reversed ? other : .object(self), reversed ? .object(self) : other)
    }

    public override func richCompare(_ op: CompareOp, _ other: Value, reversed: Bool) throws -> Value? {
        let flipped: [CompareOp: CompareOp] = [.lt: .gt, .le: .ge, .gt: .lt, .ge: .le]
        return try Elementwise.compare(reversed ? flipped[op] ?? op : op, .object(self), other).valueOrScalar
    }

    public override func unaryOp(_ op: UnaryOp) throws -> Value? { try Elementwise.unary(op, self).valueOrScalar }

    public override func getItem(_ key: Value) throws -> Value { try ArrayIndex(key, of: shape).get(self) }

    public override func setItem(_ key: Value, _ value: Value) throws { try ArrayIndex(key, of: shape).set(self, value) }

    public override var attributeNames: [String] { ArrayMethods.attributeNames }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        try ArrayMethods.attribute(self, name)
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = ArrayMethods.methods[name] else {
            guard let v = try attribute(name, interpreter) else {
                throw KilnError.attribute("'numpy.ndarray' object has no attribute '\(name)'")
            }
            return try interpreter.call(v, args)
        }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }
}
