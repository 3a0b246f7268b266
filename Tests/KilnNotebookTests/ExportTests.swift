import Foundation
import KilnStore
import XCTest
@testable import KilnNotebook

/// Markdown and HTML exports of notebooks with their outputs.
final class ExportTests: XCTestCase {
    func jupyterFixture() throws -> Notebook {
        try IpynbFormat.parse(try Fixtures.data("jupyter_outputs.ipynb"), filename: "jupyter_outputs.ipynb")
    }

    func display(_ items: OutputItem...) -> StoredOutput {
        StoredOutput(type: .display, items: items)
    }

    func html(_ outputs: [StoredOutput], trusted: Bool = false) -> String {
        HTMLExport.render(Notebook(cells: [Cell(kind: .code, source: "x", executionCount: 1, outputs: outputs)]), title: "t", trusted: trusted)
    }

    /// The page between `<main>` and `</main>`.
    func body(_ page: String) -> String {
        guard let start = page.range(of: "<main>\n"), let end = page.range(of: "</main>") else { return "" }
        return String(page[start.upperBound..<end.lowerBound])
    }

    // MARK: - Markdown

    func testMarkdownGolden() throws {
        try Fixtures.assertGolden(MarkdownExport.render(try jupyterFixture()), "jupyter_outputs.md")
    }

    func testMarkdownCellsAreWrittenAsTheyAre() {
        let text = MarkdownExport.render(Notebook(cells: [Cell(kind: .markdown, source: "# T\n\n* a\n* b\n\n"), Cell(kind: .raw, source: "raw")]))
        XCTAssertEqual(text, "# T\n\n* a\n* b\n\nraw\n")
    }

    func testCodeIsFencedAsPython() {
        XCTAssertEqual(MarkdownExport.render(Notebook(cells: [Cell(kind: .code, source: "x = 1")])), "```python\nx = 1\n```\n")
    }

    func testFenceIsLongerThanBackticksInside() {
        let text = MarkdownExport.render(Notebook(cells: [Cell(kind: .code, source: "s = \"\"\"\n```\n````\n\"\"\"")]))
        XCTAssertEqual(text, "`````python\ns = \"\"\"\n```\n````\n\"\"\"\n`````\n")
    }

    func testEmptyCodeCellsAreLeftOut() {
        XCTAssertEqual(MarkdownExport.render(Notebook(cells: [Cell(kind: .code, source: "  \n"), Cell(kind: .markdown, source: "m")])), "m\n")
        XCTAssertEqual(MarkdownExport.render(Notebook(cells: [])), "")
    }

    func testTextOutputsAreFencedWithTerminalCodesApplied() {
        let cell = Cell(kind: .code, source: "fit()", outputs: [.stream("\u{1B}[1mEpoch 1\u{1B}[0m\n1/2 [==>.]\r2/2 [====]\n"), .result("3")])
        XCTAssertEqual(MarkdownExport.render(Notebook(cells: [cell])),
                       "```python\nfit()\n```\n\n```text\nEpoch 1\n2/2 [====]\n```\n\n```text\n3\n```\n")
    }

    func testImagesAreDataURIs() {
        let png = Data([1, 2, 3])
        let cell = Cell(kind: .code, source: "", outputs: [
            display(OutputItem(mime: "image/png", data: png), OutputItem(mime: "text/plain", text: "<Figure>")),
            display(OutputItem(mime: "image/svg+xml", text: "<svg/>")),
        ])
        XCTAssertEqual(MarkdownExport.render(Notebook(cells: [cell])),
                       "![output](data:image/png;base64,AQID)\n\n![output](data:image/svg+xml;base64,\(Data("<svg/>".utf8).base64EncodedString()))\n")
    }

    func testMarkdownOutputIsWrittenAsIs() {
        let cell = Cell(kind: .code, source: "", outputs: [display(OutputItem(mime: "text/markdown", text: "**bold**\n"))])
        XCTAssertEqual(MarkdownExport.render(Notebook(cells: [cell])), "**bold**\n")
    }

    func testHTMLOnlyOutputIsNotedNotCopied() {
        let cell = Cell(kind: .code, source: "", outputs: [display(OutputItem(mime: "text/html", text: "<script>alert(1)</script>"))])
        XCTAssertEqual(MarkdownExport.render(Notebook(cells: [cell])), "*[HTML output not shown: untrusted]*\n")
    }

    // MARK: - HTML page

    func testHTMLGolden() throws {
        try Fixtures.assertGolden(HTMLExport.render(try jupyterFixture(), title: "Outputs", trusted: false), "jupyter_outputs.html")
    }

