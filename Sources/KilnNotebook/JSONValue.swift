/// A JSON document as `.ipynb` files hold it, and its two text forms: Jupyter's layout
/// (Python's `json.dumps(indent=1, sort_keys=True, ensure_ascii=False)`) and one line, as the
/// percent format's `key=value` metadata writes it.

import KilnLibrary

/// A JSON value. Numbers keep their literal text (`3`, `1e-05`, `NaN`), so a value read from a
/// file is written back as it was; objects keep their members in the file's order.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in order, each key once (a key repeated in a file keeps its first place and its
    /// last value, as Python's `json` does).
    case object([JSONMember])

    static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// The value of member `key` of an object; nil for a missing key or a value that is not
    /// an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The items of a list that holds only strings; nil for any other value.
    var strings: [String]? {
        guard case .array(let items) = self else { return nil }
        var strings: [String] = []
        for item in items {
            guard case .string(let string) = item else { return nil }
            strings.append(string)
        }
        return strings
    }

    /// What kind of value this is, for error messages: "a string", "a list", …
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// One `"key": value` member of a JSON object.
struct JSONMember: Equatable {
    var key: String
    var value: JSONValue
}

extension Array where Element == JSONMember {
    /// Sets member `key` to `value`: in its place if the key is there, else at the end.
    mutating func set(_ key: String, _ value: JSONValue) {
        if let index = firstIndex(where: { $0.key == key }) {
            self[index].value = value
        } else {
            append(JSONMember(key: key, value: value))
        }
    }
}

// MARK: - Writing

extension JSONValue {
    /// The value laid out as Jupyter writes notebooks: one-space indents, keys sorted by code
    /// point, non-ASCII text as is, `[]` and `{}` for empty containers. No trailing newline.
    var jupyterText: String {
        var out = ""
        writeIndented(into: &out, level: 0)
        return out
    }

    /// The value on one line with Python's default separators (`{"a": [1, 2]}`), keys in order.
    var compactText: String {
        var out = ""
        writeCompact(into: &out)
        return out
    }

    private func writeIndented(into out: inout String, level: Int) {
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                if index > 0 { out += ",\n" }
                out += String(repeating: " ", count: level + 1)
                item.writeIndented(into: &out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: level) + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let sorted = members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { out += ",\n" }
                out += String(repeating: " ", count: level + 1)
                JSONValue.writeString(member.key, into: &out)
                out += ": "
                member.value.writeIndented(into: &out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: level) + "}"
        default:
            writeCompact(into: &out)
        }
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let literal): out += literal
        case .string(let string): JSONValue.writeString(string, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += ", " }
                item.writeCompact(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += ", " }
                JSONValue.writeString(member.key, into: &out)
                out += ": "
                member.value.writeCompact(into: &out)
            }
            out += "}"
        }
    }

    /// A string literal escaped as Python's `json` escapes it with `ensure_ascii=False`.
    private static func writeString(_ string: String, into out: inout String) {
        out += JSONWriter.quoted(string)
    }
}
