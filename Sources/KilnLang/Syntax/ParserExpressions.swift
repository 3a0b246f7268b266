/// Expressions for the Kiln parser, lowest precedence first as in Python's grammar:
/// lambda < `x if c else y` < or < and < not < comparisons < | < ^ < & < shifts < + - <
/// * / // % @ < unary + - ~ < ** < primaries (call, attribute, subscript) < atoms (names,
/// literals, strings and f-strings, displays and comprehensions). Also the parsing of f-string
/// replacement fields, whose positions are shifted to point into the original file.

extension TokenParser {
    // MARK: - Lists of expressions

    /// Whether a token can start an expression (used after a trailing comma).
    func startsExpression(_ kind: TokenKind) -> Bool {
        switch kind {
        case .name, .int, .float, .string, .fstring:
            return true
        case .keyword(let keyword):
            return [.true, .false, .none, .not, .lambda].contains(keyword)
        case .punct(let punct):
            return [.lparen, .lbracket, .lbrace, .minus, .plus, .tilde, .star].contains(punct)
        default:
            return false
        }
    }

    /// `a, *b, c` (Python's star_expressions): a tuple when there is a comma, else the single
    /// expression (possibly a lone `.starred`, which callers reject where it is not allowed).
    mutating func parseStarExpressions() throws -> Expr {
        let start = position
        let first = try parseStarOrTest()
        guard at(.comma) else { return first }
        var items = [first]
        while accept(.comma) != nil {
            if !startsExpression(kind) { break }
            items.append(try parseStarOrTest())
        }
        return .tuple(items, start)
    }

    /// A target list of `for` and `del` (Python's star_targets): items stop before `in`.
    mutating func parseTargetList() throws -> Expr {
        let start = position
        let first = try parseStarOrBitOr()
        guard at(.comma) else { return first }
        var items = [first]
        while accept(.comma) != nil {
            if !startsExpression(kind) { break }
            items.append(try parseStarOrBitOr())
        }
        return .tuple(items, start)
    }

    /// `*x` or an expression (an item of a display or of a star_expressions list).
    mutating func parseStarOrTest() throws -> Expr {
        if let star = accept(.star) {
            return .starred(try parseBinary(minPrecedence: 1), star.position)
        }
        return try parseTest()
    }

    mutating func parseStarOrBitOr() throws -> Expr {
        if let star = accept(.star) {
            return .starred(try parseBinary(minPrecedence: 1), star.position)
        }
        return try parseBinary(minPrecedence: 1)
    }

    // MARK: - Precedence levels

    /// A full expression: lambda, conditional or lower.
    mutating func parseTest() throws -> Expr {
        if at(.lambda) { return try parseLambda() }
        let then = try parseOrTest()
        guard let ifToken = accept(.if) else { return then }
        try enter(at: ifToken.position)
        defer { leave() }
        let condition = try parseOrTest()
        guard accept(.else) != nil else {
            try fail("expected 'else' after 'if' expression", at: position)
        }
        let otherwise = try parseTest()
        return .conditional(condition: condition, then: then, otherwise: otherwise, ifToken.position)
    }

    /// `lambda a, b=1, *c, **d: body`: a function whose body returns `body`.
    mutating func parseLambda() throws -> Expr {
        let lambdaToken = advance()
        try enter(at: lambdaToken.position)
        defer { leave() }
        let parameters = try parseParameters(closing: .colon, annotations: false)
        guard accept(.colon) != nil else { try fail("expected ':'", at: position) }
        let bodyStart = position
        let body = try parseTest()
        return .lambda(FunctionDef(name: nil, parameters: parameters, body: [.return(body, bodyStart)],
                                   position: lambdaToken.position))
    }

    mutating func parseOrTest() throws -> Expr {
        var left = try parseAndTest()
        while let orToken = accept(.or) {
            let right = try parseAndTest()
            left = .boolean(.or, left, right, orToken.position)
        }
        return left
    }

    mutating func parseAndTest() throws -> Expr {
        var left = try parseNotTest()
        while let andToken = accept(.and) {
            let right = try parseNotTest()
            left = .boolean(.and, left, right, andToken.position)
        }
        return left
    }

