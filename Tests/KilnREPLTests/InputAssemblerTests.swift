import XCTest
@testable import KilnREPL

/// How typed lines become one input, as IPython assembles them.
final class InputAssemblerTests: XCTestCase {
    /// Feeds `lines` one by one; the inputs completed along the way.
    func inputs(_ lines: [String]) -> [String] {
        var assembler = InputAssembler()
        return lines.compactMap { assembler.add($0) }
    }

    func testASimpleStatementIsCompleteAtTheEndOfItsLine() {
        XCTAssertEqual(inputs(["x = 1", "x + 1"]), ["x = 1", "x + 1"])
    }

    func testABlockGoesOnUntilAnEmptyLine() {
        XCTAssertEqual(inputs(["for i in range(3):", "    print(i)", "print('after')", ""]),
                       ["for i in range(3):\n    print(i)\nprint('after')"])
    }

    func testAnEmptyLineInsideABlockEndsIt() {
        XCTAssertEqual(inputs(["def f():", "    return 1", "", "f()"]), ["def f():\n    return 1", "f()"])
    }

    func testAnOpenBracketContinuesAndTheClosingLineEndsTheInput() {
        XCTAssertEqual(inputs(["x = [1,", "     2]", "y = 3"]), ["x = [1,\n     2]", "y = 3"])
    }

    func testTripleQuotedStringsAndBackslashesContinue() {
        XCTAssertEqual(inputs(["s = '''a", "b'''"]), ["s = '''a\nb'''"])
        XCTAssertEqual(inputs(["x = 1 + \\", "2"]), ["x = 1 + \\\n2"])
    }

    func testAOneLineCompoundStatementIsComplete() {
        XCTAssertEqual(inputs(["if True: x = 1"]), ["if True: x = 1"])
    }

    func testAColonInACommentOrStringOpensNoBlock() {
        XCTAssertEqual(inputs(["x = 1  # note:", "s = 'a:'"]), ["x = 1  # note:", "s = 'a:'"])
    }

    func testAnErrorIsCompleteSoTheInterpreterReportsIt() {
        XCTAssertEqual(inputs(["x = )", "'abc"]), ["x = )", "'abc"])
    }

    func testALineMagicIsCompleteEvenEndingWithAColon() {
        XCTAssertEqual(inputs(["%time for i in range(3): pass", "%who"]), ["%time for i in range(3): pass", "%who"])
    }

    func testBlankLinesBeforeAnInputAreIgnored() {
        var assembler = InputAssembler()
        XCTAssertNil(assembler.add(""))
        XCTAssertNil(assembler.add("   "))
        XCTAssertTrue(assembler.isEmpty)
        XCTAssertEqual(assembler.add("1"), "1")
    }

    func testSeveralLinesGivenAtOnceNeedNoEmptyLine() {
        var assembler = InputAssembler()
        XCTAssertEqual(assembler.add("for i in range(2):\n    print(i)"), "for i in range(2):\n    print(i)")
        XCTAssertNil(assembler.add("x = [1,\n2"))
        XCTAssertEqual(assembler.add("]"), "x = [1,\n2\n]")
    }

    func testResetForgetsThePendingLines() {
        var assembler = InputAssembler()
        XCTAssertNil(assembler.add("def f():"))
        XCTAssertFalse(assembler.isEmpty)
        assembler.reset()
        XCTAssertTrue(assembler.isEmpty)
        XCTAssertEqual(assembler.add("2"), "2")
    }

    func testPromptsAreIPythons() {
        XCTAssertEqual(InputAssembler.inputPrompt(1), "In [1]: ")
        XCTAssertEqual(InputAssembler.continuationPrompt(1), "   ...: ")
        XCTAssertEqual(InputAssembler.continuationPrompt(10), "    ...: ")
        XCTAssertEqual(InputAssembler.outputPrompt(3), "Out[3]: ")
    }
}
