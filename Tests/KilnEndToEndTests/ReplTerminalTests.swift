import Foundation
import KilnStore
import XCTest

/// `kiln repl` in a real pseudo-terminal, typed into as a person would: what the screen shows,
/// and what the store holds afterwards.
final class ReplTerminalTests: XCTestCase {
    var directory: URL!
    var databasePath: String { directory.appendingPathComponent("kiln.db").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-repl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// `kiln` with `arguments` (`repl --db <store>` by default) in a terminal, with HOME in the
    /// test's directory (for the history file) and a terminal that needs no escape sequences.
    func startKiln(_ arguments: [String]? = nil, environment extra: [String: String] = [:]) throws -> PseudoTerminal {
        var environment = ["HOME": directory.path, "TERM": "dumb", "PATH": "/usr/bin:/bin"]
        environment.merge(extra) { $1 }
        let terminal = try PseudoTerminal(try kilnExecutable(), arguments ?? ["repl", "--db", databasePath], environment: environment)
        try terminal.expect("In [1]: ")
        return terminal
    }

    /// Waits for input `count`'s prompt, ends the REPL there with Ctrl-D and checks it exits
    /// with status 0. (Ctrl-D typed ahead while an input runs is the terminal's end of file
    /// for whoever reads next, not a key for readline.)
    func leave(_ terminal: PseudoTerminal, at count: Int) throws {
        try terminal.expect("In [\(count)]: ")
        terminal.type("\u{04}")
        XCTAssertEqual(terminal.waitForExit(), 0, terminal.screen)
    }

    /// The only session in the store, with its cells.
    func storedSession() throws -> (SessionSummary, [StoredCell]) {
        let store = try Store(path: databasePath)
        let sessions = try store.sessions()
        XCTAssertEqual(sessions.count, 1)
        let session = try XCTUnwrap(sessions.first)
        return (session, try store.cells(ofSession: session.id))
    }

    func testDefinitionsBlocksResultsAndErrorsThenCtrlDEndsTheSession() throws {
        let terminal = try startKiln()
        terminal.type("def double(a):\r")
        try terminal.expect("   ...: ")
        terminal.type("    return 2 * a\r")
        try terminal.expect("   ...: ")
        terminal.type("\r")
        try terminal.expect("In [2]: ")
        terminal.type("double(21)\r")
        try terminal.expect("Out[2]: 42\n")
        terminal.type("_ + 1\r")
        try terminal.expect("Out[3]: 43\n")
        terminal.type("1 / 0\r")
        try terminal.expect("ZeroDivisionError: division by zero\n")
        try terminal.expect("In [5]: ")
        terminal.type("double(_)\r")
        try terminal.expect("Out[5]: 86\n")
        try leave(terminal, at: 6)

        let (session, cells) = try storedSession()
        XCTAssertEqual(session.kind, .repl)
        XCTAssertEqual(session.status, .ok)
        XCTAssertNotNil(session.ended)
        XCTAssertEqual(cells.map(\.source), ["def double(a):\n    return 2 * a", "double(21)", "_ + 1", "1 / 0", "double(_)"])
        XCTAssertEqual(cells.map(\.executionCount), [1, 2, 3, 4, 5])
        XCTAssertEqual(cells.map(\.status), [.ok, .ok, .ok, .error, .ok])
        XCTAssertEqual(cells[4].outputs, [.result("86")])
    }

    func testCtrlCStopsALongLoopAndTheVariablesStay() throws {
        let terminal = try startKiln()
        terminal.type("x = 41\r")
        try terminal.expect("In [2]: ")
        terminal.type("n = 0\r")
        try terminal.expect("In [3]: ")
        terminal.type("if True:\r    print('spinning')\r    while True:\r        n += 1\r\r")
        try terminal.expect("spinning\n")
        terminal.type("\u{03}")
        try terminal.expect("KeyboardInterrupt\n")
        try terminal.expect("In [4]: ")
        terminal.type("x + 1\r")
        try terminal.expect("Out[4]: 42\n")
        terminal.type("n > 0\r")
        try terminal.expect("Out[5]: True\n")
        try leave(terminal, at: 6)

        let (session, cells) = try storedSession()
        XCTAssertEqual(session.status, .ok)
        XCTAssertEqual(cells.map(\.status), [.ok, .ok, .interrupted, .ok, .ok])
        XCTAssertEqual(cells[2].outputs.map(\.type), [.stream, .error])
        XCTAssertEqual(cells[2].outputs.last?.name, "KeyboardInterrupt")
    }

    func testCtrlCAtThePromptClearsTheLine() throws {
        let terminal = try startKiln()
        terminal.type("abc")
        try terminal.expect("abc")
        terminal.type("\u{03}")
        try terminal.expect("In [1]: ")
        terminal.type("def f():\r")
        try terminal.expect("   ...: ")
        terminal.type("\u{03}")
        try terminal.expect("In [1]: ")
        terminal.type("1 + 1\r")
        try terminal.expect("Out[1]: 2\n")
        try leave(terminal, at: 2)
        XCTAssertEqual(try storedSession().1.map(\.source), ["1 + 1"])
    }

    func testTabCompletesModuleMembers() throws {
        let terminal = try startKiln()
        terminal.type("from tensorflow.keras import layers\r")
        try terminal.expect("In [2]: ")
        terminal.type("layers.Sep\t")
        try terminal.expect("layers.SeparableConv1D  layers.SeparableConv2D")
        try terminal.expect("In [2]: layers.SeparableConv")
        terminal.type("2D\r")
        try terminal.expect("Out[2]: <built-in function SeparableConv2D>\n")
        terminal.type("layers.BatchNorm\t\r")
        try terminal.expect("Out[3]: <built-in function BatchNormalization>\n")
        try leave(terminal, at: 4)
    }

    func testTimeAndHistoryMagics() throws {
        let terminal = try startKiln()
        terminal.type("%time sum(range(1000))\r")
        try terminal.expect("CPU times: user ")
        try terminal.expect(", total: ")
        try terminal.expect("Wall time: ")
        try terminal.expect("Out[1]: 499500\n")
        terminal.type("%history\r")
        try terminal.expect("   1: %time sum(range(1000))\n   2: %history\n")
        try leave(terminal, at: 3)
        XCTAssertEqual(try storedSession().1.map(\.status), [.ok, .ok])
    }

    func testHistoryFileAndCtrlRBringBackEarlierInputs() throws {
        let first = try startKiln()
        first.type("40 + 2\r")
        try first.expect("Out[1]: 42\n")
        first.type("for i in range(2):\r    i\r\ri\r")
        try first.expect("Out[3]: 1\n")
        first.type("'other'\r")
        try first.expect("Out[4]: 'other'\n")
        try leave(first, at: 5)
        let history = try String(contentsOf: directory.appendingPathComponent(".kiln_history"), encoding: .utf8)
        XCTAssertTrue(history.contains("40 + 2\n"), history)
        XCTAssertTrue(history.contains("for i in range(2):\n    i\n"), history)

        let second = try startKiln()
        second.type("\u{10}\r")  // Ctrl-P: the previous input
        try second.expect("Out[1]: 'other'\n")
        try second.expect("In [2]: ")
        second.type("\u{12}40\r")  // Ctrl-R: search back for "40"
        try second.expect("Out[2]: 42\n")
        try second.expect("In [3]: ")
        second.type("\u{12}range\r")  // a block comes back whole, and runs
        try second.expect("In [4]: ")
        second.type("i\r")
        try second.expect("Out[4]: 1\n")
        try leave(second, at: 5)
    }

    func testLoadPutsTheFileInTheNextPromptToRunWithEnter() throws {
        let file = directory.appendingPathComponent("snippet.kiln")
        try "def triple(a):\n    return 3 * a\n\nprint('loaded')\n".write(to: file, atomically: true, encoding: .utf8)
        let terminal = try startKiln()
        terminal.type("%load \(file.path)\r")
        try terminal.expect("In [2]: ")
        try terminal.expect("print('loaded')")
        terminal.type("\r")
        try terminal.expect("loaded\n")
        terminal.type("triple(3)\r")
        try terminal.expect("Out[3]: 9\n")
        try leave(terminal, at: 4)
        XCTAssertEqual(try storedSession().1[1].source, "# %load \(file.path)\ndef triple(a):\n    return 3 * a\n\nprint('loaded')")
    }

    func testReplHelpNamesTheStoreOption() throws {
        let result = try runKiln(["repl", "--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("--db <db>"), result.stdout)
    }

    func testKilnAloneStartsTheREPL() throws {
        let terminal = try startKiln([], environment: ["KILN_DB": databasePath])
        terminal.type("6 * 7\r")
        try terminal.expect("Out[1]: 42\n")
        try leave(terminal, at: 2)
        XCTAssertEqual(try storedSession().1.map(\.source), ["6 * 7"])
    }

    func testPipedInputIsEchoedAfterItsPromptsAndRecorded() throws {
        let input = directory.appendingPathComponent("input.txt")
        try "x = 2\nfor i in range(2):\n    x += i\n\nx\n".write(to: input, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let process = Process()
        process.executableURL = try kilnExecutable()
        process.arguments = ["repl", "--db", databasePath]
        process.environment = ["HOME": directory.path]
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = process.standardOutput
        try process.run()
        process.waitUntilExit()
        let shown = try String(contentsOf: out, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, shown)
        XCTAssertTrue(shown.hasSuffix("""
            In [1]: x = 2

            In [2]: for i in range(2):
               ...:     x += i
               ...: 

            In [3]: x
            Out[3]: 3

            In [4]: 

            """), shown)
        XCTAssertEqual(try storedSession().1.map(\.executionCount), [1, 2, 3])
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".kiln_history").path))
    }
}
