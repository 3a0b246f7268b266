/// Python's three ways of formatting text, with Python's output and error wording:
/// printf-style `str % args`, the format-spec mini-language of `format(value, spec)` and
/// f-string fields (`f"{acc:.4f}"`), and `str.format` templates (`"{0:>{w}}".format(x, w=8)`).
/// All three lay numbers out through one padding routine, so fill, alignment, sign and digit
/// grouping behave the same everywhere.

import Foundation

public enum Format {
    /// Widths and precisions above this are refused instead of allocating gigabytes.
    static let maxWidth = 100_000_000

    // MARK: - The format-spec mini-language

    /// A parsed format spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
    struct Spec {
        var fill: Unicode.Scalar?
        var align: Unicode.Scalar?
        var sign: Unicode.Scalar?
        var noNegativeZero = false
        var alternate = false
        var width: Int?
        var grouping: Unicode.Scalar?
        var precision: Int?
        var type: Unicode.Scalar?

        /// The empty spec: no fill, alignment, width or type.
        init() {}

        /// Parses `text` the way CPython does for an object of type `typeName`, whose
        /// presentation type is `defaultType` when the spec names none and whose numbers
        /// (`defaultAlign` ">") get zero padding after the sign from a leading `0`.
        init(_ text: String, typeName: String, defaultType: Unicode.Scalar?, defaultAlign: Unicode.Scalar) throws {
            let s = Array(text.unicodeScalars)
            var i = 0
            func isAlign(_ c: Unicode.Scalar) -> Bool { c == "<" || c == ">" || c == "=" || c == "^" }
            if s.count >= 2 && isAlign(s[1]) {
                fill = s[0]
                align = s[1]
                i = 2
            } else if let c = s.first, isAlign(c) {
                align = c
                i = 1
            }
            if i < s.count && (s[i] == "+" || s[i] == "-" || s[i] == " ") {
                sign = s[i]
                i += 1
            }
            if i < s.count && s[i] == "z" {
                noNegativeZero = true
                i += 1
            }
            if i < s.count && s[i] == "#" {
                alternate = true
                i += 1
            }
            if fill == nil && i < s.count && s[i] == "0" {
                fill = "0"
                if align == nil && defaultAlign == ">" { align = "=" }
                i += 1
            }
            width = try Spec.integer(s, &i)
            if i < s.count && s[i] == "," {
                grouping = ","
                i += 1
            }
            if i < s.count && s[i] == "_" {
                if grouping != nil { throw KilnError.value("Cannot specify both ',' and '_'.") }
                grouping = "_"
                i += 1
            }
            if i < s.count && s[i] == "," { throw KilnError.value("Cannot specify both ',' and '_'.") }
            if i < s.count && s[i] == "." {
                i += 1
                guard let p = try Spec.integer(s, &i) else {
                    throw KilnError.value("Format specifier missing precision")
                }
                precision = p
            }
            if s.count - i > 1 {
                throw KilnError.value("Invalid format specifier '\(text)' for object of type '\(typeName)'")
            }
            type = i < s.count ? s[i] : defaultType
            if let g = grouping {
                let allowed: Bool
                switch type {
                case nil, "d", "e", "f", "g", "E", "G", "%", "F": allowed = true
                case "b", "o", "x", "X": allowed = g == "_"
                default: allowed = false
                }
                if !allowed {
                    throw KilnError.value("Cannot specify '\(g)' with '\(type.map { String($0) } ?? "")'.")
                }
            }
        }

        /// The decimal number at `i`, if any; advances `i` past it.
        private static func integer(_ s: [Unicode.Scalar], _ i: inout Int) throws -> Int? {
            var value: Int?
            while i < s.count, let digit = Spec.digit(s[i]) {
                let (shifted, o1) = (value ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, o2) = shifted.addingReportingOverflow(digit)
                if o1 || o2 { throw KilnError.value("Too many decimal digits in format string") }
                value = sum
                i += 1
            }
            if let v = value, v > Format.maxWidth {
                throw KilnError("MemoryError", "format width or precision \(v) is too large")
            }
            return value
        }

        private static func digit(_ c: Unicode.Scalar) -> Int? {
            c.value >= 48 && c.value <= 57 ? Int(c.value - 48) : nil
        }

