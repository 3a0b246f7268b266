import XCTest
@testable import KilnNotebook

/// Terminal output made readable on a page.
final class TerminalTextTests: XCTestCase {
    func testColourCodesAreRemoved() {
        XCTAssertEqual(TerminalText.strippingANSI("\u{1B}[0;31mValueError\u{1B}[0m: x \u{1B}[38;5;241m1\u{1B}[39m"), "ValueError: x 1")
    }

    func testOtherEscapesAreRemoved() {
        XCTAssertEqual(TerminalText.strippingANSI("a\u{1B}]0;title\u{7}b\u{1B}]8;;link\u{1B}\\c\u{1B}7d\u{1B}[2K"), "abcd")
    }

    func testEscapeAtTheEndIsDropped() {
        XCTAssertEqual(TerminalText.strippingANSI("a\u{1B}"), "a")
        XCTAssertEqual(TerminalText.strippingANSI("a\u{1B}[12"), "a")
    }

    func testCarriageReturnRedrawsTheLine() {
        XCTAssertEqual(TerminalText.rendered("1/3 [=>...]\r2/3 [==>..]\r3/3 [====]\nloss: 0.1"), "3/3 [====]\nloss: 0.1")
        XCTAssertEqual(TerminalText.rendered("12345\rab"), "ab")
        XCTAssertEqual(TerminalText.rendered("done\r"), "done")
    }

    func testWindowsLineEndsAreLineEnds() {
        XCTAssertEqual(TerminalText.rendered("a\r\nb\rc"), "a\nc")
    }

    func testBackspaceStepsBack() {
        XCTAssertEqual(TerminalText.rendered("ab\u{8}c"), "ac")
        XCTAssertEqual(TerminalText.rendered("\u{8}\u{8}x"), "x")
    }
}
