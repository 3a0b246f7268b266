import Foundation
@testable import KilnNotebook
import XCTest

/// notebooks/chapter7_3.ipynb is the Jupyter form of the flagship notebook
/// notebooks/chapter7_3.kiln, kept in step with it. After editing the .kiln file, regenerate it:
///
///     kiln export notebooks/chapter7_3.kiln --to ipynb -o notebooks/chapter7_3.ipynb
final class ChapterNotebookTests: XCTestCase {
    func testTheIpynbIsTheExportOfTheKilnFile() throws {
        let kiln = Fixtures.notebooksFolder.appendingPathComponent("chapter7_3.kiln")
        let ipynb = Fixtures.notebooksFolder.appendingPathComponent("chapter7_3.ipynb")
        let expected = SessionExport.render(try NotebookFile.read(atPath: kiln.path), format: "ipynb", title: kiln.path)
        let committed = try String(contentsOf: ipynb, encoding: .utf8)
        XCTAssertEqual(committed, expected, "notebooks/chapter7_3.ipynb is out of date: regenerate it with `kiln export notebooks/chapter7_3.kiln --to ipynb -o notebooks/chapter7_3.ipynb`")
    }

    /// Both files hold the same cells: the .ipynb read back gives the .kiln file's sources.
    func testTheIpynbReadsBackAsTheSameCells() throws {
        let kiln = try NotebookFile.read(atPath: Fixtures.notebooksFolder.appendingPathComponent("chapter7_3.kiln").path)
        let ipynb = try NotebookFile.read(atPath: Fixtures.notebooksFolder.appendingPathComponent("chapter7_3.ipynb").path)
        XCTAssertEqual(ipynb.cells.map(\.source), kiln.cells.map(\.source))
        XCTAssertGreaterThan(kiln.cells.count, 10)
    }
}
