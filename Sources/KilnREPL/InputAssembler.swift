/// How typed lines become one input (a cell), as IPython decides it.

import KilnLang

/// Collects the lines typed at the prompt until they form a complete input.
///
/// - A line whose brackets, triple-quoted string or backslash continuation are still open
///   continues the input.
/// - A line opening a block (a statement ending with `:`, as `def f():` or `for x in xs:`)
///   starts a block, which goes on until an empty line, as in IPython.
/// - Anything else is complete at the end of its line; so is a line magic (`%time …`).
/// - Text given in one piece with several lines (a recalled history entry, `%load`) is complete
///   unless a bracket or string is still open: the empty line that ends a typed block is not
///   needed.
public struct InputAssembler {
    /// The lines of the input so far.
    public private(set) var lines: [String] = []

    public init() {}

    /// Whether no line of an input has been given yet (the next prompt is `In [n]:`).
    public var isEmpty: Bool { lines.isEmpty }

    /// Adds a line (or several, joined by newlines) typed at the prompt. Returns the input's
    /// source once it is complete, without the empty lines that ended it, and starts afresh;
    /// nil while more lines are needed. Blank text on an empty input is ignored.
    public mutating func add(_ text: String) -> String? {
        let isChunk = text.contains("\n")
        if lines.isEmpty {
            if isBlank(text) { return nil }
            if !isChunk, text.drop(while: { $0 == " " || $0 == "\t" }).first == "%" {
                return text
            }
        }
        lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let source = trimmedSource()
        switch InputAssembler.state(of: source) {
        case .open:
            return nil
        case .block where !isChunk && !isBlank(lines[lines.count - 1]):
            return nil
        case .block, .complete:
            lines = []
            return source
        }
    }

    /// Forgets the lines given so far (Ctrl-C at a continuation prompt).
    public mutating func reset() { lines = [] }

    /// IPython's input prompt.
    public static func inputPrompt(_ count: Int) -> String { "In [\(count)]: " }

    /// IPython's continuation prompt: `...: ` right-aligned under the input prompt.
    public static func continuationPrompt(_ count: Int) -> String {
        String(repeating: " ", count: max(0, inputPrompt(count).count - 5)) + "...: "
    }

    /// IPython's output prompt.
    public static func outputPrompt(_ count: Int) -> String { "Out[\(count)]: " }

    /// Whether an input could end here.
    enum State: Equatable {
        /// A bracket, string or line continuation is open: the input cannot end.
        case open
        /// A block statement has begun: the input ends at an empty line.
        case block
        /// The input is complete (or has an error the interpreter will report).
        case complete
    }

    static func state(of source: String) -> State {
        var lexer = Lexer(source: source)
        let tokens: [Token]
        do {
            tokens = try lexer.tokenize()
        } catch let error as KilnError {
            return error.type == "SyntaxError" && isUnfinished(error.message) ? .open : .complete
        } catch {
            return .complete
        }
        for (token, next) in zip(tokens, tokens.dropFirst()) where token.kind == .punct(.colon) {
            if next.kind == .newline { return .block }
        }
        return .complete
    }

    /// Whether the lexer's error means the text stops in the middle of something.
    private static func isUnfinished(_ message: String) -> Bool {
        message.hasSuffix("was never closed")
            || message.hasPrefix("unterminated triple-quoted string literal")
            || message == "unexpected EOF while parsing"
    }

    private func isBlank(_ line: some StringProtocol) -> Bool {
        line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
    }

    /// The lines without trailing blank ones.
    private func trimmedSource() -> String {
        var end = lines.count
        while end > 0, isBlank(lines[end - 1]) { end -= 1 }
        return lines[..<end].joined(separator: "\n")
    }
}
