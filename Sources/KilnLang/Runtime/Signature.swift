/// The binding helper: a Python-style parameter list, declared once, that binds a call's
/// arguments to parameter slots with Python's rules and error messages. Kiln functions and
/// native functions share it, so every callable reports argument errors in the same words.

import Foundation

/// The shape of a parameter list: names and kinds, in declaration order (which is also the
/// order of the frame slots they bind to).
public final class ParameterList {
    public enum Kind: Equatable, Sendable {
        case positionalOnly, positional, varargs, keywordOnly, kwargs
    }

    public let names: [String]
    public let kinds: [Kind]
    /// Parameters that can be filled by position (positional-only and positional ones).
    public let positionalCount: Int
    public let varargsIndex: Int?
    public let kwargsIndex: Int?
    /// Whether any parameter is filled some other way than by position.
    let isSimple: Bool
    private let slotByName: [String: Int]

    public init(names: [String], kinds: [Kind]) {
        self.names = names
        self.kinds = kinds
        positionalCount = kinds.filter { $0 == .positional || $0 == .positionalOnly }.count
        varargsIndex = kinds.firstIndex(of: .varargs)
        kwargsIndex = kinds.firstIndex(of: .kwargs)
        isSimple = !kinds.contains { $0 != .positional }
        var map: [String: Int] = [:]
        for (i, name) in names.enumerated() where kinds[i] != .varargs && kinds[i] != .kwargs && kinds[i] != .positionalOnly {
            map[name] = i
        }
        slotByName = map
    }

    /// Binds `args` into `slots` (one per parameter). `defaults[i]` is parameter i's default,
    /// nil when it is required. Raises Python's TypeErrors, naming `function`.
    public func bind(_ function: String, _ args: Arguments, defaults: [Value?],
                     into slots: UnsafeMutablePointer<Value?>) throws {
        let given = args.positional.count
        if given > positionalCount && varargsIndex == nil {
            throw tooManyPositional(function, given: given, defaults: defaults)
        }
        for i in 0..<min(given, positionalCount) { slots[i] = args.positional[i] }
        if let v = varargsIndex {
            let extra = given > positionalCount ? Array(args.positional[positionalCount...]) : []
            slots[v] = .object(KTuple(extra))
        }
        var extraKeywords: KDict?
        if let k = kwargsIndex {
            let dict = KDict()
            extraKeywords = dict
            slots[k] = .object(dict)
        }
        var positionalOnlyAsKeyword: [String] = []
        for (name, value) in args.keywords {
            if let slot = slotByName[name] {
                if slots[slot] != nil {
                    throw KilnError.type("\(function)() got multiple values for argument '\(name)'")
                }
                slots[slot] = value
            } else if let extra = extraKeywords {
                let key = Value.string(name)
                if extra.has(key) {
                    throw KilnError.type("\(function)() got multiple values for keyword argument '\(name)'")
                }
                try extra.set(key, value)
            } else if let i = names.firstIndex(of: name), kinds[i] == .positionalOnly {
                positionalOnlyAsKeyword.append(name)
            } else {
                throw KilnError.type("\(function)() got an unexpected keyword argument '\(name)'")
            }
        }
        if !positionalOnlyAsKeyword.isEmpty {
            let list = positionalOnlyAsKeyword.map { "'\($0)'" }.joined(separator: ", ")
            throw KilnError.type("\(function)() got some positional-only arguments passed as keyword arguments: \(list)")
        }
        var missingPositional: [String] = []
        var missingKeyword: [String] = []
        for i in 0..<names.count where slots[i] == nil {
            if let d = defaults[i] {
                slots[i] = d
            } else if kinds[i] == .keywordOnly {
                missingKeyword.append(names[i])
            } else {
                missingPositional.append(names[i])
            }
        }
        if !missingPositional.isEmpty {
            throw missing(function, missingPositional, "positional")
        }
        if !missingKeyword.isEmpty {
            throw missing(function, missingKeyword, "keyword-only")
        }
    }

    private func tooManyPositional(_ function: String, given: Int, defaults: [Value?]) -> KilnError {
        let optional = (0..<positionalCount).filter { defaults[$0] != nil }.count
        let required = positionalCount - optional
        let takes: String
        if optional > 0 {
            takes = "from \(required) to \(positionalCount) positional arguments"
        } else {
            takes = "\(positionalCount) positional argument" + (positionalCount == 1 ? "" : "s")
        }
        let were = given == 1 ? "was" : "were"
        return KilnError.type("\(function)() takes \(takes) but \(given) \(were) given")
    }

    private func missing(_ function: String, _ names: [String], _ kind: String) -> KilnError {
        let quoted = names.map { "'\($0)'" }
        let list: String
        switch quoted.count {
        case 1: list = quoted[0]
        case 2: list = "\(quoted[0]) and \(quoted[1])"
        default: list = quoted.dropLast().joined(separator: ", ") + ", and " + quoted[quoted.count - 1]
        }
        let plural = names.count == 1 ? "argument" : "arguments"
        return KilnError.type("\(function)() missing \(names.count) required \(kind) \(plural): \(list)")
    }
}

