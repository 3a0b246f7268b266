/// The arithmetic built-ins: abs, round (Python's round-half-to-even, exact on the binary
/// value), divmod, pow (with a modulus), and the conversions between ints and characters or
/// digit strings: chr, ord, hex, oct, bin. ints are 64-bit: a result that does not fit is an
/// OverflowError, never a wrap.

import Foundation

extension Interpreter {
    var numericBuiltins: [KBuiltin] {
        [
            KBuiltin("abs", "x, /", doc: "The absolute value of a number.") { a in
                try Arithmetic.absolute(a[0])
            },
            KBuiltin("round", "number, ndigits=None", doc: """
                Round to the nearest integer (an int), or to ndigits decimal places (a float); \
                halves go to the even neighbour: round(2.5) is 2, round(0.125, 2) is 0.12.
                """) { a in
                try Arithmetic.round(a[0], digits: a.isNone(1) ? nil : try a.index(1))
            },
            KBuiltin("divmod", "a, b, /", doc: "The pair (a // b, a % b).") { a in
                switch (a[0], a[1]) {
                case (.int, .int), (.bool, .int), (.int, .bool), (.bool, .bool):
                    let x = a[0].asInt ?? 0, y = a[1].asInt ?? 0
                    return .object(KTuple([try Operators.intOp(.floorDivide, x, y), try Operators.intOp(.modulo, x, y)]))
                default:
                    guard let x = Arithmetic.real(a[0]), let y = Arithmetic.real(a[1]) else {
                        throw KilnError.type("unsupported operand type(s) for divmod(): '\(a[0].typeName)' and '\(a[1].typeName)'")
                    }
                    let (q, r) = try Arithmetic.floatDivmod(x, y)
                    return .object(KTuple([.float(q), .float(r)]))
                }
            },
            KBuiltin("pow", "base, exp, mod=None", doc: """
                base ** exp; with mod, (base ** exp) % mod computed without overflow (a negative \
                exp uses the modular inverse).
                """) { a in
                if a.isNone(2) { return try Operators.binary(.power, a[0], a[1]) }
                guard let base = a[0].asInt, let exponent = a[1].asInt, let modulus = a[2].asInt else {
                    throw KilnError.type("pow() 3rd argument not allowed unless all arguments are integers")
                }
                return .int(try Arithmetic.modularPower(base, exponent, modulus))
            },
            KBuiltin("chr", "i, /", doc: "The one-character string of a Unicode code point: chr(97) is 'a'.") { a in
                let i = try a.index(0)
                guard i >= 0 && i < 0x110000 else { throw KilnError.value("chr() arg not in range(0x110000)") }
                guard let scalar = Unicode.Scalar(UInt32(i)) else {
                    throw KilnError.value("chr() arg is a surrogate, which Kiln strings cannot hold")
                }
                return .string(String(scalar))
            },
            KBuiltin("ord", "c, /", doc: "The Unicode code point of a one-character string: ord('a') is 97.") { a in
                guard case .string(let s) = a[0] else {
                    throw KilnError.type("ord() expected string of length 1, but \(a[0].typeName) found")
                }
                let scalars = s.unicodeScalars
                guard scalars.count == 1, let c = scalars.first else {
                    throw KilnError.type("ord() expected a character, but string of length \(scalars.count) found")
                }
                return .int(Int(c.value))
            },
            KBuiltin("hex", "number, /", doc: "The hexadecimal text of an int: hex(255) is '0xff'.") { a in
                .string(Arithmetic.digits(try a.index(0), radix: 16, prefix: "0x"))
            },
            KBuiltin("oct", "number, /", doc: "The octal text of an int: oct(8) is '0o10'.") { a in
                .string(Arithmetic.digits(try a.index(0), radix: 8, prefix: "0o"))
            },
            KBuiltin("bin", "number, /", doc: "The binary text of an int: bin(5) is '0b101'.") { a in
                .string(Arithmetic.digits(try a.index(0), radix: 2, prefix: "0b"))
            },
        ]
    }
}

/// The arithmetic behind the built-ins: exact rounding of ints and floats, float division,
/// modular powers, digit strings.
enum Arithmetic {
    /// `abs(x)`.
    static func absolute(_ x: Value) throws -> Value {
        switch x {
        case .int(let i):
            if i == Int.min { throw KilnError.overflow("integer overflow: abs(\(i)) does not fit in a 64-bit int") }
            return .int(abs(i))
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .float(abs(d))
        case .object(let o):
            if let v = (o as? KScalarConvertible)?.scalarValue { return try absolute(v) }
        default: break
        }
        throw KilnError.type("bad operand type for abs(): '\(x.typeName)'")
    }

