/// Tokens produced by the `Lexer`: the words of a Kiln program, each with the position
/// (1-based line and column, counted in Unicode scalars) where it starts.

/// A place in a source text: 1-based line and column (column counted in Unicode scalars).
public struct Position: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Reserved words. `class`, `try`, `with`, … are reserved so that the parser can name the
/// unsupported construct instead of reporting a confusing syntax error.
public enum Keyword: String, CaseIterable, Sendable {
    case and, `as`, assert, `break`, `continue`, def, del, elif, `else`, `for`, from, `if`,
         `import`, `in`, `is`, lambda, not, or, pass, `return`, `while`
    case `true` = "True", `false` = "False", `none` = "None"
    // Python keywords Kiln does not support; the parser rejects them by name.
    case `class`, `try`, except, finally, raise, with, yield, global, nonlocal, async, await
}

/// Punctuation and operators.
public enum Punct: String, CaseIterable, Sendable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", semicolon = ";", dot = ".", arrow = "->"
    case assign = "="
    case plus = "+", minus = "-", star = "*", doubleStar = "**", slash = "/", doubleSlash = "//",
         percent = "%", at = "@", amp = "&", pipe = "|", caret = "^", tilde = "~",
         shiftLeft = "<<", shiftRight = ">>"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/=",
         doubleSlashAssign = "//=", percentAssign = "%=", doubleStarAssign = "**=",
         atAssign = "@=", ampAssign = "&=", pipeAssign = "|=", caretAssign = "^=",
         shiftLeftAssign = "<<=", shiftRightAssign = ">>="
}

/// One piece of an f-string as the lexer sees it: literal text, or a replacement field whose
/// expression is still source text (the parser parses it). `position` is where the
/// expression text starts in the original file, so errors inside it point at the right place.
public enum FStringPiece: Equatable, Sendable {
    case literal(String)
    /// `{expression!conversion:formatSpec}`; `conversion` is "r", "s" or "a" when present;
    /// `formatSpec` may itself contain replacement fields (`{x:{width}}`).
    /// `debugText` is set for the self-documenting form `{x=}` and holds `x=` (as written).
    case field(source: String, position: Position, conversion: Character?, formatSpec: [FStringPiece], debugText: String?)
}

public enum TokenKind: Equatable, Sendable {
    case name(String)
    case int(Int)
    case float(Double)
    case string(String)
    case fstring([FStringPiece])
    case keyword(Keyword)
    case punct(Punct)
    case newline
    case indent
    case dedent
    case eof
}

public struct Token: Equatable, Sendable {
    public var kind: TokenKind
    public var position: Position

    public init(_ kind: TokenKind, _ position: Position) {
        self.kind = kind
        self.position = position
    }
}
