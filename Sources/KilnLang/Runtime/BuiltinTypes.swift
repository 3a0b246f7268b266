/// The built-in types as values: `int`, `float`, `str`, `bool`, `list`, `tuple`, `dict`,
/// `set`, `range` and `type` are callable type objects that convert their argument (`int("ff",
/// 16)`), compare equal to what `type(x)` returns (`type(x) == int`), answer `isinstance`, and
/// reach their methods unbound (`map(str.upper, names)`). Also the text-to-number parsing
/// those conversions share with the rest of the runtime.

import Foundation

/// A native object that stands for a plain number or string (an array scalar, a 0-d
/// tensor): int(), float(), abs(), round() and format specs (`f"{loss:.4f}"`) use its
/// scalar value.
public protocol KScalarConvertible {
    var scalarValue: Value? { get }
}

/// A type object: `<class 'int'>`. Kiln has no classes, so a type is just its name plus,
/// for the built-in types, the conversion function that calling it runs.
public final class KType: KObject {
    public let name: String
    let constructor: KBuiltin?
    /// Members reached through the type rather than an instance (`dict.fromkeys`).
    var staticMembers: [String: Value] = [:]
    /// The methods declared for the type's values, for `help`.
    var methods: [String: KBuiltin] = [:]

    init(_ name: String, constructor: KBuiltin?) {
        self.name = name
        self.constructor = constructor
    }

    public override var typeName: String { "type" }
    public override func repr() -> String { "<class '\(name)'>" }
    public override var isCallable: Bool { constructor != nil }

    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let constructor = constructor else {
            throw KilnError.type("cannot create '\(name)' instances")
        }
        return try constructor.call(args, interpreter)
    }

    public override func isEqual(to other: Value) -> Bool { other.as(KType.self)?.name == name }
    public override func hashValue() throws -> Int { name.hashValue }

    public override func attribute(_ attribute: String, _ interpreter: Interpreter) throws -> Value? {
        if attribute == "__name__" { return .string(name) }
        if let member = staticMembers[attribute] { return member }
        guard interpreter.methodNames(of: name).contains(attribute) else { return nil }
        return .object(unboundMethod(attribute))
    }

    /// `str.upper`: the method as a function whose first argument is the receiver. A method
    /// declared here keeps its parameters and doc (`help(str.split)`); one added by the
    /// engine takes `*args, **kwargs` and forwards them.
    private func unboundMethod(_ method: String) -> KBuiltin {
        let typeName = name
        let declared = methods[method]
        let parameters = (declared?.signature.text ?? "*args, **kwargs").trimmingCharacters(in: .whitespaces)
        let signature = parameters.isEmpty ? "self, /" : parameters.contains("/") ? "self, " + parameters : "self, /, " + parameters
        let doc = declared?.doc ?? "\(typeName).\(method) called with its object first."
        let kinds = Signature(signature).parameters.kinds
        return KBuiltin(method, signature, doc: doc) { a in
            guard a[0].typeName == typeName else {
                throw KilnError.type("descriptor '\(method)' for '\(typeName)' objects doesn't apply to a '\(a[0].typeName)' object")
            }
            return try a.interpreter.callBuiltinMethod(method, on: a[0], a.forwarded(from: 1, kinds: kinds))
        }
    }
}

extension BoundArguments {
    /// The bound arguments from parameter `first` on, of a signature with these parameter
    /// `kinds`, as call arguments again: positional parameters by position, `*args` spread,
    /// keyword-only ones and `**kwargs` by name.
    func forwarded(from first: Int, kinds: [ParameterList.Kind]) -> Arguments {
        var args = Arguments()
        for i in first..<values.count {
            switch kinds[i] {
            case .varargs:
                args.positional += values[i].as(KTuple.self)?.items ?? []
            case .kwargs:
                args.keywords += values[i].as(KDict.self)?.table.entries.map { (name: Repr.str($0.key), value: $0.value) } ?? []
            case .keywordOnly:
                args.keywords.append((name: names[i], value: values[i]))
            case .positional, .positionalOnly:
                args.positional.append(values[i])
            }
        }
        return args
    }
}

extension Interpreter {
    /// `type(x)`: the built-in type object when `x`'s type has one (so `type(1) is int`),
    /// otherwise a type object that only names the type.
    public func typeObject(of value: Value) -> KType {
        let name = value.typeName
        if let t = builtin(name)?.as(KType.self), t.name == name { return t }
        return KType(name, constructor: nil)
    }

