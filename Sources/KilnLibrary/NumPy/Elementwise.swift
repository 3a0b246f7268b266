/// Elementwise operations with numpy's semantics: the arithmetic, bitwise and comparison
/// operators on arrays (broadcast, with numpy 2's type promotion and integer wrapping), the
/// unary operators, the one-argument math functions (`np.exp`, `np.sqrt`, …), and `where`.
///
/// Floats are computed in Double; a float32 result is rounded once per operation, which gives
/// exactly float32 arithmetic for + - * / and sqrt. Integers are computed in Int and wrapped to
/// their dtype, as numpy's C loops wrap.

import Foundation
import KilnLang

/// An operand of an elementwise operation: an array, or a Python scalar, which numpy treats as
/// "weak" (it takes the array's dtype where it fits).
struct Operand {
    let array: NDArray
    let isWeak: Bool

    /// Arrays, lists, numpy scalars and Python numbers; nil for other values (strings, None…),
    /// so the operator can fall back to Python's TypeError.
    static func from(_ value: Value) throws -> Operand? {
        switch value {
        case .bool, .int, .float:
            return Operand(array: try NDArray.from(value), isWeak: true)
        case .object(let o):
            if let a = o as? NDArray { return Operand(array: a, isWeak: false) }
            if let s = o as? Float32Scalar { return Operand(array: s.array, isWeak: false) }
            if o is KSequence || o is KRange { return Operand(array: try NDArray.from(value), isWeak: false) }
            return nil
        default:
            return nil
        }
    }

    /// The dtype numpy computes `a op b` in.
    static func promote(_ a: Operand, _ b: Operand) -> DType {
        switch (a.isWeak, b.isWeak) {
        case (false, true): return a.array.dtype.promote(weak: b.array.dtype)
        case (true, false): return b.array.dtype.promote(weak: a.array.dtype)
        default: return DType.promote(a.array.dtype, b.array.dtype)
        }
    }

    /// The elements as floats in the compute dtype (rounded to float32 when computing in it).
    func doubles(in compute: DType) -> [Double] {
        let values = array.storage.doubles
        return compute == .float32 && array.dtype != .float32 ? values.map(compute.round) : values
    }

    /// The elements as ints in the compute dtype; a Python int that does not fit is numpy 2's
    /// OverflowError.
    func ints(in compute: DType) throws -> [Int] {
        let values = array.storage.ints
        if isWeak, let bounds = compute.integerBounds, let v = values.first, !bounds.contains(v) {
            throw KilnError.overflow("Python integer \(v) out of bounds for \(compute.rawValue)")
        }
        return values
    }
}

/// A binary operation on elements: its numpy ufunc name (for errors), the float and integer
/// functions, and how the compute dtype is chosen.
struct BinaryKernel {
    let name: String
    let double: (Double, Double) -> Double
    /// The integer function; nil when integer inputs are computed as float64 (true division).
    let int: ((Int, Int) throws -> Int)?
    /// For bitwise and shift operators: floats are not accepted.
    var integerOnly = false
    /// What numpy says when both operands are bool (nil when bools are fine).
    var boolError: String?
    /// For `//`, `%` and `**`: bools are computed as ints (numpy gives int8; Kiln int64).
    var boolAsInt = false

    static func kernel(for op: BinaryOp) -> BinaryKernel? {
        switch op {
        case .add: return BinaryKernel(name: "add", double: +, int: { $0 &+ $1 })
        case .subtract:
            return BinaryKernel(name: "subtract", double: -, int: { $0 &- $1 },
                                boolError: "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.")
        case .multiply: return BinaryKernel(name: "multiply", double: *, int: { $0 &* $1 })
        case .divide: return BinaryKernel(name: "divide", double: /, int: nil)
        case .floorDivide: return BinaryKernel(name: "floor_divide", double: { floatDivmod($0, $1).quotient }, int: intFloorDivide, boolAsInt: true)
        case .modulo: return BinaryKernel(name: "remainder", double: { floatDivmod($0, $1).remainder }, int: intModulo, boolAsInt: true)
        case .power: return BinaryKernel(name: "power", double: Foundation.pow, int: intPower, boolAsInt: true)
        case .bitAnd: return BinaryKernel(name: "bitwise_and", double: { _, _ in 0 }, int: { $0 & $1 }, integerOnly: true)
        case .bitOr: return BinaryKernel(name: "bitwise_or", double: { _, _ in 0 }, int: { $0 | $1 }, integerOnly: true)
        case .bitXor: return BinaryKernel(name: "bitwise_xor", double: { _, _ in 0 }, int: { $0 ^ $1 }, integerOnly: true)
        case .shiftLeft: return BinaryKernel(name: "left_shift", double: { _, _ in 0 }, int: { $1 >= 64 || $1 < 0 ? 0 : $0 << $1 }, integerOnly: true, boolAsInt: true)
        case .shiftRight: return BinaryKernel(name: "right_shift", double: { _, _ in 0 }, int: { $1 >= 64 || $1 < 0 ? ($0 < 0 ? -1 : 0) : $0 >> $1 }, integerOnly: true, boolAsInt: true)
        case .matmul: return nil
        }
    }

