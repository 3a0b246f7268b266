import Foundation
import XCTest

/// Every example notebook in notebooks/ runs headless without error (DESIGN.md: "each runs
/// headless in CI").
final class ExampleNotebookTests: XCTestCase {
    func exampleNotebooks() throws -> [URL] {
        let directory = repositoryRoot.appendingPathComponent("notebooks")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".kiln") }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }

    func testThereAreExampleNotebooks() throws {
        XCTAssertFalse(try exampleNotebooks().isEmpty)
    }

    func testEveryExampleNotebookRunsHeadless() throws {
        for notebook in try exampleNotebooks() {
            let result = try runKiln(["run", notebook.path])
            XCTAssertEqual(result.status, 0, "\(notebook.lastPathComponent):\n\(result.stderr)")
        }
    }
}
