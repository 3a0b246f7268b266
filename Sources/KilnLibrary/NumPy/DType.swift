/// numpy's data types as Kiln knows them: the six dtypes and their names, numpy's type
/// promotion for arithmetic (NEP 50: Python scalars are "weak" and take the array's type),
/// conversions between dtypes, and the objects the language sees (`np.float32`, `a.dtype`).

import KilnLang

/// An array's element type, named as numpy names it.
public enum DType: String, CaseIterable, Sendable {
    case bool, uint8, int32, int64, float32, float64

    public var isFloat: Bool { self == .float32 || self == .float64 }

    /// Bytes per element in numpy (for `itemsize`, `nbytes` and MemoryError messages).
    public var itemSize: Int {
        switch self {
        case .bool, .uint8: return 1
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        }
    }

    /// numpy's `dtype.kind` character.
    var kind: String {
        switch self {
        case .bool: return "b"
        case .uint8: return "u"
        case .int32, .int64: return "i"
        case .float32, .float64: return "f"
        }
    }

    /// Whether numpy's repr leaves the dtype out (`array([1, 2])` is int64).
    var isImpliedInRepr: Bool { self == .float64 || self == .int64 || self == .bool }

    /// The dtype a name denotes: numpy's names, their one-letter codes and Python's type names.
    static func named(_ name: String) -> DType? {
        switch name {
        case "bool", "bool_", "?", "b1": return .bool
        case "uint8", "u1", "B": return .uint8
        case "int32", "i4", "intc": return .int32
        case "int64", "i8", "int", "int_", "intp", "long", "l": return .int64
        case "float32", "f4", "single", "f": return .float32
        case "float64", "f8", "float", "double", "d": return .float64
        default: return nil
        }
    }

    // MARK: Promotion

    /// The position in numpy's promotion lattice among the integer kinds (bool < uint8 <
    /// int32 < int64).
    private var integerRank: Int {
        switch self {
        case .bool: return 0
        case .uint8: return 1
        case .int32: return 2
        default: return 3
        }
    }

    /// numpy's `result_type` of two array dtypes.
    static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a == .float64 || b == .float64 { return .float64 }
        if a == .float32 || b == .float32 {
            let other = a == .float32 ? b : a
            return other.integerRank <= 1 ? .float32 : .float64
        }
        return a.integerRank >= b.integerRank ? a : b
    }

    /// The dtype of an operation between an array of this dtype and a Python scalar of dtype
    /// `scalar` (bool, int64 or float64), which adapts to the array as in numpy 2.
    func promote(weak scalar: DType) -> DType {
        switch scalar {
        case .bool: return self
        case .float32, .float64: return isFloat ? self : .float64
        default: return self == .bool ? .int64 : self
        }
    }

    // MARK: Conversions of single elements

    /// A float converted to this (integer or bool) dtype as numpy's `astype` does: truncated
    /// toward zero and wrapped; NaN and out-of-range values give the minimum int64.
    func integer(from x: Double) -> Int {
        if self == .bool { return x != 0 ? 1 : 0 }
        let i = x.isFinite && x > -9.3e18 && x < 9.3e18 ? Int(exactly: x.rounded(.towardZero)) ?? Int.min : Int.min
        return wrap(i)
    }

    /// An int64 converted to this integer dtype (wrapping as C does; bool is `!= 0`).
    func wrap(_ i: Int) -> Int {
        switch self {
        case .bool: return i != 0 ? 1 : 0
        case .uint8: return Int(UInt8(truncatingIfNeeded: i))
        case .int32: return Int(Int32(truncatingIfNeeded: i))
        default: return i
        }
    }

    /// A float stored in this float dtype (rounded to the nearest float32 for float32).
    @inline(__always)
    func round(_ x: Double) -> Double { self == .float32 ? Double(Float(x)) : x }

    /// The range of values of an integer dtype, for numpy 2's "Python integer out of bounds".
    var integerBounds: ClosedRange<Int>? {
        switch self {
        case .uint8: return 0...255
        case .int32: return Int(Int32.min)...Int(Int32.max)
        default: return nil
        }
    }
}

/// A dtype as a language value. numpy has two such objects: the scalar type `np.float32`
/// (`<class 'numpy.float32'>`, callable: `np.float32(1.5)`, `np.float32([1, 2])`) and the
/// dtype instance `a.dtype` (`dtype('float32')`, printing as `float32`). Both are accepted
/// wherever a dtype is expected and compare equal to each other; a dtype instance also equals
/// its name (`a.dtype == 'float32'`).
public final class DTypeObject: KObject {
    public let dtype: DType
    /// True for the scalar type (`np.float32`), false for the dtype instance (`a.dtype`).
    public let isScalarType: Bool

    private init(_ dtype: DType, isScalarType: Bool) {
        self.dtype = dtype
        self.isScalarType = isScalarType
    }

    /// The shared dtype instances, one per dtype.
    private static let instances = Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0, DTypeObject($0, isScalarType: false)) })
    private static let scalarTypes = Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0, DTypeObject($0, isScalarType: true)) })

    /// `a.dtype` for an array of this dtype.
    public static func instance(_ dtype: DType) -> DTypeObject { instances[dtype] ?? DTypeObject(dtype, isScalarType: false) }

    /// `np.float32` and friends.
    public static func scalarType(_ dtype: DType) -> DTypeObject { scalarTypes[dtype] ?? DTypeObject(dtype, isScalarType: true) }

    public override var typeName: String { isScalarType ? "type" : "dtype[\(dtype.rawValue)]" }
    public override func repr() -> String { isScalarType ? "<class 'numpy.\(dtype.rawValue)'>" : "dtype('\(dtype.rawValue)')" }
    public override func str() -> String { isScalarType ? repr() : dtype.rawValue }
    public override var isCallable: Bool { isScalarType }
    public override var attributeNames: [String] { ["itemsize", "kind", "name", "type"] }

    public override func isEqual(to other: Value) -> Bool {
        if let o = other.as(DTypeObject.self) {
            return o.dtype == dtype && (!isScalarType || !o.isScalarType || o === self)
        }
        if !isScalarType, case .string(let name) = other { return DType.named(name) == dtype }
        return false
    }

    public override func hashValue() throws -> Int { dtype.rawValue.hashValue }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "name", "__name__": return .string(dtype.rawValue)
        case "itemsize": return .int(dtype.itemSize)
        case "kind": return .string(dtype.kind)
        case "type": return .object(DTypeObject.scalarType(dtype))
        default: return nil
        }
    }

    /// `np.float32(x)`: a numpy scalar of this type for a number, an array for a sequence.
    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard isScalarType else { return try super.call(args, interpreter) }
        guard args.keywords.isEmpty, args.positional.count <= 1 else {
            throw KilnError.type("\(dtype.rawValue)() takes at most 1 positional argument")
        }
        let array = try NDArray.from(args.positional.first ?? .int(0), dtype: dtype)
        return array.shape.isEmpty ? array.scalar(at: 0) : .object(array)
    }
}

extension DType {
    /// The dtype a `dtype=` argument denotes: a dtype object, a name, or Python's `float`,
    /// `int` and `bool`; nil for None.
    static func from(_ value: Value) throws -> DType? {
        switch value {
        case .none:
            return nil
        case .string(let name):
            guard let d = DType.named(name) else { throw KilnError.type("data type '\(name)' not understood") }
            return d
        case .object(let o):
            if let d = o as? DTypeObject { return d.dtype }
            if let t = o as? KType, let d = DType.named(t.name) { return d }
        default:
            break
        }
        throw KilnError.type("Cannot interpret '\(Repr.repr(value))' as a data type")
    }
}
