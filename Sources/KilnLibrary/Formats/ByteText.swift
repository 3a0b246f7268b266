/// Bytes as text: Python's repr of a bytes object, for error messages that quote a file's
/// bytes as Python's would (`b'\x93NUMPY'`, `b'PK\x03\x04'`, `b"it's"`), and hex (digests).

enum ByteText {
    /// `repr(bytes(b))`: single quotes unless the bytes hold a single quote and no double
    /// quote; `\t`, `\n`, `\r`, `\\` and the quote escaped; other bytes outside printable ASCII
    /// as `\xNN`.
    static func pythonRepr<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let quote: UInt8 = bytes.contains(0x27) && !bytes.contains(0x22) ? 0x22 : 0x27
        var text = "b" + String(UnicodeScalar(quote))
        for b in bytes {
            switch b {
            case quote, 0x5C: text += "\\" + String(UnicodeScalar(b))
            case 0x09: text += "\\t"
            case 0x0A: text += "\\n"
            case 0x0D: text += "\\r"
            case 0x20..<0x7F: text.append(Character(UnicodeScalar(b)))
            default: text += "\\x" + ByteText.hex([b])
            }
        }
        return text + String(UnicodeScalar(quote))
    }

    /// Bytes as lowercase hex.
    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
