import Foundation
import KilnLang
import KilnTestSupport
import XCTest

/// Runs every `testdata/*.kiln` file: the language tested in the language.
final class LanguageTests: XCTestCase {
    static let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")

    func runScript(_ name: String) {
        let path = LanguageTests.testdata.appendingPathComponent(name + ".kiln").path
        for failure in ScriptTest.run(file: path, makeInterpreter: { Interpreter() }) {
            XCTFail(failure.description)
        }
    }

    /// Each script has a test method below; this keeps the list and the folder in step.
    static let scripts = ["builtins", "control", "dicts", "errors", "format", "functions", "imports", "lists", "literals",
                          "operators", "sets", "strings"]

    func testEveryScriptHasATest() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: LanguageTests.testdata.path)
            .filter { $0.hasSuffix(".kiln") }.map { String($0.dropLast(5)) }
        XCTAssertEqual(Set(files), Set(LanguageTests.scripts))
    }
}

extension LanguageTests {
    func test_control() { runScript("control") }
    func test_errors() { runScript("errors") }
    func test_functions() { runScript("functions") }
    func test_imports() { runScript("imports") }
    func test_literals() { runScript("literals") }
    func test_operators() { runScript("operators") }
    func test_builtins() { runScript("builtins") }
    func test_strings() { runScript("strings") }
    func test_lists() { runScript("lists") }
    func test_dicts() { runScript("dicts") }
    func test_sets() { runScript("sets") }
    func test_format() { runScript("format") }
}