    mutating func parseNotTest() throws -> Expr {
        guard let notToken = accept(.not) else { return try parseComparison() }
        try enter(at: notToken.position)
        defer { leave() }
        return .unary(.not, try parseNotTest(), notToken.position)
    }

    /// `a < b <= c`, `x in y`, `x not in y`, `x is y`, `x is not y`: one chained comparison.
    mutating func parseComparison() throws -> Expr {
        let first = try parseBinary(minPrecedence: 1)
        var rest: [(CompareOp, Expr, Position)] = []
        while let (op, opPosition) = acceptComparisonOperator() {
            rest.append((op, try parseBinary(minPrecedence: 1), opPosition))
        }
        return rest.isEmpty ? first : .compare(first, rest)
    }

    mutating func acceptComparisonOperator() -> (CompareOp, Position)? {
        let start = position
        switch kind {
        case .punct(.eq): advance(); return (.eq, start)
        case .punct(.ne): advance(); return (.ne, start)
        case .punct(.lt): advance(); return (.lt, start)
        case .punct(.le): advance(); return (.le, start)
        case .punct(.gt): advance(); return (.gt, start)
        case .punct(.ge): advance(); return (.ge, start)
        case .keyword(.in): advance(); return (.in, start)
        case .keyword(.not) where peek() == .keyword(.in):
            advance()
            advance()
            return (.notIn, start)
        case .keyword(.is):
            advance()
            return accept(.not) != nil ? (.isNot, start) : (.is, start)
        default:
            return nil
        }
    }

    /// The binary operators between comparisons and unary operators, with their precedence
    /// (higher binds tighter). `**` is handled by `parsePower`.
    static func binaryOperator(_ kind: TokenKind) -> (BinaryOp, Int)? {
        guard case .punct(let punct) = kind else { return nil }
        switch punct {
        case .pipe: return (.bitOr, 1)
        case .caret: return (.bitXor, 2)
        case .amp: return (.bitAnd, 3)
        case .shiftLeft: return (.shiftLeft, 4)
        case .shiftRight: return (.shiftRight, 4)
        case .plus: return (.add, 5)
        case .minus: return (.subtract, 5)
        case .star: return (.multiply, 6)
        case .slash: return (.divide, 6)
        case .doubleSlash: return (.floorDivide, 6)
        case .percent: return (.modulo, 6)
        case .at: return (.matmul, 6)
        default: return nil
        }
    }

    /// Left-associative binary operators by precedence climbing: operands bind at least as
    /// tightly as `minPrecedence`.
    mutating func parseBinary(minPrecedence: Int) throws -> Expr {
        var left = try parseFactor()
        while let (op, precedence) = Self.binaryOperator(kind), precedence >= minPrecedence {
            let opToken = advance()
            let right = try parseBinary(minPrecedence: precedence + 1)
            left = .binary(op, left, right, opToken.position)
        }
        return left
    }

    /// Unary `+x`, `-x`, `~x`.
    mutating func parseFactor() throws -> Expr {
        let op: UnaryOp
        switch kind {
        case .punct(.minus): op = .minus
        case .punct(.plus): op = .plus
        case .punct(.tilde): op = .invert
        default: return try parsePower()
        }
        let opToken = advance()
        try enter(at: opToken.position)
        defer { leave() }
        return .unary(op, try parseFactor(), opToken.position)
    }

    /// `base ** exponent`: right-associative, and the exponent may carry a unary sign
    /// (`2 ** -1`), while `-2 ** 2` is `-(2 ** 2)`.
    mutating func parsePower() throws -> Expr {
        let base = try parsePrimary()
        guard let opToken = accept(.doubleStar) else { return base }
        try enter(at: opToken.position)
        defer { leave() }
        return .binary(.power, base, try parseFactor(), opToken.position)
    }

    // MARK: - Primaries

    /// An atom followed by calls, attributes and subscripts.
    mutating func parsePrimary() throws -> Expr {
        var expr = try parseAtom()
        while true {
            switch kind {
            case .punct(.lparen):
                expr = try parseCall(expr)
            case .punct(.lbracket):
                expr = try parseSubscript(expr)
            case .punct(.dot):
                advance()
                guard case .name(let name) = kind else { try failUnexpected() }
                expr = .attribute(expr, name, advance().position)
            default:
                return expr
            }
        }
    }

