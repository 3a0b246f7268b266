/// `np.float32` scalars: what indexing, iterating or reducing a float32 array gives. They
/// print as numpy prints them (`str` 0.1, `repr` np.float32(0.1)) rather than as the float64
/// they widen to, and their arithmetic stays in float32 as numpy's does. The other dtypes give
/// plain Python floats, ints and bools.

import KilnLang

public final class Float32Scalar: KObject, KScalarConvertible {
    public let value: Float

    public init(_ value: Float) { self.value = value }

    /// The scalar as a 0-d array, for arithmetic.
    var array: NDArray { NDArray(.float32, [], doubles: [Double(value)]) }

    public var scalarValue: Value? { .float(Double(value)) }

    public override var typeName: String { "numpy.float32" }
    public override func str() -> String { ArrayFormat.float32ScalarText(value) }
    public override func repr() -> String { "np.float32(\(str()))" }
    public override var truth: Bool { value != 0 }

    public override func isEqual(to other: Value) -> Bool {
        guard let x = Float32Scalar.number(other) else { return false }
        return Double(value) == x
    }

    public override func hashValue() throws -> Int { try Value.float(Double(value)).hashValue() }

    public override func compare(to other: Value) throws -> Int? {
        guard let x = Float32Scalar.number(other) else { return nil }
        let v = Double(value)
        return v < x ? -1 : (v > x ? 1 : 0)
    }

    public override func binaryOp(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? {
        try Elementwise.binary(op, reversed ? other : .object(array), reversed ? .object(array) : other)
    }

    public override func richCompare(_ op: CompareOp, _ other: Value, reversed: Bool) throws -> Value? {
        try array.richCompare(op, other, reversed: reversed)
    }

    public override func unaryOp(_ op: UnaryOp) throws -> Value? { try array.unaryOp(op) }

    public override var attributeNames: [String] { ["dtype", "item", "ndim", "shape", "size"] }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        try ArrayMethods.attribute(array, name)
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        try array.callMethod(name, args, interpreter)
    }

    /// A number, or a float32 scalar, as a Double.
    static func number(_ v: Value) -> Double? {
        if let s = v.as(Float32Scalar.self) { return Double(s.value) }
        switch v {
        case .int, .float, .bool: return v.asDouble
        default: return nil
        }
    }
}
