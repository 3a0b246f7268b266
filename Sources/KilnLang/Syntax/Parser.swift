/// The Kiln parser: turns the lexer's tokens into a `Program` (statements and expressions of
/// AST.swift) by recursive descent, following Python's grammar and precedence, and reports
/// Python-worded `SyntaxError`s at the offending token. This file holds the entry points, the
/// token cursor and the statements; ParserExpressions.swift holds the expressions.

/// Entry points of the parser.
public enum Parser {
    /// Parses a whole cell or file.
    public static func parse(_ source: String) throws -> Program {
        var lexer = Lexer(source: source)
        let tokens = try lexer.tokenize()
        var parser = TokenParser(tokens: tokens, source: source)
        return try parser.parseProgram()
    }

    /// Parses the expression of an f-string replacement field. `position` is where `source`
    /// starts in the original file; every position in the result (and in any error) points into
    /// that file: lines are offset, and columns too on the expression's first line.
    public static func parseExpression(_ source: String, at position: Position) throws -> Expr {
        try TokenParser.parseField(source, at: position, depth: 0)
    }
}

/// A set of token indices that survives the parser's backtracking (a reference).
final class TokenSet {
    var indices: Set<Int> = []
}

/// The parser's state: the token list, a cursor into it and the context the grammar needs
/// (nesting depth, whether we are inside a loop or a function).
struct TokenParser {
    /// Deepest nesting of brackets and nested expressions, as in CPython's tokenizer.
    static let maxNesting = 200
    /// Deepest nesting of indented blocks, as in CPython's tokenizer.
    static let maxBlockNesting = 100

    let tokens: [Token]
    /// The text the tokens came from (empty for an f-string field), for templates' text.
    let source: String
    /// The `{` tokens already found not to open a template, shared by the copies a parser
    /// makes to backtrack, so that nested `{{` are each tried once.
    let notTemplates = TokenSet()
    var index = 0
    /// Current nesting of brackets and recursive expressions (see `enter`).
    var depth: Int
    var blockDepth = 0
    /// Number of enclosing loops in the current function (for `break` / `continue`).
    var loopDepth = 0
    /// Number of enclosing `def`s (for `return`).
    var functionDepth = 0

    init(tokens: [Token], source: String = "", depth: Int = 0) {
        self.source = source
        if tokens.last?.kind == .eof {
            self.tokens = tokens
        } else {
            self.tokens = tokens + [Token(.eof, tokens.last?.position ?? Position(line: 1, column: 1))]
        }
        self.depth = depth
    }

    // MARK: - Token cursor

    var kind: TokenKind { tokens[index].kind }
    var position: Position { tokens[index].position }

    /// The token `offset` places ahead (the EOF token when past the end).
    func peek(_ offset: Int = 1) -> TokenKind {
        tokens[min(index + offset, tokens.count - 1)].kind
    }

    @discardableResult
    mutating func advance() -> Token {
        let current = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return current
    }

    func at(_ punct: Punct) -> Bool { kind == .punct(punct) }
    func at(_ keyword: Keyword) -> Bool { kind == .keyword(keyword) }

    mutating func accept(_ punct: Punct) -> Token? {
        at(punct) ? advance() : nil
    }

    mutating func accept(_ keyword: Keyword) -> Token? {
        at(keyword) ? advance() : nil
    }

    /// True at the end of a logical line.
    var atLineEnd: Bool { kind == .newline || kind == .eof }
    /// True where a simple statement ends.
    var atSimpleStatementEnd: Bool { atLineEnd || at(.semicolon) }

    /// Enters one more level of nesting; throws past `maxNesting` so that absurdly deep input
    /// is an error, not a stack overflow. Pair with `leave()`;
    /// `position` is that of the bracket or operator that opens the level.
    mutating func enter(at position: Position) throws {
        depth += 1
        if depth > Self.maxNesting {
            try fail("too many nested parentheses", at: position)
        }
    }

    mutating func leave() { depth -= 1 }

    // MARK: - Errors
    //
    // Errors are thrown by these helpers rather than built in the parsing functions, which
    // keeps those functions' stack frames small (deep nesting recurses through them).

    /// Throws a `SyntaxError` (or `type`, e.g. `IndentationError`) at `position`.
    func fail(type: String = "SyntaxError", _ message: String, at position: Position) throws -> Never {
        throw KilnError(type, message, at: position)
    }

