import Foundation
import XCTest
@testable import KilnNotebook

/// `kiln run FILE` as a function: reading the file, making the executor, the exit status.
final class RunNotebookFileTests: XCTestCase {
    let output = CapturedOutput()
    let errors = CapturedOutput()
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    func write(_ text: String, to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func run(_ path: String, outcomes: [String: CellOutcome] = [:]) -> Int32 {
        runNotebookFile(atPath: path, output: output, errors: errors) { sink in
            FakeExecutor(output: sink, outcomes: outcomes)
        }
    }

    func testNotebookThatCompletesExitsZero() throws {
        let path = try write("# %%\n1 + 1\n", to: "ok.kiln")
        XCTAssertEqual(run(path, outcomes: ["1 + 1": .completed(result: "2")]), 0)
        XCTAssertEqual(output.text, "Out[1]: 2\n")
    }

    func testFailingCellExitsOne() throws {
        let path = try write("boom\n", to: "bad.kiln")
        XCTAssertEqual(run(path, outcomes: ["boom": .failed(traceback: "NameError: boom\n")]), 1)
        XCTAssertEqual(errors.text, "Error in cell 1 (\(path):1):\nNameError: boom\n")
    }

    func testMissingFileExitsOneWithAClearMessage() {
        XCTAssertEqual(run("missing.kiln"), 1)
        XCTAssertEqual(errors.text, "kiln: can't open file 'missing.kiln': No such file or directory\n")
    }

    func testDirectoryIsNotANotebook() {
        XCTAssertEqual(run(directory.path), 1)
        XCTAssertEqual(errors.text, "kiln: can't open file '\(directory.path)': Is a directory\n")
    }

    func testFileThatIsNotUTF8ExitsOne() throws {
        let url = directory.appendingPathComponent("binary.kiln")
        try Data([0xff, 0xfe, 0x00]).write(to: url)
        XCTAssertEqual(run(url.path), 1)
        XCTAssertEqual(errors.text, "kiln: can't open file '\(url.path)': not UTF-8 text\n")
    }

    func testMalformedMarkerIsReportedWithItsLine() throws {
        let path = try write("x = 1\n# %% tags=[1]\n", to: "tags.kiln")
        XCTAssertEqual(run(path), 1)
        XCTAssertEqual(errors.text, "kiln: \(path):2: cell tags must be a list of strings, like tags=[\"parameters\"]\n")
    }

    func testExecutorThatCannotBeMadeExitsOne() throws {
        struct NoInterpreter: Error, CustomStringConvertible { var description: String { "no interpreter" } }
        let path = try write("x = 1\n", to: "ok.kiln")
        let status = runNotebookFile(atPath: path, output: output, errors: errors) { _ in throw NoInterpreter() }
        XCTAssertEqual(status, 1)
        XCTAssertEqual(errors.text, "kiln: no interpreter\n")
    }
}
