import XCTest
@testable import KilnREPL

/// What an input asks for.
final class InputTests: XCTestCase {
    func testMagicsHelpQuitAndCodeAreTold() {
        XCTAssertEqual(Input("%time x = 1"), .magic(name: "time", arguments: "x = 1"))
        XCTAssertEqual(Input("  %who  "), .magic(name: "who", arguments: ""))
        XCTAssertEqual(Input("layers.Dense?"), .help("layers.Dense"))
        XCTAssertEqual(Input("?len"), .help("len"))
        XCTAssertEqual(Input("f??"), .help("f"))
        XCTAssertEqual(Input("?"), .help(""))
        XCTAssertEqual(Input("exit"), .quit)
        XCTAssertEqual(Input("quit()"), .quit)
        XCTAssertEqual(Input("exit(1)"), .code("exit(1)"))
        XCTAssertEqual(Input("x = 'why?'"), .code("x = 'why?'"))
        XCTAssertEqual(Input("if x:\n    y?"), .code("if x:\n    y?"))
    }

    func testDottedNamesAreNamesJoinedByDots() {
        XCTAssertEqual(DottedName("layers.Dense")?.parts, ["layers", "Dense"])
        XCTAssertEqual(DottedName(" x ")?.parts, ["x"])
        XCTAssertNil(DottedName("x[0]"))
        XCTAssertNil(DottedName("f()"))
        XCTAssertNil(DottedName("1.5"))
        XCTAssertNil(DottedName("a..b"))
    }
}