    func testPageIsSelfContained() throws {
        let page = HTMLExport.render(try jupyterFixture(), title: "Outputs", trusted: true)
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>\n"))
        XCTAssertTrue(page.contains("<style>"))
        XCTAssertTrue(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"))
        for reference in ["<script", "<link", "<iframe", "src=\"http", "url(", "@import"] {
            XCTAssertFalse(page.contains(reference), reference)
        }
    }

    func testTitleIsEscaped() {
        let page = HTMLExport.render(Notebook(cells: []), title: "</title><script>x</script>", trusted: true)
        XCTAssertTrue(page.contains("<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>"))
    }

    func testCodeIsHighlightedWithPrompts() {
        let page = HTMLExport.render(Notebook(cells: [Cell(kind: .code, source: "def f(): return 'a' # c", executionCount: 7, outputs: [.result("'a'")])]),
                                     title: "t", trusted: false)
        XCTAssertEqual(body(page), """
            <div class="cell code">
            <div class="input"><div class="prompt">In&nbsp;[7]:</div><pre class="source"><code><span class="kw">def</span> f(): <span class="kw">return</span> <span class="str">&#39;a&#39;</span> <span class="com"># c</span></code></pre></div>
            <div class="output"><div class="prompt">Out[7]:</div><pre class="text">&#39;a&#39;</pre></div>
            </div>

            """)
    }

    func testMarkdownCellsAreRendered() {
        let page = HTMLExport.render(Notebook(cells: [Cell(kind: .markdown, source: "## Data\n\nSome *text* with `code`.")]), title: "t", trusted: false)
        XCTAssertEqual(body(page), "<div class=\"cell markdown\">\n<h2>Data</h2>\n<p>Some <em>text</em> with <code>code</code>.</p>\n</div>\n")
    }

    func testRawCellIsEscapedText() {
        let page = HTMLExport.render(Notebook(cells: [Cell(kind: .raw, source: "<b>raw</b>")]), title: "t", trusted: true)
        XCTAssertEqual(body(page), "<div class=\"cell raw\"><pre>&lt;b&gt;raw&lt;/b&gt;</pre></div>\n")
    }

    func testStreamsAndErrorsAreEscapedPreformattedText() {
        let page = html([.stream("a < b\n"), .stream("warn\n", name: "stderr"), .error("ValueError", traceback: "Traceback:\nValueError: <bad>")])
        XCTAssertTrue(page.contains("<pre class=\"stdout\">a &lt; b</pre>"))
        XCTAssertTrue(page.contains("<pre class=\"stderr\">warn</pre>"))
        XCTAssertTrue(page.contains("<pre class=\"error\">Traceback:\nValueError: &lt;bad&gt;</pre>"))
    }

    func testBitmapsAreDataURIImages() {
        let page = html([display(OutputItem(mime: "image/jpeg", data: Data([0xFF, 0xD8])), OutputItem(mime: "text/plain", text: "img"))])
        XCTAssertTrue(page.contains("<img alt=\"output\" src=\"data:image/jpeg;base64,/9g=\">"))
        XCTAssertFalse(page.contains("<pre class=\"text\">img"))
    }

    func testUnknownMimeTypeIsNeverWrittenIntoAnAttribute() {
        let page = html([display(OutputItem(mime: "image/png\" onerror=\"alert(1)", data: Data([1])))])
        XCTAssertTrue(page.contains("<p class=\"note\">[unrecognised output not shown]</p>"))
        XCTAssertFalse(page.contains("onerror"))
    }

    func testTrustedSVGIsInlinedWithoutItsProlog() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg width=\"2\"><rect/></svg>"
        let page = html([display(OutputItem(mime: "image/svg+xml", text: svg))], trusted: true)
        XCTAssertTrue(page.contains("<div class=\"svg\"><svg width=\"2\"><rect/></svg></div>"))
        XCTAssertFalse(page.contains("<?xml"))
    }

    func testUntrustedSVGIsOnlyAnImage() {
        let svg = "<svg width=\"2\"><rect/></svg>"
        let page = html([display(OutputItem(mime: "image/svg+xml", text: svg))], trusted: false)
        XCTAssertTrue(page.contains("<img alt=\"output\" src=\"data:image/svg+xml;base64,\(Data(svg.utf8).base64EncodedString())\">"))
        XCTAssertFalse(page.contains("<svg"))
    }

    func testTrustedHTMLIsIncluded() {
        let page = html([display(OutputItem(mime: "text/html", text: "<table><tr><td>1</td></tr></table>"), OutputItem(mime: "text/plain", text: "1"))], trusted: true)
        XCTAssertTrue(page.contains("<div class=\"html\">\n<table><tr><td>1</td></tr></table>\n</div>"))
    }