    /// Throws the error for a token the grammar does not allow here.
    func failUnexpected() throws -> Never {
        switch kind {
        case .eof:
            try fail("unexpected EOF while parsing", at: position)
        case .indent:
            try fail(type: "IndentationError", "unexpected indent", at: position)
        case .dedent:
            try fail(type: "IndentationError", "unexpected unindent", at: position)
        case .keyword(let keyword):
            try fail(Self.unsupportedMessage(keyword) ?? "invalid syntax", at: position)
        case .punct(.at):
            try fail("decorators are not supported in Kiln", at: position)
        case .punct(.colon) where atWalrus:
            try fail("assignment expressions (:=) are not supported in Kiln", at: position)
        default:
            try fail("invalid syntax", at: position)
        }
    }

    /// The message for a Python keyword whose construct Kiln leaves out, nil for others.
    static func unsupportedMessage(_ keyword: Keyword) -> String? {
        switch keyword {
        case .class: return "classes are not supported in Kiln"
        case .try, .except, .finally: return "try/except is not supported in Kiln"
        case .raise: return "raise is not supported in Kiln"
        case .with: return "with statements are not supported in Kiln"
        case .yield: return "generators (yield) are not supported in Kiln"
        case .global, .nonlocal: return "global/nonlocal declarations are not supported in Kiln"
        case .async, .await: return "async is not supported in Kiln"
        default: return nil
        }
    }

    /// Consumes the closing bracket matching `opening`, or explains why it is missing.
    mutating func expectClosing(_ closing: Punct, opening: Token) throws {
        if accept(closing) != nil { return }
        if kind == .eof, case .punct(let open) = opening.kind {
            try fail("'\(open.rawValue)' was never closed", at: opening.position)
        }
        if startsExpression(kind) {
            try fail("invalid syntax. Perhaps you forgot a comma?", at: position)
        }
        try failUnexpected()
    }

    /// True at `:=` (lexed as `:` then `=`), which Kiln does not support.
    var atWalrus: Bool {
        guard at(.colon), case .punct(.assign) = peek() else { return false }
        let next = tokens[index + 1].position
        return next.line == position.line && next.column == position.column + 1
    }

    /// Consumes the `:` that opens a block.
    mutating func expectColon() throws {
        if atWalrus { try failUnexpected() }
        if accept(.colon) != nil { return }
        if at(.assign) {
            try fail("invalid syntax. Maybe you meant '==' instead of '='?", at: position)
        }
        try fail("expected ':'", at: position)
    }

    mutating func parseName() throws -> Identifier {
        guard case .name(let name) = kind else { try failUnexpected() }
        return Identifier(name, advance().position)
    }

    // MARK: - Program and blocks

    mutating func parseProgram() throws -> Program {
        var statements: [Stmt] = []
        while true {
            switch kind {
            case .newline: advance()
            case .eof: return Program(statements: statements)
            default: statements += try parseStatement()
            }
        }
    }

    /// One line's statements (several for `a = 1; b = 2`) or one compound statement.
    mutating func parseStatement() throws -> [Stmt] {
        switch kind {
        case .keyword(.if): return [try parseIf()]
        case .keyword(.for): return [try parseFor()]
        case .keyword(.while): return [try parseWhile()]
        case .keyword(.def): return [try parseDef()]
        default: return try parseSimpleStatements()
        }
    }

    /// `: body` where body is an indented block or simple statements on the same line.
    /// `construct` names the statement for the error message ("'if' statement").
    mutating func parseBlock(after construct: String, line: Int) throws -> [Stmt] {
        try expectColon()
        if kind != .newline && kind != .eof {
            return try parseSimpleStatements()
        }
        if kind == .newline { advance() }
        guard kind == .indent else {
            try fail(type: "IndentationError", "expected an indented block after \(construct) on line \(line)",
                     at: position)
        }
        blockDepth += 1
        if blockDepth > Self.maxBlockNesting {
            try fail(type: "IndentationError", "too many levels of indentation", at: position)
        }
        defer { blockDepth -= 1 }
        advance()
        var body: [Stmt] = []
        while kind != .dedent && kind != .eof {
            if kind == .newline {
                advance()
                continue
            }
            body += try parseStatement()
        }
        if kind == .dedent { advance() }
        return body
    }

    // MARK: - Compound statements

    mutating func parseIf() throws -> Stmt {
        let ifToken = advance()
        let condition = try parseTest()
        let body = try parseBlock(after: "'if' statement", line: ifToken.position.line)
        var branches: [(condition: Expr, body: [Stmt])] = [(condition, body)]
        var orElse: [Stmt]?
        while true {
            if let elifToken = accept(.elif) {
                let condition = try parseTest()
                let body = try parseBlock(after: "'elif' statement", line: elifToken.position.line)
                branches.append((condition, body))
            } else if let elseToken = accept(.else) {
                orElse = try parseBlock(after: "'else' statement", line: elseToken.position.line)
                break
            } else {
                break
            }
        }
        return .if(branches: branches, orElse: orElse, ifToken.position)
    }

