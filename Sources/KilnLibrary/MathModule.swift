/// Python's `math` module: constants and functions on floats and ints, with Python's
/// "math domain error" / "math range error" wording.

import Foundation
import KilnLang

enum MathModule {
    static func make() -> KModule {
        let m = KModule("math", doc: "Mathematical functions, as Python's math module.")
        m.set("pi", .float(Double.pi))
        m.set("e", .float(M_E))
        m.set("tau", .float(2 * Double.pi))
        m.set("inf", .float(Double.infinity))
        m.set("nan", .float(Double.nan))
        m.add(unary.map { name, fn in real(name, fn) })
        m.add([
            KBuiltin("log", "x, base=None, /", doc: "Natural logarithm of x, or logarithm to the given base.") { a in
                let x = try a.double(0)
                guard x > 0 else { throw domainError }
                guard let base = try a.optionalDouble(1) else { return .float(Foundation.log(x)) }
                guard base > 0, base != 1 else {
                    if base == 1 { throw KilnError.zeroDivision("float division by zero") }
                    throw domainError
                }
                return .float(Foundation.log(x) / Foundation.log(base))
            },
            KBuiltin("pow", "x, y, /", doc: "x raised to the power y, as floats.") { a in
                let x = try a.double(0), y = try a.double(1)
                if x == 0 && y < 0 { throw domainError }
                if x < 0 && y.rounded() != y { throw domainError }
                return try checked(Foundation.pow(x, y), x, y)
            },
            KBuiltin("atan2", "y, x, /", doc: "Arc tangent of y/x in radians, using the signs of both.") { a in
                .float(Foundation.atan2(try a.double(0), try a.double(1)))
            },
            KBuiltin("hypot", "*coordinates", doc: "Euclidean distance from the origin.") { a in
                .float(Foundation.sqrt(try a.list(0).map { try number($0) }.reduce(0) { $0 + $1 * $1 }))
            },
            KBuiltin("copysign", "x, y, /", doc: "x with the sign of y.") { a in
                .float(Foundation.copysign(try a.double(0), try a.double(1)))
            },
            KBuiltin("fmod", "x, y, /", doc: "C's fmod(x, y).") { a in
                let y = try a.double(1)
                if y == 0 { throw domainError }
                return .float(Foundation.fmod(try a.double(0), y))
            },
            KBuiltin("isclose", "a, b, *, rel_tol=1e-09, abs_tol=0.0", doc: "Whether a and b are close.") { a in
                let x = try a.double(0), y = try a.double(1)
                let rel = try a.double(2), abs = try a.double(3)
                if x == y { return .bool(true) }
                if x.isInfinite || y.isInfinite { return .bool(false) }
                let diff = Swift.abs(x - y)
                return .bool(diff <= Swift.abs(rel * y) || diff <= Swift.abs(rel * x) || diff <= abs)
            },
            KBuiltin("floor", "x, /", doc: "The largest int <= x.") { a in try toInt(Foundation.floor(try a.double(0)), a[0]) },
            KBuiltin("ceil", "x, /", doc: "The smallest int >= x.") { a in try toInt(Foundation.ceil(try a.double(0)), a[0]) },
            KBuiltin("trunc", "x, /", doc: "x truncated toward zero, as an int.") { a in try toInt(Foundation.trunc(try a.double(0)), a[0]) },
            KBuiltin("isnan", "x, /", doc: "Whether x is NaN.") { a in .bool(try a.double(0).isNaN) },
            KBuiltin("isinf", "x, /", doc: "Whether x is infinite.") { a in .bool(try a.double(0).isInfinite) },
            KBuiltin("isfinite", "x, /", doc: "Whether x is neither infinite nor NaN.") { a in .bool(try a.double(0).isFinite) },
            KBuiltin("factorial", "n, /", doc: "n! for a non-negative int n.") { a in
                let n = try a.int(0)
                guard n >= 0 else { throw KilnError.value("factorial() not defined for negative values") }
                var r = 1
                for i in stride(from: 2, through: n, by: 1) {
                    let (p, o) = r.multipliedReportingOverflow(by: i)
                    if o { throw KilnError.overflow("factorial(\(n)) does not fit in a 64-bit int") }
                    r = p
                }
                return .int(r)
            },
            KBuiltin("gcd", "*integers", doc: "Greatest common divisor.") { a in
                var g = 0
                for v in try a.list(0) {
                    guard var b = v.asInt else { throw KilnError.type("'\(v.typeName)' object cannot be interpreted as an integer") }
                    var x = g.magnitude
                    b = Int(clamping: b.magnitude)
                    var y = UInt(b)
                    while y != 0 { (x, y) = (y, x % y) }
                    g = Int(clamping: x)
                }
                return .int(g)
            },
            KBuiltin("comb", "n, k, /", doc: "Number of ways to choose k items from n.") { a in
                try combinations(try a.int(0), try a.int(1), ordered: false)
            },
            KBuiltin("perm", "n, k=None, /", doc: "Number of ordered arrangements of k items from n.") { a in
                let n = try a.int(0)
                return try combinations(n, try a.optionalInt(1) ?? n, ordered: true)
            },
            KBuiltin("prod", "iterable, /, *, start=1", doc: "Product of the elements, times start.") { a in
                var result = a[1]
                for v in try a.list(0) { result = try Operators.binary(.multiply, result, v) }
                return result
            },
            KBuiltin("fsum", "iterable, /", doc: "Accurate floating-point sum (Neumaier compensation).") { a in
                var sum = 0.0, compensation = 0.0
                for v in try a.list(0) {
                    let x = try number(v)
                    let t = sum + x
                    compensation += Swift.abs(sum) >= Swift.abs(x) ? (sum - t) + x : (x - t) + sum
                    sum = t
                }
                return .float(sum + compensation)
            },
        ])
        return m
    }