    func testUntrustedHTMLFallsBackToTextOrIsNoted() {
        let withText = html([display(OutputItem(mime: "text/html", text: "<table></table>"), OutputItem(mime: "text/plain", text: "table"))])
        XCTAssertTrue(withText.contains("<pre class=\"text\">table</pre>"))
        XCTAssertFalse(withText.contains("<table>"))
        let alone = html([display(OutputItem(mime: "text/html", text: "<table></table>"))])
        XCTAssertTrue(alone.contains("<p class=\"note\">[HTML output not shown: untrusted]</p>"))
    }

    func testJavaScriptIsNeverIncluded() {
        for trusted in [false, true] {
            let page = html([display(OutputItem(mime: "application/javascript", text: "alert(1)"))], trusted: trusted)
            XCTAssertTrue(page.contains("<p class=\"note\">[JavaScript output not shown]</p>"))
            XCTAssertFalse(page.contains("alert(1)"))
        }
    }

    func testMarkdownOutputIsRenderedSafely() {
        let page = html([display(OutputItem(mime: "text/markdown", text: "**ok** <b>x</b>"))])
        XCTAssertTrue(page.contains("<div class=\"markdown\">\n<p><strong>ok</strong> &lt;b&gt;x&lt;/b&gt;</p>\n</div>"))
    }

    /// Outputs of an untrusted notebook that would run code if they reached the page as
    /// markup: none does, in any form.
    func testUntrustedActiveContentNeverReachesThePage() {
        let payloads = [
            display(OutputItem(mime: "text/html", text: "<script>alert(1)</script>")),
            display(OutputItem(mime: "text/html", text: "<img src=x onerror=alert(1)>")),
            display(OutputItem(mime: "text/html", text: "<a href=\"javascript:alert(1)\">x</a>")),
            display(OutputItem(mime: "image/svg+xml", text: "<svg onload=\"alert(1)\"><script>alert(1)</script></svg>")),
            display(OutputItem(mime: "application/javascript", text: "alert(1)")),
            display(OutputItem(mime: "text/javascript", text: "alert(1)")),
            display(OutputItem(mime: "image/svg+xml", text: "<svg><image href=\"javascript:alert(1)\" onerror=\"alert(1)\"/></svg>"),
                    OutputItem(mime: "text/html", text: "<iframe src=\"javascript:alert(1)\"></iframe>")),
            StoredOutput(type: .result, items: [OutputItem(mime: "text/html", text: "<body onload=alert(1)>"),
                                                OutputItem(mime: "application/vnd.x+json", text: "{}")]),
        ]
        let page = html(payloads, trusted: false)
        for forbidden in ["<script", "onload=", "onerror=", "javascript:", "<iframe", "<svg", "alert("] {
            XCTAssertFalse(page.lowercased().contains(forbidden), "the page contains \(forbidden)")
        }
        XCTAssertEqual(page.components(separatedBy: "[HTML output not shown: untrusted]").count - 1, 3)
    }

    /// Text that looks like markup, in streams, results, errors, markdown and code, reaches
    /// the page only escaped: every tag on the page is one the exporter wrote.
    func testMarkupInTextIsEscapedEverywhere() throws {
        let attack = "<script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)>"
        let notebook = Notebook(cells: [
            Cell(kind: .markdown, source: "# \(attack)\n\n*\(attack)* [x](javascript:alert(1)) ![y](javascript:alert(1))\n\n```\n\(attack)\n```"),
            Cell(kind: .code, source: "print('\(attack)')  # \(attack)", outputs: [
                .stream(attack), .result(attack), .error("E\(attack)", traceback: attack),
                display(OutputItem(mime: "text/markdown", text: attack)), display(OutputItem(mime: "application/json", text: "\"\(attack)\"")),
            ]),
            Cell(kind: .raw, source: attack),
        ])
        let page = HTMLExport.render(notebook, title: attack, trusted: false)
        XCTAssertFalse(page.contains("<script"))
        XCTAssertFalse(page.contains("<img src=x"))
        XCTAssertFalse(page.contains("<svg"))
        XCTAssertFalse(page.contains("href=\"javascript"))
        let tags = try NSRegularExpression(pattern: "<(/?[a-zA-Z0-9!]+)").matches(in: page, range: NSRange(page.startIndex..., in: page))
            .compactMap { Range($0.range(at: 1), in: page).map { String(page[$0]) } }
        let written: Set<String> = ["!DOCTYPE", "html", "/html", "head", "/head", "meta", "title", "/title", "style", "/style", "body", "/body",
                                    "main", "/main", "div", "/div", "pre", "/pre", "code", "/code", "span", "/span", "h1", "/h1",
                                    "p", "/p", "em", "/em"]
        XCTAssertEqual(Set(tags).subtracting(written), [])
    }
}