    /// `np.maximum` / `np.minimum`: NaN wins, as in numpy.
    static let maximum = BinaryKernel(name: "maximum", double: { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }, int: { Swift.max($0, $1) })
    static let minimum = BinaryKernel(name: "minimum", double: { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }, int: { Swift.min($0, $1) })

    /// numpy's `divmod` for floats (Python's rules; a zero divisor gives inf or nan, not an error).
    static func floatDivmod(_ a: Double, _ b: Double) -> (quotient: Double, remainder: Double) {
        var mod = Foundation.fmod(a, b)
        if b == 0 { return (a / b, mod) }
        var div = (a - mod) / b
        if mod != 0 {
            if (b < 0) != (mod < 0) {
                mod += b
                div -= 1
            }
        } else {
            mod = Foundation.copysign(0, b)
        }
        var floorDiv: Double
        if div != 0 {
            floorDiv = Foundation.floor(div)
            if div - floorDiv > 0.5 { floorDiv += 1 }
        } else {
            floorDiv = Foundation.copysign(0, a / b)
        }
        return (floorDiv, mod)
    }

    static func intFloorDivide(_ x: Int, _ y: Int) -> Int {
        if y == 0 { return 0 }
        if y == -1 { return 0 &- x }
        let q = x / y
        return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q
    }

    static func intModulo(_ x: Int, _ y: Int) -> Int {
        if y == 0 || y == -1 { return 0 }
        let r = x % y
        return (r != 0 && (r < 0) != (y < 0)) ? r + y : r
    }

    static func intPower(_ x: Int, _ y: Int) throws -> Int {
        if y < 0 { throw KilnError.value("Integers to negative integer powers are not allowed.") }
        var result = 1, base = x, e = y
        while e > 0 {
            if e & 1 == 1 { result = result &* base }
            base = base &* base
            e >>= 1
        }
        return result
    }
}

enum Elementwise {
    // MARK: Binary operators

    /// `a op b` where at least one operand is an array; nil when an operand is not array-like
    /// (the caller then raises Python's TypeError).
    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value? {
        if op == .matmul {
            guard let x = try Operand.from(a), let y = try Operand.from(b) else { return nil }
            return try LinearAlgebra.matmul(x.array, y.array)
        }
        guard let kernel = BinaryKernel.kernel(for: op) else { return nil }
        return try apply(kernel, a, b)
    }

    /// A binary kernel applied to two array-like values; nil when one is not array-like.
    static func apply(_ kernel: BinaryKernel, _ a: Value, _ b: Value) throws -> Value? {
        guard let x = try Operand.from(a), let y = try Operand.from(b) else { return nil }
        return try apply(kernel, x, y).valueOrScalar
    }

    static func apply(_ kernel: BinaryKernel, _ x: Operand, _ y: Operand) throws -> NDArray {
        var compute = Operand.promote(x, y)
        if compute == .bool, let message = kernel.boolError { throw KilnError.type(message) }
        if kernel.integerOnly && compute.isFloat {
            throw KilnError.type("ufunc '\(kernel.name)' not supported for the input types, and the inputs could not be safely coerced to any supported types according to the casting rule ''safe''")
        }
        if compute == .bool && kernel.boolAsInt { compute = .int64 }
        let shape = try resultShape(x.array, y.array)
        guard let intFunction = kernel.int, !compute.isFloat else {
            if kernel.int == nil && !compute.isFloat { compute = .float64 }
            let values = Broadcast.combine(x.doubles(in: compute), x.array.shape, y.doubles(in: compute), y.array.shape,
                                           into: shape, kernel.double)
            return NDArray(compute, shape, doubles: values)
        }
        let values = try Broadcast.combine(try x.ints(in: compute), x.array.shape, try y.ints(in: compute), y.array.shape,
                                           into: shape, intFunction)
        return NDArray(compute, shape, ints: values)
    }

