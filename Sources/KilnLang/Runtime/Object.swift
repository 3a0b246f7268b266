/// The protocol every reference value implements: the base class `KObject`, whose overridable
/// members give a type its attributes, methods, operators, indexing, iteration, truth and repr.
/// Lists, dicts and functions subclass it here; the engine bindings subclass it for tensors,
/// layers and models.

/// Base class of all reference values. Every member has Python's default behaviour, so a
/// subclass overrides only what its type supports; the defaults raise Python's TypeError
/// wording ("'X' object is not subscriptable").
open class KObject {
    public init() {}

    /// Python's `type(x).__name__`.
    open var typeName: String { "object" }

    /// Python's `bool(x)`.
    open var truth: Bool { true }

    /// `bool(x)` where the truth can be an error (a numpy array of several elements raises
    /// ValueError). Conditions, `not`, `and`/`or`, bool(), all() and any() use this.
    open func truthValue() throws -> Bool { truth }

    /// Python's `repr(x)`.
    open func repr() -> String { "<\(typeName) object>" }

    /// Python's `str(x)`; defaults to `repr`.
    open func str() -> String { repr() }

    /// Python's `==` with this object on the left. Default: identity.
    open func isEqual(to other: Value) -> Bool {
        if case .object(let o) = other { return o === self }
        return false
    }

    /// Python's `hash(x)`. Default: identity (mutable containers override to throw).
    open func hashValue() throws -> Int { ObjectIdentifier(self).hashValue }

    /// `x.name`; nil when there is no such attribute (the caller raises AttributeError).
    /// Default: the type's methods installed with `Interpreter.defineMethods`.
    open func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        interpreter.builtinMethod(name, of: .object(self))
    }

    /// Names `dir(x)` lists.
    open var attributeNames: [String] { [] }

    /// `x.name = value`.
    open func setAttribute(_ name: String, _ value: Value) throws {
        throw KilnError.attribute("'\(typeName)' object attribute '\(name)' is read-only")
    }

    /// `x.name(args…)`. Types with a method table override this to call without
    /// allocating a bound method; the default looks the attribute up and calls it.
    open func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        if let method = interpreter.method(name, ofType: typeName) {
            return try method.invoke(receiver: .object(self), args, interpreter)
        }
        guard let callee = try attribute(name, interpreter) else {
            throw KilnError.attribute("'\(typeName)' object has no attribute '\(name)'")
        }
        return try interpreter.call(callee, args)
    }

    /// A binary operator with this object as the left operand (`reversed == false`) or the
    /// right one. Return nil when the operation is not supported, so the other operand (or the
    /// TypeError) gets its turn.
    open func binaryOp(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? { nil }

    /// `-x`, `+x`, `~x`; nil when unsupported.
    open func unaryOp(_ op: UnaryOp) throws -> Value? { nil }

    /// Ordering against another value: negative, zero or positive; nil when unordered.
    open func compare(to other: Value) throws -> Int? { nil }

    /// An elementwise comparison (numpy arrays): the value of `self op other`, or of
    /// `other op self` when `reversed`. nil (the default) for Python's ordinary comparison.
    open func richCompare(_ op: CompareOp, _ other: Value, reversed: Bool) throws -> Value? { nil }

    /// `value in x`; nil to fall back to iteration.
    open func contains(_ value: Value) throws -> Bool? { nil }

    /// An iterator over the elements; nil when the object is not iterable.
    open func makeIterator() throws -> KIterator? { nil }

    /// `len(x)`; nil when the object has no length.
    open var count: Int? { nil }

    /// `x[key]`; a slice arrives as a `KSlice` object.
    open func getItem(_ key: Value) throws -> Value {
        throw KilnError.type("'\(typeName)' object is not subscriptable")
    }

    /// `x[key] = value`.
    open func setItem(_ key: Value, _ value: Value) throws {
        throw KilnError.type("'\(typeName)' object does not support item assignment")
    }

    /// `del x[key]`.
    open func deleteItem(_ key: Value) throws {
        throw KilnError.type("'\(typeName)' object does not support item deletion")
    }

    /// Whether `x(...)` is allowed (`callable(x)`).
    open var isCallable: Bool { false }

    /// `x(args…)`.
    open func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        throw KilnError.type("'\(typeName)' object is not callable")
    }
}

/// An iterator: `next()` returns nil when exhausted.
open class KIterator {
    public init() {}
    open func next() throws -> Value? { nil }
}

/// Iterates over a fixed array of values (a snapshot, so mutating the source while looping is safe).
public final class ArrayIterator: KIterator {
    private let items: [Value]
    private var index = 0

    public init(_ items: [Value]) { self.items = items }

    public override func next() -> Value? {
        guard index < items.count else { return nil }
        defer { index += 1 }
        return items[index]
    }
}

/// The arguments of a call: positional values, then `name=value` pairs in the order written.
public struct Arguments {
    public var positional: [Value]
    public var keywords: [(name: String, value: Value)]

    public init(_ positional: [Value] = [], keywords: [(name: String, value: Value)] = []) {
        self.positional = positional
        self.keywords = keywords
    }
}
