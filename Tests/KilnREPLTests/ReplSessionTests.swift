import Foundation
import KilnLang
import KilnNotebook
import KilnStore
import XCTest
@testable import KilnREPL

/// The REPL as a user sees it: inputs typed (here piped) in, the transcript, and what the
/// store holds afterwards.
final class ReplSessionTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self)
    }

    func run(_ input: String) throws -> ReplRun { try runRepl(input, in: directory) }

    func testATranscriptReadsAsIPythons() throws {
        let run = try run("x = 41\nx + 1\nfor i in range(2):\n    print(i)\n\n")
        XCTAssertEqual(run.shown, """
            In [1]: x = 41

            In [2]: x + 1
            Out[2]: 42

            In [3]: for i in range(2):
               ...:     print(i)
               ...: 
            0
            1

            In [4]: 

            """)
    }

    func testADefinitionIsUsedByALaterInput() throws {
        let run = try run("def double(a):\n    return 2 * a\n\ndouble(21)\n")
        XCTAssertTrue(run.shown.contains("Out[2]: 42\n"), run.shown)
    }

    func testUnderscoresHoldTheLastThreeResults() throws {
        let run = try run("1\n2\n3\n(_, __, ___)\nx = 5\n_\n")
        XCTAssertTrue(run.shown.contains("Out[4]: (3, 2, 1)\n"), run.shown)
        XCTAssertTrue(run.shown.contains("Out[6]: (3, 2, 1)\n"), run.shown)
    }

    func testAnErrorShowsItsTracebackAndTheSessionGoesOn() throws {
        let run = try run("x = 1\nx / 0\nx + 1\n")
        XCTAssertTrue(run.shown.contains("""
            In [2]: x / 0
            Traceback (most recent call last):
              In[2]:1:3 in <module>
                x / 0
                  ^
            ZeroDivisionError: division by zero

            In [3]: x + 1
            Out[3]: 2
            """), run.shown)
    }

    func testATrailingSemicolonHidesTheResult() throws {
        let run = try run("1 + 1;\n_\n")
        XCTAssertFalse(run.shown.contains("Out[1]"), run.shown)
        XCTAssertTrue(run.shown.contains("NameError"), run.shown)
    }

    func testAMultiLineResultStartsOnTheNextLine() throws {
        let run = try run("'a\\nb'\nprint('a\\nb')\n")
        XCTAssertTrue(run.shown.contains("Out[1]: 'a\\nb'\n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [2]: print('a\\nb')\na\nb\n"), run.shown)
    }

    func testEveryInputIsRecordedAndTheSessionEndsOk() throws {
        let run = try run("x = 2\nprint('hi')\nx * 3\nx / 0\n%who\n")
        let id = try XCTUnwrap(run.session.sessionID)
        let session = try run.store.session(id)
        XCTAssertEqual(session.kind, .repl)
        XCTAssertNil(session.source)
        XCTAssertEqual(session.status, .ok)
        XCTAssertNotNil(session.ended)
        let cells = try run.store.cells(ofSession: id)
        XCTAssertEqual(cells.map(\.source), ["x = 2", "print('hi')", "x * 3", "x / 0", "%who"])
        XCTAssertEqual(cells.map(\.executionCount), [1, 2, 3, 4, 5])
        XCTAssertEqual(cells.map(\.status), [.ok, .ok, .ok, .error, .ok])
        XCTAssertEqual(cells[1].outputs, [.stream("hi\n")])
        XCTAssertEqual(cells[2].outputs, [.result("6")])
        XCTAssertEqual(cells[3].outputs.first?.type, .error)
        XCTAssertEqual(cells[3].outputs.first?.name, "ZeroDivisionError")
        XCTAssertEqual(cells[4].outputs, [.stream("x\t \n")])
        XCTAssertTrue(cells.allSatisfy { $0.started != nil && ($0.duration ?? -1) >= 0 })
    }

    func testAKeyboardInterruptStopsTheInputAndKeepsTheNames() throws {
        let output = CapturedOutput()
        let store = try Store(path: directory.appendingPathComponent("interrupt.db").path)
        let session = ReplSession(store: store, output: output)
        session.submit("x = 41")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { Interpreter.interruptRequested = true }
        session.submit("n = 0\nwhile True:\n    n += 1")
        session.submit("x + 1")
        session.submit("n > 0")
        session.finish()
        XCTAssertTrue(output.text.contains("KeyboardInterrupt\n"), output.text)
        XCTAssertTrue(output.text.contains("Out[3]: 42\n"), output.text)
        XCTAssertTrue(output.text.contains("Out[4]: True\n"), output.text)
        let cells = try store.cells(ofSession: try XCTUnwrap(session.sessionID))
        XCTAssertEqual(cells.map(\.status), [.ok, .interrupted, .ok, .ok])
        XCTAssertEqual(cells[1].outputs.first?.name, "KeyboardInterrupt")
    }

    func testQuitEndsTheSession() throws {
        for word in ["%quit", "%exit", "exit", "quit()"] {
            let run = try run("1\n\(word)\n2\n")
            XCTAssertFalse(run.shown.contains("Out[3]"), run.shown)
            XCTAssertEqual(try run.store.session(try XCTUnwrap(run.session.sessionID)).status, .ok)
        }
    }

    func testQuestionMarkShowsSignatureAndDocstring() throws {
        let run = try run("len?\n?len\nnothing_here?\nmath?\nimport math\nmath.sqrt?\n")
        let lenHelp = "len(obj, /)\n\n    The number of items in a container or characters in a string.\n"
        XCTAssertTrue(run.shown.contains("In [1]: len?\n" + lenHelp), run.shown)
        XCTAssertTrue(run.shown.contains("In [2]: ?len\n" + lenHelp), run.shown)
        XCTAssertTrue(run.shown.contains("In [3]: nothing_here?\nObject `nothing_here` not found.\n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [4]: math?\nObject `math` not found.\n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [6]: math.sqrt?\nsqrt("), run.shown)
    }

    func testHelpOfAnObjectMatchesQuestionMark() throws {
        let run = try run("help(len)\n")
        XCTAssertTrue(run.shown.contains("len(obj, /)\n\n    The number of items"), run.shown)
    }
}