    /// Installs the methods of a built-in type, recording them on its type object for `help`.
    func installMethods(of typeName: String, _ methods: [KBuiltin]) {
        defineMethods(of: typeName, methods)
        if let t = builtin(typeName)?.as(KType.self) {
            for m in methods { t.methods[m.name] = m }
        }
    }

    /// Defines the type objects and their conversions.
    func installTypes() {
        let types: [KBuiltin] = [
            KBuiltin("int", "x=0, /, base=None", doc: """
                Convert a number or string to an int: int(3.9) is 3, int(" 12 ") is 12, \
                int("ff", 16) is 255; base 0 reads a 0x/0o/0b prefix.
                """) { a in
                try Conversions.int(a[0], base: a.isNone(1) ? nil : try a.index(1))
            },
            KBuiltin("float", "x=0.0, /", doc: "Convert a number or string (\"1.5\", \"inf\", \"nan\") to a float.") { a in
                .float(try Conversions.float(a[0]))
            },
            KBuiltin("str", "object=''", doc: "The printable text of an object (what print shows).") { a in
                .string(Repr.str(a[0]))
            },
            KBuiltin("bool", "x=False, /", doc: "True when x is truthy: non-zero, non-empty, not None.") { a in
                .bool(try a[0].truthValue())
            },
            KBuiltin("list", "iterable=(), /", doc: "A new list of the items of an iterable.") { a in
                .object(KList(try a.interpreter.iterate(a[0])))
            },
            KBuiltin("tuple", "iterable=(), /", doc: "A tuple of the items of an iterable.") { a in
                if let t = a[0].as(KTuple.self) { return .object(t) }
                return .object(KTuple(try a.interpreter.iterate(a[0])))
            },
            KBuiltin("set", "iterable=(), /", doc: "A new set of the distinct items of an iterable.") { a in
                .object(try KSet(try a.interpreter.iterate(a[0])))
            },
            KBuiltin("dict", "*args, **kwargs", doc: """
                A new dict from a mapping or an iterable of (key, value) pairs, plus keyword \
                arguments: dict(a=1), dict([("a", 1)]), dict(other, b=2).
                """) { a in
                let d = KDict()
                try a.interpreter.updateDict(d, a, function: "dict")
                return .object(d)
            },
            KBuiltin("range", "start_or_stop, stop=None, step=1, /", doc: """
                The integers from start (default 0) up to but not including stop, by step: \
                range(3) is 0, 1, 2; range(10, 0, -3) is 10, 7, 4, 1.
                """) { a in
                let first = try a.index(0)
                guard !a.isNone(1) else { return .object(KRange(start: 0, stop: first, step: 1)) }
                let step = try a.index(2)
                if step == 0 { throw KilnError.value("range() arg 3 must not be zero") }
                return .object(KRange(start: first, stop: try a.index(1), step: step))
            },
            KBuiltin("type", "object, /", doc: "The type of an object: type(1) == int, type(x).__name__.") { a in
                .object(a.interpreter.typeObject(of: a[0]))
            },
        ]
        for constructor in types {
            defineBuiltin(constructor.name, .object(KType(constructor.name, constructor: constructor)))
        }
    }
}

/// Conversions between numbers and text with Python's rules and messages.
enum Conversions {
    /// `int(d)` for a float: truncates toward zero; NaN, infinities and values outside the
    /// 64-bit range are errors.
    static func truncate(_ d: Double) throws -> Int {
        if d.isNaN { throw KilnError.value("cannot convert float NaN to integer") }
        if d.isInfinite { throw KilnError.overflow("cannot convert float infinity to integer") }
        let t = d.rounded(.towardZero)
        guard t >= -9.223372036854775808e18, t < 9.223372036854775808e18 else {
            throw KilnError.overflow("integer overflow: \(Repr.float(d)) does not fit in a 64-bit int")
        }
        return Int(t)
    }

    /// `int(x)` or `int(x, base)`.
    static func int(_ x: Value, base: Int?) throws -> Value {
        if let base = base {
            guard case .string(let s) = x else {
                throw KilnError.type("int() can't convert non-string with explicit base")
            }
            guard base == 0 || (2...36).contains(base) else {
                throw KilnError.value("int() base must be >= 2 and <= 36, or 0")
            }
            return .int(try parseInt(s, base: base))
        }
        switch x {
        case .int: return x
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .int(try truncate(d))
        case .string(let s): return .int(try parseInt(s, base: 10))
        case .object(let o):
            if let v = (o as? KScalarConvertible)?.scalarValue { return try int(v, base: nil) }
        case .none: break
        }
        throw KilnError.type("int() argument must be a string, a bytes-like object or a real number, not '\(x.typeName)'")
    }

