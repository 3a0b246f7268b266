import Foundation
import KilnStore
import XCTest
@testable import KilnNotebook

/// Reading and writing Jupyter's `.ipynb` format (nbformat 4).
final class IpynbFormatTests: XCTestCase {
    func parse(_ json: String, filename: String = "nb.ipynb") throws -> Notebook {
        try IpynbFormat.parse(Data(json.utf8), filename: filename)
    }

    /// A notebook of the given cells (JSON text of each) in nbformat 4.5.
    func notebook(_ cells: String...) -> String {
        "{\"cells\": [\(cells.joined(separator: ", "))], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}"
    }

    func jupyterFixture() throws -> Notebook {
        try IpynbFormat.parse(try Fixtures.data("jupyter_outputs.ipynb"), filename: "jupyter_outputs.ipynb")
    }

    /// The written notebook read back by Foundation's JSON reader.
    func writtenJSON(_ notebook: Notebook) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(IpynbFormat.write(notebook).utf8))
        return try XCTUnwrap(object as? [String: Any])
    }

    func writtenCells(_ notebook: Notebook) throws -> [[String: Any]] {
        try XCTUnwrap(try writtenJSON(notebook)["cells"] as? [[String: Any]])
    }

    // MARK: - Reading cells

    func testReadsCellKindsSourcesAndIDs() throws {
        let cells = try jupyterFixture().cells
        XCTAssertEqual(cells.map(\.kind), [.markdown, .code, .code, .code, .code, .code, .code, .raw, .code])
        XCTAssertEqual(cells.map(\.id), ["intro", "params", "streams", "table", "plot", "config", "fails", "raw", "empty"])
        XCTAssertEqual(cells[0].source, "# Outputs\n\nEvery kind of output Jupyter saves.")
        XCTAssertEqual(cells[2].source, "import sys\nprint('hello')\nprint('careful', file=sys.stderr)")
        XCTAssertEqual(cells[7].source, "raw text, passed through")
        XCTAssertEqual(cells[8].source, "")
    }

    func testSourceMayBeOneString() throws {
        let cells = try parse(notebook(#"{"cell_type": "code", "source": "a = 1\nb = 2", "metadata": {}, "outputs": []}"#)).cells
        XCTAssertEqual(cells, [Cell(kind: .code, source: "a = 1\nb = 2")])
    }

    func testSourceListIsJoinedAsWritten() throws {
        let cells = try parse(notebook(##"{"cell_type": "markdown", "source": ["# T\n", "\n", "text  \n"], "metadata": {}}"##)).cells
        XCTAssertEqual(cells.map(\.source), ["# T\n\ntext  \n"])
    }

    func testTagsAndOtherMetadataAreKept() throws {
        let cells = try jupyterFixture().cells
        XCTAssertEqual(cells[1].tags, ["parameters"])
        XCTAssertEqual(cells[1].metadata, [])
        XCTAssertEqual(cells[2].metadata, [CellMetadataEntry(key: "collapsed", json: "false"),
                                           CellMetadataEntry(key: "jupyter", json: #"{"source_hidden": false}"#)])
        XCTAssertEqual(cells[7].metadata, [CellMetadataEntry(key: "format", json: #""text/plain""#)])
    }

    func testTitleMetadataIsTheCellTitle() throws {
        let cells = try parse(notebook(#"{"cell_type": "code", "source": "", "metadata": {"title": "Setup"}, "outputs": []}"#)).cells
        XCTAssertEqual(cells[0].title, "Setup")
        XCTAssertEqual(cells[0].metadata, [])
    }

    func testNotebookMetadataIsKept() throws {
        let metadata = try jupyterFixture().metadata
        XCTAssertEqual(metadata.map(\.key), ["authors", "kernelspec", "language_info"])
        XCTAssertEqual(metadata[1].json, #"{"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}"#)
    }

    func testExecutionCountIsRead() throws {
        XCTAssertEqual(try jupyterFixture().cells.map(\.executionCount), [nil, nil, 2, 3, 4, 5, 6, nil, nil])
    }

    func testCellsStartAtLineOne() throws {
        XCTAssertEqual(Set(try jupyterFixture().cells.map(\.firstLine)), [1])
    }

    func testReadsNbformat40WithoutIDs() throws {
        let json = """
            {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {"collapsed": true}, "outputs": [],
                        "source": ["x = 1"]}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 0}
            """
        let cell = try parse(json).cells[0]
        XCTAssertNil(cell.id)
        XCTAssertEqual(cell.source, "x = 1")
        XCTAssertEqual(cell.executionCount, 1)
    }

    func testByteOrderMarkIsSkipped() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data(notebook().utf8)
        XCTAssertEqual(try IpynbFormat.parse(data, filename: "nb.ipynb").cells, [])
    }

    func testUnknownFieldsOfLaterMinorVersionsAreIgnored() throws {
        let json = #"{"cells": [{"cell_type": "markdown", "source": "hi", "metadata": {}, "new_field": 1}], "metadata": {}, "nbformat": 4, "nbformat_minor": 9}"#
        XCTAssertEqual(try parse(json).cells.map(\.source), ["hi"])
    }

    // MARK: - Reading outputs

    func testStreamsKeepTheirChannel() throws {
        XCTAssertEqual(try jupyterFixture().cells[2].outputs, [.stream("hello\n"), .stream("careful\n", name: "stderr")])
    }

    func testResultKeepsEveryTextRepresentation() throws {
        XCTAssertEqual(try jupyterFixture().cells[3].outputs, [StoredOutput(type: .result, items: [
            OutputItem(mime: "text/html", text: "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"),
            OutputItem(mime: "text/plain", text: "   a\n0  1\n1  2"),
        ])])
    }

    func testBase64ImageIsDecodedToBytes() throws {
        let display = try jupyterFixture().cells[4].outputs[0]
        XCTAssertEqual(display.type, .display)
        let png = try XCTUnwrap(display.items.first { $0.mime == "image/png" })
        XCTAssertNil(png.text)
        XCTAssertEqual(png.data?.prefix(8), Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        XCTAssertEqual(display.plainText, "<Figure size 2x2 with 1 Axes>")
    }

    func testSVGIsText() throws {
        let svg = try XCTUnwrap(try jupyterFixture().cells[4].outputs[1].items.first { $0.mime == "image/svg+xml" })
        XCTAssertEqual(svg.text, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\">\n<rect width=\"4\" height=\"4\"/>\n</svg>")
        XCTAssertNil(svg.data)
    }

    func testJSONDataIsKeptAsJSONText() throws {
        let json = try XCTUnwrap(try jupyterFixture().cells[5].outputs[0].items.first { $0.mime == "application/json" })
        XCTAssertEqual(json.text, #"{"layers": [64, 10], "name": "mlp"}"#)
    }

    func testErrorTracebackLosesItsColours() throws {
        let error = try jupyterFixture().cells[6].outputs[0]
        XCTAssertEqual(error.type, .error)
        XCTAssertEqual(error.name, "ZeroDivisionError")
        let text = try XCTUnwrap(error.plainText)
        XCTAssertFalse(text.contains("\u{1B}"))
        XCTAssertTrue(text.hasPrefix("---------"))
        XCTAssertTrue(text.contains("Cell In[6], line 1\n----> 1 1 / 0\n"))
        XCTAssertTrue(text.hasSuffix("\nZeroDivisionError: division by zero"))
    }

    func testErrorWithoutTracebackIsItsNameAndValue() throws {
        let json = notebook(#"{"cell_type": "code", "source": "", "metadata": {}, "outputs": [{"output_type": "error", "ename": "KeyError", "evalue": "'a'", "traceback": []}]}"#)
        XCTAssertEqual(try parse(json).cells[0].outputs, [.error("KeyError", traceback: "KeyError: 'a'")])
    }

    func testBinaryDataThatIsNotBase64IsKeptAsText() throws {
        let json = notebook(#"{"cell_type": "code", "source": "", "metadata": {}, "outputs": [{"output_type": "display_data", "data": {"image/png": "not base64!"}, "metadata": {}}]}"#)
        XCTAssertEqual(try parse(json).cells[0].outputs[0].items, [OutputItem(mime: "image/png", text: "not base64!")])
    }

    // MARK: - Malformed files

    func assertError(_ json: String, _ description: String, file: StaticString = #filePath, line: UInt = #line) {
        assertError(Data(json.utf8), description, file: file, line: line)
    }

    func assertError(_ data: Data, _ description: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try IpynbFormat.parse(data, filename: "nb.ipynb"), file: file, line: line) { error in
            XCTAssertEqual((error as? IpynbFormatError)?.description, description, file: file, line: line)
        }
    }

    func testEmptyFile() {
        assertError("", #"nb.ipynb: the file is empty; a notebook is a JSON object with "cells""#)
        assertError(" \n\n", #"nb.ipynb: the file is empty; a notebook is a JSON object with "cells""#)
    }

    func testBinaryFile() {
        assertError(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]),
                    "nb.ipynb: this is a binary file, not a notebook (.ipynb files are JSON text)")
    }

    func testTextThatIsNotUTF8() {
        assertError(Data("{\"cells\": [\"caf".utf8) + Data([0xE9]) + Data("\"]}".utf8),
                    "nb.ipynb: the file is not UTF-8 text (Jupyter writes notebooks in UTF-8)")
    }

    func testInvalidJSONNamesLineAndColumn() {
        assertError("{\n \"cells\": [}\n", "nb.ipynb: not valid JSON: expected a value at line 2, column 12")
        assertError("{\"cells\": [", "nb.ipynb: not valid JSON: expected a value but the text ended at line 1, column 12")
        assertError("{\"cells\": []} x", "nb.ipynb: not valid JSON: unexpected text after the end of the JSON value at line 1, column 15")
        assertError("{\"cells\": [\"é\" 1]}", "nb.ipynb: not valid JSON: expected ',' or ']' after a list item at line 1, column 16")
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        assertError(deep, "nb.ipynb: not valid JSON: lists and objects are nested more than 500 deep at line 1, column 501")
    }

    func testNotebookMustBeAnObject() {
        assertError("[1, 2]", "nb.ipynb: a notebook is a JSON object, but the file holds a list")
    }

    func testNbformat3IsRefusedWithTheConversionCommand() {
        assertError(#"{"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": []}]}"#,
                    "nb.ipynb: nbformat 3 notebooks are not supported; convert with `jupyter nbconvert --to notebook --nbformat 4`")
    }

    func testOtherMajorVersionsAreRefused() {
        assertError(#"{"cells": [], "nbformat": 5, "nbformat_minor": 0}"#, "nb.ipynb: nbformat 5 notebooks are not supported; Kiln reads nbformat 4")
        assertError(#"{"cells": [], "nbformat": "4"}"#, #"nb.ipynb: "nbformat" must be an integer, not a string"#)
        assertError(#"{"cells": [], "nbformat": 4, "nbformat_minor": 4.5}"#, #"nb.ipynb: "nbformat_minor" must be an integer, not a number"#)
    }

    func testMissingVersion() {
        assertError(#"{"cells": []}"#, #"nb.ipynb: "nbformat" is missing: this is not a Jupyter notebook"#)
        assertError(#"{"worksheets": []}"#, #"nb.ipynb: "nbformat" is missing; this looks like an nbformat 3 notebook, which Kiln does not read"#)
    }

    func testMissingCells() {
        assertError(#"{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#,
                    #"nb.ipynb: "cells" is missing: a notebook is a JSON object with a list of "cells""#)
        assertError(#"{"cells": {}, "nbformat": 4, "nbformat_minor": 5}"#, #"nb.ipynb: "cells" must be a list, not an object"#)
    }

    func testNotebookMetadataMustBeAnObject() {
        assertError(#"{"cells": [], "metadata": [], "nbformat": 4, "nbformat_minor": 5}"#, #"nb.ipynb: "metadata" must be an object, not a list"#)
    }

    func testCellMustBeAnObject() {
        assertError(notebook(#""x = 1""#), "nb.ipynb: cell 1: a cell must be a JSON object, not a string")
    }

    func testCellType() {
        assertError(notebook(#"{"source": ""}"#), #"nb.ipynb: cell 1: "cell_type" is missing"#)
        assertError(notebook(#"{"cell_type": "markdown", "source": ""}"#, #"{"cell_type": "heading", "source": "T", "level": 1}"#),
                    #"nb.ipynb: cell 2: unknown cell_type "heading" (expected "code", "markdown" or "raw")"#)
        assertError(notebook(#"{"cell_type": 1, "source": ""}"#), #"nb.ipynb: cell 1: unknown cell_type 1 (expected "code", "markdown" or "raw")"#)
    }

    func testSourceMustBeAStringOrAListOfStrings() {
        let cell = #"{"cell_type": "markdown", "source": ""}"#
        assertError(notebook(cell, cell, #"{"cell_type": "code", "source": 3}"#),
                    #"nb.ipynb: cell 3: "source" must be a string or a list of strings, not a number"#)
        assertError(notebook(#"{"cell_type": "code", "source": ["a\n", null]}"#),
                    #"nb.ipynb: cell 1: "source" must be a string or a list of strings, but it holds null"#)
        assertError(notebook(#"{"cell_type": "code", "metadata": {}}"#), #"nb.ipynb: cell 1: "source" is missing"#)
    }

    func testCellFieldsOfTheWrongType() {
        assertError(notebook(#"{"cell_type": "code", "source": "", "id": 7}"#), #"nb.ipynb: cell 1: "id" must be a string, not a number"#)
        assertError(notebook(#"{"cell_type": "code", "source": "", "metadata": "x"}"#), #"nb.ipynb: cell 1: "metadata" must be an object, not a string"#)
        assertError(notebook(#"{"cell_type": "code", "source": "", "metadata": {"tags": "parameters"}}"#),
                    #"nb.ipynb: cell 1: metadata "tags" must be a list of strings"#)
        assertError(notebook(#"{"cell_type": "code", "source": "", "metadata": {"tags": [1]}}"#),
                    #"nb.ipynb: cell 1: metadata "tags" must be a list of strings"#)
        assertError(notebook(#"{"cell_type": "code", "source": "", "execution_count": "1"}"#),
                    #"nb.ipynb: cell 1: "execution_count" must be an integer or null, not a string"#)
        assertError(notebook(#"{"cell_type": "code", "source": "", "outputs": {}}"#), #"nb.ipynb: cell 1: "outputs" must be a list, not an object"#)
    }

    func testMalformedOutputsNameTheirPlace() {
        func output(_ json: String) -> String {
            notebook(#"{"cell_type": "code", "source": "", "outputs": [{"output_type": "stream", "name": "stdout", "text": ""}, \#(json)]}"#)
        }
        assertError(output("3"), "nb.ipynb: cell 1, output 2: an output must be a JSON object, not a number")
        assertError(output("{}"), #"nb.ipynb: cell 1, output 2: "output_type" is missing"#)
        assertError(output(#"{"output_type": "pyout"}"#),
                    #"nb.ipynb: cell 1, output 2: unknown output_type "pyout" (expected "stream", "execute_result", "display_data" or "error")"#)
        assertError(output(#"{"output_type": "stream", "name": "stdout", "text": 1}"#),
                    #"nb.ipynb: cell 1, output 2: "text" must be a string or a list of strings, not a number"#)
        assertError(output(#"{"output_type": "stream", "text": ""}"#), #"nb.ipynb: cell 1, output 2: "name" is missing"#)
        assertError(output(#"{"output_type": "display_data", "data": []}"#), #"nb.ipynb: cell 1, output 2: "data" must be an object, not a list"#)
        assertError(output(#"{"output_type": "execute_result", "data": {"text/plain": 1}}"#),
                    #"nb.ipynb: cell 1, output 2: "data entry "text/plain"" must be a string or a list of strings, not a number"#)
        assertError(output(#"{"output_type": "error", "ename": "E", "evalue": "", "traceback": "x"}"#),
                    #"nb.ipynb: cell 1, output 2: "traceback" must be a list of strings"#)
        assertError(output(#"{"output_type": "error", "evalue": ""}"#), #"nb.ipynb: cell 1, output 2: "ename" is missing"#)
    }

    /// Every prefix of a real notebook, and the notebook with each byte replaced, is either
    /// read or refused with an IpynbFormatError, never a crash.
    func testDamagedFilesAreRefusedCleanly() throws {
        let data = try Fixtures.data("jupyter_outputs.ipynb")
        for length in stride(from: 0, to: data.count, by: 5) {
            XCTAssertThrowsError(try IpynbFormat.parse(data.prefix(length), filename: "nb.ipynb")) { error in
                XCTAssertTrue(error is IpynbFormatError, "\(error)")
            }
        }
        for index in stride(from: 0, to: data.count, by: 13) {
            for replacement in [UInt8(ascii: "\""), UInt8(ascii: "}"), UInt8(ascii: "1"), 0xFF] {
                var damaged = data
                damaged[index] = replacement
                do {
                    _ = try IpynbFormat.parse(damaged, filename: "nb.ipynb")
                } catch {
                    XCTAssertTrue(error is IpynbFormatError, "\(error)")
                }
            }
        }
    }

    // MARK: - Writing

    func testWritesNbformat45NamingKiln() throws {
        let json = try writtenJSON(Notebook(cells: []))
        XCTAssertEqual(json["nbformat"] as? Int, 4)
        XCTAssertEqual(json["nbformat_minor"] as? Int, 5)
        let metadata = try XCTUnwrap(json["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["kernelspec"] as? [String: String], ["name": "kiln", "display_name": "Kiln", "language": "kiln"])
        let language = try XCTUnwrap(metadata["language_info"] as? [String: String])
        XCTAssertEqual(language["name"], "kiln")
        XCTAssertEqual(language["file_extension"], ".kiln")
        XCTAssertEqual(language["mimetype"], "text/x-kiln")
    }

    func testLayoutIsJupyters() {
        let text = IpynbFormat.write(Notebook(cells: [Cell(kind: .markdown, source: "# Hi\nthere")]))
        XCTAssertEqual(text, """
            {
             "cells": [
              {
               "cell_type": "markdown",
               "id": "cell-1",
               "metadata": {},
               "source": [
                "# Hi\\n",
                "there"
               ]
              }
             ],
             "metadata": {
              "kernelspec": {
               "display_name": "Kiln",
               "language": "kiln",
               "name": "kiln"
              },
              "language_info": {
               "codemirror_mode": "python",
               "file_extension": ".kiln",
               "mimetype": "text/x-kiln",
               "name": "kiln",
               "pygments_lexer": "python3"
              }
             },
             "nbformat": 4,
             "nbformat_minor": 5
            }

            """)
    }

    func testHelloNotebookGolden() throws {
        let text = try XCTUnwrap(try Fixtures.exampleNotebooks().first { $0.name == "hello.kiln" }?.text)
        try Fixtures.assertGolden(IpynbFormat.write(try PercentFormat.parse(text)), "hello.ipynb")
    }

    func testJupyterNotebookRewrittenGolden() throws {
        try Fixtures.assertGolden(IpynbFormat.write(try jupyterFixture()), "jupyter_outputs.kiln.ipynb")
    }

    func testOtherNotebookMetadataIsWrittenBackAndKernelIsKiln() throws {
        let metadata = try XCTUnwrap(try writtenJSON(try jupyterFixture())["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["authors"] as? [[String: String]], [["name": "Ada"]])
        XCTAssertEqual((metadata["kernelspec"] as? [String: String])?["name"], "kiln")
    }

    func testEveryCellGetsAValidUniqueID() {
        let cells = [
            Cell(kind: .code, source: "", id: "keep-me_1"),
            Cell(kind: .code, source: ""),
            Cell(kind: .code, source: "", id: "keep-me_1"),
            Cell(kind: .code, source: "", id: "not valid!"),
            Cell(kind: .code, source: "", id: String(repeating: "a", count: 65)),
            Cell(kind: .code, source: "", id: ""),
            Cell(kind: .code, source: "", id: "cell-7"),
        ]
        XCTAssertEqual(IpynbFormat.cellIDs(cells), ["keep-me_1", "cell-2", "cell-3", "cell-4", "cell-5", "cell-6", "cell-7"])
        XCTAssertEqual(IpynbFormat.cellIDs([Cell(kind: .code, source: "", id: "cell-2"), Cell(kind: .code, source: "")]),
                       ["cell-2", "cell-2-2"])
    }

    func testWrittenIDsAreStable() {
        let notebook = Notebook(cells: [Cell(kind: .code, source: "a"), Cell(kind: .markdown, source: "b")])
        XCTAssertEqual(IpynbFormat.write(notebook), IpynbFormat.write(notebook))
    }

    func testCodeCellCarriesCountAndOutputsOthersDoNot() throws {
        let cells = try writtenCells(Notebook(cells: [
            Cell(kind: .code, source: "1", executionCount: 4, outputs: [.result("1")]),
            Cell(kind: .raw, source: "r", outputs: [.result("dropped")]),
        ]))
        XCTAssertEqual(cells[0]["execution_count"] as? Int, 4)
        XCTAssertEqual((cells[0]["outputs"] as? [Any])?.count, 1)
        XCTAssertEqual(Set(cells[1].keys), ["cell_type", "id", "metadata", "source"])
    }

    func testUnrunCodeCellHasNullCount() throws {
        let cell = try writtenCells(Notebook(cells: [Cell(kind: .code, source: "1")]))[0]
        XCTAssertTrue(cell["execution_count"] is NSNull)
        XCTAssertEqual(cell["outputs"] as? [String], [])
    }

    func testTagsAreMadeValidForNbformat() throws {
        let cell = try writtenCells(Notebook(cells: [Cell(kind: .code, source: "", tags: ["a", "b,c", "a", "", " d "])]))[0]
        XCTAssertEqual((cell["metadata"] as? [String: Any])?["tags"] as? [String], ["a", "b", "c", "d"])
    }

    func testTitleAndMetadataAreWrittenIntoCellMetadata() throws {
        let cell = try writtenCells(Notebook(cells: [Cell(kind: .code, source: "", title: "Setup", metadata: [
            CellMetadataEntry(key: "collapsed", json: "true"), CellMetadataEntry(key: "odd", json: "not json"),
        ])]))[0]
        let metadata = try XCTUnwrap(cell["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["title"] as? String, "Setup")
        XCTAssertEqual(metadata["collapsed"] as? Bool, true)
        XCTAssertEqual(metadata["odd"] as? String, "not json")
    }

    func testOutputsAreWrittenAsJupyterOutputs() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47])
        let cell = try writtenCells(Notebook(cells: [Cell(kind: .code, source: "x", executionCount: 2, outputs: [
            .stream("a\nb\n", name: "stderr"),
            StoredOutput(type: .display, items: [OutputItem(mime: "image/png", data: png), OutputItem(mime: "text/plain", text: "<Figure>")]),
            StoredOutput(type: .result, items: [OutputItem(mime: "application/json", text: #"{"b": [1, 2.50]}"#)]),
            .error("ValueError", traceback: "Traceback (most recent call last):\n  File \"nb.kiln\", line 1\nValueError: bad\nvalue\n"),
        ])]))[0]
        let outputs = try XCTUnwrap(cell["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.map { $0["output_type"] as? String }, ["stream", "display_data", "execute_result", "error"])
        XCTAssertEqual(outputs[0]["name"] as? String, "stderr")
        XCTAssertEqual(outputs[0]["text"] as? [String], ["a\n", "b\n"])
        let display = try XCTUnwrap(outputs[1]["data"] as? [String: Any])
        XCTAssertEqual(display["image/png"] as? String, png.base64EncodedString())
        XCTAssertEqual(display["text/plain"] as? [String], ["<Figure>"])
        XCTAssertEqual((outputs[1]["metadata"] as? [String: Any])?.count, 0)
        XCTAssertEqual(outputs[2]["execution_count"] as? Int, 2)
        XCTAssertEqual(((outputs[2]["data"] as? [String: Any])?["application/json"] as? [String: Any])?["b"] as? [Double], [1, 2.5])
        XCTAssertEqual(outputs[3]["ename"] as? String, "ValueError")
        XCTAssertEqual(outputs[3]["evalue"] as? String, "bad\nvalue")
        XCTAssertEqual(outputs[3]["traceback"] as? [String], ["Traceback (most recent call last):", "  File \"nb.kiln\", line 1", "ValueError: bad", "value"])
    }

    func testErrorValueIsTheMessageAfterTheName() {
        func value(_ traceback: String, _ ename: String) -> String {
            IpynbFormat.errorValue(tracebackLines: traceback.split(separator: "\n", omittingEmptySubsequences: false), ename: ename)
        }
        XCTAssertEqual(value("Traceback:\nTypeError: bad operand", "TypeError"), "bad operand")
        XCTAssertEqual(value("KeyboardInterrupt", "KeyboardInterrupt"), "")
        XCTAssertEqual(value("something else", "TypeError"), "")
        XCTAssertEqual(value("\n: x", ""), "")
    }

    func testNumbersInMetadataAreWrittenAsRead() throws {
        let json = notebook(#"{"cell_type": "code", "source": "", "metadata": {"execution": {"t": 1.50e-3, "n": 10000000000000000000001}}, "outputs": []}"#)
        let text = IpynbFormat.write(try parse(json))
        XCTAssertTrue(text.contains("\"n\": 10000000000000000000001,\n"), text)
        XCTAssertTrue(text.contains("\"t\": 1.50e-3\n"), text)
    }

    // MARK: - Round trips

    /// The cell fields the percent format holds.
    func percentFields(_ cells: [Cell]) -> [[String]] {
        cells.map { [$0.kind.rawValue, $0.source, $0.title, $0.tags.joined(separator: "|"),
                     $0.metadata.map { "\($0.key)=\($0.json)" }.joined(separator: " ")] }
    }

    func roundTrip(_ kilnText: String) throws -> (before: Notebook, after: Notebook) {
        let before = try PercentFormat.parse(kilnText)
        let ipynb = IpynbFormat.write(before)
        let after = try PercentFormat.parse(PercentFormat.write(try IpynbFormat.parse(Data(ipynb.utf8), filename: "x.ipynb")))
        return (before, after)
    }

    func testExampleNotebooksSurviveKilnToIpynbToKiln() throws {
        let notebooks = try Fixtures.exampleNotebooks()
        XCTAssertFalse(notebooks.isEmpty)
        for (name, text) in notebooks {
            let (before, after) = try roundTrip(text)
            XCTAssertEqual(percentFields(after.cells), percentFields(before.cells), name)
            XCTAssertEqual(PercentFormat.write(after), PercentFormat.write(before), name)
        }
    }

    func testTrickyCellsSurviveKilnToIpynbToKiln() throws {
        let text = """
            # %% [markdown]
            # # A heading
            # ## and a smaller one
            #
            #     indented code in markdown
            # # %% not a marker here
            # trailing spaces\("   ")
            # ```python
            # x = 1
            # ```

            # %% [raw]
            # raw lines keep their hashes
            \tand tabs

            # %%

            # %% Train the model tags=["parameters", "with space", "quote\\"d"] active="ipynb" n={"a": [1, 2]}
            epochs = 3  \("")
            s = \"\"\"
            triple
            \"\"\"

            # %% [markdown] tags=["note"]
            #

            # %%
            # just a comment
            print("héllo ✓")  # unicode

            """
        let (before, after) = try roundTrip(text)
        XCTAssertEqual(before.cells.count, 6)
        XCTAssertEqual(percentFields(after.cells), percentFields(before.cells))
    }

    func testIpynbToIpynbKeepsCellsAndOutputs() throws {
        let first = try jupyterFixture()
        let second = try IpynbFormat.parse(Data(IpynbFormat.write(first).utf8), filename: "again.ipynb")
        XCTAssertEqual(second.cells, first.cells)
        XCTAssertEqual(IpynbFormat.write(second), IpynbFormat.write(first))
    }
}