    static let domainError = KilnError.value("math domain error")

    static func number(_ v: Value) throws -> Double {
        guard let d = v.asDouble else { throw KilnError.type("must be real number, not \(v.typeName)") }
        return d
    }

    /// One-argument real functions: (name, function); the function returns nil outside its domain.
    static let unary: [(String, (Double) -> Double?)] = [
        ("sqrt", { $0 < 0 ? nil : Foundation.sqrt($0) }),
        ("exp", { Foundation.exp($0) }),
        ("expm1", { Foundation.expm1($0) }),
        ("log2", { $0 <= 0 ? nil : Foundation.log2($0) }),
        ("log10", { $0 <= 0 ? nil : Foundation.log10($0) }),
        ("log1p", { $0 <= -1 ? nil : Foundation.log1p($0) }),
        ("sin", { $0.isInfinite ? nil : Foundation.sin($0) }),
        ("cos", { $0.isInfinite ? nil : Foundation.cos($0) }),
        ("tan", { $0.isInfinite ? nil : Foundation.tan($0) }),
        ("asin", { Swift.abs($0) > 1 ? nil : Foundation.asin($0) }),
        ("acos", { Swift.abs($0) > 1 ? nil : Foundation.acos($0) }),
        ("atan", { Foundation.atan($0) }),
        ("sinh", { Foundation.sinh($0) }),
        ("cosh", { Foundation.cosh($0) }),
        ("tanh", { Foundation.tanh($0) }),
        ("asinh", { Foundation.asinh($0) }),
        ("acosh", { $0 < 1 ? nil : Foundation.acosh($0) }),
        ("atanh", { Swift.abs($0) >= 1 ? nil : Foundation.atanh($0) }),
        ("fabs", { Swift.abs($0) }),
        ("degrees", { $0 * 180 / Double.pi }),
        ("radians", { $0 * Double.pi / 180 }),
        ("erf", { Foundation.erf($0) }),
        ("erfc", { Foundation.erfc($0) }),
        ("gamma", { $0 <= 0 && $0.rounded() == $0 ? nil : Foundation.tgamma($0) }),
        ("lgamma", { $0 <= 0 && $0.rounded() == $0 ? nil : Foundation.lgamma($0) }),
    ]

    private static func real(_ name: String, _ fn: @escaping (Double) -> Double?) -> KBuiltin {
        KBuiltin(name, "x, /", doc: "math.\(name)(x), as in Python.") { a in
            let x = try a.double(0)
            guard let y = fn(x), !(y.isNaN && !x.isNaN) else { throw domainError }
            return try checked(y, x)
        }
    }

    /// OverflowError when a finite input gives an infinite result.
    private static func checked(_ y: Double, _ inputs: Double...) throws -> Value {
        if y.isInfinite && inputs.allSatisfy({ $0.isFinite }) { throw KilnError.overflow("math range error") }
        return .float(y)
    }

    private static func toInt(_ d: Double, _ original: Value) throws -> Value {
        if case .int = original { return original }
        guard d.isFinite else {
            throw d.isNaN ? KilnError.value("cannot convert float NaN to integer")
                          : KilnError.overflow("cannot convert float infinity to integer")
        }
        guard let i = Int(exactly: d) else { throw KilnError.overflow("integer \(d) does not fit in a 64-bit int") }
        return .int(i)
    }

    private static func combinations(_ n: Int, _ k: Int, ordered: Bool) throws -> Value {
        guard n >= 0, k >= 0 else { throw KilnError.value("n must be a non-negative integer") }
        if k > n { return .int(0) }
        let k = ordered ? k : min(k, n - k)
        var r = 1
        for i in 0..<k {
            let (p, o) = r.multipliedReportingOverflow(by: n - i)
            if o { throw KilnError.overflow("result does not fit in a 64-bit int") }
            r = ordered ? p : p / (i + 1)
        }
        return .int(r)
    }
}