    mutating func parseFor() throws -> Stmt {
        let forToken = advance()
        let target = try parseTargetList()
        try checkAssignable(target)
        guard accept(.in) != nil else { try failUnexpected() }
        let iterable = try parseStarExpressions()
        try rejectLoneStarred(iterable)
        let body = try parseLoopBody(after: "'for' statement", line: forToken.position.line)
        return .for(target: target, iterable: iterable, body: body, forToken.position)
    }

    mutating func parseWhile() throws -> Stmt {
        let whileToken = advance()
        let condition = try parseTest()
        let body = try parseLoopBody(after: "'while' statement", line: whileToken.position.line)
        return .while(condition: condition, body: body, whileToken.position)
    }

    /// A loop's block, inside which `break` and `continue` are allowed; rejects `for … else`.
    mutating func parseLoopBody(after construct: String, line: Int) throws -> [Stmt] {
        loopDepth += 1
        let body = try parseBlock(after: construct, line: line)
        loopDepth -= 1
        if at(.else) {
            try fail("'else' clauses on loops are not supported in Kiln", at: position)
        }
        return body
    }

    mutating func parseDef() throws -> Stmt {
        let defToken = advance()
        let name = try parseName()
        guard let open = accept(.lparen) else {
            try fail("expected '('", at: position)
        }
        let parameters = try parseParameters(closing: .rparen, annotations: true)
        try expectClosing(.rparen, opening: open)
        if accept(.arrow) != nil {
            _ = try parseTest()  // return annotation: accepted and ignored
        }
        let savedLoopDepth = loopDepth
        loopDepth = 0
        functionDepth += 1
        let body = try parseBlock(after: "function definition", line: defToken.position.line)
        functionDepth -= 1
        loopDepth = savedLoopDepth
        return .def(FunctionDef(name: name, parameters: parameters, body: body, position: defToken.position))
    }

    /// The parameter list of a `def` (up to `)`) or a `lambda` (up to `:`). Annotations
    /// (`x: int`) are accepted and ignored in a `def`.
    mutating func parseParameters(closing: Punct, annotations: Bool) throws -> [Parameter] {
        var parameters: [Parameter] = []
        var names = Set<String>()
        var kind = Parameter.Kind.positional
        var sawDefault = false
        var sawStar = false
        var sawKwargs = false
        var bareStar: Position?

        func name(_ parser: inout TokenParser) throws -> Identifier {
            let id = try parser.parseName()
            if !names.insert(id.name).inserted {
                try parser.fail("duplicate argument '\(id.name)' in function definition", at: id.position)
            }
            if annotations, parser.accept(.colon) != nil {
                _ = try parser.parseTest()
            }
            return id
        }

        while !at(closing) {
            let start = position
            if sawKwargs {
                try fail("arguments cannot follow var-keyword argument", at: start)
            }
            if accept(.star) != nil {
                if sawStar { try fail("* argument may appear only once", at: start) }
                sawStar = true
                kind = .keywordOnly
                if at(.comma) || at(closing) {
                    bareStar = start
                } else {
                    let id = try name(&self)
                    if at(.assign) {
                        try fail("var-positional argument cannot have default value", at: position)
                    }
                    parameters.append(Parameter(name: id, defaultValue: nil, kind: .varargs))
                }
            } else if accept(.doubleStar) != nil {
                let id = try name(&self)
                if at(.assign) {
                    try fail("var-keyword argument cannot have default value", at: position)
                }
                parameters.append(Parameter(name: id, defaultValue: nil, kind: .kwargs))
                sawKwargs = true
            } else if at(.slash) {
                try fail("positional-only parameters (/) are not supported in Kiln", at: start)
            } else {
                let id = try name(&self)
                var defaultValue: Expr?
                if accept(.assign) != nil {
                    defaultValue = try parseTest()
                    if kind == .positional { sawDefault = true }
                } else if kind == .positional && sawDefault {
                    try fail("non-default argument follows default argument", at: id.position)
                }
                if kind == .keywordOnly { bareStar = nil }
                parameters.append(Parameter(name: id, defaultValue: defaultValue, kind: kind))
            }
            if accept(.comma) == nil { break }
        }
        if let bareStar {
            try fail("named arguments must follow bare *", at: bareStar)
        }
        return parameters
    }

