/// Python's arithmetic, bitwise, comparison and membership operators on Kiln values.
/// ints are 64-bit: a result that does not fit raises OverflowError instead of wrapping.

import Foundation

public enum Operators {
    // MARK: Binary operators

    /// `a op b`.
    public static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intOp(op, x, y)
        case (.float(let x), .float(let y)): return try floatOp(op, x, y)
        case (.int(let x), .float(let y)): return try floatOp(op, Double(x), y)
        case (.float(let x), .int(let y)): return try floatOp(op, x, Double(y))
        case (.bool(let x), .bool(let y)) where op == .bitAnd || op == .bitOr || op == .bitXor:
            switch op {
            case .bitAnd: return .bool(x && y)
            case .bitOr: return .bool(x || y)
            default: return .bool(x != y)
            }
        case (.string(let x), .string(let y)) where op == .add:
            return .string(x + y)
        case (.string(let s), _) where op == .multiply:
            if let n = b.asInt { return .string(try repeated(s, n)) }
        case (_, .string(let s)) where op == .multiply:
            if let n = a.asInt { return .string(try repeated(s, n)) }
        case (.string(let s), _) where op == .modulo:
            return .string(try Format.percent(s, b))
        case (.string, _) where op == .add:
            throw KilnError.type("can only concatenate str (not \"\(b.typeName)\") to str")
        case (.bool, _), (_, .bool):
            if let x = a.asInt, let y = b.asInt { return try intOp(op, x, y) }
            if let x = a.asDouble, let y = b.asDouble, isNumeric(a), isNumeric(b) { return try floatOp(op, x, y) }
        default:
            break
        }
        if case .object(let o) = a, let r = try o.binaryOp(op, b, reversed: false) { return r }
        if case .object(let o) = b, let r = try o.binaryOp(op, a, reversed: true) { return r }
        if op == .add, case .object(let o) = a, o is KList {
            throw KilnError.type("can only concatenate list (not \"\(b.typeName)\") to list")
        }
        throw KilnError.type("unsupported operand type(s) for \(op.rawValue): '\(a.typeName)' and '\(b.typeName)'")
    }

    /// `s * n`: empty for n <= 0, as in Python; MemoryError past 4 GiB instead of a crash.
    static func repeated(_ s: String, _ n: Int) throws -> String {
        guard n > 0, !s.isEmpty else { return "" }
        let (total, overflow) = s.utf8.count.multipliedReportingOverflow(by: n)
        guard !overflow, total <= 1 << 32 else {
            throw KilnError("MemoryError", "repeated string is too long")
        }
        return String(repeating: s, count: n)
    }

    private static func isNumeric(_ v: Value) -> Bool {
        switch v {
        case .int, .float, .bool: return true
        default: return false
        }
    }

    static func overflow(_ x: Int, _ op: BinaryOp, _ y: Int) -> KilnError {
        KilnError.overflow("integer overflow: \(x) \(op.rawValue) \(y) does not fit in a 64-bit int")
    }

    /// An operator on two ints.
    @inline(__always)
    public static func intOp(_ op: BinaryOp, _ x: Int, _ y: Int) throws -> Value {
        switch op {
        case .add:
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw overflow(x, op, y) }
            return .int(r)
        case .subtract:
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw overflow(x, op, y) }
            return .int(r)
        case .multiply:
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw overflow(x, op, y) }
            return .int(r)
        case .divide:
            if y == 0 { throw KilnError.zeroDivision("division by zero") }
            return .float(Double(x) / Double(y))
        case .floorDivide:
            if y == 0 { throw KilnError.zeroDivision("integer division or modulo by zero") }
            if x == Int.min && y == -1 { throw overflow(x, op, y) }
            let q = x / y
            return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
        case .modulo:
            if y == 0 { throw KilnError.zeroDivision("integer modulo by zero") }
            if y == -1 { return .int(0) }
            let r = x % y
            return .int((r != 0 && (r < 0) != (y < 0)) ? r + y : r)
        case .power:
            if y < 0 {
                if x == 0 { throw KilnError.zeroDivision("0.0 cannot be raised to a negative power") }
                return .float(Foundation.pow(Double(x), Double(y)))
            }
            var result = 1, base = x, e = y
            while e > 0 {
                if e & 1 == 1 {
                    let (r, o) = result.multipliedReportingOverflow(by: base)
                    if o { throw overflow(x, op, y) }
                    result = r
                }
                e >>= 1
                if e > 0 {
                    let (b2, o) = base.multipliedReportingOverflow(by: base)
                    if o { throw overflow(x, op, y) }
                    base = b2
                }
            }
            return .int(result)
        case .bitAnd: return .int(x & y)
        case .bitOr: return .int(x | y)
        case .bitXor: return .int(x ^ y)
        case .shiftLeft:
            if y < 0 { throw KilnError.value("negative shift count") }
            if x == 0 { return .int(0) }
            if y >= 63 || (x << y) >> y != x { throw overflow(x, op, y) }
            return .int(x << y)
        case .shiftRight:
            if y < 0 { throw KilnError.value("negative shift count") }
            return .int(y >= 64 ? (x < 0 ? -1 : 0) : x >> y)
        case .matmul:
            throw KilnError.type("unsupported operand type(s) for @: 'int' and 'int'")
        }
    }

    /// An operator on two floats (ints already converted).
    public static func floatOp(_ op: BinaryOp, _ x: Double, _ y: Double) throws -> Value {
        switch op {
        case .add: return .float(x + y)
        case .subtract: return .float(x - y)
        case .multiply: return .float(x * y)
        case .divide:
            if y == 0 { throw KilnError.zeroDivision("float division by zero") }
            return .float(x / y)
        case .floorDivide:
            if y == 0 { throw KilnError.zeroDivision("float floor division by zero") }
            return .float(try Arithmetic.floatDivmod(x, y).0)
        case .modulo:
            if y == 0 { throw KilnError.zeroDivision("float modulo") }
            let r = Foundation.fmod(x, y)
            return .float((r != 0 && (r < 0) != (y < 0)) ? r + y : r)
        case .power:
            if x == 0 && y < 0 { throw KilnError.zeroDivision("0.0 cannot be raised to a negative power") }
            if x < 0 && y.rounded() != y {
                throw KilnError.value("negative number cannot be raised to a fractional power (complex numbers are not supported in Kiln)")
            }
            let r = Foundation.pow(x, y)
            if r.isInfinite && x.isFinite && y.isFinite { throw KilnError.overflow("(34, 'Numerical result out of range')") }
            return .float(r)
        default:
            throw KilnError.type("unsupported operand type(s) for \(op.rawValue): 'float' and 'float'")
        }
    }

    // MARK: Unary operators

    public static func unary(_ op: UnaryOp, _ v: Value) throws -> Value {
        switch (op, v) {
        case (.not, _): return .bool(!(try v.truthValue()))
        case (.minus, .int(let i)):
            if i == Int.min { throw KilnError.overflow("integer overflow: -(\(i)) does not fit in a 64-bit int") }
            return .int(-i)
        case (.minus, .float(let d)): return .float(-d)
        case (.minus, .bool(let b)): return .int(b ? -1 : 0)
        case (.plus, .int), (.plus, .float): return v
        case (.plus, .bool(let b)): return .int(b ? 1 : 0)
        case (.invert, .int(let i)): return .int(~i)
        case (.invert, .bool(let b)): return .int(~(b ? 1 : 0))
        case (_, .object(let o)):
            if let r = try o.unaryOp(op) { return r }
        default: break
        }
        throw KilnError.type("bad operand type for unary \(op.rawValue): '\(v.typeName)'")
    }

    // MARK: Comparison

    /// `a op b` for a comparison operator, as a value: an object's elementwise comparison
    /// (a numpy array of bools) or a bool.
    public static func compareValue(_ op: CompareOp, _ a: Value, _ b: Value) throws -> Value {
        if let r = try richCompare(op, a, b) { return r }
        return .bool(try compare(op, a, b))
    }

    /// An object operand's elementwise comparison, tried on the left operand first.
    private static func richCompare(_ op: CompareOp, _ a: Value, _ b: Value) throws -> Value? {
        switch op {
        case .eq, .ne, .lt, .le, .gt, .ge:
            if case .object(let o) = a, let r = try o.richCompare(op, b, reversed: false) { return r }
            if case .object(let o) = b, let r = try o.richCompare(op, a, reversed: true) { return r }
        default: break
        }
        return nil
    }

    /// `a op b` for a comparison operator, as a truth value (an elementwise comparison's
    /// truth, which may be an error, in a condition).
    public static func compare(_ op: CompareOp, _ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.object, _), (_, .object):
            if let r = try richCompare(op, a, b) { return try r.truthValue() }
        default: break
        }
        switch op {
        case .eq: return a.equals(b)
        case .ne: return !a.equals(b)
        case .is: return a.isIdentical(to: b)
        case .isNot: return !a.isIdentical(to: b)
        case .in: return try contains(b, a)
        case .notIn: return try !contains(b, a)
        case .lt, .le, .gt, .ge:
            if let x = a.asDouble, let y = b.asDouble, !isObject(a), !isObject(b) {
                if let i = a.asInt, let j = b.asInt { return ordered(op, i, j) }
                return ordered(op, x, y)
            }
            return try ordered(op, compareForOrder(op, a, b), 0)
        }
    }

    private static func isObject(_ v: Value) -> Bool {
        if case .object = v { return true }
        if case .string = v { return true }
        return false
    }

    @inline(__always)
    static func ordered<T: Comparable>(_ op: CompareOp, _ x: T, _ y: T) -> Bool {
        switch op {
        case .lt: return x < y
        case .le: return x <= y
        case .gt: return x > y
        default: return x >= y
        }
    }

    /// A three-way comparison for ordering (`sorted`, `min`, `max`, `<` on sequences).
    public static func compare(_ a: Value, _ b: Value) throws -> Int {
        try compareForOrder(.lt, a, b)
    }

    private static func compareForOrder(_ op: CompareOp, _ a: Value, _ b: Value) throws -> Int {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            // Python orders strings by code point.
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : (x == y ? 0 : 1)
        default:
            if let x = a.asDouble, let y = b.asDouble, !isObject(a), !isObject(b) {
                return x < y ? -1 : (x > y ? 1 : 0)
            }
        }
        if case .object(let o) = a, let r = try o.compare(to: b) { return r }
        if case .object(let o) = b, let r = try o.compare(to: a) { return -r }
        throw KilnError.type("'\(op.rawValue)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
    }

    /// `item in container`.
    public static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let sub) = item else {
                throw KilnError.type("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return sub.isEmpty || s.contains(sub)
        case .object(let o):
            if let r = try o.contains(item) { return r }
            if let it = try o.makeIterator() {
                while let v = try it.next() {
                    if v.equals(item) { return true }
                }
                return false
            }
        default: break
        }
        throw KilnError.type("argument of type '\(container.typeName)' is not iterable")
    }
}
