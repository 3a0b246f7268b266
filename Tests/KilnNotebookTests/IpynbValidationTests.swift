import Foundation
import KilnStore
import XCTest
@testable import KilnNotebook

/// Kiln's `.ipynb` files checked by Jupyter's own nbformat (validate_ipynb.py): the schema,
/// unique cell ids, and nbformat.write's exact layout.
///
/// Needs a Python with nbformat: KILN_NBFORMAT_PYTHON names it (default `python3`). Without
/// one the test is skipped, unless KILN_REQUIRE_NBFORMAT=1, as validate_ipynb.sh sets, makes
/// that a failure.
final class IpynbValidationTests: XCTestCase {
    static let validator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("validate_ipynb.py")

    /// Notebooks that exercise every part of the writer.
    func exports() throws -> [(name: String, text: String)] {
        var exports = try Fixtures.exampleNotebooks().map { ($0.name + ".ipynb", IpynbFormat.write(try PercentFormat.parse($0.text))) }
        let jupyter = try IpynbFormat.parse(try Fixtures.data("jupyter_outputs.ipynb"), filename: "jupyter_outputs.ipynb")
        exports.append(("jupyter_outputs.ipynb", IpynbFormat.write(jupyter)))
        exports.append(("empty.ipynb", IpynbFormat.write(Notebook(cells: []))))
        exports.append(("outputs.ipynb", IpynbFormat.write(Notebook(cells: [
            Cell(kind: .markdown, source: "# Tags and ids", tags: ["a", "a", "b,c", ""], id: "same"),
            Cell(kind: .code, source: "x = 1\n\n", title: "Setup", id: "same", executionCount: 1, outputs: [
                .stream("out\n"), .stream("err", name: "stderr"), .result("1"),
                StoredOutput(type: .display, items: [
                    OutputItem(mime: "image/png", data: Data([0x89, 0x50])), OutputItem(mime: "image/svg+xml", text: "<svg>\n</svg>"),
                    OutputItem(mime: "application/json", text: "[1, {\"a\": null}]"), OutputItem(mime: "application/vnd.x+json", text: "not json"),
                    OutputItem(mime: "text/html", text: "<b>é</b>"), OutputItem(mime: "text/plain", text: "tab\tand \u{1}"),
                ]),
                .error("ValueError", traceback: "Traceback (most recent call last):\nValueError: bad"),
            ]),
            Cell(kind: .code, source: "", id: "not valid!", outputs: [.error("KeyboardInterrupt", traceback: "")]),
            Cell(kind: .raw, source: "raw", metadata: [CellMetadataEntry(key: "format", json: "\"text/plain\"")]),
        ], metadata: [CellMetadataEntry(key: "authors", json: "[{\"name\": \"Ada\"}]")]))))
        return exports
    }

    func testExportsPassNbformatValidation() throws {
        let python = ProcessInfo.processInfo.environment["KILN_NBFORMAT_PYTHON"] ?? "python3"
        guard run([python, "-c", "import nbformat"]).status == 0 else {
            if ProcessInfo.processInfo.environment["KILN_REQUIRE_NBFORMAT"] == "1" {
                return XCTFail("\(python) cannot import nbformat")
            }
            throw XCTSkip("no nbformat for \(python); run Tests/KilnNotebookTests/validate_ipynb.sh")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-ipynb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for (name, text) in try exports() {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        let result = run([python, IpynbValidationTests.validator.path] + paths)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.components(separatedBy: ": ok\n").count - 1, paths.count, result.output)
    }

    /// Runs `arguments` (found on PATH), returning its exit status and its output and errors.
    func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return (-1, "\(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