    // MARK: - Simple statements

    /// `stmt; stmt; …` up to the end of the line.
    mutating func parseSimpleStatements() throws -> [Stmt] {
        var statements = [try parseSimpleStatement()]
        while accept(.semicolon) != nil {
            if atLineEnd { break }
            statements.append(try parseSimpleStatement())
        }
        if kind == .newline {
            advance()
        } else if kind != .eof {
            try failUnexpected()
        }
        return statements
    }

    mutating func parseSimpleStatement() throws -> Stmt {
        let start = position
        switch kind {
        case .keyword(.pass):
            advance()
            return .pass(start)
        case .keyword(.break):
            advance()
            if loopDepth == 0 { try fail("'break' outside loop", at: start) }
            return .break(start)
        case .keyword(.continue):
            advance()
            if loopDepth == 0 { try fail("'continue' not properly in loop", at: start) }
            return .continue(start)
        case .keyword(.return):
            advance()
            if functionDepth == 0 { try fail("'return' outside function", at: start) }
            if atSimpleStatementEnd { return .return(nil, start) }
            let value = try parseStarExpressions()
            try rejectLoneStarred(value)
            return .return(value, start)
        case .keyword(.import):
            return try parseImport()
        case .keyword(.from):
            return try parseFromImport()
        case .keyword(.assert):
            advance()
            let condition = try parseTest()
            let message = accept(.comma) != nil ? try parseTest() : nil
            return .assert(condition, message: message, start)
        case .keyword(.del):
            advance()
            let targets = try deletionTargets(try parseTargetList())
            return .del(targets, start)
        default:
            return try parseExpressionStatement()
        }
    }

    /// An expression statement, an assignment (chain), an augmented or annotated assignment.
    mutating func parseExpressionStatement() throws -> Stmt {
        let first = try parseStarExpressions()
        if case .punct(let punct) = kind, let op = Self.augmentedOperator(punct) {
            let opToken = advance()
            try checkAugmentable(first)
            let value = try parseStarExpressions()
            try rejectLoneStarred(value)
            return .augmentedAssign(target: first, op: op, value: value, opToken.position)
        }
        if at(.colon) {
            return try parseAnnotatedAssignment(first)
        }
        guard at(.assign) else {
            try rejectLoneStarred(first)
            return .expression(first)
        }
        let assignPosition = position
        var targets = [first]
        while accept(.assign) != nil {
            targets.append(try parseStarExpressions())
        }
        let value = targets.removeLast()
        try rejectLoneStarred(value)
        for target in targets {
            try checkAssignable(target)
        }
        return .assign(targets: targets, value: value, assignPosition)
    }

    /// `target: annotation [= value]`: the annotation is parsed and ignored; without a value
    /// the statement does nothing.
    mutating func parseAnnotatedAssignment(_ target: Expr) throws -> Stmt {
        switch target {
        case .name, .attribute, .index, .slice: break
        case .tuple:
            try fail("only single target (not tuple) can be annotated", at: startPosition(of: target))
        case .list:
            try fail("only single target (not list) can be annotated", at: startPosition(of: target))
        default:
            try fail("illegal target for annotation", at: startPosition(of: target))
        }
        advance()
        _ = try parseTest()
        guard at(.assign) else { return .pass(startPosition(of: target)) }
        let assignPosition = advance().position
        let value = try parseStarExpressions()
        try rejectLoneStarred(value)
        return .assign(targets: [target], value: value, assignPosition)
    }

    static func augmentedOperator(_ punct: Punct) -> BinaryOp? {
        switch punct {
        case .plusAssign: return .add
        case .minusAssign: return .subtract
        case .starAssign: return .multiply
        case .slashAssign: return .divide
        case .doubleSlashAssign: return .floorDivide
        case .percentAssign: return .modulo
        case .doubleStarAssign: return .power
        case .atAssign: return .matmul
        case .ampAssign: return .bitAnd
        case .pipeAssign: return .bitOr
        case .caretAssign: return .bitXor
        case .shiftLeftAssign: return .shiftLeft
        case .shiftRightAssign: return .shiftRight
        default: return nil
        }
    }

    /// `import a.b.c as d, e`
    mutating func parseImport() throws -> Stmt {
        let importToken = advance()
        var names: [ImportName] = []
        repeat {
            let (path, start) = try parseDottedName()
            let alias = accept(.as) != nil ? try parseName() : nil
            let bound = alias ?? Identifier(path[0], start)
            names.append(ImportName(path: path, alias: alias, bound: bound, position: start))
        } while accept(.comma) != nil
        return .import(names, importToken.position)
    }

