/// `repr()` and `str()` with Python's output: shortest round-trip floats (`0.1`, `1e-05`,
/// `1e+16`), quoted and escaped strings, and `[...]` for containers that contain themselves.

public enum Repr {
    /// Python's `repr(x)`.
    public static func repr(_ v: Value) -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .string(let s): return string(s)
        case .object(let o): return o.repr()
        }
    }

    /// Python's `str(x)`.
    public static func str(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .object(let o): return o.str()
        default: return repr(v)
        }
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, fixed notation for
    /// exponents from -4 to 15, scientific otherwise.
    public static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, exponent) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        if exponent >= -4 && exponent < 16 {
            if exponent >= 0 {
                let intCount = exponent + 1
                if digits.count <= intCount {
                    return sign + digits + String(repeating: "0", count: intCount - digits.count) + ".0"
                }
                let cut = digits.index(digits.startIndex, offsetBy: intCount)
                return sign + digits[..<cut] + "." + digits[cut...]
            }
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        let mantissa = digits.count == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        let expSign = exponent < 0 ? "-" : "+"
        let expDigits = String(abs(exponent))
        return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" + expDigits : expDigits)
    }

    /// The shortest round-trip significant digits of a positive finite double (no leading or
    /// trailing zeros) and the decimal exponent of the first digit.
    static func shortestDigits(_ d: Double) -> (String, Int) {
        // Swift's description is the shortest round-trip representation; only its layout differs.
        let text = d.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition = mantissa.count
        for (i, ch) in mantissa.enumerated() {
            if ch == "." { pointPosition = i } else { digits.append(ch) }
        }
        let leadingZeros = digits.prefix { $0 == "0" }.count
        digits.removeFirst(leadingZeros)
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { digits = "0" }
        return (digits, pointPosition - 1 - leadingZeros + exponent)
    }

    /// Python's `repr(str)`: single quotes unless the text contains one and no double quote.
    public static func string(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value >= 0x80 && !isPrintable(scalar) {
                    out += scalar.value <= 0xff ? "\\x" + hex(scalar.value, width: 2)
                        : scalar.value <= 0xffff ? "\\u" + hex(scalar.value, width: 4)
                        : "\\U" + hex(scalar.value, width: 8)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return scalar == " "
        default:
            return true
        }
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    private static var visiting: Set<ObjectIdentifier> = []
    /// Containers nested deeper than this print as their placeholder (Python would raise
    /// RecursionError; a repr never fails in Kiln).
    static let maximumDepth = 1000

    /// Runs `body` unless `object` is already being printed further up (a container that
    /// contains itself) or nesting is too deep, in which case it returns `placeholder`.
    public static func guarded(_ object: AnyObject, _ placeholder: String, _ body: () -> String) -> String {
        let id = ObjectIdentifier(object)
        guard !visiting.contains(id), visiting.count < maximumDepth else { return placeholder }
        visiting.insert(id)
        defer { visiting.remove(id) }
        return body()
    }

    /// `[a, b, c]`-style repr of a container's elements.
    public static func sequence(_ object: AnyObject, _ items: [Value], open: String, close: String) -> String {
        guarded(object, open + "..." + close) {
            open + items.map { repr($0) }.joined(separator: ", ") + close
        }
    }
}
