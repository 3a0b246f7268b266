import Foundation
import XCTest

/// Every example notebook in notebooks/ runs headless without error (DESIGN.md: "each runs
/// headless in CI"), and the flagship notebook replays with no difference (issue 8).
final class ExampleNotebookTests: KilnFolderTestCase {
    static let flagship = "chapter7_3.kiln"

    func exampleNotebooks() throws -> [URL] {
        let directory = repositoryRoot.appendingPathComponent("notebooks")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".kiln") }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }

    func testThereAreExampleNotebooks() throws {
        XCTAssertTrue(try exampleNotebooks().map(\.lastPathComponent).contains(ExampleNotebookTests.flagship))
    }

    func testEveryOtherExampleNotebookRunsHeadless() throws {
        for notebook in try exampleNotebooks() where notebook.lastPathComponent != ExampleNotebookTests.flagship {
            let result = try kiln(["run", notebook.path])
            XCTAssertEqual(result.status, 0, "\(notebook.lastPathComponent):\n\(result.stderr)")
        }
    }

    /// The README's main job: the flagship notebook headless into ./kiln.db, then `kiln replay`
    /// of that session finds every cell's outputs as stored.
    func testTheFlagshipNotebookRunsAndReplaysWithoutDifference() throws {
        let notebook = repositoryRoot.appendingPathComponent("notebooks").appendingPathComponent(ExampleNotebookTests.flagship)
        let run = try kiln(["run", notebook.path, "--db", "kiln.db"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let replay = try kiln(["replay", "1", "--db", "kiln.db", "--diff"])
        XCTAssertEqual(replay.status, 0, replay.stdout + replay.stderr)
        XCTAssertTrue(replay.stdout.contains("every cell's outputs match"), replay.stdout)
    }
}
