import KilnLang
import XCTest

/// Session behaviour: globals across cells, results, limits, and surviving errors.
final class InterpreterTests: XCTestCase {
    func testGlobalsPersistAcrossCells() throws {
        let interp = Interpreter()
        _ = try interp.run("x = 40\ndef add(y):\n    return x + y", filename: "cell1").get()
        XCTAssertEqual(try interp.run("add(2)", filename: "cell2").get()?.description, "42")
    }

    func testLastExpressionIsTheResultAndNoneIsNoResult() throws {
        let interp = Interpreter()
        XCTAssertEqual(try interp.run("a = 2\na * 3", filename: "c").get()?.description, "6")
        XCTAssertNil(try interp.run("None", filename: "c").get())
        XCTAssertNil(try interp.run("a = 1", filename: "c").get())
    }

    func testInfiniteLoopStopsAtStepBudgetAndSessionSurvives() throws {
        let interp = Interpreter()
        interp.stepBudget = 100_000
        guard case .failure(let e) = interp.run("n = 0\nwhile True:\n    n += 1", filename: "loop.kiln") else {
            return XCTFail("the loop ran to completion")
        }
        XCTAssertEqual(e.description, "TimeoutError: step budget of 100000 steps exceeded")
        XCTAssertEqual(e.traceback.last?.position.line, 2)
        XCTAssertEqual(try interp.run("n > 1000", filename: "next").get()?.description, "True")
    }

    func testRecursionLimitIsAnErrorNotACrash() throws {
        let interp = Interpreter()
        let source = "def f(n):\n    return f(n + 1)\nf(0)"
        guard case .failure(let e) = interp.run(source, filename: "deep.kiln") else {
            return XCTFail("unbounded recursion returned")
        }
        XCTAssertEqual(e.type, "RecursionError")
        let text = interp.formatTraceback(e)
        XCTAssertTrue(text.contains("[Previous line repeated"), text)
        XCTAssertTrue(text.hasSuffix("RecursionError: maximum recursion depth exceeded"), text)
    }

    func testDeeplyNestedDataIsAnErrorNotACrash() throws {
        let interp = Interpreter()
        let source = "x = []\nfor i in range(100000):\n    x = [x]\nlen(repr(x)) > 0"
        XCTAssertEqual(try interp.run(source, filename: "nest.kiln").get()?.description, "True")
    }

    func testTracebackShowsFileLineColumnSourceAndCaret() {
        let interp = Interpreter()
        let source = "def g(n):\n    return 1 / n\ng(0)"
        guard case .failure(let e) = interp.run(source, filename: "t.kiln") else { return XCTFail("no error") }
        XCTAssertEqual(interp.formatTraceback(e), """
            Traceback (most recent call last):
              t.kiln:3:1 in <module>
                g(0)
                ^
              t.kiln:2:14 in g
                return 1 / n
                         ^
            ZeroDivisionError: division by zero
            """)
    }

    func testTemplateOutsideMinimizeIsAnErrorAtItsPosition() {
        let interp = Interpreter()
        let source = "def model():\n    return [{{ [1, 2] }}]\nmodel()"
        guard case .failure(let e) = interp.run(source, filename: "h.kiln") else { return XCTFail("no error") }
        XCTAssertEqual(e.description, "ValueError: {{ [1, 2] }} is a Hyperas template; it has a value only inside hyperas.optim.minimize")
        XCTAssertEqual(interp.formatTraceback(e).split(separator: "\n").dropFirst(4).first, "  h.kiln:2:13 in model")
    }

    func testPositionsOfACellInsideAFile() {
        let interp = Interpreter()
        guard case .failure(let e) = interp.run("y = 1\nz = y +", filename: "nb.kiln", firstLine: 10) else {
            return XCTFail("no error")
        }
        XCTAssertEqual(e.type, "SyntaxError")
        XCTAssertEqual(e.position?.line, 11)
    }

    func testUnknownNameIsReportedBeforeRunning() {
        let interp = Interpreter()
        var printed = ""
        interp.output = { printed += $0 }
        guard case .failure(let e) = interp.run("print('side effect')\nlenght = 3\nprint(lenth)", filename: "c") else {
            return XCTFail("no error")
        }
        XCTAssertEqual(e.description, "NameError: name 'lenth' is not defined. Did you mean: 'lenght'?")
        XCTAssertEqual(e.position, Position(line: 3, column: 7))
        XCTAssertEqual(printed, "", "a resolve-time error runs nothing")
    }
}
