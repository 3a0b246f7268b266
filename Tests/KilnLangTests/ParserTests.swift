/// Tests of the parser: the shape of the trees it builds (compared through a compact
/// s-expression rendering), the positions nodes carry, and its syntax errors.

import Foundation
import XCTest
@testable import KilnLang

// MARK: - S-expression rendering (test only)

/// Renders syntax trees as s-expressions: `(+ 1 (* 2 3))`, `(= a b 1)`, `(if c {pass} else {pass})`.
enum SExpr {
    static func program(_ program: Program) -> String {
        program.statements.map(stmt).joined(separator: "\n")
    }

    static func block(_ body: [Stmt]) -> String {
        "{" + body.map(stmt).joined(separator: "; ") + "}"
    }

    static func stmt(_ s: Stmt) -> String {
        switch s {
        case .expression(let e):
            return expr(e)
        case .assign(let targets, let value, _):
            return "(= " + (targets + [value]).map(expr).joined(separator: " ") + ")"
        case .augmentedAssign(let target, let op, let value, _):
            return "(\(op.rawValue)= \(expr(target)) \(expr(value)))"
        case .def(let f):
            return "(def \(f.name?.name ?? "?") \(parameters(f.parameters)) \(block(f.body)))"
        case .return(let value, _):
            return value.map { "(return \(expr($0)))" } ?? "(return)"
        case .if(let branches, let orElse, _):
            var parts = branches.map { "\(expr($0.condition)) \(block($0.body))" }
            if let orElse { parts.append("else \(block(orElse))") }
            return "(if " + parts.joined(separator: " ") + ")"
        case .for(let target, let iterable, let body, _):
            return "(for \(expr(target)) \(expr(iterable)) \(block(body)))"
        case .while(let condition, let body, _):
            return "(while \(expr(condition)) \(block(body)))"
        case .break: return "break"
        case .continue: return "continue"
        case .pass: return "pass"
        case .import(let names, _):
            return "(import " + names.map { name in
                name.path.joined(separator: ".") + (name.alias.map { " as \($0.name)" } ?? "")
            }.joined(separator: ", ") + ")"
        case .fromImport(let module, let names, _):
            return "(from \(module.joined(separator: ".")) import " + names.map { entry in
                entry.name == entry.bound.name ? entry.name : "\(entry.name) as \(entry.bound.name)"
            }.joined(separator: ", ") + ")"
        case .assert(let condition, let message, _):
            return "(assert \(expr(condition))" + (message.map { " \(expr($0))" } ?? "") + ")"
        case .del(let targets, _):
            return "(del " + targets.map(expr).joined(separator: " ") + ")"
        }
    }

    static func parameters(_ parameters: [Parameter]) -> String {
        "(" + parameters.map { p in
            let name: String
            switch p.kind {
            case .positional: name = p.name.name
            case .keywordOnly: name = "kw:" + p.name.name
            case .varargs: name = "*" + p.name.name
            case .kwargs: name = "**" + p.name.name
            }
            return name + (p.defaultValue.map { "=" + expr($0) } ?? "")
        }.joined(separator: " ") + ")"
    }

    static func expr(_ e: Expr) -> String {
        switch e {
        case .name(let id): return id.name
        case .literal(let literal, _):
            switch literal {
            case .none: return "None"
            case .bool(let b): return b ? "True" : "False"
            case .int(let i): return "\(i)"
            case .float(let f): return "\(f)"
            case .string(let s): return String(reflecting: s)
            }
        case .fstring(let parts, _):
            return "(f " + fstringParts(parts, inSpec: false) + ")"
        case .unary(let op, let operand, _):
            return "(\(op.rawValue) \(expr(operand)))"
        case .binary(let op, let left, let right, _):
            return "(\(op.rawValue) \(expr(left)) \(expr(right)))"
        case .compare(let first, let rest):
            if rest.count == 1 { return "(\(rest[0].0.rawValue) \(expr(first)) \(expr(rest[0].1)))" }
            return "(cmp \(expr(first))" + rest.map { " \($0.0.rawValue) \(expr($0.1))" }.joined() + ")"
        case .boolean(let op, let left, let right, _):
            return "(\(op.rawValue) \(expr(left)) \(expr(right)))"
        case .conditional(let condition, let then, let otherwise, _):
            return "(if \(expr(condition)) \(expr(then)) \(expr(otherwise)))"
        case .call(let callee, let arguments, _):
            return "(call \(expr(callee))" + arguments.map { " " + argument($0) }.joined() + ")"
        case .attribute(let object, let name, _):
            return "(. \(expr(object)) \(name))"
        case .index(let object, let index, _):
            return "([] \(expr(object)) \(expr(index)))"
        case .slice(let object, let lower, let upper, let step, _):
            return "([:] \(expr(object)) " + [lower, upper, step].map { $0.map(expr) ?? "_" }.joined(separator: " ") + ")"
        case .sliceItem(let lower, let upper, let step, _):
            return "(: " + [lower, upper, step].map { $0.map(expr) ?? "_" }.joined(separator: " ") + ")"
        case .list(let items, _):
            return "[" + items.map(expr).joined(separator: " ") + "]"
        case .tuple(let items, _):
            return "(tuple" + items.map { " " + expr($0) }.joined() + ")"
        case .dict(let entries, _):
            return "{" + entries.map { "\(expr($0.key)): \(expr($0.value))" }.joined(separator: ", ") + "}"
        case .set(let items, _):
            return "(set" + items.map { " " + expr($0) }.joined() + ")"
        case .comprehension(let c):
            let head: String
            switch c.kind {
            case .list: head = "listcomp \(expr(c.body))"
            case .set: head = "setcomp \(expr(c.body))"
            case .dict: head = "dictcomp \(expr(c.body)) \(c.value.map(expr) ?? "?")"
            }
            return "(" + head + c.clauses.map { clause in
                switch clause {
                case .for(let target, let iterable, _): return " (for \(expr(target)) \(expr(iterable)))"
                case .if(let condition, _): return " (if \(expr(condition)))"
                }
            }.joined() + ")"
        case .lambda(let f):
            guard f.body.count == 1, case .return(let body?, _) = f.body[0] else { return "(lambda ?)" }
            return "(lambda \(parameters(f.parameters)) \(expr(body)))"
        case .starred(let inner, _):
            return "*" + expr(inner)
        case .template(let t):
            return "{{" + expr(t.body) + "}}"
        }
    }

    static func argument(_ a: Argument) -> String {
        switch a {
        case .positional(let e): return expr(e)
        case .keyword(let name, let e, _): return "\(name)=\(expr(e))"
        case .star(let e): return "*" + expr(e)
        case .starStar(let e): return "**" + expr(e)
        }
    }

