/// JSON text read into language values as Python's `json.load` reads it: objects become dicts
/// in the file's key order (a repeated key keeps its first place and its last value), arrays
/// lists, integers int, other numbers float (NaN and Infinity accepted), true/false/null
/// bool/None, with `json.JSONDecodeError`'s messages and positions.

import KilnLang

/// A recursive-descent JSON parser over the text's Unicode scalars (so positions count
/// characters, as Python's do).
struct JSONReader {
    private let text: [Unicode.Scalar]
    private var i = 0
    private var depth = 0

    /// The value in the JSON document `bytes` (UTF-8), read from `filename`.
    static func parse(_ bytes: [UInt8], filename: String) throws -> Value {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw KilnError("UnicodeDecodeError", "'utf-8' codec can't decode the file \(filename): it is not UTF-8 text")
        }
        var reader = JSONReader(text: Array(string.unicodeScalars))
        do {
            reader.skipSpace()
            let value = try reader.value()
            reader.skipSpace()
            guard reader.i == reader.text.count else { throw reader.error("Extra data") }
            return value
        } catch let e as KilnError where e.type == "JSONDecodeError" {
            throw KilnError(e.type, e.message + " in \(filename)")
        }
    }

    private init(text: [Unicode.Scalar]) { self.text = text }

    /// `json.JSONDecodeError` at position `at` (the current one by default).
    private func error(_ message: String, at position: Int? = nil) -> KilnError {
        let p = min(position ?? i, text.count)
        let line = text[..<p].filter { $0 == "\n" }.count + 1
        let column = p - (text[..<p].lastIndex(of: "\n").map { $0 + 1 } ?? 0) + 1
        return KilnError("JSONDecodeError", "\(message): line \(line) column \(column) (char \(p))")
    }

    private var current: Unicode.Scalar? { i < text.count ? text[i] : nil }

    private mutating func skipSpace() {
        while let c = current, c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1 }
    }

    private mutating func value() throws -> Value {
        guard let c = current else { throw error("Expecting value") }
        switch c {
        case "{": return try object()
        case "[": return try array()
        case "\"": return .string(try string())
        default:
            for (word, value) in [("null", Value.none), ("true", .bool(true)), ("false", .bool(false)), ("NaN", .float(.nan)),
                                  ("Infinity", .float(.infinity)), ("-Infinity", .float(-.infinity))] where matches(word) {
                i += word.unicodeScalars.count
                return value
            }
            return try number()
        }
    }

    private func matches(_ word: String) -> Bool {
        let scalars = Array(word.unicodeScalars)
        return i + scalars.count <= text.count && Array(text[i..<(i + scalars.count)]) == scalars
    }

    /// Guards against nesting deep enough to exhaust the stack (Python stops at its
    /// recursion limit, 1000).
    private mutating func enter() throws {
        depth += 1
        if depth > 1000 { throw KilnError("RecursionError", "maximum recursion depth exceeded while decoding a JSON document") }
    }

    private mutating func object() throws -> Value {
        try enter()
        defer { depth -= 1 }
        let dict = KDict()
        i += 1
        skipSpace()
        if current == "}" {
            i += 1
            return .object(dict)
        }
        while true {
            guard current == "\"" else { throw error("Expecting property name enclosed in double quotes") }
            let key = try string()
            skipSpace()
            guard current == ":" else { throw error("Expecting ':' delimiter") }
            i += 1
            skipSpace()
            try dict.set(.string(key), try value())
            skipSpace()
            switch current {
            case ",":
                i += 1
                skipSpace()
            case "}":
                i += 1
                return .object(dict)
            default:
                throw error("Expecting ',' delimiter")
            }
        }
    }

    private mutating func array() throws -> Value {
        try enter()
        defer { depth -= 1 }
        var items: [Value] = []
        i += 1
        skipSpace()
        if current == "]" {
            i += 1
            return .object(KList(items))
        }
        while true {
            items.append(try value())
            skipSpace()
            switch current {
            case ",":
                i += 1
                skipSpace()
            case "]":
                i += 1
                return .object(KList(items))
            default:
                throw error("Expecting ',' delimiter")
            }
        }
    }

    /// The one-character escapes and what they stand for.
    private static let escapes: [Unicode.Scalar: Unicode.Scalar] = ["\"": "\"", "\\": "\\", "/": "/", "b": "\u{8}", "f": "\u{C}", "n": "\n", "r": "\r", "t": "\t"]

    /// A string literal from its opening quote, escapes decoded (`\uD83D\uDE00` pairs joined).
    private mutating func string() throws -> String {
        let start = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("Unterminated string starting at", at: start) }
            switch c {
            case "\"":
                i += 1
                return String(out)
            case "\\":
                i += 1
                guard let e = current else { throw error("Unterminated string starting at", at: start) }
                if let s = JSONReader.escapes[e] {
                    out.append(s)
                    i += 1
                } else if e == "u" {
                    var code = try hex4(at: i + 1)
                    i += 5
                    if (0xD800..<0xDC00).contains(code), matches("\\u"), let low = try? hex4(at: i + 2), (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        i += 6
                    }
                    // A lone surrogate has no scalar; Python keeps it, Kiln's strings cannot.
                    out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                } else {
                    throw error("Invalid \\escape", at: i - 1)
                }
            default:
                if c.value < 0x20 { throw error("Invalid control character at") }
                out.append(c)
                i += 1
            }
        }
    }

    /// The four hex digits of a `\u` escape starting at `p`.
    private func hex4(at p: Int) throws -> UInt32 {
        guard p + 4 <= text.count, let code = UInt32(String(String.UnicodeScalarView(text[p..<(p + 4)])), radix: 16) else {
            throw error("Invalid \\uXXXX escape", at: p - 1)
        }
        return code
    }

    private mutating func number() throws -> Value {
        let start = i
        func digits() -> Int {
            let from = i
            while let c = current, ("0"..."9").contains(c) { i += 1 }
            return i - from
        }
        if current == "-" { i += 1 }
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("Expecting value", at: start) }
        if integerDigits > 1, text[i - integerDigits] == "0" {
            // Python stops the number at the leading zero, then finds extra data.
            i = i - integerDigits + 1
        }
        var isFloat = false
        if current == ".", i + 1 < text.count, ("0"..."9").contains(text[i + 1]) {
            i += 1
            _ = digits()
            isFloat = true
        }
        if let e = current, e == "e" || e == "E" {
            let mark = i
            i += 1
            if let sign = current, sign == "+" || sign == "-" { i += 1 }
            if digits() == 0 { i = mark } else { isFloat = true }
        }
        let literal = String(String.UnicodeScalarView(text[start..<i]))
        if !isFloat {
            guard let n = Int(literal) else { throw KilnError.overflow("JSON integer \(literal) does not fit Kiln's 64-bit int") }
            return .int(n)
        }
        return .float(Double(literal) ?? .nan)
    }
}