    /// `f(a, k=v, *args, **kwargs)` or `f(x for x in xs)`.
    mutating func parseCall(_ callee: Expr) throws -> Expr {
        let open = advance()
        try enter(at: open.position)
        defer { leave() }
        var arguments: [Argument] = []
        var keywords = Set<String>()
        var sawKeyword = false
        var sawKeywordUnpacking = false
        while !at(.rparen) {
            let start = position
            if accept(.star) != nil {
                if sawKeywordUnpacking {
                    try fail("iterable argument unpacking follows keyword argument unpacking", at: start)
                }
                arguments.append(.star(try parseTest()))
            } else if accept(.doubleStar) != nil {
                arguments.append(.starStar(try parseTest()))
                sawKeywordUnpacking = true
            } else {
                let value = try parseTest()
                if at(.assign) {
                    guard case .name(let id) = value else {
                        try fail("expression cannot contain assignment, perhaps you meant \"==\"?", at: start)
                    }
                    advance()
                    let argument = try parseTest()
                    if !keywords.insert(id.name).inserted {
                        try fail("keyword argument repeated: \(id.name)", at: id.position)
                    }
                    arguments.append(.keyword(id.name, argument, id.position))
                    sawKeyword = true
                } else if at(.for) {
                    let generator = try parseComprehension(.list, body: value, value: nil, at: open.position)
                    if !arguments.isEmpty || !at(.rparen) {
                        try fail("Generator expression must be parenthesized", at: startPosition(of: value))
                    }
                    arguments.append(.positional(generator))
                } else {
                    if sawKeywordUnpacking {
                        try fail("positional argument follows keyword argument unpacking", at: start)
                    }
                    if sawKeyword {
                        try fail("positional argument follows keyword argument", at: start)
                    }
                    arguments.append(.positional(value))
                }
            }
            if accept(.comma) == nil { break }
        }
        try expectClosing(.rparen, opening: open)
        return .call(callee, arguments, open.position)
    }

    /// One item of a subscript: an expression or a slice `lower:upper:step`.
    enum SubscriptItem {
        case expr(Expr)
        case slice(lower: Expr?, upper: Expr?, step: Expr?, Position)
    }

    /// `x[i]`, `x[a:b:c]`, `x[i, j]` (index by the tuple `(i, j)`), `x[a:b, j]` (a tuple holding a slice).
    mutating func parseSubscript(_ object: Expr) throws -> Expr {
        let open = advance()
        try enter(at: open.position)
        defer { leave() }
        let start = position
        var items = [try parseSubscriptItem()]
        var sawComma = false
        while accept(.comma) != nil {
            sawComma = true
            if at(.rbracket) { break }
            items.append(try parseSubscriptItem())
        }
        try expectClosing(.rbracket, opening: open)
        if !sawComma {
            switch items[0] {
            case .expr(let index):
                return .index(object, index, open.position)
            case .slice(let lower, let upper, let step, _):
                return .slice(object, lower: lower, upper: upper, step: step, open.position)
            }
        }
        let elements: [Expr] = items.map { item in
            switch item {
            case .expr(let element):
                return element
            case .slice(let lower, let upper, let step, let position):
                return .sliceItem(lower: lower, upper: upper, step: step, position)
            }
        }
        return .index(object, .tuple(elements, start), open.position)
    }

    mutating func parseSubscriptItem() throws -> SubscriptItem {
        let start = position
        var lower: Expr?
        if !at(.colon) {
            let index = try parseTest()
            guard at(.colon) else { return .expr(index) }
            lower = index
        }
        advance()
        var upper: Expr?
        var step: Expr?
        if !at(.colon) && !at(.rbracket) && !at(.comma) {
            upper = try parseTest()
        }
        if accept(.colon) != nil && !at(.rbracket) && !at(.comma) {
            step = try parseTest()
        }
        return .slice(lower: lower, upper: upper, step: step, start)
    }