    /// `from a.b import x, y as z` or `from a.b import (x, y as z,)`
    mutating func parseFromImport() throws -> Stmt {
        let fromToken = advance()
        if at(.dot) {
            try fail("relative imports are not supported in Kiln", at: position)
        }
        let (module, _) = try parseDottedName()
        guard accept(.import) != nil else { try failUnexpected() }
        if at(.star) {
            try fail("wildcard imports are not supported in Kiln", at: position)
        }
        let open = accept(.lparen)
        var names: [(name: String, bound: Identifier)] = []
        while true {
            if open != nil && at(.rparen) && !names.isEmpty { break }
            let name = try parseName()
            let bound = accept(.as) != nil ? try parseName() : name
            names.append((name.name, bound))
            guard let comma = accept(.comma) else { break }
            if open == nil && atSimpleStatementEnd {
                try fail("trailing comma not allowed without surrounding parentheses", at: comma.position)
            }
        }
        if let open { try expectClosing(.rparen, opening: open) }
        return .fromImport(module: module, names: names, fromToken.position)
    }

    /// `a.b.c`: the names and the position of the first.
    mutating func parseDottedName() throws -> ([String], Position) {
        let first = try parseName()
        var path = [first.name]
        while accept(.dot) != nil {
            path.append(try parseName().name)
        }
        return (path, first.position)
    }

    // MARK: - Targets

    /// Checks that `target` can be assigned to (`=`, `for`, comprehension `for`).
    func checkAssignable(_ target: Expr) throws {
        switch target {
        case .name, .attribute, .index, .slice:
            return
        case .tuple(let items, _), .list(let items, _):
            var sawStar = false
            for item in items {
                if case .starred(let inner, let position) = item {
                    if sawStar {
                        try fail("multiple starred expressions in assignment", at: position)
                    }
                    sawStar = true
                    try checkAssignable(inner)
                } else {
                    try checkAssignable(item)
                }
            }
        case .starred(_, let position):
            try fail("starred assignment target must be in a list or tuple", at: position)
        default:
            try fail("cannot assign to \(Self.describe(target))", at: startPosition(of: target))
        }
    }

    func checkAugmentable(_ target: Expr) throws {
        switch target {
        case .name, .attribute, .index, .slice:
            return
        default:
            try fail("'\(Self.describe(target))' is an illegal expression for augmented assignment",
                                   at: startPosition(of: target))
        }
    }

    /// The targets of `del`, with tuples and lists of targets flattened.
    func deletionTargets(_ target: Expr) throws -> [Expr] {
        switch target {
        case .name, .attribute, .index, .slice:
            return [target]
        case .tuple(let items, _), .list(let items, _):
            return try items.flatMap { try deletionTargets($0) }
        default:
            try fail("cannot delete \(Self.describe(target))", at: startPosition(of: target))
        }
    }

    /// `*x` is only an item of a display or target list, never a value on its own.
    func rejectLoneStarred(_ expr: Expr) throws {
        if case .starred(_, let position) = expr {
            try fail("can't use starred expression here", at: position)
        }
    }

    /// How Python names an expression in "cannot assign to …" messages.
    static func describe(_ expr: Expr) -> String {
        switch expr {
        case .name: return "name"
        case .literal(.none, _): return "None"
        case .literal(.bool(let value), _): return value ? "True" : "False"
        case .literal: return "literal"
        case .fstring: return "f-string expression"
        case .unary, .binary, .boolean: return "expression"
        case .compare: return "comparison"
        case .conditional: return "conditional expression"
        case .call: return "function call"
        case .attribute: return "attribute"
        case .index, .slice: return "subscript"
        case .sliceItem: return "slice"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict literal"
        case .set: return "set display"
        case .comprehension(let c):
            switch c.kind {
            case .list: return "list comprehension"
            case .set: return "set comprehension"
            case .dict: return "dict comprehension"
            }
        case .lambda: return "lambda"
        case .starred: return "starred"
        case .template: return "Hyperas template"
        }
    }

    /// Where an expression's text starts (its leftmost token), for errors about the whole
    /// expression.
    func startPosition(of expr: Expr) -> Position {
        var expr = expr
        while true {
            switch expr {
            case .binary(_, let left, _, _), .boolean(_, let left, _, _), .call(let left, _, _),
                 .attribute(let left, _, _), .index(let left, _, _), .slice(let left, _, _, _, _),
                 .compare(let left, _), .conditional(_, let left, _, _):
                expr = left
            default:
                return expr.position
            }
        }
    }
}