        /// The `Unknown format code` error for this spec's type.
        func unknownType(_ typeName: String) -> KilnError {
            let code = type.map { $0.value >= 32 && $0.value < 127 ? String($0) : "\\x\(String($0.value, radix: 16))" } ?? ""
            return KilnError.value("Unknown format code '\(code)' for object of type '\(typeName)'")
        }
    }

    /// Python's `format(value, spec)`: what an f-string field `{value:spec}` produces.
    public static func apply(_ value: Value, spec: String) throws -> String {
        switch value {
        case .int(let i):
            return try formatInt(i, spec: spec, typeName: "int")
        case .bool(let b):
            return spec.isEmpty ? Repr.str(value) : try formatInt(b ? 1 : 0, spec: spec, typeName: "bool")
        case .float(let d):
            return try formatFloat(d, try Spec(spec, typeName: "float", defaultType: nil, defaultAlign: ">"), typeName: "float")
        case .string(let s):
            return try formatString(s, spec: spec)
        case .none:
            if spec.isEmpty { return "None" }
            throw KilnError.type("unsupported format string passed to NoneType.__format__")
        case .object(let o):
            if spec.isEmpty { return o.str() }
            if let v = (o as? KScalarConvertible)?.scalarValue { return try apply(v, spec: spec) }
            throw KilnError.type("unsupported format string passed to \(o.typeName).__format__")
        }
    }

    private static func formatString(_ s: String, spec text: String) throws -> String {
        let spec = try Spec(text, typeName: "str", defaultType: "s", defaultAlign: "<")
        guard spec.type == "s" else { throw spec.unknownType("str") }
        if let sign = spec.sign {
            throw KilnError.value("\(sign == " " ? "Space" : "Sign") not allowed in string format specifier")
        }
        if spec.noNegativeZero { throw KilnError.value("Negative zero coercion (z) not allowed in string format specifier") }
        if spec.alternate { throw KilnError.value("Alternate form (#) not allowed in string format specifier") }
        if spec.align == "=" { throw KilnError.value("'=' alignment not allowed in string format specifier") }
        var text = s
        if let p = spec.precision, s.unicodeScalars.count > p {
            text = String(String.UnicodeScalarView(s.unicodeScalars.prefix(p)))
        }
        return layout(sign: "", prefix: "", digits: "", rest: text, spec: spec, defaultAlign: "<", groupSize: 3)
    }

    private static func formatInt(_ i: Int, spec text: String, typeName: String) throws -> String {
        let spec = try Spec(text, typeName: typeName, defaultType: "d", defaultAlign: ">")
        switch spec.type {
        case "e", "E", "f", "F", "g", "G", "%":
            return try formatFloat(Double(i), spec, typeName: typeName)
        case "d", "n", "b", "o", "x", "X", "c":
            break
        default:
            throw spec.unknownType(typeName)
        }
        if spec.precision != nil { throw KilnError.value("Precision not allowed in integer format specifier") }
        if spec.noNegativeZero { throw KilnError.value("Negative zero coercion (z) not allowed in integer format specifier") }
        if spec.type == "c" {
            if spec.sign != nil { throw KilnError.value("Sign not allowed with integer format specifier 'c'") }
            if spec.alternate { throw KilnError.value("Alternate form (#) not allowed with integer format specifier 'c'") }
            let c = try character(i)
            return layout(sign: "", prefix: "", digits: "", rest: c, spec: spec, defaultAlign: ">", groupSize: 3)
        }
        let (radix, prefix, uppercase) = radixOf(spec.type ?? "d")
        let digits = String(i.magnitude, radix: radix, uppercase: uppercase)
        return layout(sign: signText(negative: i < 0, spec.sign), prefix: spec.alternate ? prefix : "",
                      digits: digits, rest: "", spec: spec, defaultAlign: ">", groupSize: radix == 10 ? 3 : 4)
    }

    /// The radix, `#` prefix and case of an integer presentation type.
    private static func radixOf(_ type: Unicode.Scalar) -> (Int, String, Bool) {
        switch type {
        case "b": return (2, "0b", false)
        case "o": return (8, "0o", false)
        case "x": return (16, "0x", false)
        case "X": return (16, "0X", true)
        default: return (10, "", false)
        }
    }

