import XCTest
@testable import KilnNotebook

/// Running a notebook's cells in order, printing results, stopping at the first error.
final class HeadlessRunnerTests: XCTestCase {
    let output = CapturedOutput()
    let errors = CapturedOutput()

    func run(_ text: String, outcomes: [String: CellOutcome] = [:], prints: [String: String] = [:]) throws -> (Bool, FakeExecutor) {
        let executor = FakeExecutor(output: output, outcomes: outcomes, prints: prints)
        let runner = HeadlessRunner(executor: executor, output: output, errors: errors)
        let succeeded = runner.run(try PercentFormat.parse(text), filename: "nb.kiln")
        return (succeeded, executor)
    }

    func testRunsCodeCellsInOrder() throws {
        let (_, executor) = try run("# %%\na = 1\n# %%\nb = 2\n# %%\nc = 3\n")
        XCTAssertEqual(executor.calls.map(\.code), ["a = 1", "b = 2", "c = 3"])
    }

    func testPassesFilenameAndFirstLineOfEachCell() throws {
        let (_, executor) = try run("# %%\na = 1\n\n# %%\n\nb = 2\n")
        XCTAssertEqual(executor.calls, [
            FakeExecutor.Call(code: "a = 1", filename: "nb.kiln", firstLine: 2),
            FakeExecutor.Call(code: "b = 2", filename: "nb.kiln", firstLine: 6),
        ])
    }

    func testSkipsMarkdownAndRawCells() throws {
        let (_, executor) = try run("# %% [markdown]\n# text\n# %% [raw]\nraw\n# %%\nx = 1\n")
        XCTAssertEqual(executor.calls.map(\.code), ["x = 1"])
    }

    func testSkipsBlankCodeCells() throws {
        let (_, executor) = try run("# %%\n\n# %%\nx = 1\n")
        XCTAssertEqual(executor.calls.map(\.code), ["x = 1"])
    }

    func testPrintsResultWithExecutionCount() throws {
        _ = try run("# %%\n1 + 1\n", outcomes: ["1 + 1": .completed(result: "2")])
        XCTAssertEqual(output.text, "Out[1]: 2\n")
    }

    func testPrintsNothingForCellWithoutResult() throws {
        _ = try run("# %%\nx = 1\n")
        XCTAssertEqual(output.text, "")
    }

    func testExecutionCountCountsOnlyExecutedCells() throws {
        _ = try run("# %% [markdown]\n# hi\n# %%\na\n# %%\n\n# %%\nb\n",
                    outcomes: ["a": .completed(result: "'a'"), "b": .completed(result: "'b'")])
        XCTAssertEqual(output.text, "Out[1]: 'a'\nOut[2]: 'b'\n")
    }

    func testPrintedOutputComesBeforeTheCellsResult() throws {
        _ = try run("# %%\nf()\n", outcomes: ["f()": .completed(result: "3")], prints: ["f()": "working\n"])
        XCTAssertEqual(output.text, "working\nOut[1]: 3\n")
    }

    func testReturnsTrueWhenEveryCellCompletes() throws {
        let (succeeded, _) = try run("# %%\na = 1\n# %%\nb = 2\n")
        XCTAssertTrue(succeeded)
        XCTAssertEqual(errors.text, "")
    }

    func testStopsAtTheFirstError() throws {
        let (succeeded, executor) = try run("# %%\na\n# %%\nboom\n# %%\nc\n",
                                            outcomes: ["boom": .failed(traceback: "NameError: name 'boom' is not defined")])
        XCTAssertFalse(succeeded)
        XCTAssertEqual(executor.calls.map(\.code), ["a", "boom"])
    }

    func testErrorNamesCellFileAndLineThenTraceback() throws {
        let traceback = "Traceback (most recent call last):\n  nb.kiln:5:1\nNameError: name 'boom' is not defined\n"
        _ = try run("# %%\na = 1\n\n# %%\nboom\n", outcomes: ["boom": .failed(traceback: traceback)])
        XCTAssertEqual(errors.text, "Error in cell 2 (nb.kiln:5):\n" + traceback)
    }

    func testErrorTextGetsAFinalNewline() throws {
        _ = try run("# %%\nboom\n", outcomes: ["boom": .failed(traceback: "NameError: boom")])
        XCTAssertEqual(errors.text, "Error in cell 1 (nb.kiln:2):\nNameError: boom\n")
    }

    func testResultsBeforeTheErrorArePrinted() throws {
        _ = try run("# %%\na\n# %%\nboom\n",
                    outcomes: ["a": .completed(result: "1"), "boom": .failed(traceback: "E")])
        XCTAssertEqual(output.text, "Out[1]: 1\n")
    }
}
