/// JSON text of plain Kiln values (None, bools, numbers, strings, lists, tuples and dicts with
/// string keys), written as Python's `json.dumps` writes them (`", "` and `": "` separators,
/// floats by their repr, `NaN`/`Infinity` as Python allows), keys in the dict's order.

import KilnLang

public enum JSONWriter {
    static func text(_ value: Value) throws -> String {
        switch value {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
            return Repr.float(d)
        case .string(let s): return quoted(s)
        case .object(let o):
            if let list = o as? KList { return "[" + (try list.items.map(text)).joined(separator: ", ") + "]" }
            if let tuple = o as? KTuple { return "[" + (try tuple.items.map(text)).joined(separator: ", ") + "]" }
            if let dict = o as? KDict {
                let pairs = try dict.table.entries.map { key, value -> String in
                    guard case .string(let k) = key else { throw KilnError.type("keys must be str, not \(key.typeName)") }
                    return quoted(k) + ": " + (try text(value))
                }
                return "{" + pairs.joined(separator: ", ") + "}"
            }
            throw KilnError.type("Object of type \(value.typeName) is not JSON serializable")
        }
    }

    /// A JSON string literal as Python's `json` writes it with `ensure_ascii=False`: quotes,
    /// backslashes and control characters escaped, everything else kept as is.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