    /// `chr(i)` for the `c` presentation types.
    private static func character(_ i: Int) throws -> String {
        guard i >= 0, i < 0x110000 else { throw KilnError.overflow("%c arg not in range(0x110000)") }
        guard let scalar = Unicode.Scalar(UInt32(i)) else {
            throw KilnError.value("%c arg is a surrogate, which Kiln strings cannot hold")
        }
        return String(scalar)
    }

    private static func signText(negative: Bool, _ sign: Unicode.Scalar?) -> String {
        if negative { return "-" }
        switch sign {
        case "+": return "+"
        case " ": return " "
        default: return ""
        }
    }

    private static func formatFloat(_ d: Double, _ spec: Spec, typeName: String) throws -> String {
        let type = spec.type
        switch type {
        case nil, "e", "E", "f", "F", "g", "G", "n", "%":
            break
        default:
            throw spec.unknownType(typeName)
        }
        let upper = type == "E" || type == "F" || type == "G"
        var negative = d.sign == .minus && !d.isNaN
        var body: String
        if !d.isFinite {
            body = d.isNaN ? "nan" : "inf"
            if upper { body = body.uppercased() }
            if type == "%" { body += "%" }
        } else {
            let magnitude = abs(d)
            switch type {
            case nil:
                if let p = spec.precision {
                    body = general(magnitude, precision: p, alternate: spec.alternate, repr: true)
                } else {
                    body = Repr.float(magnitude)
                }
            case "e", "E", "f", "F":
                body = cFormat(String(type ?? "f"), spec.precision ?? 6, magnitude, alternate: spec.alternate)
            case "%":
                body = cFormat("f", spec.precision ?? 6, magnitude * 100, alternate: spec.alternate) + "%"
            default:  // g, G, n
                body = general(magnitude, precision: spec.precision ?? 6, alternate: spec.alternate, repr: false)
                if upper { body = body.uppercased() }
            }
            if negative && spec.noNegativeZero && !body.contains(where: { $0 >= "1" && $0 <= "9" }) {
                negative = false
            }
        }
        // The integer digits are grouped and zero-padded; the rest (fraction, exponent) is not.
        let split = body.firstIndex { !$0.isASCII || !$0.isNumber } ?? body.endIndex
        return layout(sign: signText(negative: negative, spec.sign), prefix: "",
                      digits: d.isFinite ? String(body[..<split]) : "", rest: d.isFinite ? String(body[split...]) : body,
                      spec: spec, defaultAlign: ">", groupSize: 3)
    }

    /// Python's `g` presentation (`repr: false`) and the presentation of a float spec with a
    /// precision and no type (`repr: true`: one more digit before switching to exponent
    /// notation, and always a digit after the point), with `precision` significant digits.
    static func general(_ d: Double, precision: Int, alternate: Bool, repr: Bool) -> String {
        let p = max(precision, 1)
        // %e rounds to p significant digits; its exponent decides the notation.
        let scientific = cFormat("e", p - 1, d, alternate: false)
        guard let e = scientific.firstIndex(of: "e"), let exponent = Int(scientific[scientific.index(after: e)...]) else {
            return scientific
        }
        let useExponent = exponent < -4 || exponent >= (repr ? p - 1 : p)
        var text: String
        if useExponent {
            text = cFormat("e", p - 1, d, alternate: alternate)
        } else {
            text = cFormat("f", max(p - 1 - exponent, 0), d, alternate: alternate)
        }
        if !alternate {
            // Drop trailing zeros of the fraction (and a bare point).
            let mantissaEnd = text.firstIndex(of: "e") ?? text.endIndex
            var mantissa = String(text[..<mantissaEnd])
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            text = mantissa + text[mantissaEnd...]
        }
        if repr && !useExponent && !text.contains(".") { text += ".0" }
        return text
    }