    /// `round(x)` (an int) or `round(x, digits)`.
    static func round(_ x: Value, digits: Int?) throws -> Value {
        switch x {
        case .int(let i): return .int(try round(i, digits: digits ?? 0))
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d):
            guard let n = digits else { return .int(try Conversions.truncate(d.rounded(.toNearestOrEven))) }
            return .float(try round(d, digits: n))
        case .object(let o):
            if let v = (o as? KScalarConvertible)?.scalarValue { return try round(v, digits: digits) }
        default: break
        }
        throw KilnError.type("type \(x.typeName) doesn't define __round__ method")
    }

    /// The value of an int, bool or float as a Double, for float arithmetic.
    static func real(_ v: Value) -> Double? {
        switch v {
        case .int, .bool, .float: return v.asDouble
        default: return nil
        }
    }

    /// `-0x1f`-style text of an int in a radix.
    static func digits(_ i: Int, radix: Int, prefix: String) -> String {
        (i < 0 ? "-" : "") + prefix + String(i.magnitude, radix: radix)
    }

    /// `round(i, digits)` for an int: unchanged for digits >= 0, otherwise to the nearest
    /// multiple of 10**-digits, halves to even.
    static func round(_ i: Int, digits: Int) throws -> Int {
        guard digits < 0 else { return i }
        let m = digits.magnitude
        guard m <= 19 else { return 0 }
        var power: UInt = 1
        for _ in 0..<m { power *= 10 }
        let magnitude = i.magnitude
        var quotient = magnitude / power
        let remainder = magnitude % power
        let half = power / 2
        if remainder > half || (remainder == half && quotient % 2 == 1) { quotient += 1 }
        let (rounded, overflow) = quotient.multipliedReportingOverflow(by: power)
        let limit = i < 0 ? UInt(Int.max) + 1 : UInt(Int.max)
        guard !overflow, rounded <= limit else {
            throw KilnError.overflow("integer overflow: round(\(i), \(digits)) does not fit in a 64-bit int")
        }
        return i < 0 ? Int(bitPattern: 0 &- rounded) : Int(rounded)
    }

    /// `round(d, digits)` for a float: the decimal rounding of the exact binary value (so
    /// round(2.675, 2) is 2.67, as 2.675 is stored as 2.67499…), ties to even.
    static func round(_ d: Double, digits: Int) throws -> Double {
        guard d.isFinite, d != 0 else { return d }
        if digits > 330 { return d }
        if digits < -330 { return d < 0 ? -0.0 : 0.0 }
        var text: String
        if digits >= 0 {
            // C's %f rounds the exact value, ties to even.
            text = Format.cFormat("f", digits, d, alternate: false)
        } else {
            let m = Int(digits.magnitude)
            let whole = d.rounded(.towardZero)
            let fractionIsZero = whole == d
            let integerDigits = Array(Format.cFormat("f", 0, abs(whole), alternate: false))
            var head = "0"
            if integerDigits.count >= m {
                head = String(integerDigits.dropLast(m))
                let tail = String(integerDigits.suffix(m))
                let half = "5" + String(repeating: "0", count: m - 1)
                let last = head.last.flatMap { $0.wholeNumberValue } ?? 0
                if tail > half || (tail == half && (!fractionIsZero || last % 2 == 1)) {
                    head = incremented(head.isEmpty ? "0" : head)
                }
                if head.isEmpty { head = "0" }
            }
            text = (d < 0 ? "-" : "") + head + String(repeating: "0", count: m)
        }
        guard let result = Double(text), result.isFinite else {
            throw KilnError.overflow("rounded value too large to represent")
        }
        return result
    }

    /// A decimal digit string plus one.
    private static func incremented(_ digits: String) -> String {
        var chars = Array(digits)
        var i = chars.count - 1
        while i >= 0 {
            if chars[i] == "9" {
                chars[i] = "0"
                i -= 1
            } else {
                chars[i] = Character(String((chars[i].wholeNumberValue ?? 0) + 1))
                return String(chars)
            }
        }
        return "1" + String(chars)
    }

    /// Python's float `divmod`: the floor quotient and a remainder with the divisor's sign,
    /// computed so that `q * y + r` reproduces `x` as closely as floats allow.
    static func floatDivmod(_ x: Double, _ y: Double) throws -> (Double, Double) {
        if y == 0 { throw KilnError.zeroDivision("float divmod()") }
        var mod = fmod(x, y)
        var div = (x - mod) / y
        if mod != 0 {
            if (y < 0) != (mod < 0) {
                mod += y
                div -= 1
            }
        } else {
            mod = y.sign == .minus ? -0.0 : 0.0
        }
        var floorDiv: Double
        if div != 0 {
            floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1 }
        } else {
            floorDiv = (x / y).sign == .minus ? -0.0 : 0.0
        }
        return (floorDiv, mod)
    }

    /// `pow(base, exponent, modulus)` for ints, with Python's sign convention (the result
    /// has the modulus' sign) and the modular inverse for negative exponents.
    static func modularPower(_ base: Int, _ exponent: Int, _ modulus: Int) throws -> Int {
        if modulus == 0 { throw KilnError.value("pow() 3rd argument cannot be 0") }
        let m = modulus.magnitude
        if m == 1 { return 0 }
        func mulmod(_ x: UInt, _ y: UInt) -> UInt {
            m.dividingFullWidth(x.multipliedFullWidth(by: y)).remainder
        }
        var b = base >= 0 ? base.magnitude % m : (m - base.magnitude % m) % m
        if exponent < 0 {
            guard let inverse = inverse(b, m) else {
                throw KilnError.value("base is not invertible for the given modulus")
            }
            b = inverse
        }
        var result: UInt = 1
        var e = exponent.magnitude
        while e > 0 {
            if e & 1 == 1 { result = mulmod(result, b) }
            b = mulmod(b, b)
            e >>= 1
        }
        if modulus < 0 && result != 0 { return Int(bitPattern: 0 &- (m - result)) }
        return Int(result)
    }

    /// The inverse of `b` modulo `m` (both reduced, m > 1), if they are coprime.
    private static func inverse(_ b: UInt, _ m: UInt) -> UInt? {
        func mulmod(_ x: UInt, _ y: UInt) -> UInt { m.dividingFullWidth(x.multipliedFullWidth(by: y)).remainder }
        var (r0, r1) = (m, b)
        var (t0, t1): (UInt, UInt) = (0, 1)
        while r1 != 0 {
            let q = r0 / r1
            (r0, r1) = (r1, r0 - q * r1)
            let product = mulmod(q % m, t1)
            (t0, t1) = (t1, t0 >= product ? t0 - product : t0 + (m - product))
        }
        return r0 == 1 ? t0 : nil
    }
}
