/// Reading JSON text into a `JSONValue`, with errors that say what was expected and where
/// (line and column, counted in characters from 1).

/// Why JSON text could not be read, and where.
struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    var message: String
    var line: Int
    var column: Int

    var description: String { "\(message) at line \(line), column \(column)" }
}

/// A recursive-descent parser over UTF-8 bytes. It accepts what Python's `json.loads` accepts
/// (so what Jupyter reads): RFC 8259 JSON plus the literals `NaN`, `Infinity` and `-Infinity`.
/// Nesting is limited so that no document can exhaust the stack.
struct JSONParser {
    /// Deeper nesting than this is refused (nbformat documents nest a handful of levels).
    static let maximumDepth = 500

    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0

    /// The value in `text`, which must hold exactly one JSON value (and whitespace).
    static func parse(_ text: String) throws -> JSONValue {
        try parse(utf8: Array(text.utf8))
    }

    /// The value in the UTF-8 text `bytes`. The caller has checked the bytes are valid UTF-8.
    static func parse(utf8 bytes: [UInt8]) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.i == bytes.count else { throw parser.error("unexpected text after the end of the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    /// An error at byte offset `position` (the current one by default).
    private func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        let end = min(position ?? i, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<end] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Count characters, not the continuation bytes of multi-byte characters.
                column += 1
            }
        }
        return JSONSyntaxError(message: message, line: line, column: column)
    }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { i += 1 }
    }

    private mutating func value() throws -> JSONValue {
        guard let byte = current else { throw error("expected a value but the text ended") }
        switch byte {
        case UInt8(ascii: "{"): return try nested { try $0.object() }
        case UInt8(ascii: "["): return try nested { try $0.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default:
            for (word, value) in JSONParser.literals where matches(word) {
                i += word.count
                return value
            }
            throw error("expected a value")
        }
    }

    private static let literals: [([UInt8], JSONValue)] = [
        (Array("true".utf8), .bool(true)), (Array("false".utf8), .bool(false)), (Array("null".utf8), .null),
        (Array("NaN".utf8), .number("NaN")), (Array("Infinity".utf8), .number("Infinity")),
    ]

    private func matches(_ word: [UInt8]) -> Bool {
        i + word.count <= bytes.count && bytes[i..<(i + word.count)].elementsEqual(word)
    }

    private mutating func nested(_ body: (inout JSONParser) throws -> JSONValue) throws -> JSONValue {
        guard depth < JSONParser.maximumDepth else {
            throw error("lists and objects are nested more than \(JSONParser.maximumDepth) deep")
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private mutating func object() throws -> JSONValue {
        i += 1
        var members: [JSONMember] = []
        skipSpace()
        if current == UInt8(ascii: "}") {
            i += 1
            return .object(members)
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw error("expected a property name in double quotes") }
            let key = try string()
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after a property name") }
            i += 1
            skipSpace()
            members.set(key, try value())
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                i += 1
                skipSpace()
            case UInt8(ascii: "}"):
                i += 1
                return .object(members)
            default:
                throw error("expected ',' or '}' after a property's value")
            }
        }
    }

    private mutating func array() throws -> JSONValue {
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if current == UInt8(ascii: "]") {
            i += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                i += 1
                skipSpace()
            case UInt8(ascii: "]"):
                i += 1
                return .array(items)
            default:
                throw error("expected ',' or ']' after a list item")
            }
        }
    }

    /// The one-character escapes and the bytes they stand for.
    private static let escapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "\\"): UInt8(ascii: "\\"), UInt8(ascii: "/"): UInt8(ascii: "/"),
        UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    /// A string literal from its opening quote, escapes decoded (`\uD83D\uDE00` pairs joined, a
    /// lone surrogate replaced by U+FFFD since Swift strings cannot hold one).
    private mutating func string() throws -> String {
        let start = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw error("a string starting here never ends", at: start) }
            switch byte {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                i += 1
                guard let escape = current else { throw error("a string starting here never ends", at: start) }
                if let decoded = JSONParser.escapes[escape] {
                    out.append(decoded)
                    i += 1
                } else if escape == UInt8(ascii: "u") {
                    var code = try hex4(at: i + 1)
                    i += 5
                    if (0xD800..<0xDC00).contains(code), matches(Array("\\u".utf8)),
                       let low = try? hex4(at: i + 2), (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8)
                } else {
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string", at: i - 1)
                }
            case 0..<0x20:
                throw error("a control character (such as a raw newline) inside a string must be escaped")
            default:
                out.append(byte)
                i += 1
            }
        }
    }

    /// The four hex digits of a `\u` escape starting at `position`.
    private func hex4(at position: Int) throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let code = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
        else { throw error("a \\u escape needs four hex digits", at: position - 2) }
        return code
    }

    /// A number in JSON's grammar (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`) or
    /// `-Infinity`, kept as its text.
    private mutating func number() throws -> JSONValue {
        let start = i
        if current == UInt8(ascii: "-") {
            i += 1
            if matches(Array("Infinity".utf8)) {
                i += 8
                return .number("-Infinity")
            }
        }
        func digits() -> Int {
            let from = i
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { i += 1 }
            return i - from
        }
        let integerStart = i
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("expected a digit", at: i) }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw error("a number cannot start with 0", at: integerStart)
        }
        if current == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw error("expected a digit after the decimal point") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            i += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw error("expected a digit in the exponent") }
        }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }
}