    /// C's `%.*<type>` conversion of a finite double (exact, with round-half-even on ties).
    static func cFormat(_ type: String, _ precision: Int, _ d: Double, alternate: Bool) -> String {
        let format = "%" + (alternate ? "#" : "") + ".*" + type
        let p = Int32(clamping: precision)
        // Most numbers fit a small buffer; longer ones are printed again into one of the right size.
        var size = 128
        while true {
            let (length, text) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buffer -> (Int, String) in
                guard let base = buffer.baseAddress else { return (-1, "") }
                let n = Int(withVaList([p, d]) { vsnprintf(base, size, format, $0) })
                guard n >= 0, n < size else { return (n, "") }
                return (n, base.withMemoryRebound(to: UInt8.self, capacity: n) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
                })
            }
            if length < 0 { return "" }
            if length < size { return text }
            size = length + 1
        }
    }

    /// Lays a formatted value out in its field: `sign`, `prefix` (`0x`), the integer
    /// `digits` (grouped, and zero-padded when the fill is `0` with `=` alignment), then
    /// `rest` (fraction, exponent, or the whole text of a non-number).
    static func layout(sign: String, prefix: String, digits: String, rest: String, spec: Spec,
                       defaultAlign: Unicode.Scalar, groupSize: Int) -> String {
        let fill = spec.fill ?? " "
        let align = spec.align ?? defaultAlign
        let head = sign + prefix
        var number = digits
        if let separator = spec.grouping, !digits.isEmpty {
            var minimum = 0
            if align == "=" && fill == "0", let width = spec.width {
                minimum = width - head.unicodeScalars.count - rest.unicodeScalars.count
            }
            number = grouped(digits, separator: separator, size: groupSize, minimumWidth: minimum)
        }
        let length = head.unicodeScalars.count + number.unicodeScalars.count + rest.unicodeScalars.count
        guard let width = spec.width, width > length else { return head + number + rest }
        let padding = width - length
        func fillText(_ n: Int) -> String { String(repeating: String(fill), count: n) }
        switch align {
        case "<": return head + number + rest + fillText(padding)
        case "^": return fillText(padding / 2) + head + number + rest + fillText(padding - padding / 2)
        case "=": return head + fillText(padding) + number + rest
        default: return fillText(padding) + head + number + rest
        }
    }

    /// `digits` with `separator` between groups of `size` from the right, left-padded with
    /// zeros to at least `minimumWidth` characters (never starting with a separator).
    private static func grouped(_ digits: String, separator: Unicode.Scalar, size: Int, minimumWidth: Int) -> String {
        var count = digits.count
        while count + (count - 1) / size < minimumWidth { count += 1 }
        let padded = Array(String(repeating: "0", count: count - digits.count) + digits)
        var out = ""
        for (i, ch) in padded.enumerated() {
            if i > 0 && (padded.count - i) % size == 0 { out.unicodeScalars.append(separator) }
            out.append(ch)
        }
        return out
    }

    // MARK: - printf-style formatting

    /// Python's `format % args`: `args` is a tuple of values, a dict for `%(name)s`
    /// conversions, or a single value.
    public static func percent(_ format: String, _ args: Value) throws -> String {
        let s = Array(format.unicodeScalars)
        let mapping = args.as(KDict.self)
        let items: [Value] = args.as(KTuple.self)?.items ?? [args]
        var next = 0
        var usedKey = false
        func nextArgument() throws -> Value {
            guard next < items.count else { throw KilnError.type("not enough arguments for format string") }
            defer { next += 1 }
            return items[next]
        }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            guard s[i] == "%" else {
                out.append(s[i])
                i += 1
                continue
            }
            i += 1
            guard i < s.count else { throw KilnError.value("incomplete format") }
            if s[i] == "%" {
                out.append("%")
                i += 1
                continue
            }
            var keyed: Value?
            if s[i] == "(" {
                guard let mapping = mapping else { throw KilnError.type("format requires a mapping") }
                var depth = 1
                let start = i + 1
                i += 1
                while i < s.count && depth > 0 {
                    if s[i] == "(" { depth += 1 } else if s[i] == ")" { depth -= 1 }
                    i += 1
                }
                guard depth == 0 else { throw KilnError.value("incomplete format key") }
                let key = Value.string(String(String.UnicodeScalarView(s[start..<(i - 1)])))
                guard let v = try mapping.get(key) else { throw KilnError.key(Repr.repr(key)) }
                keyed = v
                usedKey = true
                next = items.count
            }
            var spec = PercentSpec()
            flags: while i < s.count {
                switch s[i] {
                case "-": spec.left = true
                case "+": spec.sign = "+"
                case " ": if spec.sign == nil { spec.sign = " " }
                case "#": spec.alternate = true
                case "0": spec.zero = true
                default: break flags
                }
                i += 1
            }
            if i < s.count && s[i] == "*" {
                guard let w = try nextArgument().asInt else { throw KilnError.type("* wants int") }
                if w < 0 { spec.left = true }
                spec.width = try PercentSpec.checked(w.magnitude)
                i += 1
            } else {
                spec.width = try PercentSpec.number(s, &i)
            }
            if i < s.count && s[i] == "." {
                i += 1
                if i < s.count && s[i] == "*" {
                    guard let p = try nextArgument().asInt else { throw KilnError.type("* wants int") }
                    spec.precision = try PercentSpec.checked(max(p, 0).magnitude)
                    i += 1
                } else {
                    spec.precision = try PercentSpec.number(s, &i) ?? 0
                }
            }
            while i < s.count && (s[i] == "h" || s[i] == "l" || s[i] == "L") { i += 1 }
            guard i < s.count else { throw KilnError.value("incomplete format") }
            let conversion = s[i]
            let value = try keyed ?? nextArgument()
            out.append(contentsOf: try spec.convert(value, conversion, index: i).unicodeScalars)
            i += 1
        }
        if !usedKey && next < items.count && mapping == nil && args.as(KList.self) == nil {
            throw KilnError.type("not all arguments converted during string formatting")
        }
        return String(out)
    }

    /// One `%` conversion's flags, width and precision.
    private struct PercentSpec {
        var left = false
        var sign: Unicode.Scalar?
        var alternate = false
        var zero = false
        var width: Int?
        var precision: Int?

        static func number(_ s: [Unicode.Scalar], _ i: inout Int) throws -> Int? {
            var value: UInt?
            while i < s.count, s[i].value >= 48, s[i].value <= 57 {
                let (shifted, o1) = (value ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, o2) = shifted.addingReportingOverflow(UInt(s[i].value - 48))
                if o1 || o2 { throw KilnError.value("width too big") }
                value = sum
                i += 1
            }
            return try value.map(checked)
        }

        static func checked(_ n: UInt) throws -> Int {
            guard n <= UInt(Format.maxWidth) else {
                throw KilnError("MemoryError", "format width or precision \(n) is too large")
            }
            return Int(n)
        }

        /// The equivalent format spec, for the shared layout: `-` aligns left, `0` pads
        /// numbers with zeros after the sign.
        private func layoutSpec(numeric: Bool) -> Spec {
            var spec = Spec()
            spec.width = width
            spec.sign = sign
            if left {
                spec.align = "<"
            } else if zero && numeric {
                spec.fill = "0"
                spec.align = "="
            } else {
                spec.align = ">"
            }
            return spec
        }

        func convert(_ value: Value, _ conversion: Unicode.Scalar, index: Int) throws -> String {
            switch conversion {
            case "s", "r", "a":
                var text = conversion == "s" ? Repr.str(value) : conversion == "r" ? Repr.repr(value) : Format.ascii(value)
                if let p = precision, text.unicodeScalars.count > p {
                    text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(p)))
                }
                return Format.layout(sign: "", prefix: "", digits: "", rest: text, spec: layoutSpec(numeric: false),
                                     defaultAlign: ">", groupSize: 3)
            case "c":
                let text: String
                if case .string(let c) = value, c.unicodeScalars.count == 1 {
                    text = c
                } else if case .int(let i) = value {
                    text = try Format.character(i)
                } else {
                    throw KilnError.type("%c requires int or char")
                }
                return Format.layout(sign: "", prefix: "", digits: "", rest: text, spec: layoutSpec(numeric: false),
                                     defaultAlign: ">", groupSize: 3)
            case "d", "i", "u":
                let n: Int
                switch value {
                case .int(let i): n = i
                case .bool(let b): n = b ? 1 : 0
                case .float(let d): n = try Conversions.truncate(d)
                default:
                    throw KilnError.type("%\(conversion) format: a real number is required, not \(value.typeName)")
                }
                return integer(n, radix: 10, prefix: "", uppercase: false)
            case "x", "X", "o":
                guard let n = value.asInt else {
                    throw KilnError.type("%\(conversion) format: an integer is required, not \(value.typeName)")
                }
                let prefix = conversion == "o" ? "0o" : conversion == "x" ? "0x" : "0X"
                return integer(n, radix: conversion == "o" ? 8 : 16, prefix: alternate ? prefix : "", uppercase: conversion == "X")
            case "e", "E", "f", "F", "g", "G":
                guard let d = value.asDouble else {
                    throw KilnError.type("must be real number, not \(value.typeName)")
                }
                var spec = layoutSpec(numeric: true)
                spec.type = conversion
                spec.precision = precision ?? 6
                spec.alternate = alternate
                return try Format.formatFloat(d, spec, typeName: "float")
            default:
                let c = String(conversion)
                let code = String(conversion.value, radix: 16)
                throw KilnError.value("unsupported format character '\(c)' (0x\(code)) at index \(index)")
            }
        }

        /// An integer conversion: precision is the minimum number of digits.
        private func integer(_ n: Int, radix: Int, prefix: String, uppercase: Bool) -> String {
            var digits = String(n.magnitude, radix: radix, uppercase: uppercase)
            if let p = precision, digits.count < p { digits = String(repeating: "0", count: p - digits.count) + digits }
            return Format.layout(sign: Format.signText(negative: n < 0, sign), prefix: prefix, digits: digits, rest: "",
                                 spec: layoutSpec(numeric: true), defaultAlign: ">", groupSize: 3)
        }
    }

    /// Python's `ascii(x)`: `repr(x)` with non-ASCII characters escaped.
    public static func ascii(_ value: Value) -> String {
        var out = ""
        for scalar in Repr.repr(value).unicodeScalars {
            if scalar.isASCII {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = String(scalar.value, radix: 16)
                let (marker, width) = scalar.value <= 0xff ? ("\\x", 2) : scalar.value <= 0xffff ? ("\\u", 4) : ("\\U", 8)
                out += marker + String(repeating: "0", count: max(0, width - hex.count)) + hex
            }
        }
        return out
    }

    // MARK: - str.format

    /// How `{}` fields are numbered in one `str.format` call.
    private enum Numbering {
        case undecided
        case automatic(next: Int)
        case manual
    }

    /// Python's `template.format(*args, **kwargs)`.
    public static func strFormat(_ template: String, _ args: Arguments, _ interpreter: Interpreter) throws -> String {
        var numbering = Numbering.undecided
        return try expand(Array(template.unicodeScalars), args, interpreter, &numbering, depth: 2)
    }

    private static func expand(_ s: [Unicode.Scalar], _ args: Arguments, _ interpreter: Interpreter,
                               _ numbering: inout Numbering, depth: Int) throws -> String {
        guard depth > 0 else { throw KilnError.value("Max string recursion exceeded") }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "}" {
                guard i + 1 < s.count, s[i + 1] == "}" else {
                    throw KilnError.value("Single '}' encountered in format string")
                }
                out.append("}")
                i += 2
                continue
            }
            guard c == "{" else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < s.count else { throw KilnError.value("Single '{' encountered in format string") }
            if s[i + 1] == "{" {
                out.append("{")
                i += 2
                continue
            }
            i += 1
            let field = try parseField(s, &i)
            var value = try lookUp(field.name, args, interpreter, &numbering)
            switch field.conversion {
            case nil: break
            case "r": value = .string(Repr.repr(value))
            case "s": value = .string(Repr.str(value))
            case "a": value = .string(ascii(value))
            case let other?: throw KilnError.value("Unknown conversion specifier \(other)")
            }
            var spec = field.spec
            if spec.contains("{") {
                spec = try expand(Array(spec.unicodeScalars), args, interpreter, &numbering, depth: depth - 1)
            }
            out.append(contentsOf: try apply(value, spec: spec).unicodeScalars)
        }
        return String(out)
    }

    /// Reads a replacement field after its `{`, leaving `i` after its closing `}`.
    private static func parseField(_ s: [Unicode.Scalar], _ i: inout Int) throws
        -> (name: [Unicode.Scalar], conversion: Unicode.Scalar?, spec: String) {
        let start = i
        while true {
            guard i < s.count else { throw KilnError.value("expected '}' before end of string") }
            let c = s[i]
            if c == "[" {
                while i < s.count && s[i] != "]" { i += 1 }
                guard i < s.count else { throw KilnError.value("expected '}' before end of string") }
            } else if c == "}" || c == ":" || c == "!" {
                break
            }
            i += 1
        }
        let name = Array(s[start..<i])
        var conversion: Unicode.Scalar?
        if s[i] == "!" {
            guard i + 2 < s.count else { throw KilnError.value("unmatched '{' in format spec") }
            conversion = s[i + 1]
            i += 2
            guard s[i] == ":" || s[i] == "}" else {
                throw KilnError.value("expected ':' after conversion specifier")
            }
        }
        var spec = String.UnicodeScalarView()
        if s[i] == ":" {
            i += 1
            var depth = 1
            while i < s.count {
                if s[i] == "{" { depth += 1 } else if s[i] == "}" { depth -= 1 }
                if depth == 0 { break }
                spec.append(s[i])
                i += 1
            }
            guard i < s.count else { throw KilnError.value("unmatched '{' in format spec") }
        }
        i += 1  // the closing brace
        return (name, conversion, String(spec))
    }

    /// The value a field name (`0`, `name`, `` for the next one, `x.attr`, `x[0]`) denotes.
    private static func lookUp(_ name: [Unicode.Scalar], _ args: Arguments, _ interpreter: Interpreter,
                               _ numbering: inout Numbering) throws -> Value {
        func text(_ part: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(part)) }
        func index(_ part: ArraySlice<Unicode.Scalar>) -> Int? {
            guard !part.isEmpty, part.allSatisfy({ $0.value >= 48 && $0.value <= 57 }) else { return nil }
            return Int(text(part))
        }
        let firstEnd = name.firstIndex { $0 == "." || $0 == "[" } ?? name.count
        let first = name[0..<firstEnd]
        var value: Value
        if first.isEmpty || index(first) != nil {
            let position: Int
            if first.isEmpty {
                switch numbering {
                case .manual:
                    throw KilnError.value("cannot switch from manual field specification to automatic field numbering")
                case .undecided:
                    position = 0
                case .automatic(let next):
                    position = next
                }
                numbering = .automatic(next: position + 1)
            } else {
                if case .automatic = numbering {
                    throw KilnError.value("cannot switch from automatic field numbering to manual field specification")
                }
                numbering = .manual
                guard let p = index(first) else {
                    throw KilnError.value("Too many decimal digits in format string")
                }
                position = p
            }
            guard position < args.positional.count else {
                throw KilnError.index("Replacement index \(position) out of range for positional args tuple")
            }
            value = args.positional[position]
        } else {
            let key = text(first)
            guard let v = args.keywords.last(where: { $0.name == key })?.value else {
                throw KilnError.key(Repr.string(key))
            }
            value = v
        }
        var i = firstEnd
        while i < name.count {
            if name[i] == "." {
                let end = name[(i + 1)...].firstIndex { $0 == "." || $0 == "[" } ?? name.count
                let attribute = name[(i + 1)..<end]
                if attribute.isEmpty { throw KilnError.value("Empty attribute in format string") }
                value = try interpreter.getAttribute(value, text(attribute))
                i = end
            } else if name[i] == "[" {
                guard let close = name[(i + 1)...].firstIndex(of: "]") else {
                    throw KilnError.value("Missing ']' in format string")
                }
                let key = name[(i + 1)..<close]
                if key.isEmpty { throw KilnError.value("Empty attribute in format string") }
                value = try interpreter.getItem(value, index(key).map { .int($0) } ?? .string(text(key)))
                i = close + 1
                if i < name.count && name[i] != "." && name[i] != "[" {
                    throw KilnError.value("Only '.' or '[' may follow ']' in format field specifier")
                }
            } else {
                throw KilnError.value("Only '.' or '[' may follow ']' in format field specifier")
            }
        }
        return value
    }
}
