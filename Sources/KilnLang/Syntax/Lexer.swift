/// The lexer: turns Kiln source text into `Token`s, following Python's tokenizer.
///
/// - Indentation: a stack of indentation widths gives INDENT and DEDENT tokens; every logical
///   line ends with NEWLINE; blank and comment-only lines give nothing; inside (), [] and {}
///   and after a backslash at the end of a line, lines are joined. Tabs are checked as Python
///   does: the indentation must compare the same way with tabs 8 columns wide and 1 column wide.
/// - Names (Unicode XID identifiers), keywords, 64-bit ints (decimal, 0x, 0o, 0b, with `_`),
///   floats, strings (quotes, triple quotes, r/u prefixes, escapes) and f-strings. An f-string
///   becomes a list of `FStringPiece`s whose expressions are kept as source text, with the
///   position of that text in the file, for the parser to lex with `tokenizeExpression`.
/// - Errors are `KilnError`s named and worded as Python's (`IndentationError: unexpected
///   indent`, `SyntaxError: unterminated string literal (detected at line 3)`), with a position.
///
/// Source text is handled as an array of Unicode scalars; columns count scalars, from 1.
/// Line endings `\r\n` and `\r` are read as `\n`.
public struct Lexer {
    private let s: [Unicode.Scalar]
    /// Index in `s` where each line starts (line `k + 1` starts at `lineStarts[k]`).
    private let lineStarts: [Int]
    /// Position of `s[0]`: (1, 1) for a file, elsewhere for an f-string expression.
    private let base: Position
    /// An expression fragment is lexed as if inside brackets: no NEWLINE, INDENT or DEDENT.
    private let isFragment: Bool

    private var i = 0
    private var tokens: [Token] = []
    /// Open brackets: the bracket and its index in `s`.
    private var brackets: [(bracket: Unicode.Scalar, index: Int)] = []
    /// Indentation widths of the open blocks, with tabs 8 columns wide and 1 column wide.
    private var indents: [(width: Int, altWidth: Int)] = [(0, 0)]
    /// Whether the current logical line has produced a token.
    private var lineHasTokens = false
    /// Whether the previous logical line ended with `:`, so that the next may be indented.
    private var indentAllowed = false

    /// A lexer for a whole file or cell; call `tokenize()` to read it.
    public init(source: String) {
        self.init(source: source, base: Position(line: 1, column: 1), isFragment: false)
    }

