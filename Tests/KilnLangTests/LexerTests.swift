import XCTest
@testable import KilnLang

/// The lexer's behaviour, one rule per test: indentation, line joining, names, numbers,
/// strings, f-strings, and the errors Python reports for each.
final class LexerTests: XCTestCase {

    // MARK: Helpers

    private func lex(_ source: String) throws -> [Token] {
        var lexer = Lexer(source: source)
        return try lexer.tokenize()
    }

    private func kinds(_ source: String) throws -> [TokenKind] {
        try lex(source).map(\.kind)
    }

    /// The kinds of the tokens of a one-line source, without its NEWLINE and EOF.
    private func line(_ source: String) throws -> [TokenKind] {
        let all = try kinds(source)
        XCTAssertEqual(Array(all.suffix(2)), [.newline, .eof])
        return Array(all.dropLast(2))
    }

    private func single(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> TokenKind {
        let all = try self.line(source)
        XCTAssertEqual(all.count, 1, "\(all)", file: file, line: line)
        return all.first ?? .eof
    }

    private func assertError(_ source: String, _ type: String, _ message: String, at position: Position,
                             file: StaticString = #filePath, line: UInt = #line) {
        do {
            let tokens = try lex(source)
            XCTFail("expected \(type): \(message), got \(tokens.map(\.kind))", file: file, line: line)
        } catch let error as KilnError {
            XCTAssertEqual(error.type, type, file: file, line: line)
            XCTAssertEqual(error.message, message, file: file, line: line)
            XCTAssertEqual(error.position, position, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    private func field(_ source: String, _ line: Int, _ column: Int, conversion: Character? = nil,
                       spec: [FStringPiece] = [], debug: String? = nil) -> FStringPiece {
        .field(source: source, position: Position(line: line, column: column), conversion: conversion,
               formatSpec: spec, debugText: debug)
    }

    private func fstring(_ source: String) throws -> [FStringPiece] {
        guard case .fstring(let pieces) = try single(source) else {
            XCTFail("not an f-string: \(source)")
            return []
        }
        return pieces
    }

    private let x = TokenKind.name("x")
    private let y = TokenKind.name("y")
    private func int(_ v: Int) -> TokenKind { .int(v) }
    private func p(_ punct: Punct) -> TokenKind { .punct(punct) }
    private func k(_ keyword: Keyword) -> TokenKind { .keyword(keyword) }

    // MARK: Lines and indentation

    func testEmptySourceGivesOnlyEOF() throws {
        XCTAssertEqual(try kinds(""), [.eof])
    }

    func testBlankAndCommentLinesGiveNothing() throws {
        XCTAssertEqual(try kinds("\n\n   \n# comment\n    # indented comment\n"), [.eof])
    }

    func testLogicalLineEndsWithNewline() throws {
        XCTAssertEqual(try kinds("x = 1\ny\n"), [x, p(.assign), int(1), .newline, y, .newline, .eof])
    }

    func testFinalNewlineIsAddedWhenSourceLacksOne() throws {
        let tokens = try lex("x")
        XCTAssertEqual(tokens.map(\.kind), [x, .newline, .eof])
        XCTAssertEqual(tokens[1].position, Position(line: 1, column: 2))
    }

    func testEOFIsOnTheLineAfterATrailingNewline() throws {
        XCTAssertEqual(try lex("x\n").last?.position, Position(line: 2, column: 1))
    }

    func testCommentAfterCodeIsSkipped() throws {
        XCTAssertEqual(try kinds("x # note (\ny"), [x, .newline, y, .newline, .eof])
    }

    func testIndentedBlockGivesIndentAndDedent() throws {
        XCTAssertEqual(try kinds("if x:\n    y\nx\n"),
                       [k(.if), x, p(.colon), .newline, .indent, y, .newline, .dedent, x, .newline, .eof])
    }

    func testIndentAndDedentArePlacedAtTheFirstTokenOfTheLine() throws {
        let tokens = try lex("if x:\n    y\nx\n")
        XCTAssertEqual(tokens[4].position, Position(line: 2, column: 5))
        XCTAssertEqual(tokens[7].position, Position(line: 3, column: 1))
    }

    func testDedentSeveralLevelsAtOnce() throws {
        let source = "if x:\n  if y:\n    while x:\n      y\nx\n"
        let all = try kinds(source)
        XCTAssertEqual(all.filter { $0 == .indent }.count, 3)
        XCTAssertEqual(Array(all.suffix(8)), [y, .newline, .dedent, .dedent, .dedent, x, .newline, .eof])
    }

    func testOpenBlocksAreClosedAtEOF() throws {
        XCTAssertEqual(try kinds("if x:\n  if y:\n    x"),
                       [k(.if), x, p(.colon), .newline, .indent, k(.if), y, p(.colon), .newline, .indent,
                        x, .newline, .dedent, .dedent, .eof])
    }

    func testBlankLinesInsideABlockDoNotDedent() throws {
        XCTAssertEqual(try kinds("if x:\n  x\n\n# c\n  y\n"),
                       [k(.if), x, p(.colon), .newline, .indent, x, .newline, y, .newline, .dedent, .eof])
    }

    func testInconsistentDedentIsAnIndentationError() {
        assertError("if x:\n    y\n  x\n", "IndentationError",
                    "unindent does not match any outer indentation level", at: Position(line: 3, column: 3))
    }

    func testIndentedFirstLineIsUnexpected() {
        assertError("  x = 1\n", "IndentationError", "unexpected indent", at: Position(line: 1, column: 3))
    }

    func testIndentAfterALineWithoutColonIsUnexpected() {
        assertError("x = 1\n    y = 2\n", "IndentationError", "unexpected indent", at: Position(line: 2, column: 5))
    }

    func testTabsAndSpacesThatCompareDifferentlyAreATabError() {
        // Tab = 8 columns equals 8 spaces, but with tab = 1 column it does not.
        assertError("if x:\n        y\n\tx\n", "TabError",
                    "inconsistent use of tabs and spaces in indentation", at: Position(line: 3, column: 2))
    }

    func testConsistentTabsAreAccepted() throws {
        XCTAssertEqual(try kinds("if x:\n\ty\n\tif y:\n\t\tx\n").filter { $0 == .indent }.count, 2)
    }

    func testBracketsJoinLines() throws {
        XCTAssertEqual(try kinds("f(x,\n    y\n)\n"), [.name("f"), p(.lparen), x, p(.comma), y, p(.rparen), .newline, .eof])
    }

    func testBlankLinesAndCommentsInsideBracketsAreIgnored() throws {
        XCTAssertEqual(try kinds("[x, # one\n\n  y]"), [p(.lbracket), x, p(.comma), y, p(.rbracket), .newline, .eof])
    }

    func testBackslashJoinsLines() throws {
        XCTAssertEqual(try kinds("x = 1 + \\\n        2\n"),
                       [x, p(.assign), int(1), p(.plus), int(2), .newline, .eof])
    }

    func testBackslashBeforeOtherTextIsAnError() {
        assertError("x = 1 \\ 2\n", "SyntaxError", "unexpected character after line continuation character",
                    at: Position(line: 1, column: 7))
    }

    func testBackslashAtEndOfFileIsAnError() {
        assertError("x = 1 + \\", "SyntaxError", "unexpected EOF while parsing", at: Position(line: 1, column: 9))
    }

    func testUnmatchedClosingBracket() {
        assertError("x)\n", "SyntaxError", "unmatched ')'", at: Position(line: 1, column: 2))
    }

    func testMismatchedClosingBracket() {
        assertError("(x]\n", "SyntaxError", "closing parenthesis ']' does not match opening parenthesis '('",
                    at: Position(line: 1, column: 3))
    }

    func testMismatchedClosingBracketOnAnotherLineNamesTheLine() {
        assertError("(x,\n y]\n", "SyntaxError",
                    "closing parenthesis ']' does not match opening parenthesis '(' on line 1",
                    at: Position(line: 2, column: 3))
    }

    func testBracketNeverClosed() {
        assertError("x = [1,\n 2\n", "SyntaxError", "'[' was never closed", at: Position(line: 1, column: 5))
    }

    func testCarriageReturnLineEndings() throws {
        XCTAssertEqual(try kinds("x\r\ny\rx"), [x, .newline, y, .newline, x, .newline, .eof])
    }

    // MARK: Names and keywords

    func testKeywordsAndNames() throws {
        XCTAssertEqual(try line("def f(x) return lambda not in is None True False"),
                       [k(.def), .name("f"), p(.lparen), x, p(.rparen), k(.return), k(.lambda), k(.not), k(.in),
                        k(.is), k(.none), k(.true), k(.false)])
    }

    func testUnsupportedPythonKeywordsAreKeywords() throws {
        XCTAssertEqual(try line("class try yield"), [k(.class), k(.try), k(.yield)])
    }

    func testKeywordSpellingIsExact() throws {
        XCTAssertEqual(try line("true none If _if"), [.name("true"), .name("none"), .name("If"), .name("_if")])
    }

    func testUnicodeIdentifiersAndColumnsInScalars() throws {
        let tokens = try lex("é = x_ü2")
        XCTAssertEqual(tokens.map(\.kind), [.name("é"), p(.assign), .name("x_ü2"), .newline, .eof])
        XCTAssertEqual(tokens[2].position, Position(line: 1, column: 5))
    }

    func testInvalidCharacter() {
        assertError("x = 3€\n", "SyntaxError", "invalid character '€' (U+20AC)", at: Position(line: 1, column: 6))
    }

    func testNonPrintableCharacter() {
        assertError("x =\u{A0}3\n", "SyntaxError", "invalid non-printable character U+00A0",
                    at: Position(line: 1, column: 4))
    }

    // MARK: Operators

    func testOperatorsTakeTheLongestMatch() throws {
        XCTAssertEqual(try line("** **= // //= << <<= >> >>= -> == != <= >= @= % ~"),
                       [p(.doubleStar), p(.doubleStarAssign), p(.doubleSlash), p(.doubleSlashAssign),
                        p(.shiftLeft), p(.shiftLeftAssign), p(.shiftRight), p(.shiftRightAssign), p(.arrow),
                        p(.eq), p(.ne), p(.le), p(.ge), p(.atAssign), p(.percent), p(.tilde)])
    }

    func testAttributeDotIsNotANumber() throws {
        XCTAssertEqual(try line("x.y"), [x, p(.dot), y])
    }

    // MARK: Numbers

    func testDecimalIntegers() throws {
        XCTAssertEqual(try line("0 7 1234 00 0_0"), [int(0), int(7), int(1234), int(0), int(0)])
    }

    func testUnderscoresBetweenDigits() throws {
        XCTAssertEqual(try single("1_000_000"), int(1_000_000))
    }

    func testHexOctalBinary() throws {
        XCTAssertEqual(try line("0xff 0XFF 0o17 0O17 0b101 0B1 0x_f_f 0b_1"),
                       [int(255), int(255), int(15), int(15), int(5), int(1), int(255), int(1)])
    }

    func testLargestIntFits() throws {
        XCTAssertEqual(try single("9223372036854775807"), int(Int.max))
        XCTAssertEqual(try single("0x7fffffffffffffff"), int(Int.max))
    }

    func testIntegerTooLargeIsAnOverflowError() {
        assertError("x = 9223372036854775808\n", "OverflowError",
                    "integer literal too large: 9223372036854775808 (Kiln ints are 64-bit)",
                    at: Position(line: 1, column: 5))
    }

    func testHexTooLargeIsAnOverflowError() {
        assertError("0x1_0000_0000_0000_0000", "OverflowError",
                    "integer literal too large: 0x1_0000_0000_0000_0000 (Kiln ints are 64-bit)",
                    at: Position(line: 1, column: 1))
    }

    func testFloats() throws {
        XCTAssertEqual(try line("1. .5 1.5e-3 1e10 1_000.5 2E+2 1.e1 0.0 09.5"),
                       [.float(1), .float(0.5), .float(0.0015), .float(1e10), .float(1000.5), .float(200),
                        .float(10), .float(0), .float(9.5)])
    }

    func testHugeFloatIsInfinity() throws {
        XCTAssertEqual(try single("1e400"), .float(.infinity))
    }

    func testDoubleUnderscoreIsInvalid() {
        assertError("1__0", "SyntaxError", "invalid decimal literal", at: Position(line: 1, column: 1))
    }

    func testTrailingUnderscoreIsInvalid() {
        assertError("x = 10_", "SyntaxError", "invalid decimal literal", at: Position(line: 1, column: 5))
    }

    func testLetterAfterNumberIsInvalid() {
        assertError("12abc", "SyntaxError", "invalid decimal literal", at: Position(line: 1, column: 1))
    }

    func testExponentWithoutDigitsIsInvalid() {
        assertError("1e+", "SyntaxError", "invalid decimal literal", at: Position(line: 1, column: 1))
    }

    func testHexPrefixWithoutDigitsIsInvalid() {
        assertError("0x", "SyntaxError", "invalid hexadecimal literal", at: Position(line: 1, column: 1))
    }

    func testBadOctalDigit() {
        assertError("0o78", "SyntaxError", "invalid digit '8' in octal literal", at: Position(line: 1, column: 4))
    }

    func testBadBinaryDigit() {
        assertError("0b102", "SyntaxError", "invalid digit '2' in binary literal", at: Position(line: 1, column: 5))
    }

    func testLeadingZerosAreRejected() {
        assertError("09", "SyntaxError",
                    "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                    at: Position(line: 1, column: 1))
    }

    func testImaginaryLiteralsAreRejected() {
        assertError("x = 2j", "SyntaxError", "complex numbers are not supported in Kiln", at: Position(line: 1, column: 5))
    }

    // MARK: Strings

    func testSingleAndDoubleQuotedStrings() throws {
        XCTAssertEqual(try line(#"'a"b' "it's" ''"#), [.string("a\"b"), .string("it's"), .string("")])
    }

    func testAdjacentStringsStaySeparate() throws {
        XCTAssertEqual(try line(#""a" 'b'"#), [.string("a"), .string("b")])
    }

    func testTripleQuotedStringSpansLines() throws {
        let tokens = try lex("x = \"\"\"one\n'two' \"\"\n\"\"\"\ny")
        XCTAssertEqual(tokens.map(\.kind), [x, p(.assign), .string("one\n'two' \"\"\n"), .newline, y, .newline, .eof])
        XCTAssertEqual(tokens[4].position, Position(line: 4, column: 1))
    }

    func testTripleSingleQuotes() throws {
        XCTAssertEqual(try single("'''a\nb'''"), .string("a\nb"))
    }

    func testSimpleEscapes() throws {
        XCTAssertEqual(try single(#"'\\ \' \" \n \r \t \a \b \f \v'"#),
                       .string("\\ ' \" \n \r \t \u{07} \u{08} \u{0C} \u{0B}"))
    }

    func testOctalHexAndUnicodeEscapes() throws {
        XCTAssertEqual(try single(#"'\0\101\7a \x41\u00e9\U0001F600'"#), .string("\0A\u{07}a Aé😀"))
    }

    func testNamedUnicodeEscape() throws {
        XCTAssertEqual(try single(#"'\N{BLACK STAR}'"#), .string("★"))
    }

    func testUnknownEscapeIsKeptVerbatim() throws {
        XCTAssertEqual(try single(#"'\d\q'"#), .string(#"\d\q"#))
    }

    func testBackslashNewlineContinuesAString() throws {
        XCTAssertEqual(try single("'ab\\\ncd'"), .string("abcd"))
    }

    func testTruncatedHexEscape() {
        assertError(#"x = 'a\x4'"#, "SyntaxError",
                    #"(unicode error) 'unicodeescape' codec can't decode bytes in position 1-3: truncated \xXX escape"#,
                    at: Position(line: 1, column: 5))
    }

    func testIllegalUnicodeEscape() {
        assertError(#"'\U00110000'"#, "SyntaxError",
                    "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character",
                    at: Position(line: 1, column: 1))
    }

    func testUnknownUnicodeNameEscape() {
        assertError(#"'\N{NO SUCH THING}'"#, "SyntaxError",
                    "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-16: unknown Unicode character name",
                    at: Position(line: 1, column: 1))
    }

    func testRawStringsKeepBackslashes() throws {
        XCTAssertEqual(try line(#"r'\n\d' R"\"" r'\\'"#), [.string(#"\n\d"#), .string(#"\""#), .string(#"\\"#)])
    }

    func testUnicodePrefixIsAccepted() throws {
        XCTAssertEqual(try single("u'x'"), .string("x"))
    }

    func testBytesLiteralsAreRejected() {
        assertError("x = b'ab'", "SyntaxError", "bytes literals are not supported in Kiln", at: Position(line: 1, column: 5))
    }

    func testPrefixLettersBeforeNothingAreNames() throws {
        XCTAssertEqual(try line("rb fr u"), [.name("rb"), .name("fr"), .name("u")])
    }

    func testUnterminatedString() {
        assertError("x = 'abc\ny = 2\n", "SyntaxError", "unterminated string literal (detected at line 1)",
                    at: Position(line: 1, column: 5))
    }

    func testUnterminatedStringAtEOF() {
        assertError("\nf('abc", "SyntaxError", "unterminated string literal (detected at line 2)",
                    at: Position(line: 2, column: 3))
    }

    func testUnterminatedTripleQuotedString() {
        assertError("x = 1\ns = \"\"\"abc\ndef\n", "SyntaxError",
                    "unterminated triple-quoted string literal (detected at line 3)", at: Position(line: 2, column: 5))
    }

    func testStringColumnsAndLinesAfterMultilineString() throws {
        let tokens = try lex("'''\n\n''' + é")
        XCTAssertEqual(tokens[2].position, Position(line: 3, column: 7))
    }

    // MARK: f-strings

    func testFStringLiteralAndField() throws {
        XCTAssertEqual(try fstring(#"f"a {x} b""#), [.literal("a "), field("x", 1, 6), .literal(" b")])
    }

    func testFStringDoubledBracesAreLiteral() throws {
        XCTAssertEqual(try fstring("f'{{x}} {y}}}'"), [.literal("{x} "), field("y", 1, 10), .literal("}")])
    }

    func testFStringFieldPositionOnLaterLine() throws {
        let tokens = try lex("s = 1\nt = f'ab{ é }'")
        XCTAssertEqual(tokens[6].kind, .fstring([.literal("ab"), field(" é ", 2, 10)]))
        XCTAssertEqual(tokens[6].position, Position(line: 2, column: 5))
    }

    func testFStringFormatSpec() throws {
        XCTAssertEqual(try fstring("f'{acc:.4f}'"), [field("acc", 1, 4, spec: [.literal(".4f")])])
    }

    func testFStringConversion() throws {
        XCTAssertEqual(try fstring("f'{x!r} {y!s:>10}'"),
                       [field("x", 1, 4, conversion: "r"), .literal(" "),
                        field("y", 1, 10, conversion: "s", spec: [.literal(">10")])])
    }

    func testFStringNestedSpecFields() throws {
        XCTAssertEqual(try fstring("f'{x:{w}.{p}f}'"),
                       [field("x", 1, 4, spec: [field("w", 1, 7), .literal("."), field("p", 1, 11), .literal("f")])])
    }

    func testFStringDebugField() throws {
        XCTAssertEqual(try fstring("f'{x=} {y = !r:5}'"),
                       [field("x", 1, 4, debug: "x="), .literal(" "),
                        field("y ", 1, 9, conversion: "r", spec: [.literal("5")], debug: "y = ")])
    }

    func testFStringComparisonOperatorsAreNotMarkers() throws {
        XCTAssertEqual(try fstring("f'{x != y} {x==y} {x<=y} {x>=1}'"),
                       [field("x != y", 1, 4), .literal(" "), field("x==y", 1, 13), .literal(" "),
                        field("x<=y", 1, 20), .literal(" "), field("x>=1", 1, 27)])
    }

    func testFStringColonInsideBracketsIsNotASpec() throws {
        XCTAssertEqual(try fstring("f'{d[1:2]} {({\"a\": 1})[\"a\"]:3}'"),
                       [field("d[1:2]", 1, 4), .literal(" "), field("({\"a\": 1})[\"a\"]", 1, 13, spec: [.literal("3")])])
    }

    func testFStringNestedStringWithBracesAndQuotes() throws {
        XCTAssertEqual(try fstring(#"f"{d['}']}""#), [field("d['}']", 1, 4)])
    }

    func testFStringEscapesInLiteralText() throws {
        XCTAssertEqual(try fstring(#"f'a\n{x}\t'"#), [.literal("a\n"), field("x", 1, 7), .literal("\t")])
    }

    func testRawFString() throws {
        XCTAssertEqual(try fstring(#"rf'\d{x}' "#), [.literal(#"\d"#), field("x", 1, 7)])
        XCTAssertEqual(try fstring(#"Fr'\n'"#), [.literal(#"\n"#)])
    }

    func testTripleQuotedFStringSpansLines() throws {
        XCTAssertEqual(try fstring("f'''a\n{x}'''"), [.literal("a\n"), field("x", 2, 2)])
    }

    func testFStringEmptyExpression() {
        assertError("f'a{ }'", "SyntaxError", "f-string: empty expression not allowed", at: Position(line: 1, column: 4))
    }

    func testFStringSingleClosingBrace() {
        assertError("f'a}b'", "SyntaxError", "f-string: single '}' is not allowed", at: Position(line: 1, column: 4))
    }

    func testFStringInvalidConversion() {
        assertError("f'{x!z}'", "SyntaxError", "f-string: invalid conversion character 'z': expected 's', 'r', or 'a'",
                    at: Position(line: 1, column: 6))
    }

    func testFStringMissingClosingBrace() {
        assertError("f'{x'", "SyntaxError", "f-string: expecting '}'", at: Position(line: 1, column: 5))
    }

    func testUnterminatedFString() {
        assertError("f'{x}\n", "SyntaxError", "unterminated string literal (detected at line 1)",
                    at: Position(line: 1, column: 1))
    }

    func testFStringInsideAFieldIsKeptAsSource() throws {
        XCTAssertEqual(try fstring(#"f"{f'{x}' + 'a'}""#), [field("f'{x}' + 'a'", 1, 4)])
    }

    func testFStringMissingConversion() {
        assertError("f'{x!}'", "SyntaxError", "f-string: missing conversion character", at: Position(line: 1, column: 6))
    }

    func testFStringSpecsNestedTooDeeply() {
        assertError("f'{x:{y:{z}}}'", "SyntaxError", "f-string: expressions nested too deeply",
                    at: Position(line: 1, column: 9))
    }

    func testFStringExpressionCannotHoldABackslash() {
        assertError(#"f'{x\n}'"#, "SyntaxError", "f-string expression part cannot include a backslash",
                    at: Position(line: 1, column: 5))
    }

    func testFStringExpressionCannotHoldAComment() {
        assertError("f'{x#}'", "SyntaxError", "f-string expression part cannot include '#'",
                    at: Position(line: 1, column: 5))
    }

    // MARK: Expression fragments

    func testExpressionFragmentKeepsFilePositions() throws {
        let tokens = try Lexer.tokenizeExpression(" x +\ny", at: Position(line: 3, column: 10))
        XCTAssertEqual(tokens.map(\.kind), [x, p(.plus), y, .eof])
        XCTAssertEqual(tokens.map(\.position),
                       [Position(line: 3, column: 11), Position(line: 3, column: 13), Position(line: 4, column: 1),
                        Position(line: 4, column: 2)])
    }

    // MARK: Speed

    func testTenThousandLinesLexQuickly() throws {
        let block = "def f(x, y=1.5):\n    if x >= 0x10:  # comment\n        return f'{x!r:>{y}}' + 'abc\\n'\n    return [x, y]\n\n"
        let source = String(repeating: block, count: 2_000)
        let start = ContinuousClock.now
        let tokens = try lex(source)
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThan(tokens.count, 50_000)
        XCTAssertLessThan(elapsed, .seconds(1))
    }
}
