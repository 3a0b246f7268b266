/// What a complete input asks for: code to run, a magic, help, or the end of the session.

/// A complete input, classified as IPython reads it.
enum Input: Equatable {
    /// Kiln code for the interpreter.
    case code(String)
    /// `%name arguments`.
    case magic(name: String, arguments: String)
    /// `obj?`, `?obj`, `obj??` (the text between the marks; "" for a lone `?`).
    case help(String)
    /// `exit`, `quit`, `exit()` or `quit()` on their own, which IPython takes as leaving.
    case quit

    init(_ source: String) {
        let text = source.trimmingWhitespace
        if ["exit", "quit", "exit()", "quit()"].contains(text) {
            self = .quit
        } else if text.hasPrefix("%") {
            let nameEnd = text.firstIndex { $0 == " " || $0 == "\t" } ?? text.endIndex
            self = .magic(name: String(text[text.index(after: text.startIndex)..<nameEnd]),
                          arguments: String(text[nameEnd...]).trimmingWhitespace)
        } else if !text.contains("\n") && (text.hasPrefix("?") || text.hasSuffix("?")) {
            let inner = text.drop { $0 == "?" }.reversed().drop { $0 == "?" }.reversed()
            self = .help(String(inner).trimmingWhitespace)
        } else {
            self = .code(source)
        }
    }
}

extension StringProtocol {
    /// The text without spaces, tabs and newlines at either end.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
