/// Parsing Hyperas templates: `{{ expr }}`, two adjacent `{` and two adjacent `}` around one
/// expression. In Python such text is a set holding a set (or a dict), which can never run
/// (sets are unhashable), so reading it as a template takes nothing away; text that opens
/// with `{{` but is not one expression closed by `}}` (`{{1, 2}.pop()}`) is read as a brace
/// display, as before, and so is `{ {1} }` with a space between the braces.

extension TokenParser {
    /// A template at the current `{`, or nil (with the cursor unmoved) when there is none.
    mutating func parseTemplate() throws -> Expr? {
        let openIndex = index
        guard !notTemplates.indices.contains(openIndex), openIndex + 1 < tokens.count, case .punct(.lbrace) = tokens[openIndex + 1].kind,
              Self.adjacent(tokens[openIndex], tokens[openIndex + 1]) else { return nil }
        let saved = self
        advance()
        advance()
        try enter(at: tokens[openIndex].position)
        guard let body = try? parseTest(), at(.rbrace), case .punct(.rbrace) = peek(),
              Self.adjacent(tokens[index], tokens[index + 1]) else {
            self = saved
            notTemplates.indices.insert(openIndex)
            return nil
        }
        leave()
        let close = advance()
        advance()
        let start = tokens[openIndex + 1].position
        let text = sourceText(from: Position(line: start.line, column: start.column + 1), to: close.position)
        return .template(Template(body: body, source: text, context: contextName(before: openIndex), position: tokens[openIndex].position))
    }

    /// True when `b` starts right after the one-character token `a`.
    static func adjacent(_ a: Token, _ b: Token) -> Bool {
        a.position.line == b.position.line && a.position.column + 1 == b.position.column
    }

    /// The name Hyperas gives a template from the text before it: the name just before a `(`
    /// or `=` that precedes the template (`Dense({{…}}`, `rate={{…}}`, `x = {{…}}`).
    func contextName(before tokenIndex: Int) -> String? {
        guard tokenIndex >= 2 else { return nil }
        switch tokens[tokenIndex - 1].kind {
        case .punct(.lparen), .punct(.assign):
            if case .name(let name) = tokens[tokenIndex - 2].kind { return name }
            return nil
        default:
            return nil
        }
    }

    /// The source text from `start` up to (not including) `end`; columns count Unicode scalars.
    func sourceText(from start: Position, to end: Position) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard start.line >= 1, end.line <= lines.count, start.line <= end.line else { return "" }
        var text = String.UnicodeScalarView()
        for line in start.line...end.line {
            let scalars = Array(lines[line - 1].unicodeScalars)
            let from = line == start.line ? min(start.column - 1, scalars.count) : 0
            let to = line == end.line ? min(max(end.column - 1, from), scalars.count) : scalars.count
            text.append(contentsOf: scalars[from..<to])
            if line != end.line { text.append("\n") }
        }
        return String(text)
    }
}