    // MARK: - Atoms

    mutating func parseAtom() throws -> Expr {
        let start = position
        switch kind {
        case .name(let name):
            advance()
            return .name(Identifier(name, start))
        case .int(let value):
            advance()
            return .literal(.int(value), start)
        case .float(let value):
            advance()
            return .literal(.float(value), start)
        case .keyword(.true):
            advance()
            return .literal(.bool(true), start)
        case .keyword(.false):
            advance()
            return .literal(.bool(false), start)
        case .keyword(.none):
            advance()
            return .literal(.none, start)
        case .string, .fstring:
            return try parseStrings()
        case .punct(.lparen):
            return try parseParenthesized()
        case .punct(.lbracket):
            return try parseListDisplay()
        case .punct(.lbrace):
            if let template = try parseTemplate() { return template }
            return try parseBraceDisplay()
        default:
            try failUnexpected()
        }
    }

    /// Adjacent string literals, concatenated; if any is an f-string the result is one f-string.
    mutating func parseStrings() throws -> Expr {
        let start = position
        var parts: [FStringPart] = []
        var isFString = false
        loop: while true {
            switch kind {
            case .string(let text):
                advance()
                Self.appendLiteral(text, to: &parts)
            case .fstring(let pieces):
                advance()
                isFString = true
                try appendFStringPieces(pieces, to: &parts)
            default:
                break loop
            }
        }
        if isFString { return .fstring(parts, start) }
        if case .literal(let text)? = parts.first { return .literal(.string(text), start) }
        return .literal(.string(""), start)
    }

    static func appendLiteral(_ text: String, to parts: inout [FStringPart]) {
        if case .literal(let previous)? = parts.last {
            parts[parts.count - 1] = .literal(previous + text)
        } else if !text.isEmpty || parts.isEmpty {
            parts.append(.literal(text))
        }
    }

    /// Converts the lexer's f-string pieces, parsing each field's expression. `{x=}` becomes
    /// the literal `x=` followed by the field, shown with `repr` unless a conversion or format
    /// spec says otherwise (as in Python).
    mutating func appendFStringPieces(_ pieces: [FStringPiece], to parts: inout [FStringPart]) throws {
        for piece in pieces {
            switch piece {
            case .literal(let text):
                Self.appendLiteral(text, to: &parts)
            case .field(let source, let position, let conversion, let formatSpec, let debugText):
                if let debugText { Self.appendLiteral(debugText, to: &parts) }
                let expr = try Self.parseField(source, at: position, depth: depth + 1)
                var spec: [FStringPart] = []
                try appendFStringPieces(formatSpec, to: &spec)
                if spec.count == 1, case .literal("") = spec[0] { spec = [] }
                let effectiveConversion = conversion ?? (debugText != nil && spec.isEmpty ? "r" : nil)
                if case .literal("")? = parts.last { parts.removeLast() }
                parts.append(.field(expr, conversion: effectiveConversion, formatSpec: spec))
            }
        }
    }

    /// `()`, `(x)`, `(x,)`, `(a, *b)`, or the generator expression `(x for x in xs)`, which is
    /// parsed as a list comprehension.
    mutating func parseParenthesized() throws -> Expr {
        let open = advance()
        try enter(at: open.position)
        defer { leave() }
        if accept(.rparen) != nil { return .tuple([], open.position) }
        let first = try parseStarOrTest()
        if at(.for) {
            try rejectStarredInComprehension(first)
            let generator = try parseComprehension(.list, body: first, value: nil, at: open.position)
            try expectClosing(.rparen, opening: open)
            return generator
        }
        guard accept(.comma) != nil else {
            try expectClosing(.rparen, opening: open)
            try rejectLoneStarred(first)
            return first
        }
        var items = [first]
        while !at(.rparen) {
            items.append(try parseStarOrTest())
            if accept(.comma) == nil { break }
        }
        try expectClosing(.rparen, opening: open)
        return .tuple(items, open.position)
    }

