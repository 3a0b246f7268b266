import Foundation
import KilnNotebook
import KilnStore
import XCTest
@testable import KilnREPL

/// The line magics, each as IPython words and prints it.
final class MagicTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self)
    }

    func run(_ input: String) throws -> ReplRun { try runRepl(input, in: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testUnknownMagicIsIPythonsUsageError() throws {
        let run = try run("%foo bar\n")
        XCTAssertTrue(run.shown.contains("In [1]: %foo bar\nUsageError: Line magic function `%foo` not found.\n"), run.shown)
        let cell = try XCTUnwrap(try run.store.cells(ofSession: try XCTUnwrap(run.session.sessionID)).first)
        XCTAssertEqual(cell.status, .error)
        XCTAssertEqual(cell.outputs.first?.name, "UsageError")
    }

    func testCellMagicsAreNotFoundInIPythonsWords() throws {
        let run = try run("%%time x\n")
        XCTAssertTrue(run.shown.contains("UsageError: Cell magic `%%time` not found.\n"), run.shown)
    }

    func testTimePrintsCPUAndWallTimesThenTheResult() throws {
        let run = try run("%time print('hi')\n%time sum(range(10))\n")
        let pattern = #"In \[1\]: %time print\('hi'\)\nhi\nCPU times: user [0-9.e+]+ [µmn]?s, sys: [0-9.e+]+ [µmn]?s, total: [0-9.e+]+ [µmn]?s\nWall time: [0-9.e+]+ [µmn]?s\n\nIn \[2\]: %time sum\(range\(10\)\)\nCPU times: .*\nWall time: .*\nOut\[2\]: 45\n"#
        XCTAssertNotNil(run.shown.range(of: pattern, options: .regularExpression), run.shown)
    }

    func testTimeOfAFailingStatementShowsOnlyTheTraceback() throws {
        let run = try run("%time 1 / 0\n")
        XCTAssertTrue(run.shown.contains("ZeroDivisionError"), run.shown)
        XCTAssertFalse(run.shown.contains("CPU times"), run.shown)
    }

    func testTimeitPrintsMeanAndDeviationPerLoop() throws {
        let run = try run("x = 3\n%timeit -n 20 -r 3 x * 2\n%timeit -q -n1 -r1 x\ny = 0\n%timeit -n 5 -r 1 y += 1\n")
        let pattern = #"In \[2\]: %timeit -n 20 -r 3 x \* 2\n(The slowest run took .*\n)?[0-9.e+]+ [µmn]?s ± [0-9.e+]+ [µmn]?s per loop \(mean ± std\. dev\. of 3 runs, 20 loops each\)\n"#
        XCTAssertNotNil(run.shown.range(of: pattern, options: .regularExpression), run.shown)
        XCTAssertTrue(run.shown.contains("In [3]: %timeit -q -n1 -r1 x\n\nIn [4]"), run.shown)
        // As in IPython, the statement runs inside a function: y is local there.
        XCTAssertTrue(run.shown.contains("UnboundLocalError") || run.shown.contains("NameError"), run.shown)
        XCTAssertTrue(run.session.interpreter.globals.boundNames.allSatisfy { !$0.hasPrefix("_kiln") })
    }

    func testTimeitOptionsAreChecked() throws {
        let run = try run("%timeit -z 1\n%timeit -n 0 1\n")
        XCTAssertTrue(run.shown.contains("UsageError: option -z not recognized\n"), run.shown)
        XCTAssertTrue(run.shown.contains("UsageError: option -n needs a positive integer, not '0'\n"), run.shown)
    }

    func testHistoryNumbersThisSessionsInputs() throws {
        let run = try run("x = 1\nif x:\n    x = 2\n\n%history\n%hist 2-3\n%history 9\n")
        XCTAssertTrue(run.shown.contains("""
            In [3]: %history
               1: x = 1
               2:
            if x:
                x = 2
               3: %history

            """), run.shown)
        XCTAssertTrue(run.shown.contains("In [4]: %hist 2-3\n   2:\nif x:\n    x = 2\n   3: %history\n\n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [5]: %history 9\n\n"), run.shown)
    }

    func testWhoListsTheNamesDefinedAsIPython() throws {
        let run = try run("%who\nb = 1\na = 'x'\n_hidden = 2\ndef f():\n    pass\n\n%who\n%who int function\n%who list\n")
        XCTAssertTrue(run.shown.contains("In [1]: %who\nInteractive namespace is empty.\n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [6]: %who\na\t b\t f\t \n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [7]: %who int function\nb\t f\t \n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [8]: %who list\nNo variables match your requested type.\n"), run.shown)
    }

    func testWhoBreaksTheLineAfterNineNames() {
        let names = (1...10).map { "v\($0)" }
        XCTAssertEqual(Magic.whoListing(names, filtered: false),
                       "v1\t v2\t v3\t v4\t v5\t v6\t v7\t v8\t v9\t \nv10\t \n")
    }

    func testResetAsksFirstAndForgetsTheNames() throws {
        let run = try run("x = 1\n1\n%reset\nn\nx\n%reset\nmaybe\ny\nx\n_\n")
        XCTAssertTrue(run.shown.contains(
            "In [3]: %reset\nOnce deleted, variables cannot be recovered. Proceed (y/[n])?n\nNothing done.\n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [4]: x\nOut[4]: 1\n"), run.shown)
        XCTAssertTrue(run.shown.contains("Proceed (y/[n])?maybe\nOnce deleted, variables cannot be recovered. Proceed (y/[n])?y\n"), run.shown)
        XCTAssertTrue(run.shown.contains("NameError: name 'x' is not defined"), run.shown)
        XCTAssertTrue(run.shown.contains("NameError: name '_' is not defined"), run.shown)
    }

    func testResetWithFDoesNotAsk() throws {
        let run = try run("x = 1\n%reset -f\n%who\n")
        XCTAssertTrue(run.shown.contains("In [2]: %reset -f\n\nIn [3]: %who\nInteractive namespace is empty.\n"), run.shown)
    }

    func testSaveWritesTheCodeInputsAsAKilnNotebook() throws {
        let file = path("work")
        let run = try run("x = 1\nlen?\nfor i in range(2):\n    print(i)\n\n%save \(file)\n")
        let expected = "# %%\nx = 1\n\n# %%\nfor i in range(2):\n    print(i)\n"
        XCTAssertEqual(try String(contentsOfFile: file + ".kiln", encoding: .utf8), expected)
        XCTAssertTrue(run.shown.contains("The following commands were written to file `\(file).kiln`:\n" + expected), run.shown)
    }

    func testSaveChoosesRangesAsksBeforeReplacingAndAppends() throws {
        let file = path("part.kiln")
        let run = try run("a = 1\nb = 2\n%save \(file) 2\n%save \(file) 1\nn\n%save -a \(file) 1\n")
        XCTAssertTrue(run.shown.contains("File `\(file)` exists. Overwrite (y/[N])? n\nOperation cancelled.\n"), run.shown)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "# %%\nb = 2\n\n# %%\na = 1\n")
        XCTAssertTrue(try runRepl("%save\n", in: directory).shown.contains("UsageError: Missing filename.\n"))
        let unwritable = path("no/such/dir/x")
        XCTAssertTrue(try runRepl("%save \(unwritable)\n", in: directory).shown.contains(
            "UsageError: can't write file '\(unwritable).kiln': No such file or directory\n"))
    }

    func testLoadPutsTheFileInAsTheNextInput() throws {
        let file = path("snippet.kiln")
        try "def triple(a):\n    return 3 * a\n\n\n".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try run("%load \(file)\ntriple(2)\n%load \(path("missing.kiln"))\n")
        XCTAssertTrue(run.shown.contains(
            "In [1]: %load \(file)\n\nIn [2]: # %load \(file)\ndef triple(a):\n    return 3 * a\n\nIn [3]: triple(2)\nOut[3]: 6\n"), run.shown)
        XCTAssertTrue(run.shown.contains("UsageError: can't open file '\(path("missing.kiln"))': No such file or directory\n"), run.shown)
    }

    func testRunRunsANotebookInThisSession() throws {
        let file = path("nb.kiln")
        try "# %%\nx = 10\nprint('ran')\n# %% [markdown]\n# text\n# %%\nx * 2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try run("%run \(file)\nx + 1\n")
        XCTAssertTrue(run.shown.contains("In [1]: %run \(file)\nran\nOut[2]: 20\n\nIn [2]: x + 1\nOut[2]: 11\n"), run.shown)
    }

    func testRunStopsAtTheFirstErrorOfTheNotebook() throws {
        let file = path("bad.kiln")
        try "# %%\nx = 1\n# %%\nx / 0\n# %%\nprint('not reached')\n".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try run("%run \(file)\n")
        XCTAssertTrue(run.shown.contains("Error in cell 2 (\(file):4):\nTraceback"), run.shown)
        XCTAssertTrue(run.shown.contains("ZeroDivisionError: division by zero\n"), run.shown)
        XCTAssertFalse(run.shown.contains("not reached"), run.shown)
        let cell = try XCTUnwrap(try run.store.cells(ofSession: try XCTUnwrap(run.session.sessionID)).first)
        XCTAssertEqual(cell.status, .error)
        XCTAssertEqual(cell.outputs.last?.name, "ZeroDivisionError")
    }

    func testSessionsListsTheStoresSessions() throws {
        _ = try run("1\n")
        let run = try run("%sessions\n")
        let lines = run.shown.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[1].split(separator: " ").map(String.init), ["id", "kind", "status", "cells", "started", "ended", "source"])
        XCTAssertTrue(lines[2].hasPrefix(" 1  repl  ok     "), lines[2])
        XCTAssertTrue(lines[3].hasPrefix(" 2  repl  running"), lines[3])
    }

    func testLsmagicAndMagicHelp() throws {
        let run = try run("%lsmagic\n%time?\n%nope?\n")
        XCTAssertTrue(run.shown.contains("Available line magics:\n%history  %load  %lsmagic  %quit  %reset  %run  %save  %sessions  %time  %timeit  %who\n"), run.shown)
        XCTAssertTrue(run.shown.contains("In [2]: %time?\nUsage: %time statement\n\n    Run the statement once"), run.shown)
        XCTAssertTrue(run.shown.contains("In [3]: %nope?\nObject `%nope` not found.\n"), run.shown)
    }

    func testOptionsAreReadAsIPythonsParseOptions() throws {
        let options = try MagicOptions("-fa -n5 -r 3 -- -x 'a b' c\\ d", flags: "fa", valued: "nr")
        XCTAssertEqual(options.flags, ["f", "a"])
        XCTAssertEqual(options.values, ["n": "5", "r": "3"])
        XCTAssertEqual(options.rest, "-x 'a b' c\\ d")
        XCTAssertEqual(options.words, ["-x", "a b", "c d"])
        XCTAssertEqual(try MagicOptions("-1 + x", valued: "n").rest, "-1 + x")
        XCTAssertThrowsError(try MagicOptions("-n", valued: "n")) { error in
            XCTAssertEqual(error as? UsageError, UsageError("option -n requires argument"))
        }
    }
}
