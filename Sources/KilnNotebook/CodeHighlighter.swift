/// Syntax highlighting of Kiln (Python-like) source for exported HTML.

import KilnLang

/// Marks up source code as HTML: keywords, strings, comments and numbers are wrapped in
/// `<span class="kw">`, `"str"`, `"com"` and `"num"`; all text is HTML-escaped. The scanner
/// never fails: an unterminated string runs to the end of its line (or, triple-quoted, of the
/// text), and anything it does not recognise is plain text.
enum CodeHighlighter {
    /// Kiln's reserved words (those it rejects by name included), as its lexer knows them.
    static let keywords = Set(Keyword.allCases.map(\.rawValue))

    static func html(_ source: String) -> String {
        let chars = Array(source)
        var out = ""
        var i = 0
        func span(_ kind: String, _ end: Int) {
            out += "<span class=\"\(kind)\">" + HTMLEscaping.escape(String(chars[i..<end])) + "</span>"
            i = end
        }
        while i < chars.count {
            let c = chars[i]
            if c == "#" {
                span("com", chars[i...].firstIndex(where: \.isNewline) ?? chars.count)
            } else if let end = stringEnd(chars, at: i) {
                span("str", end)
            } else if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
                span("num", numberEnd(chars, at: i))
            } else if c.isLetter || c == "_" {
                let end = chars[i...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? chars.count
                let word = String(chars[i..<end])
                if keywords.contains(word) {
                    span("kw", end)
                } else {
                    out += HTMLEscaping.escape(word)
                    i = end
                }
            } else {
                out += HTMLEscaping.escape(String(c))
                i += 1
            }
        }
        return out
    }

    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    /// If a string literal starts at `start` (a quote, or up to two prefix letters such as
    /// `f`, `rb` before one), the index just past it.
    private static func stringEnd(_ chars: [Character], at start: Int) -> Int? {
        var i = start
        while i < chars.count, i - start < 2, "rRbBfFuU".contains(chars[i]) { i += 1 }
        guard i < chars.count, chars[i] == "\"" || chars[i] == "'" else { return nil }
        let quote = chars[i]
        let triple = i + 2 < chars.count && chars[i + 1] == quote && chars[i + 2] == quote
        i += triple ? 3 : 1
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                i += 2
            } else if triple, c == quote, i + 2 < chars.count, chars[i + 1] == quote, chars[i + 2] == quote {
                return i + 3
            } else if !triple, c == quote {
                return i + 1
            } else if !triple, c.isNewline {
                return i
            } else {
                i += 1
            }
        }
        return chars.count
    }

    /// The index just past the number starting at `start`: digits, letters (hex digits,
    /// exponents, `j`), `_` and `.`, and a sign right after a decimal exponent.
    private static func numberEnd(_ chars: [Character], at start: Int) -> Int {
        let isHex = start + 1 < chars.count && chars[start] == "0" && (chars[start + 1] == "x" || chars[start + 1] == "X")
        var i = start
        while i < chars.count {
            let c = chars[i]
            if c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == ".") {
                i += 1
            } else if (c == "+" || c == "-") && !isHex && (chars[i - 1] == "e" || chars[i - 1] == "E") {
                i += 1
            } else {
                break
            }
        }
        return i
    }
}
