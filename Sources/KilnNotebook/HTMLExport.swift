/// A notebook with its outputs as one self-contained HTML page (for `kiln export`).

import Foundation
import KilnStore

/// Renders a notebook as one HTML file that needs nothing else: CSS inline, images as
/// `data:` URIs, no JavaScript, and a Content-Security-Policy that lets the page load and run
/// nothing (so even content that slipped through could not act).
///
/// Code cells are highlighted (`CodeHighlighter`), markdown cells rendered by a safe subset
/// (`SafeMarkdown`); all text is escaped. Outputs follow Jupyter's trust model, `trusted`
/// applying to the whole notebook: outputs Kiln produced itself are trusted, outputs of an
/// imported `.ipynb` are not.
/// - Text (streams, errors, `text/plain`) is escaped in `<pre>`; PNG, JPEG and GIF become
///   `<img>` with a `data:` URI.
/// - SVG: inlined when trusted; otherwise only as an `<img>` `data:` URI, in which browsers
///   run no scripts.
/// - HTML: included when trusted; otherwise dropped with the note
///   "[HTML output not shown: untrusted]" (unless the bundle has another type to show).
/// - JavaScript is never included.
public enum HTMLExport {
    public static func render(_ notebook: Notebook, title: String, trusted: Bool) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Kiln">
            <title>\(HTMLEscaping.escape(title))</title>
            <style>
            \(stylesheet)</style>
            </head>
            <body>
            <main>

            """
        for cell in notebook.cells {
            switch cell.kind {
            case .markdown:
                out += "<div class=\"cell markdown\">\n" + SafeMarkdown.html(cell.source) + "</div>\n"
            case .raw:
                out += "<div class=\"cell raw\"><pre>" + HTMLEscaping.escape(cell.source) + "</pre></div>\n"
            case .code where cell.source.allSatisfy(\.isWhitespace) && cell.outputs.isEmpty:
                continue
            case .code:
                out += codeCell(cell, trusted: trusted)
            }
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    private static func codeCell(_ cell: Cell, trusted: Bool) -> String {
        let count = cell.executionCount.map(String.init) ?? "&nbsp;"
        var out = "<div class=\"cell code\">\n"
        out += "<div class=\"input\"><div class=\"prompt\">In&nbsp;[\(count)]:</div>"
        out += "<pre class=\"source\"><code>" + CodeHighlighter.html(cell.source) + "</code></pre></div>\n"
        for output in cell.outputs {
            let prompt = output.type == .result ? "Out[\(count)]:" : ""
            out += "<div class=\"output\"><div class=\"prompt\">\(prompt)</div>"
            out += html(for: OutputDisplay.of(output, allowingHTML: trusted), of: output, trusted: trusted) + "</div>\n"
        }
        return out + "</div>\n"
    }

    private static func html(for display: OutputDisplay, of output: StoredOutput, trusted: Bool) -> String {
        switch display {
        case .text(let text):
            let kind: String
            switch output.type {
            case .stream: kind = output.name == "stderr" ? "stderr" : "stdout"
            case .error: kind = "error"
            case .result, .display: kind = "text"
            }
            return "<pre class=\"\(kind)\">" + HTMLEscaping.escape(text) + "</pre>"
        case .bitmap(let mime, let data):
            return image(MimeType.dataURI(mime, data))
        case .svg(let svg):
            if trusted, let start = svg.range(of: "<svg", options: .caseInsensitive) {
                // Inline, without the XML declaration or doctype an HTML page cannot hold.
                return "<div class=\"svg\">" + svg[start.lowerBound...] + "</div>"
            }
            return image(MimeType.dataURI("image/svg+xml", Data(svg.utf8)))
        case .markdown(let markdown):
            return "<div class=\"markdown\">\n" + SafeMarkdown.html(markdown) + "</div>"
        case .html(let html):
            return "<div class=\"html\">\n" + html + "\n</div>"
        case .notShown(let mime):
            return "<p class=\"note\">" + HTMLEscaping.escape(OutputDisplay.notShownNote(mime)) + "</p>"
        }
    }

    private static func image(_ dataURI: String) -> String {
        "<img alt=\"output\" src=\"" + HTMLEscaping.escape(dataURI) + "\">"
    }

    private static let stylesheet = """
        body { margin: 0; background: #fff; color: #1f2328; font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
        main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
        .cell { margin: 0.75rem 0; }
        .input, .output { display: flex; align-items: flex-start; }
        .prompt { flex: 0 0 5.5rem; padding: 0.45rem 0.5rem 0 0; text-align: right; color: #6e7781; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
        .input .prompt { color: #0550ae; }
        .output .prompt { color: #953800; }
        .input pre, .output > :not(.prompt) { flex: 1 1 auto; min-width: 0; }
        pre { margin: 0; padding: 0.45rem 0.6rem; overflow-x: auto; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
        pre.source { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 4px; }
        pre.stderr { background: #fff5f5; }
        pre.error { background: #ffebe9; color: #82071e; }
        .output img, .output svg { max-width: 100%; height: auto; }
        .note { margin: 0.45rem 0; color: #6e7781; font-style: italic; }
        .markdown { padding: 0 0.6rem; }
        .cell.markdown { padding-left: 6rem; }
        .cell.raw pre { color: #57606a; }
        code { font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
        p code, li code { background: #eff1f3; padding: 0.1em 0.3em; border-radius: 3px; }
        .markdown pre { background: #f6f8fa; border-radius: 4px; }
        blockquote { margin: 0.5rem 0; padding: 0 1rem; color: #57606a; border-left: 0.25rem solid #d0d7de; }
        .kw { color: #cf222e; }
        .str { color: #0a3069; }
        .com { color: #6e7781; font-style: italic; }
        .num { color: #0550ae; }

        """
}