    /// The broadcast shape of two operands, refusing results too large to allocate.
    private static func resultShape(_ a: NDArray, _ b: NDArray) throws -> [Int] {
        if a.shape == b.shape { return a.shape }
        let shape = try Broadcast.shape([a.shape, b.shape])
        _ = try NDArray.checkedCount(shape, .float64)
        return shape
    }

    // MARK: Comparisons

    /// `a op b` elementwise, giving a bool array. `==` and `!=` against a value that is not
    /// array-like give all False / all True, as numpy does.
    static func compare(_ op: CompareOp, _ a: Value, _ b: Value) throws -> NDArray {
        guard let x = try Operand.from(a), let y = try Operand.from(b) else {
            let array = a.as(NDArray.self) ?? b.as(NDArray.self) ?? NDArray(.bool, [], ints: [0])
            guard op == .eq || op == .ne else {
                let (l, r) = a.as(NDArray.self) != nil ? (a, b) : (b, a)
                throw KilnError.type("'\(op.rawValue)' not supported between instances of '\(l.typeName)' and '\(r.typeName)'")
            }
            return NDArray(.bool, array.shape, ints: [Int](repeating: op == .ne ? 1 : 0, count: array.size))
        }
        let compute = Operand.promote(x, y)
        let shape = try resultShape(x.array, y.array)
        if compute.isFloat {
            let values = Broadcast.combine(x.doubles(in: compute), x.array.shape, y.doubles(in: compute), y.array.shape,
                                           into: shape) { test(op, $0, $1) ? 1 : 0 }
            return NDArray(.bool, shape, ints: values)
        }
        let values = Broadcast.combine(try x.ints(in: compute), x.array.shape, try y.ints(in: compute), y.array.shape,
                                       into: shape) { test(op, $0, $1) ? 1 : 0 }
        return NDArray(.bool, shape, ints: values)
    }

    @inline(__always)
    private static func test<T: Comparable>(_ op: CompareOp, _ x: T, _ y: T) -> Bool {
        switch op {
        case .eq: return x == y
        case .ne: return x != y
        case .lt: return x < y
        case .le: return x <= y
        case .gt: return x > y
        default: return x >= y
        }
    }

    // MARK: Unary operators and functions

    /// `-a`, `+a`, `~a`.
    static func unary(_ op: UnaryOp, _ a: NDArray) throws -> NDArray {
        switch op {
        case .minus:
            if a.dtype == .bool {
                throw KilnError.type("The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead.")
            }
            return try map(a, UnaryKernel(name: "negative", double: { -$0 }, int: { 0 &- $0 }))
        case .plus:
            return NDArray(a.dtype, a.shape, a.storage)
        case .invert:
            if a.dtype == .bool { return NDArray(.bool, a.shape, ints: a.storage.ints.map { 1 - $0 }) }
            return try map(a, UnaryKernel(name: "invert", double: nil, int: { ~$0 }))
        case .not:
            return NDArray(.bool, [], ints: [try a.truthValue() ? 0 : 1])
        }
    }

    /// `f` applied to every element. Integer inputs use the kernel's integer function when it
    /// has one (keeping the dtype), else become floats (float64; float32 for bool and uint8,
    /// where numpy would use float16).
    static func map(_ a: NDArray, _ kernel: UnaryKernel) throws -> NDArray {
        if !a.dtype.isFloat, let f = kernel.int {
            return NDArray(a.dtype, a.shape, ints: a.storage.ints.map(f))
        }
        guard let f = kernel.double else {
            throw KilnError.type("ufunc '\(kernel.name)' not supported for the input types, and the inputs could not be safely coerced to any supported types according to the casting rule ''safe''")
        }
        let compute: DType = a.dtype.isFloat ? a.dtype : (a.dtype == .bool || a.dtype == .uint8 ? .float32 : .float64)
        return NDArray(compute, a.shape, doubles: a.storage.doubles.map(f))
    }

    // MARK: Selection