    /// `[a, *b]` or `[x for x in xs]`.
    mutating func parseListDisplay() throws -> Expr {
        let open = advance()
        try enter(at: open.position)
        defer { leave() }
        if accept(.rbracket) != nil { return .list([], open.position) }
        let first = try parseStarOrTest()
        if at(.for) {
            try rejectStarredInComprehension(first)
            let comprehension = try parseComprehension(.list, body: first, value: nil, at: open.position)
            try expectClosing(.rbracket, opening: open)
            return comprehension
        }
        var items = [first]
        while accept(.comma) != nil {
            if at(.rbracket) { break }
            items.append(try parseStarOrTest())
        }
        try expectClosing(.rbracket, opening: open)
        return .list(items, open.position)
    }

    /// `{}` (an empty dict), `{k: v, …}`, `{a, *b}`, and dict and set comprehensions.
    mutating func parseBraceDisplay() throws -> Expr {
        let open = advance()
        try enter(at: open.position)
        defer { leave() }
        if accept(.rbrace) != nil { return .dict([], open.position) }
        try rejectDictUnpacking()
        let first = try parseStarOrTest()
        if accept(.colon) != nil {
            if case .starred(_, let position) = first {
                try fail("invalid syntax", at: position)
            }
            let value = try parseTest()
            if at(.for) {
                let comprehension = try parseComprehension(.dict, body: first, value: value, at: open.position)
                try expectClosing(.rbrace, opening: open)
                return comprehension
            }
            var entries: [(key: Expr, value: Expr)] = [(first, value)]
            while accept(.comma) != nil {
                if at(.rbrace) { break }
                try rejectDictUnpacking()
                let key = try parseTest()
                guard accept(.colon) != nil else {
                    try fail("':' expected after dictionary key", at: position)
                }
                entries.append((key, try parseTest()))
            }
            try expectClosing(.rbrace, opening: open)
            return .dict(entries, open.position)
        }
        if at(.for) {
            try rejectStarredInComprehension(first)
            let comprehension = try parseComprehension(.set, body: first, value: nil, at: open.position)
            try expectClosing(.rbrace, opening: open)
            return comprehension
        }
        var items = [first]
        while accept(.comma) != nil {
            if at(.rbrace) { break }
            items.append(try parseStarOrTest())
        }
        try expectClosing(.rbrace, opening: open)
        return .set(items, open.position)
    }

    func rejectDictUnpacking() throws {
        if at(.doubleStar) {
            try fail("dict unpacking (**) in a dict display is not supported in Kiln", at: position)
        }
    }

    func rejectStarredInComprehension(_ body: Expr) throws {
        if case .starred(_, let position) = body {
            try fail("iterable unpacking cannot be used in comprehension", at: position)
        }
    }

    /// The `for … in …` and `if …` clauses after a comprehension's body.
    mutating func parseComprehension(_ kind: Comprehension.Kind, body: Expr, value: Expr?,
                                     at position: Position) throws -> Expr {
        var clauses: [Comprehension.Clause] = []
        while true {
            if let forToken = accept(.for) {
                let target = try parseTargetList()
                try checkAssignable(target)
                guard accept(.in) != nil else { try failUnexpected() }
                let iterable = try parseOrTest()
                clauses.append(.for(target: target, iterable: iterable, forToken.position))
            } else if let ifToken = accept(.if) {
                clauses.append(.if(try parseOrTest(), ifToken.position))
            } else {
                break
            }
        }
        return .comprehension(Comprehension(kind: kind, body: body, value: value, clauses: clauses, position: position))
    }

    // MARK: - F-string fields

    /// Parses a replacement field's expression text (`a + b`, or `a, b` for a tuple). The
    /// lexer gives its tokens positions in the original file, so nodes and errors point where
    /// the user wrote them.
    static func parseField(_ source: String, at origin: Position, depth: Int) throws -> Expr {
        if source.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            throw KilnError.syntax("f-string: empty expression not allowed", at: origin)
        }
        var parser = TokenParser(tokens: try Lexer.tokenizeExpression(source, at: origin), depth: depth)
        let expr = try parser.parseStarExpressions()
        try parser.rejectLoneStarred(expr)
        guard parser.kind == .eof else { try parser.failUnexpected() }
        return expr
    }
}