    static func fstringParts(_ parts: [FStringPart], inSpec: Bool) -> String {
        parts.map { part in
            switch part {
            case .literal(let text):
                return inSpec ? text : String(reflecting: text)
            case .field(let e, let conversion, let spec):
                return "{" + expr(e) + (conversion.map { "!\($0)" } ?? "")
                    + (spec.isEmpty ? "" : ":" + fstringParts(spec, inSpec: true)) + "}"
            }
        }.joined(separator: inSpec ? "" : " ")
    }
}

// MARK: - Tests

final class ParserTests: XCTestCase {
    // MARK: Helpers

    /// The program rendered as s-expressions, one statement per line.
    private func parse(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            return SExpr.program(try Parser.parse(source))
        } catch {
            XCTFail("unexpected error: \(error) at \((error as? KilnError)?.position?.description ?? "?")",
                    file: file, line: line)
            return ""
        }
    }

    /// The single expression statement of `source`.
    private func expression(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Expr? {
        do {
            let program = try Parser.parse(source)
            guard program.statements.count == 1, case .expression(let e) = program.statements[0] else {
                XCTFail("not a single expression statement: \(SExpr.program(program))", file: file, line: line)
                return nil
            }
            return e
        } catch {
            XCTFail("unexpected error: \(error)", file: file, line: line)
            return nil
        }
    }

    private func firstStatement(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Stmt? {
        do {
            return try Parser.parse(source).statements.first
        } catch {
            XCTFail("unexpected error: \(error)", file: file, line: line)
            return nil
        }
    }

    /// Asserts that parsing fails with this error type, message and position (line, column).
    private func assertError(_ source: String, _ message: String, at expected: (Int, Int),
                             type: String = "SyntaxError",
                             file: StaticString = #filePath, line: UInt = #line) {
        do {
            let program = try Parser.parse(source)
            XCTFail("expected \(type): \(message), parsed \(SExpr.program(program))", file: file, line: line)
        } catch let error as KilnError {
            XCTAssertEqual(error.type, type, file: file, line: line)
            XCTAssertEqual(error.message, message, file: file, line: line)
            XCTAssertEqual(error.position, Position(line: expected.0, column: expected.1), file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    /// The value of `source`'s first statement, an assignment.
    private func assignedValue(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Expr? {
        guard case .assign(_, let value, _)? = firstStatement(source, file: file, line: line) else {
            XCTFail("not an assignment", file: file, line: line)
            return nil
        }
        return value
    }

    private func pos(_ line: Int, _ column: Int) -> Position { Position(line: line, column: column) }

    // MARK: Precedence and associativity

    func testSubtractionIsLeftAssociative() {
        XCTAssertEqual(parse("1 - 2 - 3"), "(- (- 1 2) 3)")
    }

    func testMultiplicationBindsTighterThanAddition() {
        XCTAssertEqual(parse("1 + 2 * 3"), "(+ 1 (* 2 3))")
        XCTAssertEqual(parse("1 * 2 + 3"), "(+ (* 1 2) 3)")
    }

    func testMultiplicativeOperatorsShareOneLeftAssociativeLevel() {
        XCTAssertEqual(parse("a * b / c // d % e @ f"), "(@ (% (// (/ (* a b) c) d) e) f)")
    }

    func testShiftsBindLooserThanAddition() {
        XCTAssertEqual(parse("a << b + c >> d"), "(>> (<< a (+ b c)) d)")
    }

    func testBitwiseOperatorsBindOrThenXorThenAnd() {
        XCTAssertEqual(parse("a | b ^ c & d << e"), "(| a (^ b (& c (<< d e))))")
    }

    func testPowerIsRightAssociative() {
        XCTAssertEqual(parse("2 ** 3 ** 2"), "(** 2 (** 3 2))")
    }

    func testUnaryMinusOnTheLeftOfPowerAppliesToThePower() {
        XCTAssertEqual(parse("-2 ** 2"), "(- (** 2 2))")
    }

    func testPowerExponentMayBeUnary() {
        XCTAssertEqual(parse("2 ** -x"), "(** 2 (- x))")
    }

    func testPowerBindsTighterThanMultiplication() {
        XCTAssertEqual(parse("a * b ** c"), "(* a (** b c))")
    }

    func testUnaryOperatorsNest() {
        XCTAssertEqual(parse("-+~x"), "(- (+ (~ x)))")
    }

    func testUnaryBindsTighterThanMultiplication() {
        XCTAssertEqual(parse("-a * b"), "(* (- a) b)")
    }

    func testComparisonBindsLooserThanBitwiseOr() {
        XCTAssertEqual(parse("a | b < c + 1"), "(< (| a b) (+ c 1))")
    }

    func testComparisonsChain() {
        XCTAssertEqual(parse("0 < x <= 1 == y"), "(cmp 0 < x <= 1 == y)")
    }

    func testAllComparisonOperators() {
        for op in ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"] {
            XCTAssertEqual(parse("a \(op) b"), "(\(op) a b)")
        }
    }

    func testNotInAndIsNotChain() {
        XCTAssertEqual(parse("a not in b is not c"), "(cmp a not in b is not c)")
    }

    func testNotBindsLooserThanComparison() {
        XCTAssertEqual(parse("not a == b"), "(not (== a b))")
        XCTAssertEqual(parse("not not a"), "(not (not a))")
    }

    func testAndBindsTighterThanOr() {
        XCTAssertEqual(parse("a or b and c"), "(or a (and b c))")
        XCTAssertEqual(parse("not a and b"), "(and (not a) b)")
    }

    func testBooleanOperatorsAreLeftAssociative() {
        XCTAssertEqual(parse("a and b and c"), "(and (and a b) c)")
        XCTAssertEqual(parse("a or b or c"), "(or (or a b) c)")
    }

    func testConditionalExpression() {
        XCTAssertEqual(parse("a if c else b"), "(if c a b)")
    }

    func testConditionalNestsToTheRight() {
        XCTAssertEqual(parse("a if b else c if d else e"), "(if b a (if d c e))")
    }

    func testConditionalBindsLooserThanOr() {
        XCTAssertEqual(parse("a or b if c or d else e"), "(if (or c d) (or a b) e)")
    }

    func testLambdaWithEveryParameterKind() {
        XCTAssertEqual(parse("lambda a, b=1, *c, d, e=2, **f: a + b"),
                       "(lambda (a b=1 *c kw:d kw:e=2 **f) (+ a b))")
    }

    func testLambdaWithoutParameters() {
        XCTAssertEqual(parse("lambda: 0"), "(lambda () 0)")
    }

    func testLambdaBodyIncludesConditional() {
        XCTAssertEqual(parse("lambda x: a if x else b"), "(lambda (x) (if x a b))")
    }

    func testLambdaIsAnAnonymousFunctionReturningItsBody() {
        guard case .lambda(let f)? = expression("lambda x: x") else { return XCTFail("not a lambda") }
        XCTAssertNil(f.name)
        XCTAssertEqual(f.position, pos(1, 1))
        guard f.body.count == 1, case .return(_?, let returnPosition) = f.body[0] else { return XCTFail("no return") }
        XCTAssertEqual(returnPosition, pos(1, 11))
    }

    func testLambdaAsDefaultAndArgument() {
        XCTAssertEqual(parse("sorted(xs, key=lambda p: p[1])"), "(call sorted xs key=(lambda (p) ([] p 1)))")
    }

    // MARK: Primaries

    func testCallWithEveryArgumentKind() {
        XCTAssertEqual(parse("f(a, *b, c=1, *d, **e)"), "(call f a *b c=1 *d **e)")
    }

    func testCallWithoutArgumentsAndWithTrailingComma() {
        XCTAssertEqual(parse("f()"), "(call f)")
        XCTAssertEqual(parse("f(a,)"), "(call f a)")
    }

    func testKeywordArgumentAfterKeywordUnpacking() {
        XCTAssertEqual(parse("f(**a, b=1)"), "(call f **a b=1)")
    }

    func testAttributesCallsAndSubscriptsChainLeftToRight() {
        XCTAssertEqual(parse("a.b(c).d[e](f)"), "(call ([] (. (call (. a b) c) d) e) f)")
    }

    func testSliceForms() {
        XCTAssertEqual(parse("x[a:b]"), "([:] x a b _)")
        XCTAssertEqual(parse("x[:]"), "([:] x _ _ _)")
        XCTAssertEqual(parse("x[::]"), "([:] x _ _ _)")
        XCTAssertEqual(parse("x[::2]"), "([:] x _ _ 2)")
        XCTAssertEqual(parse("x[a:]"), "([:] x a _ _)")
        XCTAssertEqual(parse("x[:b]"), "([:] x _ b _)")
        XCTAssertEqual(parse("x[a:b:c]"), "([:] x a b c)")
        XCTAssertEqual(parse("x[a::c]"), "([:] x a _ c)")
        XCTAssertEqual(parse("x[:-1]"), "([:] x _ (- 1) _)")
    }

    func testIndexWithCommasIsATupleIndex() {
        XCTAssertEqual(parse("a[i, j]"), "([] a (tuple i j))")
        XCTAssertEqual(parse("a[i,]"), "([] a (tuple i))")
    }

    func testSlicesInsideATupleIndexAreSliceItems() {
        XCTAssertEqual(parse("a[:, 0]"), "([] a (tuple (: _ _ _) 0))")
        XCTAssertEqual(parse("a[1:3, ::2]"), "([] a (tuple (: 1 3 _) (: _ _ 2)))")
        XCTAssertEqual(parse("a[i, j:]"), "([] a (tuple i (: j _ _)))")
        XCTAssertEqual(parse("a[:-1,]"), "([] a (tuple (: _ (- 1) _)))")
    }

    func testSliceItemPositionIsItsFirstToken() throws {
        let program = try Parser.parse("a[0, 1:2]")
        guard case .expression(.index(_, .tuple(let items, _), _)) = program.statements[0] else {
            return XCTFail("not an index")
        }
        XCTAssertEqual(items[1].position, Position(line: 1, column: 6))
    }

    func testSliceItemCanBeAssignedAndDeletedThroughItsSubscript() {
        XCTAssertEqual(parse("a[:, 0] = 1"), "(= ([] a (tuple (: _ _ _) 0)) 1)")
        XCTAssertEqual(parse("del a[1:, 2]"), "(del ([] a (tuple (: 1 _ _) 2)))")
    }

    func testGeneratorExpressionAsSoleArgumentIsAListComprehension() {
        XCTAssertEqual(parse("sum(x * x for x in xs if x)"), "(call sum (listcomp (* x x) (for x xs) (if x)))")
    }

    func testGeneratorExpressionBesideOtherArgumentsMustBeParenthesized() {
        assertError("f(x for x in y, 1)", "Generator expression must be parenthesized", at: (1, 3))
        assertError("f(1, x for x in y)", "Generator expression must be parenthesized", at: (1, 6))
    }

    func testParenthesizedGeneratorExpressionIsAListComprehension() {
        XCTAssertEqual(parse("(x for x in y)"), "(listcomp x (for x y))")
        XCTAssertEqual(parse("f((x for x in y), 1)"), "(call f (listcomp x (for x y)) 1)")
    }

    // MARK: Atoms

    func testLiterals() {
        XCTAssertEqual(parse("None, True, False, 1, 2.5, 's'"), "(tuple None True False 1 2.5 \"s\")")
    }

    func testAdjacentStringLiteralsConcatenate() {
        XCTAssertEqual(parse("'a' \"b\" '''c'''"), "\"abc\"")
    }

    func testAdjacentStringsAcrossLinesInsideBrackets() {
        XCTAssertEqual(parse("x = ('a'\n     'b')"), "(= x \"ab\")")
    }

    func testPlainStringsBesideAnFStringMakeOneFString() {
        XCTAssertEqual(parse("'a' f'{x}b' 'c'"), "(f \"a\" {x} \"bc\")")
    }

    func testFStringWithConversionAndNestedFormatSpec() {
        XCTAssertEqual(parse("f'{x!r:>{w}.2f}'"), "(f {x!r:>{w}.2f})")
    }

    func testFStringSelfDocumentingFieldShowsTextThenRepr() {
        XCTAssertEqual(parse("f'{x = }'"), "(f \"x = \" {x!r})")
        XCTAssertEqual(parse("f'{x=:.2f}'"), "(f \"x=\" {x:.2f})")
        XCTAssertEqual(parse("f'{x=!s}'"), "(f \"x=\" {x!s})")
    }

    func testFStringFieldHoldsAFullExpression() {
        XCTAssertEqual(parse("f'{a + b * 2} and {f(x)[0]}'"), "(f {(+ a (* b 2))} \" and \" {([] (call f x) 0)})")
    }

    func testFStringFieldWithCommaIsATuple() {
        XCTAssertEqual(parse("f'{a, b}'"), "(f {(tuple a b)})")
    }

    func testNestedFString() {
        XCTAssertEqual(parse("f'{f\"{x}!\"}'"), "(f {(f {x} \"!\")})")
    }

    func testEmptyFStringIsAnEmptyFString() {
        XCTAssertEqual(parse("f''"), "(f )")
    }

    func testParenthesesGroup() {
        XCTAssertEqual(parse("(1 + 2) * 3"), "(* (+ 1 2) 3)")
    }

    func testTupleDisplays() {
        XCTAssertEqual(parse("()"), "(tuple)")
        XCTAssertEqual(parse("(a,)"), "(tuple a)")
        XCTAssertEqual(parse("(a, b)"), "(tuple a b)")
        XCTAssertEqual(parse("(a, *b, c,)"), "(tuple a *b c)")
    }

    func testBareTupleExpression() {
        XCTAssertEqual(parse("a, b"), "(tuple a b)")
        XCTAssertEqual(parse("a,"), "(tuple a)")
    }

    func testListDisplays() {
        XCTAssertEqual(parse("[]"), "[]")
        XCTAssertEqual(parse("[a, *b, c,]"), "[a *b c]")
    }

    func testEmptyBracesAreADict() {
        XCTAssertEqual(parse("{}"), "{}")
    }

    func testDictDisplay() {
        XCTAssertEqual(parse("{'a': 1, b: c + 1,}"), "{\"a\": 1, b: (+ c 1)}")
    }

    func testSetDisplay() {
        XCTAssertEqual(parse("{a, b, *c}"), "(set a b *c)")
        XCTAssertEqual(parse("{a}"), "(set a)")
    }

    // MARK: Hyperas templates

    func testDoubleBracesAroundOneExpressionAreATemplate() {
        XCTAssertEqual(parse("{{choice([1, 2])}}"), "{{(call choice [1 2])}}")
        XCTAssertEqual(parse("Dense({{ uniform(0, 1) }}, activation='relu')"), "(call Dense {{(call uniform 0 1)}} activation=\"relu\")")
    }

    func testTemplateMayHoldBracketsAndBraces() {
        XCTAssertEqual(parse("{{choice([{'a': (1, 2)}, {3}])}}"), "{{(call choice [{\"a\": (tuple 1 2)} (set 3)])}}")
        XCTAssertEqual(parse("{{choice([{{1}}])}}"), "{{(call choice [{{1}}])}}")
    }

    func testBracesWithASpaceBetweenAreADisplay() {
        XCTAssertEqual(parse("{ {1} }"), "(set (set 1))")
        XCTAssertEqual(parse("{{1} }"), "(set (set 1))")
        XCTAssertEqual(parse("{ {'a': 1} }"), "(set {\"a\": 1})")
    }

    func testDoubleBracesAroundMoreThanOneExpressionAreADisplay() {
        XCTAssertEqual(parse("{{1, 2}.pop()}"), "(set (call (. (set 1 2) pop)))")
        XCTAssertEqual(parse("{{'a': 1}['a']}"), "(set ([] {\"a\": 1} \"a\"))")
        XCTAssertEqual(parse("{{1}, {2}}"), "(set (set 1) (set 2))")
    }

    func testNestedDoubleBracesThatAreNoTemplateParseQuickly() {
        let source = String(repeating: "{{", count: 60) + "1, 2" + String(repeating: "}.pop()}", count: 60)
        XCTAssertNoThrow(try Parser.parse(source))
    }

    func testTemplateKeepsItsTextPositionAndTheNameBeforeIt() throws {
        let program = try Parser.parse("model.add(layers.Dense({{ choice([64,  128]) }}))\nf(rate={{uniform(0, 1)}})\nx = {{uniform(0, 1)}}\nf(1, {{uniform(0, 1)}})")
        var templates: [Template] = []
        for statement in program.statements {
            switch statement {
            case .expression(.call(_, let args, _)):
                for case .positional(let e) in args {
                    if case .call(_, let inner, _) = e, case .positional(.template(let t))? = inner.first { templates.append(t) }
                    if case .template(let t) = e { templates.append(t) }
                }
                for case .keyword(_, .template(let t), _) in args { templates.append(t) }
            case .assign(_, .template(let t), _):
                templates.append(t)
            default:
                break
            }
        }
        XCTAssertEqual(templates.map(\.context), ["Dense", "rate", "x", nil])
        XCTAssertEqual(templates.first?.source, " choice([64,  128]) ")
        XCTAssertEqual(templates.first?.position, pos(1, 24))
    }

    func testListComprehensionWithSeveralClauses() {
        XCTAssertEqual(parse("[x * y for x in a if x for y in b if y > 0]"),
                       "(listcomp (* x y) (for x a) (if x) (for y b) (if (> y 0)))")
    }

    func testComprehensionIfClausesAreSeparate() {
        XCTAssertEqual(parse("[x for x in y if a if b]"), "(listcomp x (for x y) (if a) (if b))")
    }

    func testComprehensionBodyMayBeConditional() {
        XCTAssertEqual(parse("[a if c else b for x in y]"), "(listcomp (if c a b) (for x y))")
    }

    func testComprehensionWithTupleTarget() {
        XCTAssertEqual(parse("[k for k, (v, w) in items]"), "(listcomp k (for (tuple k (tuple v w)) items))")
    }

    func testDictComprehension() {
        XCTAssertEqual(parse("{k: v * 2 for k, v in d.items() if v}"),
                       "(dictcomp k (* v 2) (for (tuple k v) (call (. d items))) (if v))")
    }

    func testSetComprehension() {
        XCTAssertEqual(parse("{x % 3 for x in range(10)}"), "(setcomp (% x 3) (for x (call range 10)))")
    }

    func testComprehensionKindsAndPositions() {
        guard case .comprehension(let c)? = assignedValue("a = [x for x in y]") else { return XCTFail() }
        XCTAssertEqual(c.kind, .list)
        XCTAssertEqual(c.position, pos(1, 5))
        guard case .comprehension(let d)? = assignedValue("a = {x: 1 for x in y}") else { return XCTFail() }
        XCTAssertEqual(d.kind, .dict)
        XCTAssertEqual(d.position, pos(1, 5))
        guard case .comprehension(let e)? = assignedValue("a = {x for x in y}") else { return XCTFail() }
        XCTAssertEqual(e.kind, .set)
    }

    // MARK: Statements

    func testEmptySourceHasNoStatements() {
        XCTAssertEqual(parse(""), "")
        XCTAssertEqual(parse("\n\n# only a comment\n"), "")
    }

    func testAssignment() {
        XCTAssertEqual(parse("x = 1"), "(= x 1)")
    }

    func testAssignmentChain() {
        XCTAssertEqual(parse("a = b = 1"), "(= a b 1)")
    }

    func testTupleAssignmentWithoutParentheses() {
        XCTAssertEqual(parse("a, b = b, a"), "(= (tuple a b) (tuple b a))")
    }

    func testStarredAssignmentTarget() {
        XCTAssertEqual(parse("a, *rest = xs"), "(= (tuple a *rest) xs)")
        XCTAssertEqual(parse("[*init, last] = xs"), "(= [*init last] xs)")
    }

    func testNestedTargetLists() {
        XCTAssertEqual(parse("(a, [b, c]), d = x"), "(= (tuple (tuple a [b c]) d) x)")
    }

    func testAttributeIndexAndSliceTargets() {
        XCTAssertEqual(parse("a.b = c[d] = e[1:2] = 0"), "(= (. a b) ([] c d) ([:] e 1 2 _) 0)")
    }

    func testParenthesizedNameTarget() {
        XCTAssertEqual(parse("(a) = 1"), "(= a 1)")
    }

    func testAssignmentOfStarredTuple() {
        XCTAssertEqual(parse("x = *a, b"), "(= x (tuple *a b))")
    }

    func testEveryAugmentedAssignmentOperator() {
        for op in ["+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^", "<<", ">>"] {
            XCTAssertEqual(parse("x[0] \(op)= 2"), "(\(op)= ([] x 0) 2)")
        }
    }

    func testAnnotatedAssignmentIgnoresTheAnnotation() {
        XCTAssertEqual(parse("x: int = 1"), "(= x 1)")
        XCTAssertEqual(parse("x: int"), "pass")
    }

    func testDefWithEveryParameterKind() {
        XCTAssertEqual(parse("def f(a, b=1, *args, c, d=2, **kw):\n    return a\n"),
                       "(def f (a b=1 *args kw:c kw:d=2 **kw) {(return a)})")
    }

    func testDefWithBareStarMakesKeywordOnlyParameters() {
        XCTAssertEqual(parse("def f(a, *, b, c=1): pass"), "(def f (a kw:b kw:c=1) {pass})")
    }

    func testKeywordOnlyParametersMayOmitDefaultsAfterDefaults() {
        XCTAssertEqual(parse("def f(a=1, *, b): pass"), "(def f (a=1 kw:b) {pass})")
    }

    func testDefAnnotationsAreIgnored() {
        XCTAssertEqual(parse("def f(x: int, y: list = []) -> int:\n    pass"), "(def f (x y=[]) {pass})")
    }

    func testDefWithTrailingCommaAndMultilineParameters() {
        XCTAssertEqual(parse("def f(\n    a,\n    b,\n):\n    pass"), "(def f (a b) {pass})")
    }

    func testReturnForms() {
        XCTAssertEqual(parse("def f():\n    return\n    return x\n    return a, b\n"),
                       "(def f () {(return); (return x); (return (tuple a b))})")
    }

    func testIfElifElse() {
        XCTAssertEqual(parse("if a:\n    x\nelif b:\n    y\nelif c:\n    z\nelse:\n    w\n"),
                       "(if a {x} b {y} c {z} else {w})")
    }

    func testIfWithoutElse() {
        XCTAssertEqual(parse("if a:\n    x\ny"), "(if a {x})\ny")
    }

    func testForLoopWithNestedTupleTarget() {
        XCTAssertEqual(parse("for i, (x, y) in enumerate(z):\n    pass"),
                       "(for (tuple i (tuple x y)) (call enumerate z) {pass})")
    }

    func testForLoopOverBareTuple() {
        XCTAssertEqual(parse("for x in a, b: pass"), "(for x (tuple a b) {pass})")
    }

    func testWhileWithBreakAndContinue() {
        XCTAssertEqual(parse("while x:\n    if y:\n        break\n    continue\n"),
                       "(while x {(if y {break}); continue})")
    }

    func testBreakInsideForLoop() {
        XCTAssertEqual(parse("for x in y:\n    break"), "(for x y {break})")
    }

    func testPass() {
        XCTAssertEqual(parse("pass"), "pass")
    }

    func testImportWithDottedPathsAndAliases() {
        XCTAssertEqual(parse("import a.b.c as d, e"), "(import a.b.c as d, e)")
    }

    func testImportBindsAliasOrFirstName() {
        guard case .import(let names, _)? = firstStatement("import numpy as np, os.path") else { return XCTFail() }
        XCTAssertEqual(names.map(\.bound.name), ["np", "os"])
        XCTAssertEqual(names.map(\.bound.position), [pos(1, 17), pos(1, 21)])
        XCTAssertEqual(names.map(\.position), [pos(1, 8), pos(1, 21)])
    }

    func testFromImport() {
        XCTAssertEqual(parse("from a.b import x, y as z"), "(from a.b import x, y as z)")
    }

    func testFromImportParenthesizedList() {
        XCTAssertEqual(parse("from tensorflow.keras import (\n    layers,\n    models as m,\n)"),
                       "(from tensorflow.keras import layers, models as m)")
    }

    func testFromImportBoundIdentifierPositions() {
        guard case .fromImport(_, let names, _)? = firstStatement("from m import a, b as c") else { return XCTFail() }
        XCTAssertEqual(names.map(\.bound.position), [pos(1, 15), pos(1, 23)])
    }

    func testAssert() {
        XCTAssertEqual(parse("assert x"), "(assert x)")
        XCTAssertEqual(parse("assert x > 0, 'positive'"), "(assert (> x 0) \"positive\")")
    }

    func testDelTargets() {
        XCTAssertEqual(parse("del a[i], b.x, c, d[1:]"), "(del ([] a i) (. b x) c ([:] d 1 _ _))")
    }

    func testDelFlattensTupleAndListTargets() {
        XCTAssertEqual(parse("del (a, [b, c])"), "(del a b c)")
    }

    func testSemicolonSeparatedStatements() {
        XCTAssertEqual(parse("a = 1; b = 2;\nc"), "(= a 1)\n(= b 2)\nc")
    }

    func testCompoundBodyOnTheSameLine() {
        XCTAssertEqual(parse("if x: y = 1; z = 2\nelse: pass"), "(if x {(= y 1); (= z 2)} else {pass})")
        XCTAssertEqual(parse("def f(x): return x"), "(def f (x) {(return x)})")
        XCTAssertEqual(parse("while x: x -= 1"), "(while x {(-= x 1)})")
    }

    func testNestedBlocksAndDedents() {
        let source = """
        def f(xs):
            total = 0
            for x in xs:
                if x:
                    total += x

            return total
        f([1])
        """
        XCTAssertEqual(parse(source),
                       "(def f (xs) {(= total 0); (for x xs {(if x {(+= total x)})}); (return total)})\n(call f [1])")
    }

    func testSourceWithoutFinalNewline() {
        XCTAssertEqual(parse("if x:\n    y"), "(if x {y})")
    }

    func testParsesATypicalNotebookCell() throws {
        let source = #"""
        import numpy as np
        from tensorflow.keras import layers, models
        from hyperopt import fmin, tpe, hp, Trials, STATUS_OK

        def build_model(units=64, *, dropout=0.5, **kwargs):
            """Builds a small dense network."""
            model = models.Sequential()
            model.add(layers.Dense(units, activation="relu", input_shape=(784,)))
            if dropout > 0: model.add(layers.Dropout(dropout))
            model.add(layers.Dense(10, activation='softmax'))
            model.compile(optimizer="rmsprop",
                          loss="categorical_crossentropy",
                          metrics=["accuracy"])
            return model

        space = {
            "units": hp.choice("units", [32, 64, 128]),
            "lr": hp.loguniform("lr", np.log(1e-4), np.log(1e-2)),
        }
        x_val, partial_x = x_train[:10000], x_train[10000:]
        history = build_model(**params).fit(partial_x, y_train[10000:], epochs=20,
                                            batch_size=512, validation_data=(x_val, y_val))
        best = min(range(len(history.history["val_loss"])), key=lambda i: history.history["val_loss"][i])
        print(f"best epoch: {best + 1:>3d}, loss={history.history['val_loss'][best]:.4f}")
        weights = [w / sum(ws) for w in ws if w > 0]
        preds = sum(w * m.predict(x) for w, m in zip(weights, models_)) / len(models_)
        history.history["val_loss"][-1]
        """#
        let program = try Parser.parse(source)
        XCTAssertEqual(program.statements.count, 12)
        guard case .def(let f) = program.statements[3] else { return XCTFail("not a def") }
        XCTAssertEqual(f.body.count, 7)
    }

    // MARK: Positions

    func testBinaryOperatorPositionIsTheOperator() {
        XCTAssertEqual(expression("a +  b")?.position, pos(1, 3))
        XCTAssertEqual(expression("a ** b")?.position, pos(1, 3))
        XCTAssertEqual(expression("a and b")?.position, pos(1, 3))
    }

    func testUnaryPositionIsTheOperator() {
        XCTAssertEqual(expression("- a")?.position, pos(1, 1))
        XCTAssertEqual(expression("x or not y")?.position, pos(1, 3))
    }

    func testComparePositionsAreTheOperators() {
        guard case .compare(_, let rest)? = expression("a < b not in c") else { return XCTFail() }
        XCTAssertEqual(rest.map(\.2), [pos(1, 3), pos(1, 7)])
    }

    func testConditionalPositionIsIf() {
        XCTAssertEqual(expression("a if b else c")?.position, pos(1, 3))
    }

    func testCallPositionIsTheOpeningParenthesis() {
        XCTAssertEqual(expression("foo.bar (1)")?.position, pos(1, 9))
    }

    func testAttributePositionIsTheNameAfterTheDot() {
        XCTAssertEqual(expression("foo.bar")?.position, pos(1, 5))
    }

    func testIndexAndSlicePositionsAreTheOpeningBracket() {
        XCTAssertEqual(expression("xs[1]")?.position, pos(1, 3))
        XCTAssertEqual(expression("xs[1:]")?.position, pos(1, 3))
    }

    func testDisplayPositionsAreTheOpeningBracket() {
        XCTAssertEqual(expression("[1]")?.position, pos(1, 1))
        XCTAssertEqual(assignedValue("x = {1: 2}")?.position, pos(1, 5))
        XCTAssertEqual(expression("(1, 2)")?.position, pos(1, 1))
    }

    func testBareTuplePositionIsItsFirstToken() {
        XCTAssertEqual(expression("a.b + 1, 2")?.position, pos(1, 1))
    }

    func testKeywordArgumentPositionIsTheName() {
        guard case .call(_, let arguments, _)? = expression("f(1, key = 2)"),
              case .keyword(let name, _, let position) = arguments[1] else { return XCTFail() }
        XCTAssertEqual(name, "key")
        XCTAssertEqual(position, pos(1, 6))
    }

    func testNamePositions() {
        guard case .binary(_, .name(let a), .name(let b), _)? = expression("alpha +\\\n beta") else { return XCTFail() }
        XCTAssertEqual(a.position, pos(1, 1))
        XCTAssertEqual(b.position, pos(2, 2))
    }

    func testStatementPositionsAreTheirKeywords() throws {
        let source = """
        def f(x):
            return x
        for i in y:
            break
        while z:
            continue
        if a:
            pass
        import m
        from m import n
        assert t
        del u
        """
        let statements = try Parser.parse(source).statements
        XCTAssertEqual(statements.map(\.position), [pos(1, 1), pos(3, 1), pos(5, 1), pos(7, 1), pos(9, 1),
                                                    pos(10, 1), pos(11, 1), pos(12, 1)])
        guard case .def(let f) = statements[0], case .for(_, _, let forBody, _) = statements[1],
              case .while(_, let whileBody, _) = statements[2], case .if(let branches, _, _) = statements[3]
        else { return XCTFail() }
        XCTAssertEqual(f.body[0].position, pos(2, 5))
        XCTAssertEqual(forBody[0].position, pos(4, 5))
        XCTAssertEqual(whileBody[0].position, pos(6, 5))
        XCTAssertEqual(branches[0].body[0].position, pos(8, 5))
        XCTAssertEqual(f.name?.position, pos(1, 5))
        XCTAssertEqual(f.parameters[0].name.position, pos(1, 7))
    }

    func testAssignmentPositionIsTheFirstEqualsSign() {
        XCTAssertEqual(firstStatement("a  = b = 1")?.position, pos(1, 4))
    }

    func testAugmentedAssignmentPositionIsTheOperator() {
        XCTAssertEqual(firstStatement("total += 1")?.position, pos(1, 7))
    }

    func testComprehensionClausePositions() {
        guard case .comprehension(let c)? = expression("[x for x in y if x]") else { return XCTFail() }
        guard case .for(_, _, let forPosition) = c.clauses[0], case .if(_, let ifPosition) = c.clauses[1]
        else { return XCTFail() }
        XCTAssertEqual(forPosition, pos(1, 4))
        XCTAssertEqual(ifPosition, pos(1, 15))
    }

    func testGeneratorArgumentPositionIsTheCallParenthesis() {
        guard case .call(_, let arguments, _)? = expression("sum(x for x in y)"),
              case .positional(let generator) = arguments[0] else { return XCTFail() }
        XCTAssertEqual(generator.position, pos(1, 4))
    }

    func testFStringFieldPositionsPointIntoTheFile() {
        let source = "x = 1\ny = 2\nz = f'ab{foo + bar}'"
        guard case .assign(_, .fstring(let parts, let fPosition), _)? = try? Parser.parse(source).statements[2],
              case .field(.binary(_, .name(let foo), .name(let bar), let plus), _, _) = parts[1]
        else { return XCTFail("unexpected shape") }
        XCTAssertEqual(fPosition, pos(3, 5))
        XCTAssertEqual(foo.position, pos(3, 10))
        XCTAssertEqual(plus, pos(3, 14))
        XCTAssertEqual(bar.position, pos(3, 16))
    }

    func testFStringFieldPositionsOnLaterLinesOfATripleQuotedString() {
        let source = "s = f'''one\ntwo {a +\n  b}'''"
        guard case .assign(_, .fstring(let parts, _), _)? = try? Parser.parse(source).statements[0],
              case .field(.binary(_, .name(let a), .name(let b), _), _, _) = parts[1]
        else { return XCTFail("unexpected shape") }
        XCTAssertEqual(a.position, pos(2, 6))
        XCTAssertEqual(b.position, pos(3, 3))
    }

    func testErrorInsideAnFStringFieldPointsIntoTheFile() {
        assertError("\n\nprint(f'value: {a b}')", "invalid syntax", at: (3, 19))
    }

    func testParseExpressionShiftsPositionsToTheGivenPlace() throws {
        let expr = try Parser.parseExpression("a +\n  b", at: pos(5, 10))
        guard case .binary(.add, .name(let a), .name(let b), let plus) = expr else { return XCTFail() }
        XCTAssertEqual(a.position, pos(5, 10))
        XCTAssertEqual(plus, pos(5, 12))
        XCTAssertEqual(b.position, pos(6, 3))
    }

    func testParseExpressionRejectsTrailingTokens() {
        XCTAssertThrowsError(try Parser.parseExpression("a b", at: pos(2, 4))) { error in
            XCTAssertEqual((error as? KilnError)?.message, "invalid syntax")
            XCTAssertEqual((error as? KilnError)?.position, pos(2, 6))
        }
    }

    // MARK: Unsupported constructs

    func testClassIsNotSupported() {
        assertError("x = 1\nclass A:\n    pass", "classes are not supported in Kiln", at: (2, 1))
    }

    func testTryExceptIsNotSupported() {
        assertError("try:\n    x\nexcept E:\n    y", "try/except is not supported in Kiln", at: (1, 1))
        assertError("except E:\n    y", "try/except is not supported in Kiln", at: (1, 1))
        assertError("finally:\n    y", "try/except is not supported in Kiln", at: (1, 1))
    }

    func testRaiseIsNotSupported() {
        assertError("if x: raise ValueError('no')", "raise is not supported in Kiln", at: (1, 7))
    }

    func testWithIsNotSupported() {
        assertError("with open(f) as g:\n    pass", "with statements are not supported in Kiln", at: (1, 1))
    }

    func testYieldIsNotSupported() {
        assertError("def g():\n    yield 1", "generators (yield) are not supported in Kiln", at: (2, 5))
        assertError("def g():\n    x = yield", "generators (yield) are not supported in Kiln", at: (2, 9))
    }

    func testGlobalAndNonlocalAreNotSupported() {
        assertError("def f():\n    global x", "global/nonlocal declarations are not supported in Kiln", at: (2, 5))
        assertError("def f():\n    nonlocal x", "global/nonlocal declarations are not supported in Kiln", at: (2, 5))
    }

    func testAsyncAndAwaitAreNotSupported() {
        assertError("async def f():\n    pass", "async is not supported in Kiln", at: (1, 1))
        assertError("x = await y", "async is not supported in Kiln", at: (1, 5))
        assertError("[x async for x in y]", "async is not supported in Kiln", at: (1, 4))
    }

    func testDecoratorsAreNotSupported() {
        assertError("@cache\ndef f(): pass", "decorators are not supported in Kiln", at: (1, 1))
    }

    func testWildcardImportIsNotSupported() {
        assertError("from m import *", "wildcard imports are not supported in Kiln", at: (1, 15))
    }

    func testRelativeImportIsNotSupported() {
        assertError("from . import m", "relative imports are not supported in Kiln", at: (1, 6))
    }

    func testLoopElseIsNotSupported() {
        assertError("for x in y:\n    pass\nelse:\n    pass", "'else' clauses on loops are not supported in Kiln", at: (3, 1))
        assertError("while x: pass\nelse: pass", "'else' clauses on loops are not supported in Kiln", at: (2, 1))
    }

    func testDictUnpackingInDisplayIsNotSupported() {
        assertError("d = {**a, 'b': 1}", "dict unpacking (**) in a dict display is not supported in Kiln", at: (1, 6))
    }

    func testAssignmentExpressionsAreNotSupported() {
        assertError("while x := f(): pass", "assignment expressions (:=) are not supported in Kiln", at: (1, 9))
        assertError("if (n := len(a)) > 1: pass", "assignment expressions (:=) are not supported in Kiln", at: (1, 7))
    }

    func testPositionalOnlyParametersAreNotSupported() {
        assertError("def f(a, /, b): pass", "positional-only parameters (/) are not supported in Kiln", at: (1, 10))
    }

    // MARK: Errors

    func testInvalidSyntaxAtTheOffendingToken() {
        assertError("x = = 1", "invalid syntax", at: (1, 5))
        assertError("a b", "invalid syntax", at: (1, 3))
        assertError("x = 1 +\n", "invalid syntax", at: (1, 8))
    }

    func testMissingCommaIsSuggested() {
        assertError("[1 2]", "invalid syntax. Perhaps you forgot a comma?", at: (1, 4))
        assertError("f(a b)", "invalid syntax. Perhaps you forgot a comma?", at: (1, 5))
    }

    func testExpectedColon() {
        assertError("if x\npass", "expected ':'", at: (1, 5))
        assertError("def f()\npass", "expected ':'", at: (1, 8))
        assertError("for x in y pass", "expected ':'", at: (1, 12))
    }

    func testAssignmentInConditionSuggestsEquality() {
        assertError("if x = 1:\n    pass", "invalid syntax. Maybe you meant '==' instead of '='?", at: (1, 6))
    }

    func testMissingIndentedBlockNamesTheStatementAndLine() {
        let cases: [(String, String)] = [
            ("if x:\npass", "'if' statement on line 1"),
            ("if x:\n    pass\nelif y:\npass", "'elif' statement on line 3"),
            ("if x:\n    pass\nelse:\npass", "'else' statement on line 3"),
            ("for x in y:\npass", "'for' statement on line 1"),
            ("while x:\npass", "'while' statement on line 1"),
            ("def f():\npass", "function definition on line 1"),
        ]
        for (source, what) in cases {
            let lines = source.split(separator: "\n").count
            assertError(source, "expected an indented block after \(what)", at: (lines, 1), type: "IndentationError")
        }
    }

    func testMissingIndentedBlockAtEndOfInput() {
        assertError("while x:", "expected an indented block after 'while' statement on line 1",
                    at: (1, 9), type: "IndentationError")
    }

    func testConditionalWithoutElse() {
        assertError("x = a if b", "expected 'else' after 'if' expression", at: (1, 11))
    }

    func testBreakOutsideLoop() {
        assertError("if x:\n    break", "'break' outside loop", at: (2, 5))
    }

    func testContinueOutsideLoop() {
        assertError("continue", "'continue' not properly in loop", at: (1, 1))
    }

    func testBreakInAFunctionInsideALoopIsOutsideLoop() {
        assertError("for x in y:\n    def f():\n        break", "'break' outside loop", at: (3, 9))
    }

    func testReturnOutsideFunction() {
        assertError("for x in y:\n    return x", "'return' outside function", at: (2, 5))
    }

    func testStrayElse() {
        assertError("x = 1\nelse:\n    pass", "invalid syntax", at: (2, 1))
    }

    func testCannotAssignToLiteral() {
        assertError("1 = x", "cannot assign to literal", at: (1, 1))
        assertError("a, 'b' = x", "cannot assign to literal", at: (1, 4))
        assertError("None = 1", "cannot assign to None", at: (1, 1))
        assertError("for 1 in x: pass", "cannot assign to literal", at: (1, 5))
    }

    func testCannotAssignToFunctionCall() {
        assertError("f(x) = 1", "cannot assign to function call", at: (1, 1))
        assertError("x = f() = 1", "cannot assign to function call", at: (1, 5))
    }

    func testCannotAssignToOtherExpressions() {
        assertError("a + b = 1", "cannot assign to expression", at: (1, 1))
        assertError("a < b = 1", "cannot assign to comparison", at: (1, 1))
        assertError("a if b else c = 1", "cannot assign to conditional expression", at: (1, 1))
        assertError("[x for x in y] = 1", "cannot assign to list comprehension", at: (1, 1))
        assertError("{a: b} = 1", "cannot assign to dict literal", at: (1, 1))
        assertError("f'{x}' = 1", "cannot assign to f-string expression", at: (1, 1))
        assertError("lambda: 1 = 1", "cannot assign to lambda", at: (1, 1))
        assertError("[x for (x, f()) in y]", "cannot assign to function call", at: (1, 12))
    }

    func testOnlyOneStarredTarget() {
        assertError("*a, *b = c", "multiple starred expressions in assignment", at: (1, 5))
    }

    func testStarredTargetMustBeInATuple() {
        assertError("*a = b", "starred assignment target must be in a list or tuple", at: (1, 1))
    }

    func testStarredExpressionAloneIsNotAValue() {
        assertError("x = *a", "can't use starred expression here", at: (1, 5))
        assertError("*a", "can't use starred expression here", at: (1, 1))
        assertError("print((*a))", "can't use starred expression here", at: (1, 8))
    }

    func testStarredBodyInComprehension() {
        assertError("[*a for a in b]", "iterable unpacking cannot be used in comprehension", at: (1, 2))
    }

    func testIllegalAugmentedAssignmentTarget() {
        assertError("a, b += 1", "'tuple' is an illegal expression for augmented assignment", at: (1, 1))
        assertError("f() += 1", "'function call' is an illegal expression for augmented assignment", at: (1, 1))
    }

    func testCannotDelete() {
        assertError("del f()", "cannot delete function call", at: (1, 5))
        assertError("del a, 1", "cannot delete literal", at: (1, 8))
    }

    func testNonDefaultParameterAfterDefault() {
        assertError("def f(a=1, b): pass", "non-default argument follows default argument", at: (1, 12))
        assertError("lambda a=1, b: 0", "non-default argument follows default argument", at: (1, 13))
    }

    func testDuplicateParameter() {
        assertError("def f(a, *a): pass", "duplicate argument 'a' in function definition", at: (1, 11))
    }

    func testBareStarNeedsKeywordOnlyParameters() {
        assertError("def f(a, *): pass", "named arguments must follow bare *", at: (1, 10))
        assertError("def f(*, **kw): pass", "named arguments must follow bare *", at: (1, 7))
    }

    func testParametersAfterKwargs() {
        assertError("def f(**kw, a): pass", "arguments cannot follow var-keyword argument", at: (1, 13))
    }

    func testStarArgumentOnlyOnce() {
        assertError("def f(*a, *b): pass", "* argument may appear only once", at: (1, 11))
    }

    func testPositionalArgumentAfterKeywordArgument() {
        assertError("f(a=1, b)", "positional argument follows keyword argument", at: (1, 8))
    }

    func testPositionalArgumentAfterKeywordUnpacking() {
        assertError("f(**k, b)", "positional argument follows keyword argument unpacking", at: (1, 8))
    }

    func testIterableUnpackingAfterKeywordUnpacking() {
        assertError("f(**k, *a)", "iterable argument unpacking follows keyword argument unpacking", at: (1, 8))
    }

    func testKeywordArgumentRepeated() {
        assertError("f(x=1, y=2, x=3)", "keyword argument repeated: x", at: (1, 13))
    }

    func testKeywordArgumentMustBeAName() {
        assertError("f(a.b=1)", "expression cannot contain assignment, perhaps you meant \"==\"?", at: (1, 3))
    }

    func testTrailingCommaInUnparenthesizedFromImport() {
        assertError("from m import a,", "trailing comma not allowed without surrounding parentheses", at: (1, 16))
    }

    func testUnexpectedIndent() {
        assertError("x = 1\n    y = 2", "unexpected indent", at: (2, 5), type: "IndentationError")
    }

    func testUnclosedBracketIsReported() {
        assertError("x = f(1,\n", "'(' was never closed", at: (1, 6))
    }

    func testDeepButAllowedNestingParses() {
        let depth = 150
        let source = String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth)
        XCTAssertEqual(parse(source), "x")
    }

    func testTooManyNestedParenthesesIsAnErrorNotACrash() {
        let source = String(repeating: "(", count: 100_000) + String(repeating: ")", count: 100_000)
        XCTAssertThrowsError(try Parser.parse(source)) { error in
            XCTAssertEqual((error as? KilnError)?.message, "too many nested parentheses")
        }
    }

    func testTooManyNestedParenthesesPositionIsTheFirstTooDeepBracket() {
        let source = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        assertError(source, "too many nested parentheses", at: (1, 201))
    }

    func testTooManyNestedBlocks() {
        let source = (0...100).map { String(repeating: " ", count: $0) + "if x:\n" }.joined()
            + String(repeating: " ", count: 101) + "pass"
        assertError(source, "too many levels of indentation", at: (102, 102), type: "IndentationError")
    }

    func testDeeplyNestedOperatorsAreAnErrorNotACrash() {
        for source in [String(repeating: "-", count: 100_000) + "x",
                       String(repeating: "not ", count: 100_000) + "x",
                       "x" + String(repeating: " ** x", count: 100_000),
                       String(repeating: "lambda: ", count: 100_000) + "x",
                       "x" + String(repeating: " if x else x", count: 100_000)] {
            XCTAssertThrowsError(try Parser.parse(source)) { error in
                XCTAssertEqual((error as? KilnError)?.message, "too many nested parentheses")
            }
        }
    }

    func testLongFlatExpressionsParse() {
        let source = "x = " + Array(repeating: "1", count: 20_000).joined(separator: " + ")
        XCTAssertNoThrow(try Parser.parse(source))
    }

    func testCannotAssignToALongChainWithoutDeepRecursion() {
        let source = Array(repeating: "a", count: 50_000).joined(separator: " + ") + " = 1"
        XCTAssertThrowsError(try Parser.parse(source)) { error in
            XCTAssertEqual((error as? KilnError)?.message, "cannot assign to expression")
            XCTAssertEqual((error as? KilnError)?.position, Position(line: 1, column: 1))
        }
    }

    /// At the nesting limit a debug build needs about 9 KB of stack per level (2 MB in all), a
    /// release build about 2 KB: a thread that parses should have a few megabytes of stack.
    func testDeepestAllowedNestingFitsInAFourMegabyteStack() {
        let blocks = (0..<100).map { String(repeating: " ", count: $0) + "if x:\n" }.joined()
        let sources = [
            String(repeating: "{1: f(", count: 100) + "x" + String(repeating: ")}", count: 100),
            blocks + String(repeating: " ", count: 100) + "y = "
                + String(repeating: "{1: f(", count: 100) + "x" + String(repeating: ")}", count: 100),
        ]
        let finished = expectation(description: "parsed")
        let thread = Thread {
            for source in sources {
                do {
                    _ = try Parser.parse(source)
                } catch {
                    XCTFail("unexpected error: \(error)")
                }
            }
            finished.fulfill()
        }
        thread.stackSize = 4 << 20
        thread.start()
        wait(for: [finished], timeout: 60)
    }
}
