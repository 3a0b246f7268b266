import XCTest
@testable import KilnNotebook

/// Unified diffs as `diff -u` writes them.
final class LineDiffTests: XCTestCase {
    func testEqualTextsHaveNoDiff() {
        XCTAssertEqual(LineDiff.unified("a\nb\n", "a\nb\n", oldName: "x", newName: "y"), "")
    }

    func testOneChangedLineWithContext() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n", new = "1\n2\n3\n4\nfive\n6\n7\n8\n"
        XCTAssertEqual(LineDiff.unified(old, new, oldName: "old", newName: "new"), """
            --- old
            +++ new
            @@ -2,7 +2,7 @@
             2
             3
             4
            -5
            +five
             6
             7
             8

            """)
    }

    func testDistantChangesMakeTwoHunks() {
        let old = (1...20).map(String.init).joined(separator: "\n"), new = old.replacingOccurrences(of: "2\n", with: "two\n").replacingOccurrences(of: "19", with: "nineteen")
        let diff = LineDiff.unified(old, new, oldName: "a", newName: "b")
        XCTAssertEqual(diff.components(separatedBy: "\n@@").count, 3, diff)
        XCTAssertTrue(diff.contains("-2\n+two\n"))
        XCTAssertTrue(diff.contains("-19\n+nineteen\n"))
    }

    func testAddedLinesAtTheEnd() {
        XCTAssertEqual(LineDiff.unified("a\n", "a\nb\n", oldName: "o", newName: "n"), "--- o\n+++ n\n@@ -1,1 +1,2 @@\n a\n+b\n")
    }
}