    private init(source: String, base: Position, isFragment: Bool) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.utf8.count)
        var starts = [0]
        var previousWasCR = false
        for c in source.unicodeScalars {
            if c == "\r" {
                scalars.append("\n")
                starts.append(scalars.count)
                previousWasCR = true
                continue
            }
            if c == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            scalars.append(c)
            if c == "\n" { starts.append(scalars.count) }
        }
        self.s = scalars
        self.lineStarts = starts
        self.base = base
        self.isFragment = isFragment
    }

    /// Lexes the expression of an f-string replacement field (`FStringPiece.field`'s
    /// `source`), giving its tokens positions in the original file (`position` is where the
    /// text starts there). Newlines are ignored as inside brackets; the last token is EOF.
    public static func tokenizeExpression(_ source: String, at position: Position) throws -> [Token] {
        var lexer = Lexer(source: source, base: position, isFragment: true)
        return try lexer.tokenize()
    }

    /// The tokens of the whole source, ending with NEWLINE (if the last line had tokens),
    /// the DEDENTs that close the open blocks, and EOF.
    public mutating func tokenize() throws -> [Token] {
        i = 0
        tokens = []
        tokens.reserveCapacity(s.count / 3 + 4)
        brackets = []
        indents = [(0, 0)]
        lineHasTokens = false
        indentAllowed = false
        let n = s.count
        var atLineStart = !isFragment

        while true {
            if atLineStart {
                if try beginLine() {
                    if i >= n { break }
                    continue
                }
                atLineStart = false
            }
            while i < n, s[i] == " " || s[i] == "\t" || s[i] == "\u{0C}" { i += 1 }
            guard i < n else { break }
            let c = s[i]
            switch c {
            case "\n":
                if !inBrackets {
                    endLogicalLine(at: i)
                    atLineStart = true
                }
                i += 1
            case "#":
                while i < n && s[i] != "\n" { i += 1 }
            case "\\":
                if i + 1 < n && s[i + 1] == "\n" {
                    i += 2
                } else if i + 1 >= n {
                    throw KilnError.syntax("unexpected EOF while parsing", at: pos(i))
                } else {
                    throw KilnError.syntax("unexpected character after line continuation character", at: pos(i))
                }
            case "'", "\"":
                try scanStringToken(start: i, quoteAt: i)
            case "0"..."9":
                try scanNumber()
            case "." where i + 1 < n && isDigit(s[i + 1]):
                try scanNumber()
            default:
                if isIdentStart(c) {
                    try scanNameOrPrefixedString()
                } else {
                    try scanPunct()
                }
            }
        }

        if let open = brackets.last {
            throw KilnError.syntax("'\(open.bracket)' was never closed", at: pos(open.index))
        }
        if !isFragment {
            endLogicalLine(at: n)
            while indents.count > 1 {
                indents.removeLast()
                tokens.append(Token(.dedent, pos(n)))
            }
        }
        tokens.append(Token(.eof, pos(n)))
        return tokens
    }

    // MARK: - Positions

    private var inBrackets: Bool { isFragment || !brackets.isEmpty }

    /// The position of `s[index]` (or of the end, for `index == s.count`).
    private func pos(_ index: Int) -> Position {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        let column = index - lineStarts[lo] + 1
        return lo == 0
            ? Position(line: base.line, column: base.column + column - 1)
            : Position(line: base.line + lo, column: column)
    }

    private func text(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(s[range]))
    }

    private mutating func emit(_ kind: TokenKind, at index: Int) {
        tokens.append(Token(kind, pos(index)))
        lineHasTokens = true
    }

    // MARK: - Lines and indentation

    private mutating func endLogicalLine(at index: Int) {
        guard lineHasTokens else { return }
        indentAllowed = tokens.last?.kind == .punct(.colon)
        tokens.append(Token(.newline, pos(index)))
        lineHasTokens = false
    }

    /// Reads the indentation at the start of a line. A blank or comment-only line is skipped
    /// (through its newline) and gives true; otherwise INDENT/DEDENTs are emitted.
    private mutating func beginLine() throws -> Bool {
        let n = s.count
        var width = 0
        var altWidth = 0
        while i < n {
            switch s[i] {
            case " ": width += 1; altWidth += 1
            case "\t": width = (width / 8 + 1) * 8; altWidth += 1
            case "\u{0C}": width = 0; altWidth = 0
            default: break
            }
            if s[i] != " " && s[i] != "\t" && s[i] != "\u{0C}" { break }
            i += 1
        }
        if i >= n { return true }
        if s[i] == "#" || s[i] == "\n" {
            while i < n && s[i] != "\n" { i += 1 }
            if i < n { i += 1 }
            return true
        }

        let here = pos(i)
        let top = indents[indents.count - 1]
        if width == top.width {
            if altWidth != top.altWidth { throw tabError(here) }
        } else if width > top.width {
            if altWidth <= top.altWidth { throw tabError(here) }
            if !indentAllowed { throw KilnError("IndentationError", "unexpected indent", at: here) }
            indents.append((width, altWidth))
            tokens.append(Token(.indent, here))
        } else {
            while indents.count > 1 && width < indents[indents.count - 1].width {
                indents.removeLast()
                tokens.append(Token(.dedent, here))
            }
            let level = indents[indents.count - 1]
            if width != level.width {
                throw KilnError("IndentationError", "unindent does not match any outer indentation level", at: here)
            }
            if altWidth != level.altWidth { throw tabError(here) }
        }
        indentAllowed = false
        return false
    }

    private func tabError(_ at: Position) -> KilnError {
        KilnError("TabError", "inconsistent use of tabs and spaces in indentation", at: at)
    }

    // MARK: - Names

    private static let keywords: [String: Keyword] =
        Dictionary(uniqueKeysWithValues: Keyword.allCases.map { ($0.rawValue, $0) })

    private func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }

    private func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 128 { return (v >= 97 && v <= 122) || (v >= 65 && v <= 90) || v == 95 }
        return c.properties.isXIDStart
    }

    private func isIdentContinue(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 128 { return (v >= 97 && v <= 122) || (v >= 65 && v <= 90) || v == 95 || (v >= 48 && v <= 57) }
        return c.properties.isXIDContinue
    }

    /// The end of the identifier starting at `start`.
    private func identEnd(_ start: Int) -> Int {
        var j = start + 1
        while j < s.count && isIdentContinue(s[j]) { j += 1 }
        return j
    }

    private mutating func scanNameOrPrefixedString() throws {
        let start = i
        let end = identEnd(start)
        if end < s.count, s[end] == "'" || s[end] == "\"", stringPrefix(start..<end) != nil {
            try scanStringToken(start: start, quoteAt: end)
            return
        }
        let name = text(start..<end)
        i = end
        if let keyword = Lexer.keywords[name] {
            emit(.keyword(keyword), at: start)
        } else {
            emit(.name(name), at: start)
        }
    }

    // MARK: - Numbers

    /// Reads `digit (_? digit)*` at `i`; an `_` not between two digits is an error.
    private mutating func scanDecimalDigits(numberStart: Int) throws {
        let n = s.count
        while i < n {
            if isDigit(s[i]) {
                i += 1
            } else if s[i] == "_" {
                guard i + 1 < n, isDigit(s[i + 1]) else {
                    throw KilnError.syntax("invalid decimal literal", at: pos(numberStart))
                }
                i += 2
            } else {
                break
            }
        }
    }

    private mutating func scanNumber() throws {
        let n = s.count
        let start = i
        if s[i] == "0", i + 1 < n, let radix = radixOf(s[i + 1]) {
            try scanPrefixedInteger(start: start, radix: radix)
            return
        }
        var isFloat = false
        if s[i] != "." { try scanDecimalDigits(numberStart: start) }
        if i < n && s[i] == "." {
            isFloat = true
            i += 1
            if i < n && isDigit(s[i]) { try scanDecimalDigits(numberStart: start) }
        }
        if i < n && (s[i] == "e" || s[i] == "E") {
            var j = i + 1
            if j < n && (s[j] == "+" || s[j] == "-") { j += 1 }
            guard j < n, isDigit(s[j]) else {
                throw KilnError.syntax("invalid decimal literal", at: pos(start))
            }
            i = j
            try scanDecimalDigits(numberStart: start)
            isFloat = true
        }
        if i < n && (s[i] == "j" || s[i] == "J") {
            throw KilnError.syntax("complex numbers are not supported in Kiln", at: pos(start))
        }
        if i < n && isIdentContinue(s[i]) {
            throw KilnError.syntax("invalid decimal literal", at: pos(start))
        }
        let written = text(start..<i)
        let digits = written.replacingUnderscores()
        if isFloat {
            guard let value = Double(digits) else {
                throw KilnError.syntax("invalid decimal literal", at: pos(start))
            }
            emit(.float(value), at: start)
            return
        }
        if digits.count > 1 && digits.first == "0" && digits.contains(where: { $0 != "0" }) {
            throw KilnError.syntax(
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                at: pos(start))
        }
        guard let value = Int(digits) else { throw overflow(written, at: start) }
        emit(.int(value), at: start)
    }

    private func hexValue(_ c: Unicode.Scalar) -> Int? {
        switch c {
        case "0"..."9": return Int(c.value) - 48
        case "a"..."f": return Int(c.value) - 87
        case "A"..."F": return Int(c.value) - 55
        default: return nil
        }
    }

    private func radixOf(_ c: Unicode.Scalar) -> Int? {
        switch c {
        case "x", "X": return 16
        case "o", "O": return 8
        case "b", "B": return 2
        default: return nil
        }
    }

    /// `0x…`, `0o…`, `0b…`: digits of the radix with single `_`s before or between them.
    private mutating func scanPrefixedInteger(start: Int, radix: Int) throws {
        let n = s.count
        let kind = radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary"
        let invalid = KilnError.syntax("invalid \(kind) literal", at: pos(start))
        i = start + 2
        var digits = ""
        var previousWasUnderscore = false
        while i < n {
            let c = s[i]
            if c == "_" {
                if previousWasUnderscore { throw invalid }
                previousWasUnderscore = true
            } else if let d = hexValue(c), d < radix {
                digits.unicodeScalars.append(c)
                previousWasUnderscore = false
            } else if isDigit(c) {
                throw KilnError.syntax("invalid digit '\(c)' in \(kind) literal", at: pos(i))
            } else {
                break
            }
            i += 1
        }
        if digits.isEmpty || previousWasUnderscore || (i < n && isIdentContinue(s[i])) { throw invalid }
        guard let value = Int(digits, radix: radix) else { throw overflow(text(start..<i), at: start) }
        emit(.int(value), at: start)
    }

    private func overflow(_ written: String, at index: Int) -> KilnError {
        KilnError("OverflowError", "integer literal too large: \(written) (Kiln ints are 64-bit)", at: pos(index))
    }

    // MARK: - Punctuation

    private mutating func scanPunct() throws {
        let c = s[i]
        let start = i
        func at(_ k: Int) -> Unicode.Scalar? { start + k < s.count ? s[start + k] : nil }
        var punct: Punct
        var length = 1
        switch c {
        case "(", "[", "{":
            brackets.append((c, start))
            punct = c == "(" ? .lparen : c == "[" ? .lbracket : .lbrace
        case ")", "]", "}":
            guard let open = brackets.popLast() else {
                throw KilnError.syntax("unmatched '\(c)'", at: pos(start))
            }
            let expected: Unicode.Scalar = open.bracket == "(" ? ")" : open.bracket == "[" ? "]" : "}"
            if c != expected {
                let openLine = pos(open.index).line
                let suffix = openLine == pos(start).line ? "" : " on line \(openLine)"
                throw KilnError.syntax(
                    "closing parenthesis '\(c)' does not match opening parenthesis '\(open.bracket)'\(suffix)",
                    at: pos(start))
            }
            punct = c == ")" ? .rparen : c == "]" ? .rbracket : .rbrace
        case ",": punct = .comma
        case ";": punct = .semicolon
        case ":": punct = .colon
        case ".": punct = .dot
        case "~": punct = .tilde
        case "=":
            if at(1) == "=" { punct = .eq; length = 2 } else { punct = .assign }
        case "!":
            guard at(1) == "=" else { throw KilnError.syntax("invalid syntax", at: pos(start)) }
            punct = .ne; length = 2
        case "-":
            if at(1) == ">" { punct = .arrow; length = 2 }
            else if at(1) == "=" { punct = .minusAssign; length = 2 }
            else { punct = .minus }
        case "+":
            if at(1) == "=" { punct = .plusAssign; length = 2 } else { punct = .plus }
        case "*", "/", "<", ">":
            // Operators that double: `**`, `//`, `<<`, `>>`, each with an `=` form.
            let forms: (Punct, Punct, Punct, Punct) =
                c == "*" ? (.star, .starAssign, .doubleStar, .doubleStarAssign) :
                c == "/" ? (.slash, .slashAssign, .doubleSlash, .doubleSlashAssign) :
                c == "<" ? (.lt, .le, .shiftLeft, .shiftLeftAssign) :
                (.gt, .ge, .shiftRight, .shiftRightAssign)
            if at(1) == c {
                if at(2) == "=" { punct = forms.3; length = 3 } else { punct = forms.2; length = 2 }
            } else if at(1) == "=" {
                punct = forms.1; length = 2
            } else {
                punct = forms.0
            }
        case "%", "@", "&", "|", "^":
            let forms: (Punct, Punct) =
                c == "%" ? (.percent, .percentAssign) :
                c == "@" ? (.at, .atAssign) :
                c == "&" ? (.amp, .ampAssign) :
                c == "|" ? (.pipe, .pipeAssign) : (.caret, .caretAssign)
            if at(1) == "=" { punct = forms.1; length = 2 } else { punct = forms.0 }
        default:
            throw invalidCharacter(c, at: start)
        }
        i = start + length
        emit(.punct(punct), at: start)
    }

    private func invalidCharacter(_ c: Unicode.Scalar, at index: Int) -> KilnError {
        var hex = String(c.value, radix: 16, uppercase: true)
        while hex.count < 4 { hex = "0" + hex }
        if c.value < 128 && c.value > 32 && c.value != 127 {
            return KilnError.syntax("invalid syntax", at: pos(index))
        }
        switch c.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .unassigned, .surrogate, .privateUse:
            return KilnError.syntax("invalid non-printable character U+\(hex)", at: pos(index))
        default:
            return KilnError.syntax("invalid character '\(c)' (U+\(hex))", at: pos(index))
        }
    }

    // MARK: - Strings

    /// What a string's prefix says: raw, f-string, bytes.
    private struct StringPrefix {
        var raw = false
        var format = false
        var bytes = false
    }

    /// The meaning of the letters in `range` as a string prefix, or nil if they are not one.
    private func stringPrefix(_ range: Range<Int>) -> StringPrefix? {
        guard range.count <= 2 else { return nil }
        var prefix = StringPrefix()
        var unicode = false
        for k in range {
            switch s[k] {
            case "r", "R": if prefix.raw { return nil }; prefix.raw = true
            case "f", "F": if prefix.format { return nil }; prefix.format = true
            case "b", "B": if prefix.bytes { return nil }; prefix.bytes = true
            case "u", "U": unicode = true
            default: return nil
            }
        }
        if unicode && range.count > 1 { return nil }
        if prefix.format && prefix.bytes { return nil }
        return prefix
    }

    /// A string literal being read: where its token starts, its quote and kind.
    private struct StringContext {
        var start: Int
        var quote: Unicode.Scalar
        var triple: Bool
        var raw: Bool
        /// Index of the first character after the opening quote(s).
        var contentStart: Int
    }

    private mutating func scanStringToken(start: Int, quoteAt: Int) throws {
        var j = start
        let kind = try readString(start: start, quoteAt: quoteAt, end: &j)
        i = j
        emit(kind, at: start)
    }

    /// Reads the string literal whose prefix starts at `start` and whose opening quote is at
    /// `quoteAt`; `end` is set just past the closing quote.
    private func readString(start: Int, quoteAt: Int, end: inout Int) throws -> TokenKind {
        let prefix = stringPrefix(start..<quoteAt) ?? StringPrefix()
        if prefix.bytes {
            throw KilnError.syntax("bytes literals are not supported in Kiln", at: pos(start))
        }
        let q = s[quoteAt]
        let triple = quoteAt + 2 < s.count && s[quoteAt + 1] == q && s[quoteAt + 2] == q
        let contentStart = quoteAt + (triple ? 3 : 1)
        let ctx = StringContext(start: start, quote: q, triple: triple, raw: prefix.raw, contentStart: contentStart)
        var j = contentStart
        let kind: TokenKind = prefix.format
            ? .fstring(try readFStringPieces(ctx, &j, inSpec: false, nesting: 0))
            : .string(try readStringBody(ctx, &j))
        end = j
        return kind
    }

    /// Whether the closing quote(s) of `ctx` are at `j`.
    private func isClosingQuote(_ ctx: StringContext, _ j: Int) -> Bool {
        guard s[j] == ctx.quote else { return false }
        return !ctx.triple || (j + 2 < s.count && s[j + 1] == ctx.quote && s[j + 2] == ctx.quote)
    }

    private func unterminated(_ ctx: StringContext, detectedAt j: Int) -> KilnError {
        var line = pos(j).line
        if j >= s.count && j > 0 && s[j - 1] == "\n" { line = pos(j - 1).line }
        let what = ctx.triple ? "triple-quoted string literal" : "string literal"
        return KilnError.syntax("unterminated \(what) (detected at line \(line))", at: pos(ctx.start))
    }

    private func readStringBody(_ ctx: StringContext, _ j: inout Int) throws -> String {
        var out = String.UnicodeScalarView()
        let n = s.count
        while true {
            guard j < n else { throw unterminated(ctx, detectedAt: j) }
            let c = s[j]
            if c == ctx.quote && isClosingQuote(ctx, j) {
                j += ctx.triple ? 3 : 1
                return String(out)
            }
            if c == "\n" && !ctx.triple { throw unterminated(ctx, detectedAt: j) }
            if c == "\\" {
                try readBackslash(ctx, &j, into: &out, inFString: false)
            } else {
                out.append(c)
                j += 1
            }
        }
    }

    /// Reads the backslash at `j` and what it escapes. In raw strings the backslash is kept
    /// with the next character (which then cannot close the string). Unknown escapes are kept
    /// as written. In f-strings a backslash before `{` or `}` leaves the brace to be read.
    private func readBackslash(_ ctx: StringContext, _ j: inout Int, into out: inout String.UnicodeScalarView,
                               inFString: Bool) throws {
        let n = s.count
        let backslash = j
        j += 1
        guard j < n else {
            out.append("\\")
            return
        }
        let c = s[j]
        if ctx.raw {
            out.append("\\")
            if !(inFString && (c == "{" || c == "}")) {
                out.append(c)
                j += 1
            }
            return
        }
        func fail(_ what: String, through last: Int) -> KilnError {
            let from = backslash - ctx.contentStart
            let to = last - ctx.contentStart
            return KilnError.syntax(
                "(unicode error) 'unicodeescape' codec can't decode bytes in position \(from)-\(to): \(what)",
                at: pos(ctx.start))
        }
        func hexDigits(_ count: Int, _ what: String) throws -> UInt32 {
            var value: UInt32 = 0
            for k in 0..<count {
                guard j + 1 + k < n, let d = hexValue(s[j + 1 + k]) else {
                    throw fail("truncated \(what) escape", through: j + k)
                }
                value = value * 16 + UInt32(d)
            }
            return value
        }
        switch c {
        case "\n": j += 1
        case "\\", "'", "\"": out.append(c); j += 1
        case "n": out.append("\n"); j += 1
        case "r": out.append("\r"); j += 1
        case "t": out.append("\t"); j += 1
        case "a": out.append("\u{07}"); j += 1
        case "b": out.append("\u{08}"); j += 1
        case "f": out.append("\u{0C}"); j += 1
        case "v": out.append("\u{0B}"); j += 1
        case "0"..."7":
            var value: UInt32 = 0
            var k = j
            while k < n && k < j + 3, s[k].value >= 48 && s[k].value <= 55 {
                value = value * 8 + (s[k].value - 48)
                k += 1
            }
            out.append(Unicode.Scalar(value)!)
            j = k
        case "x", "u", "U":
            let count = c == "x" ? 2 : c == "u" ? 4 : 8
            let what = c == "x" ? "\\xXX" : c == "u" ? "\\uXXXX" : "\\UXXXXXXXX"
            let value = try hexDigits(count, what)
            guard let scalar = Unicode.Scalar(value) else {
                throw fail("illegal Unicode character", through: j + count)
            }
            out.append(scalar)
            j += 1 + count
        case "N":
            guard j + 1 < n, s[j + 1] == "{" else { throw fail("malformed \\N character escape", through: j) }
            var k = j + 2
            while k < n && s[k] != "}" && s[k] != "\n" && !isClosingQuote(ctx, k) { k += 1 }
            guard k < n, s[k] == "}", k > j + 2 else { throw fail("malformed \\N character escape", through: min(k, n - 1)) }
            guard let scalar = Lexer.scalar(named: text(j + 2..<k)) else {
                throw fail("unknown Unicode character name", through: k)
            }
            out.append(scalar)
            j = k + 1
        default:
            // Unknown escape: keep the backslash; the next character is read as usual.
            out.append("\\")
        }
    }

    /// The scalar with this Unicode name (or name alias), as `\N{…}` names it.
    private static func scalar(named name: String) -> Unicode.Scalar? {
        let wanted = name.uppercased()
        for v in UInt32(0x20)...0x10FFFF {
            guard let c = Unicode.Scalar(v) else { continue }
            if c.properties.name == wanted || c.properties.nameAlias == wanted { return c }
        }
        return nil
    }

    // MARK: - f-strings

    /// Reads f-string text up to the closing quote (or, in a format spec, up to the `}` that
    /// ends the spec, which is left for the caller).
    private func readFStringPieces(_ ctx: StringContext, _ j: inout Int, inSpec: Bool, nesting: Int) throws -> [FStringPiece] {
        let n = s.count
        var pieces: [FStringPiece] = []
        var literal = String.UnicodeScalarView()
        func flush() {
            if !literal.isEmpty {
                pieces.append(.literal(String(literal)))
                literal = String.UnicodeScalarView()
            }
        }
        while true {
            guard j < n else { throw unterminated(ctx, detectedAt: j) }
            let c = s[j]
            if c == ctx.quote && isClosingQuote(ctx, j) {
                if inSpec { throw KilnError.syntax("f-string: expecting '}'", at: pos(j)) }
                j += ctx.triple ? 3 : 1
                flush()
                return pieces
            }
            switch c {
            case "\n" where !ctx.triple:
                throw unterminated(ctx, detectedAt: j)
            case "{":
                if !inSpec && j + 1 < n && s[j + 1] == "{" {
                    literal.append("{")
                    j += 2
                } else {
                    flush()
                    j += 1
                    pieces.append(try readField(ctx, &j, nesting: nesting))
                }
            case "}":
                if inSpec {
                    flush()
                    return pieces
                }
                guard j + 1 < n && s[j + 1] == "}" else {
                    throw KilnError.syntax("f-string: single '}' is not allowed", at: pos(j))
                }
                literal.append("}")
                j += 2
            case "\\":
                try readBackslash(ctx, &j, into: &literal, inFString: true)
            default:
                literal.append(c)
                j += 1
            }
        }
    }

    /// Reads a replacement field; `j` is just past its `{` and ends just past its `}`.
    private func readField(_ ctx: StringContext, _ j: inout Int, nesting: Int) throws -> FStringPiece {
        let n = s.count
        let open = j - 1
        if nesting >= 2 { throw KilnError.syntax("f-string: expressions nested too deeply", at: pos(open)) }
        let exprStart = j
        var depth = 0
        scan: while true {
            guard j < n else { throw unterminated(ctx, detectedAt: j) }
            let c = s[j]
            let next: Unicode.Scalar? = j + 1 < n ? s[j + 1] : nil
            switch c {
            case "\n":
                if !ctx.triple { throw unterminated(ctx, detectedAt: j) }
                j += 1
            case "'", "\"":
                if depth == 0 && c == ctx.quote && isClosingQuote(ctx, j) {
                    throw KilnError.syntax("f-string: expecting '}'", at: pos(j))
                }
                _ = try readString(start: j, quoteAt: j, end: &j)
            case "(", "[", "{":
                depth += 1
                j += 1
            case ")", "]":
                if depth == 0 { throw KilnError.syntax("f-string: unmatched '\(c)'", at: pos(j)) }
                depth -= 1
                j += 1
            case "}":
                if depth == 0 { break scan }
                depth -= 1
                j += 1
            case "!":
                if next == "=" { j += 2 } else if depth == 0 { break scan } else { j += 1 }
            case "=":
                if next == "=" { j += 2 } else if depth == 0 { break scan } else { j += 1 }
            case "<", ">":
                j += next == "=" ? 2 : 1
            case ":":
                if depth == 0 { break scan }
                j += 1
            case "#":
                throw KilnError.syntax("f-string expression part cannot include '#'", at: pos(j))
            case "\\":
                throw KilnError.syntax("f-string expression part cannot include a backslash", at: pos(j))
            default:
                if isIdentStart(c) {
                    let end = identEnd(j)
                    if end < n, s[end] == "'" || s[end] == "\"", stringPrefix(j..<end) != nil {
                        _ = try readString(start: j, quoteAt: end, end: &j)
                    } else {
                        j = end
                    }
                } else {
                    j += 1
                }
            }
        }

        let source = text(exprStart..<j)
        if source.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\u{0C}" }) {
            throw KilnError.syntax("f-string: empty expression not allowed", at: pos(open))
        }
        var debugText: String?
        if s[j] == "=" {
            j += 1
            while j < n && (s[j] == " " || s[j] == "\t" || (s[j] == "\n" && ctx.triple)) { j += 1 }
            debugText = text(exprStart..<j)
        }
        var conversion: Character?
        if j < n && s[j] == "!" {
            j += 1
            guard j < n, isIdentStart(s[j]) else {
                throw KilnError.syntax("f-string: missing conversion character", at: pos(j))
            }
            let end = identEnd(j)
            let name = text(j..<end)
            guard name == "r" || name == "s" || name == "a" else {
                throw KilnError.syntax(
                    "f-string: invalid conversion character '\(name)': expected 's', 'r', or 'a'", at: pos(j))
            }
            conversion = Character(name)
            j = end
        }
        var spec: [FStringPiece] = []
        if j < n && s[j] == ":" {
            j += 1
            spec = try readFStringPieces(ctx, &j, inSpec: true, nesting: nesting + 1)
        }
        guard j < n else { throw unterminated(ctx, detectedAt: j) }
        guard s[j] == "}" else {
            if s[j] == "\n" && !ctx.triple { throw unterminated(ctx, detectedAt: j) }
            throw KilnError.syntax("f-string: expecting '}'", at: pos(j))
        }
        j += 1
        return .field(source: source, position: pos(exprStart), conversion: conversion,
                      formatSpec: spec, debugText: debugText)
    }
}

private extension String {
    func replacingUnderscores() -> String {
        var out = String.UnicodeScalarView()
        for c in unicodeScalars where c != "_" { out.append(c) }
        return String(out)
    }
}