/// A native function's declared signature, parsed once from Python syntax:
/// `"units, activation=None, use_bias=True, *, name=None"`. Defaults are literals
/// (None, True, False, numbers, quoted strings, `()`); `/`, `*`, `*args` and `**kwargs` work
/// as in Python.
public struct Signature {
    public let parameters: ParameterList
    public let defaults: [Value?]
    /// The parameter list as written, for `help()`.
    public let text: String

    public init(_ text: String) {
        self.text = text
        var names: [String] = []
        var kinds: [ParameterList.Kind] = []
        var defaults: [Value?] = []
        var afterStar = false
        let parts = Signature.topLevelParts(text)
        for part in parts {
            if part == "/" {
                for i in kinds.indices where kinds[i] == .positional { kinds[i] = .positionalOnly }
                continue
            }
            if part == "*" { afterStar = true; continue }
            if part.hasPrefix("**") {
                names.append(String(part.dropFirst(2))); kinds.append(.kwargs); defaults.append(nil)
                continue
            }
            if part.hasPrefix("*") {
                names.append(String(part.dropFirst())); kinds.append(.varargs); defaults.append(nil)
                afterStar = true
                continue
            }
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            names.append(pieces[0])
            kinds.append(afterStar ? .keywordOnly : .positional)
            defaults.append(pieces.count == 2 ? Signature.literal(pieces[1]) : nil)
        }
        self.parameters = ParameterList(names: names, kinds: kinds)
        self.defaults = defaults
    }

    /// The comma-separated parts of `text` outside brackets and quotes, trimmed.
    static func topLevelParts(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for ch in text {
            if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "'" || ch == "\"" {
                quote = ch
            } else if "([{".contains(ch) {
                depth += 1
            } else if ")]}".contains(ch) {
                depth -= 1
            } else if ch == "," && depth == 0 {
                parts.append(current)
                current = ""
                continue
            }
            current.append(ch)
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The value of a default written in the signature text.
    static func literal(_ text: String) -> Value {
        switch text {
        case "None": return .none
        case "True": return .bool(true)
        case "False": return .bool(false)
        default: break
        }
        if text.hasPrefix("("), text.hasSuffix(")") {
            return .object(KTuple(topLevelParts(String(text.dropFirst().dropLast())).map(literal)))
        }
        if let i = Int(text) { return .int(i) }
        if let d = Double(text) { return .float(d) }
        if text.count >= 2, let q = text.first, q == "'" || q == "\"", text.last == q {
            let body = String(text.dropFirst().dropLast())
            return .string(body.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t"))
        }
        preconditionFailure("Signature: unsupported default literal \(text)")
    }
}

/// Arguments bound to a native function's parameters, with typed accessors whose errors name
/// the function and the parameter ("Dense() argument 'units' must be int, not str").
public struct BoundArguments {
    public let function: String
    public let names: [String]
    public let values: [Value]
    /// The object a method was called on (`.none` for plain functions).
    public let receiver: Value
    public unowned let interpreter: Interpreter

    public init(function: String, names: [String], values: [Value], receiver: Value, interpreter: Interpreter) {
        self.function = function
        self.names = names
        self.values = values
        self.receiver = receiver
        self.interpreter = interpreter
    }

    public subscript(_ i: Int) -> Value { values[i] }

    /// Every parameter with its value, in the signature's order.
    public var arguments: [(String, Value)] { Array(zip(names, values)) }

    public func isNone(_ i: Int) -> Bool {
        if case .none = values[i] { return true }
        return false
    }

    public func typeError(_ i: Int, expected: String) -> KilnError {
        KilnError.type("\(function)() argument '\(names[i])' must be \(expected), not \(values[i].typeName)")
    }

    public func int(_ i: Int) throws -> Int {
        if let v = values[i].asInt { return v }
        throw typeError(i, expected: "int")
    }

    public func optionalInt(_ i: Int) throws -> Int? { isNone(i) ? nil : try int(i) }

    public func double(_ i: Int) throws -> Double {
        if let v = values[i].asDouble { return v }
        throw typeError(i, expected: "float")
    }

    public func optionalDouble(_ i: Int) throws -> Double? { isNone(i) ? nil : try double(i) }

    public func string(_ i: Int) throws -> String {
        if case .string(let s) = values[i] { return s }
        throw typeError(i, expected: "str")
    }

    public func optionalString(_ i: Int) throws -> String? { isNone(i) ? nil : try string(i) }

    public func bool(_ i: Int) -> Bool { values[i].isTruthy }

    /// The elements of an iterable argument.
    public func list(_ i: Int) throws -> [Value] {
        do {
            return try interpreter.iterate(values[i])
        } catch let e as KilnError where e.type == "TypeError" {
            throw typeError(i, expected: "iterable")
        }
    }

    /// The receiver as a given object type (for methods).
    public func receiver<T: KObject>(_ type: T.Type) -> T {
        // Methods are only ever installed on their own type, so this cannot fail for users.
        guard case .object(let o) = receiver, let r = o as? T else {
            preconditionFailure("\(function): method called on \(receiver.typeName)")
        }
        return r
    }
}