    /// `float(x)`.
    static func float(_ x: Value) throws -> Double {
        switch x {
        case .float(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            guard let d = parseFloat(s) else {
                throw KilnError.value("could not convert string to float: \(Repr.string(s))")
            }
            return d
        case .object(let o):
            if let v = (o as? KScalarConvertible)?.scalarValue { return try float(v) }
        case .none: break
        }
        throw KilnError.type("float() argument must be a string or a real number, not '\(x.typeName)'")
    }

    /// The value of a digit in bases up to 36 (any Unicode decimal digit, then a–z).
    private static func digitValue(_ c: Unicode.Scalar) -> Int? {
        switch c.value {
        case 48...57: return Int(c.value - 48)
        case 97...122: return Int(c.value - 87)
        case 65...90: return Int(c.value - 55)
        default:
            guard c.properties.numericType == .decimal, let v = c.properties.numericValue else { return nil }
            return Int(v)
        }
    }

    /// Python's `int(text, base)`: surrounding whitespace, a sign, a `0x`/`0o`/`0b` prefix
    /// matching the base (any of them for base 0), and `_` between digits.
    static func parseInt(_ text: String, base: Int) throws -> Int {
        func invalid() -> KilnError {
            KilnError.value("invalid literal for int() with base \(base): \(Repr.string(text))")
        }
        var s = Array(Strings.stripped(text).unicodeScalars)[...]
        var negative = false
        if let c = s.first, c == "+" || c == "-" {
            negative = c == "-"
            s = s.dropFirst()
        }
        var radix = base
        var afterPrefix = false
        if s.count >= 2, s[s.startIndex] == "0" {
            let marker = Character(s[s.startIndex + 1]).lowercased()
            let prefixed: Int? = marker == "x" ? 16 : marker == "o" ? 8 : marker == "b" ? 2 : nil
            if let p = prefixed, base == 0 || base == p {
                radix = p
                s = s.dropFirst(2)
                afterPrefix = true
            }
        }
        if radix == 0 {
            radix = 10
            // Base 0 forbids leading zeros in decimal ("010"), as Python's literals do.
            if s.first == "0" && s.contains(where: { $0 != "0" && $0 != "_" }) { throw invalid() }
        }
        guard !s.isEmpty else { throw invalid() }
        var value = 0
        var previousUnderscore = !afterPrefix
        for c in s {
            if c == "_" {
                if previousUnderscore { throw invalid() }
                previousUnderscore = true
                continue
            }
            guard let d = digitValue(c), d < radix else { throw invalid() }
            previousUnderscore = false
            let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(d) : shifted.addingReportingOverflow(d)
            if o1 || o2 {
                throw KilnError.overflow("integer overflow: \(Repr.string(text)) does not fit in a 64-bit int")
            }
            value = next
        }
        if previousUnderscore { throw invalid() }
        return value
    }

    /// Python's `float(text)`: decimal literals with `_` between digits, `inf`, `infinity`
    /// and `nan` in any case, surrounding whitespace; nil when the text is none of these.
    static func parseFloat(_ text: String) -> Double? {
        var s = Array(Strings.stripped(text).unicodeScalars)[...]
        var sign = ""
        if let c = s.first, c == "+" || c == "-" {
            sign = String(c)
            s = s.dropFirst()
        }
        switch String(String.UnicodeScalarView(s)).lowercased() {
        case "inf", "infinity": return sign == "-" ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        // Digits [. digits] [e [sign] digits], with at least one mantissa digit.
        var clean = sign
        var i = s.startIndex
        func digits() -> Int? {
            var count = 0
            while i < s.endIndex {
                if s[i] == "_" {
                    guard count > 0, i + 1 < s.endIndex, digitValue(s[i + 1]).map({ $0 < 10 }) == true else { return nil }
                } else if let d = digitValue(s[i]), d < 10 {
                    clean += String(d)
                    count += 1
                } else {
                    break
                }
                i += 1
            }
            return count
        }
        guard let whole = digits() else { return nil }
        var fraction = 0
        if i < s.endIndex && s[i] == "." {
            clean += "."
            i += 1
            guard let f = digits() else { return nil }
            fraction = f
        }
        guard whole + fraction > 0 else { return nil }
        if i < s.endIndex && (s[i] == "e" || s[i] == "E") {
            clean += "e"
            i += 1
            if i < s.endIndex && (s[i] == "+" || s[i] == "-") {
                clean.unicodeScalars.append(s[i])
                i += 1
            }
            guard let e = digits(), e > 0 else { return nil }
        }
        guard i == s.endIndex else { return nil }
        return Double(clean)
    }
}
