import XCTest
@testable import KilnNotebook

/// Highlighting Kiln source for HTML exports.
final class CodeHighlighterTests: XCTestCase {
    func highlight(_ source: String) -> String { CodeHighlighter.html(source) }

    func testKeywordsAreMarked() {
        XCTAssertEqual(highlight("for x in xs: pass"),
                       #"<span class="kw">for</span> x <span class="kw">in</span> xs: <span class="kw">pass</span>"#)
        XCTAssertEqual(highlight("None if True else False"),
                       #"<span class="kw">None</span> <span class="kw">if</span> <span class="kw">True</span> <span class="kw">else</span> <span class="kw">False</span>"#)
    }

    func testKeywordsInsideNamesAreNot() {
        XCTAssertEqual(highlight("format_in = iffy"), "format_in = iffy")
    }

    func testStringsWithPrefixesAndEscapes() {
        XCTAssertEqual(highlight(#"f"{x}\"" + rb'\n'"#),
                       #"<span class="str">f&quot;{x}\&quot;&quot;</span> + <span class="str">rb&#39;\n&#39;</span>"#)
    }

    func testTripleQuotedStringSpansLines() {
        XCTAssertEqual(highlight("s = \"\"\"a\n# not a comment\n\"\"\" # c"),
                       "s = <span class=\"str\">&quot;&quot;&quot;a\n# not a comment\n&quot;&quot;&quot;</span> <span class=\"com\"># c</span>")
    }

    func testUnterminatedStringsEndAtTheLineOrText() {
        XCTAssertEqual(highlight("'open\nx"), "<span class=\"str\">&#39;open</span>\nx")
        XCTAssertEqual(highlight("'''open\nx"), "<span class=\"str\">&#39;&#39;&#39;open\nx</span>")
        XCTAssertEqual(highlight("'\\"), "<span class=\"str\">&#39;\\</span>")
    }

    func testCommentsRunToTheEndOfTheLine() {
        XCTAssertEqual(highlight("x = 1  # set 'x'\ny"),
                       "x = <span class=\"num\">1</span>  <span class=\"com\"># set &#39;x&#39;</span>\ny")
    }

    func testNumbers() {
        XCTAssertEqual(highlight("1_000 + 0x1F - 2.5e-3 * .5 + 3j"),
                       #"<span class="num">1_000</span> + <span class="num">0x1F</span> - <span class="num">2.5e-3</span> * <span class="num">.5</span> + <span class="num">3j</span>"#)
        XCTAssertEqual(highlight("0xE-1"), #"<span class="num">0xE</span>-<span class="num">1</span>"#)
    }

    func testNamesWithDigitsAreNotNumbers() {
        XCTAssertEqual(highlight("conv2d(x1)"), "conv2d(x1)")
    }

    func testMarkupIsEscaped() {
        XCTAssertEqual(highlight("a<b and c>d & e"), #"a&lt;b <span class="kw">and</span> c&gt;d &amp; e"#)
    }
}