    /// `np.where(condition, x, y)`: elements of x where condition holds, else of y, all three
    /// broadcast together; the dtype is x's and y's common type.
    static func choose(_ condition: NDArray, _ x: Operand, _ y: Operand) throws -> NDArray {
        let shape = try Broadcast.shape([condition.shape, x.array.shape, y.array.shape])
        _ = try NDArray.checkedCount(shape, .float64)
        let mask = Broadcast.expand(condition.storage.ints.map { $0 != 0 }, from: condition.shape, to: shape)
        let dtype = Operand.promote(x, y)
        if dtype.isFloat {
            let a = Broadcast.expand(x.doubles(in: dtype), from: x.array.shape, to: shape)
            let b = Broadcast.expand(y.doubles(in: dtype), from: y.array.shape, to: shape)
            return NDArray(dtype, shape, doubles: mask.indices.map { mask[$0] ? a[$0] : b[$0] })
        }
        let a = Broadcast.expand(try x.ints(in: dtype), from: x.array.shape, to: shape)
        let b = Broadcast.expand(try y.ints(in: dtype), from: y.array.shape, to: shape)
        return NDArray(dtype, shape, ints: mask.indices.map { mask[$0] ? a[$0] : b[$0] })
    }
}

/// A one-argument function on elements (`np.exp`): its numpy name, its float function, and an
/// integer function for those that keep integer dtypes (`abs`, `square`).
struct UnaryKernel {
    let name: String
    let double: ((Double) -> Double)?
    let int: ((Int) -> Int)?

    init(name: String, double: ((Double) -> Double)?, int: ((Int) -> Int)? = nil) {
        self.name = name
        self.double = double
        self.int = int
    }

    /// The math functions `np` exports, by name.
    static let functions: [UnaryKernel] = [
        UnaryKernel(name: "abs", double: { Swift.abs($0) }, int: { $0 == Int.min ? $0 : Swift.abs($0) }),
        UnaryKernel(name: "absolute", double: { Swift.abs($0) }, int: { $0 == Int.min ? $0 : Swift.abs($0) }),
        UnaryKernel(name: "negative", double: { -$0 }, int: { 0 &- $0 }),
        UnaryKernel(name: "square", double: { $0 * $0 }, int: { $0 &* $0 }),
        UnaryKernel(name: "sign", double: { $0.isNaN ? .nan : ($0 > 0 ? 1 : ($0 < 0 ? -1 : 0)) }, int: { $0.signum() }),
        UnaryKernel(name: "floor", double: Foundation.floor, int: { $0 }),
        UnaryKernel(name: "ceil", double: Foundation.ceil, int: { $0 }),
        UnaryKernel(name: "trunc", double: Foundation.trunc, int: { $0 }),
        UnaryKernel(name: "rint", double: { $0.rounded(.toNearestOrEven) }, int: { $0 }),
        UnaryKernel(name: "sqrt", double: Foundation.sqrt),
        UnaryKernel(name: "exp", double: Foundation.exp),
        UnaryKernel(name: "expm1", double: Foundation.expm1),
        UnaryKernel(name: "exp2", double: Foundation.exp2),
        UnaryKernel(name: "log", double: Foundation.log),
        UnaryKernel(name: "log2", double: Foundation.log2),
        UnaryKernel(name: "log10", double: Foundation.log10),
        UnaryKernel(name: "log1p", double: Foundation.log1p),
        UnaryKernel(name: "sin", double: Foundation.sin),
        UnaryKernel(name: "cos", double: Foundation.cos),
        UnaryKernel(name: "tan", double: Foundation.tan),
        UnaryKernel(name: "arcsin", double: Foundation.asin),
        UnaryKernel(name: "arccos", double: Foundation.acos),
        UnaryKernel(name: "arctan", double: Foundation.atan),
        UnaryKernel(name: "sinh", double: Foundation.sinh),
        UnaryKernel(name: "cosh", double: Foundation.cosh),
        UnaryKernel(name: "tanh", double: Foundation.tanh),
    ]

    /// The tests on elements `np` exports (`np.isnan`), giving bool arrays.
    static let predicates: [(name: String, test: (Double) -> Bool)] = [
        ("isnan", { $0.isNaN }),
        ("isinf", { $0.isInfinite }),
        ("isfinite", { $0.isFinite }),
        ("signbit", { $0.sign == .minus }),
    ]
}
