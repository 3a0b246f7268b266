import XCTest
@testable import KilnNotebook

/// papermill-style parameters: literals only, injected after the `parameters` cell.
final class ParametersTests: XCTestCase {
    func testLiteralsAreAccepted() throws {
        for value in ["1", "-2.5e-3", "'adam'", "\"x\"", "True", "None", "[1, 2.0, 'a']", "(1,)", "{'lr': 0.1, 'layers': [64, 64]}", "+3"] {
            XCTAssertNoThrow(try NotebookParameters([("p", value)]), value)
        }
    }

    func testAnythingElseIsAUsageError() {
        for value in ["hello", "1 + 2", "f(1)", "[x]", "import os", "", "1; 2", "'unterminated"] {
            XCTAssertThrowsError(try NotebookParameters([("p", value)]), value) { error in
                XCTAssertTrue(error is UsageError)
                XCTAssertTrue("\(error)".contains("not a Kiln literal"), "\(error)")
            }
        }
        XCTAssertThrowsError(try NotebookParameters([("2x", "1")])) { XCTAssertTrue("\($0)".contains("not an identifier")) }
    }

    func testInjectedAfterTheParametersCellOrAtTheTop() throws {
        let tagged = try PercentFormat.parse("# %%\nimport math\n# %% tags=[\"parameters\"]\nlr = 0.1\n# %%\nprint(lr)\n")
        let injected = try NotebookParameters([("lr", "0.5"), ("name", "'x'")]).inject(into: tagged)
        XCTAssertEqual(injected.cells.map(\.source), ["import math", "lr = 0.1", "# Parameters\nlr = 0.5\nname = 'x'", "print(lr)"])
        XCTAssertEqual(injected.cells[2].tags, ["injected-parameters"])
        let untagged = try PercentFormat.parse("# %%\nprint(lr)\n")
        XCTAssertEqual(try NotebookParameters([("lr", "1")]).inject(into: untagged).cells.map(\.source), ["# Parameters\nlr = 1", "print(lr)"])
        XCTAssertEqual(try NotebookParameters([]).inject(into: untagged), untagged)
    }
}
