/// Kiln's values: None, bool, int (64-bit), float, str and reference objects (lists, dicts,
/// functions, modules, and native objects supplied by the engine bindings).

/// A Kiln value. Scalars are stored inline; everything else is a `KObject` subclass.
public enum Value {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case object(KObject)

    public static let `true` = Value.bool(true)
    public static let `false` = Value.bool(false)

    /// Python's `type(x).__name__`.
    public var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .object(let o): return o.typeName
        }
    }

    /// Python's truth value (`bool(x)`).
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .object(let o): return o.truth
        }
    }

    /// Python's truth value where it can fail (`if array:` on a numpy array of several
    /// elements raises ValueError).
    public func truthValue() throws -> Bool {
        if case .object(let o) = self { return try o.truthValue() }
        return isTruthy
    }

    /// The object, when this value is one of the given class.
    @inline(__always)
    public func `as`<T: KObject>(_ type: T.Type) -> T? {
        if case .object(let o) = self { return o as? T }
        return nil
    }

    /// The numeric value of a bool, int or float as a Double (nil for other types).
    public var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The integer value of an int or bool (nil for other types).
    public var asInt: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
}

extension Value: CustomStringConvertible {
    /// `str(x)`.
    public var description: String { Repr.str(self) }
}

// MARK: - Equality and hashing with Python's rules (1 == 1.0 == True, hash(1) == hash(1.0)).

extension Value {
    /// Python's `==`.
    public func equals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.none, .none): return true
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.int, .float), (.float, .int), (.bool, .int), (.int, .bool), (.bool, .float), (.float, .bool):
            return Value.numericEquals(self, other)
        case (.object(let a), _): return a.isEqual(to: other)
        case (_, .object(let b)): return b.isEqual(to: self)
        default: return false
        }
    }

    private static func numericEquals(_ a: Value, _ b: Value) -> Bool {
        if let x = a.asInt, let y = b.asInt { return x == y }
        if case .float(let d) = a, let y = b.asInt { return floatEqualsInt(d, y) }
        if case .float(let d) = b, let x = a.asInt { return floatEqualsInt(d, x) }
        return false
    }

    /// Exact comparison of a Double with an Int (no rounding of the Int).
    static func floatEqualsInt(_ d: Double, _ i: Int) -> Bool {
        guard d.isFinite, d.rounded(.towardZero) == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
            return false
        }
        return Int(d) == i
    }

    /// Python's `is`: identity for objects, equality of value and type for scalars.
    public func isIdentical(to other: Value) -> Bool {
        switch (self, other) {
        case (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern
        case (.string(let a), .string(let b)): return a == b
        case (.object(let a), .object(let b)): return a === b
        default: return false
        }
    }

    /// Python's `hash(x)`: equal numbers hash alike (`hash(1) == hash(1.0) == hash(True)`);
    /// throws TypeError for unhashable values.
    public func hashValue() throws -> Int {
        switch self {
        case .none: return 0x4e6f6e65
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return i
        case .float(let d):
            if d.isFinite, d.rounded(.towardZero) == d, abs(d) < 9.2e18 { return Int(d) }
            return d.hashValue
        case .string(let s): return s.hashValue
        case .object(let o): return try o.hashValue()
        }
    }
}

/// A hashable wrapper used as a dictionary or set key. Build it with `HashKey(_:)`, which
/// rejects unhashable values with Python's TypeError.
public struct HashKey: Hashable {
    public let value: Value
    private let hash: Int

    public init(_ value: Value) throws {
        self.value = value
        self.hash = try value.hashValue()
    }

    public static func == (lhs: HashKey, rhs: HashKey) -> Bool {
        lhs.hash == rhs.hash && lhs.value.equals(rhs.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}
