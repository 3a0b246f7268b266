import XCTest
@testable import KilnNotebook

/// Reading and writing the `.kiln` percent format.
final class PercentFormatTests: XCTestCase {
    func parse(_ text: String) throws -> [Cell] {
        try PercentFormat.parse(text).cells
    }

    // MARK: Cells

    func testFileWithoutMarkerIsOneCodeCellFromLineOne() throws {
        XCTAssertEqual(try parse("x = 1\nprint(x)\n"), [Cell(kind: .code, source: "x = 1\nprint(x)", firstLine: 1)])
    }

    func testBlankFileHasNoCells() throws {
        XCTAssertEqual(try parse(""), [])
        XCTAssertEqual(try parse("\n  \n"), [])
    }

    func testMarkerStartsCodeCellOnTheNextLine() throws {
        XCTAssertEqual(try parse("# %%\nx = 1\n"), [Cell(kind: .code, source: "x = 1", firstLine: 2)])
    }

    func testEachMarkerStartsANewCell() throws {
        let cells = try parse("# %%\na = 1\n\n# %%\nb = 2\n")
        XCTAssertEqual(cells.map(\.source), ["a = 1", "b = 2"])
        XCTAssertEqual(cells.map(\.firstLine), [2, 5])
    }

    func testMarkerWithoutSpaceAfterHashIsAMarker() throws {
        XCTAssertEqual(try parse("#%%\nx = 1\n").map(\.firstLine), [2])
    }

    func testPercentSignsNotFollowedBySpaceAreNotAMarker() throws {
        XCTAssertEqual(try parse("# %%timeit\nx = 1\n").count, 1)
        XCTAssertEqual(try parse("# %%timeit\nx = 1\n")[0].source, "# %%timeit\nx = 1")
    }

    func testIndentedMarkerIsCode() throws {
        XCTAssertEqual(try parse("def f():\n    # %%\n    return 1\n").count, 1)
    }

    func testEmptyCellIsKept() throws {
        XCTAssertEqual(try parse("# %%\n# %%\nx = 1\n"), [
            Cell(kind: .code, source: "", firstLine: 2),
            Cell(kind: .code, source: "x = 1", firstLine: 3),
        ])
    }

    func testTextBeforeFirstMarkerIsACodeCell() throws {
        XCTAssertEqual(try parse("import math\n# %%\nx = 1\n").map(\.source), ["import math", "x = 1"])
    }

    func testBlankTextBeforeFirstMarkerIsNoCell() throws {
        XCTAssertEqual(try parse("\n\n# %%\nx = 1\n").map(\.source), ["x = 1"])
    }

    func testLeadingBlankLinesMoveTheFirstLine() throws {
        XCTAssertEqual(try parse("# %%\n\n\nx = 1\n"), [Cell(kind: .code, source: "x = 1", firstLine: 4)])
    }

    func testTrailingBlankLinesAreNotPartOfTheCell() throws {
        XCTAssertEqual(try parse("# %%\nx = 1\n\n\n")[0].source, "x = 1")
    }

    func testBlankLinesInsideACellAreKept() throws {
        XCTAssertEqual(try parse("# %%\nx = 1\n\ny = 2\n")[0].source, "x = 1\n\ny = 2")
    }

    func testCarriageReturnsAreDropped() throws {
        XCTAssertEqual(try parse("# %%\r\nx = 1\r\ny = 2\r\n"), [Cell(kind: .code, source: "x = 1\ny = 2", firstLine: 2)])
    }

    // MARK: Markdown and raw cells

    func testMarkdownCellLosesItsCommentMarks() throws {
        XCTAssertEqual(try parse("# %% [markdown]\n# # Title\n#\n# Some *text*.\n"), [
            Cell(kind: .markdown, source: "# Title\n\nSome *text*.", firstLine: 2),
        ])
    }

    func testMdIsShortForMarkdown() throws {
        XCTAssertEqual(try parse("# %% [md]\n# hi\n")[0].kind, .markdown)
    }

    func testRawCell() throws {
        XCTAssertEqual(try parse("# %% [raw]\nverbatim\n"), [Cell(kind: .raw, source: "verbatim", firstLine: 2)])
    }

    // MARK: Marker metadata

    func testTagsAreReadFromTheMarker() throws {
        XCTAssertEqual(try parse("# %% tags=[\"parameters\"]\nepochs = 3\n")[0].tags, ["parameters"])
    }

    func testTagsMayContainSpaces() throws {
        XCTAssertEqual(try parse("# %% tags=[\"a b\", \"c\"]\n")[0].tags, ["a b", "c"])
    }

    func testTitleIsKept() throws {
        let cell = try parse("# %% Train the model\nfit()\n")[0]
        XCTAssertEqual(cell.title, "Train the model")
        XCTAssertEqual(cell.kind, .code)
    }

    func testTitleTypeAndMetadataTogether() throws {
        let cell = try parse("# %% Intro [markdown] tags=[\"x\"] active=\"ipynb\" n=3\n# hi\n")[0]
        XCTAssertEqual(cell.title, "Intro")
        XCTAssertEqual(cell.kind, .markdown)
        XCTAssertEqual(cell.tags, ["x"])
        XCTAssertEqual(cell.metadata, [CellMetadataEntry(key: "active", json: "\"ipynb\""),
                                       CellMetadataEntry(key: "n", json: "3")])
    }

    func testInvalidMetadataIsAnErrorNamingTheLine() {
        XCTAssertThrowsError(try parse("x = 1\n# %% tags=[\"a\"\n")) { error in
            XCTAssertEqual((error as? PercentFormatError)?.line, 2)
        }
    }

    func testTagsMustBeStrings() {
        XCTAssertThrowsError(try parse("# %% tags=[1]\n")) { error in
            XCTAssertEqual(error as? PercentFormatError,
                           PercentFormatError(line: 1, message: "cell tags must be a list of strings, like tags=[\"parameters\"]"))
        }
    }

    // MARK: Writing

    let canonical = """
        # %% [markdown]
        # # Hello
        #
        # A notebook.

        # %% tags=["parameters"]
        n = 3

        # %% Squares
        squares = [i * i for i in range(n)]
        squares

        # %% [raw]
        raw text

        """

    func testWriteGivesBackCanonicalText() throws {
        XCTAssertEqual(PercentFormat.write(try PercentFormat.parse(canonical)), canonical)
    }

    func testParseGivesBackWrittenCells() throws {
        let notebook = Notebook(cells: [
            Cell(kind: .markdown, source: "# T\n\ntext", tags: ["a"]),
            Cell(kind: .code, source: "x = \"# %%\"\n\ny = 2", title: "Setup",
                 metadata: [CellMetadataEntry(key: "k", json: "{\"a\": [1, 2]}")]),
            Cell(kind: .code, source: ""),
            Cell(kind: .code, source: "z = 3", tags: ["parameters", "with \"quotes\""]),
        ])
        let reread = try PercentFormat.parse(PercentFormat.write(notebook))
        XCTAssertEqual(reread.cells.map { Cell(kind: $0.kind, source: $0.source, title: $0.title, tags: $0.tags, metadata: $0.metadata) },
                       notebook.cells)
    }

    func testWrittenCellsRecordTheirLines() throws {
        let text = PercentFormat.write(Notebook(cells: [Cell(kind: .code, source: "a\nb"), Cell(kind: .code, source: "c")]))
        XCTAssertEqual(text, "# %%\na\nb\n\n# %%\nc\n")
        XCTAssertEqual(try parse(text).map(\.firstLine), [2, 6])
    }
}
