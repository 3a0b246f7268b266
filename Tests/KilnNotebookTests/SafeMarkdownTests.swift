import XCTest
@testable import KilnNotebook

/// The Markdown subset that exported HTML renders.
final class SafeMarkdownTests: XCTestCase {
    func html(_ markdown: String) -> String { SafeMarkdown.html(markdown) }

    func testHeadings() {
        XCTAssertEqual(html("# One\n## Two ##\n###### Six\n####### seven\n#nospace"),
                       "<h1>One</h1>\n<h2>Two</h2>\n<h6>Six</h6>\n<p>####### seven\n#nospace</p>\n")
        XCTAssertEqual(html("Title\n=====\nSub\n---"), "<h1>Title</h1>\n<h2>Sub</h2>\n")
    }

    func testParagraphsAreSeparatedByBlankLines() {
        XCTAssertEqual(html("a\nb\n\n\nc"), "<p>a\nb</p>\n<p>c</p>\n")
    }

    func testEmphasis() {
        XCTAssertEqual(SafeMarkdown.inline("*a* **b** ***c*** _d_ __e__ **f *g* h**", depth: 0),
                       "<em>a</em> <strong>b</strong> <strong><em>c</em></strong> <em>d</em> <strong>e</strong> <strong>f <em>g</em> h</strong>")
    }

    func testWhatIsNotEmphasis() {
        XCTAssertEqual(SafeMarkdown.inline("snake_case_name 2 * 3 * 4 ** x **** *", depth: 0), "snake_case_name 2 * 3 * 4 ** x **** *")
    }

    func testCodeSpans() {
        XCTAssertEqual(SafeMarkdown.inline("`a<b` `` x ` y `` `open", depth: 0), "<code>a&lt;b</code> <code>x ` y</code> `open")
    }

    func testBackslashEscapes() {
        XCTAssertEqual(SafeMarkdown.inline(#"\*not em\* \\ \a"#, depth: 0), #"*not em* \ \a"#)
    }

    func testLinksOnlyToWebAndMail() {
        XCTAssertEqual(SafeMarkdown.inline("[docs](https://keras.io \"t\") [m](mailto:a@b.c) [x](javascript:alert(1)) [y](data:text/html,hi) [rel](other.ipynb)", depth: 0),
                       "<a href=\"https://keras.io\">docs</a> <a href=\"mailto:a@b.c\">m</a> x) y rel")
    }

    func testLinkTargetIsEscaped() {
        XCTAssertEqual(SafeMarkdown.inline("[a](https://x/\"onmouseover=\"alert)", depth: 0),
                       "<a href=\"https://x/&quot;onmouseover=&quot;alert\">a</a>")
    }

    func testImagesOnlyFromDataURIs() {
        XCTAssertEqual(SafeMarkdown.inline("![dot](data:image/png;base64,AQID) ![web](https://x/y.png) ![bad](data:image/png;base64,\"x)", depth: 0),
                       "<img alt=\"dot\" src=\"data:image/png;base64,AQID\"> web bad")
    }

    func testRawHTMLIsText() {
        XCTAssertEqual(html("<div onclick=\"x\">hi</div>"), "<p>&lt;div onclick=&quot;x&quot;&gt;hi&lt;/div&gt;</p>\n")
    }

    func testFencedCode() {
        XCTAssertEqual(html("```python\nif x: # c\n```\n~~~\n<b>\n~~~\n```\nnever closed"),
                       "<pre><code><span class=\"kw\">if</span> x: <span class=\"com\"># c</span></code></pre>\n<pre><code>&lt;b&gt;</code></pre>\n<pre><code>never closed</code></pre>\n")
    }

    func testIndentedCode() {
        XCTAssertEqual(html("Run it with\n\n    kiln run a.kiln\n\n    x < y\n\nDone."),
                       "<p>Run it with</p>\n<pre><code>kiln run a.kiln\n\nx &lt; y</code></pre>\n<p>Done.</p>\n")
    }

    func testLists() {
        XCTAssertEqual(html("- a\n- b\n  more\n  - nested\n- c"),
                       "<ul>\n<li>a</li>\n<li>b\nmore\n<ul>\n<li>nested</li>\n</ul></li>\n<li>c</li>\n</ul>\n")
        XCTAssertEqual(html("3. three\n4) four"), "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n")
        XCTAssertEqual(html("* a\n\n* b\n\n  para"), "<ul>\n<li>a</li>\n<li><p>b</p>\n<p>para</p></li>\n</ul>\n")
    }

    func testNumberInTextDoesNotStartAList() {
        XCTAssertEqual(html("It was\n1999. A year."), "<p>It was\n1999. A year.</p>\n")
    }

    func testQuotesAndBreaks() {
        XCTAssertEqual(html("> quoted *text*\n> # heading\n\n---\n* * *"),
                       "<blockquote>\n<p>quoted <em>text</em></p>\n<h1>heading</h1>\n</blockquote>\n<hr>\n<hr>\n")
    }

    func testDeepNestingAndLongRunsAreCutShortNotACrash() {
        let quotes = String(repeating: ">", count: 50_000) + " x"
        XCTAssertTrue(html(quotes).hasPrefix("<blockquote>"))
        let lists = (0..<200).map { String(repeating: "  ", count: $0) + "- item" }.joined(separator: "\n")
        XCTAssertTrue(html(lists).hasPrefix("<ul>"))
        let blanks = "- a" + String(repeating: "\n", count: 100_000) + "b"
        XCTAssertEqual(html(blanks), "<ul>\n<li>a</li>\n</ul>\n<p>b</p>\n")
        let stars = String(repeating: "*a ", count: 20_000) + String(repeating: "b* ", count: 20_000)
        XCTAssertFalse(SafeMarkdown.inline(stars, depth: 0).isEmpty)
        let brackets = String(repeating: "[", count: 20_000) + "x" + String(repeating: "](https://a)", count: 20_000)
        XCTAssertFalse(SafeMarkdown.inline(brackets, depth: 0).isEmpty)
    }
}
