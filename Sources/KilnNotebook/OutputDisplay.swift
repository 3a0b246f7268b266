/// How an exported document shows one output: which item of its MIME bundle, as what.

import Foundation
import KilnStore

enum OutputDisplay: Equatable {
    /// Text to show as written (streams, errors, `text/plain`, JSON, LaTeX), terminal
    /// control codes already applied and final line ends removed.
    case text(String)
    /// A bitmap; `mime` is one of `MimeType.embeddableBitmaps`.
    case bitmap(mime: String, data: Data)
    /// SVG source.
    case svg(String)
    /// Markdown source (`text/markdown`).
    case markdown(String)
    /// HTML source (`text/html`), only when the caller allows HTML.
    case html(String)
    /// Nothing in the bundle can be shown; `mime` is the type of its first item ("empty" for
    /// an empty bundle, "unrecognised" for a type that is not a well-formed MIME type).
    case notShown(mime: String)

    /// The richest representation of `output` an exported document can show, in this order:
    /// HTML (if `allowingHTML`), SVG, PNG, JPEG, GIF, markdown, plain text, JSON, LaTeX, then
    /// any other text or JSON type. JavaScript is never chosen.
    static func of(_ output: StoredOutput, allowingHTML: Bool) -> OutputDisplay {
        switch output.type {
        case .stream, .error:
            return .text(shownText(output.plainText ?? ""))
        case .result, .display:
            let order = (allowingHTML ? ["text/html"] : []) + ["image/svg+xml", "image/png", "image/jpeg", "image/gif",
                                                                "text/markdown", "text/plain", "application/json", "text/latex"]
            for mime in order {
                if let item = output.items.first(where: { $0.mime == mime }), let shown = display(item) { return shown }
            }
            for item in output.items where MimeType.isJSON(item.mime) || (item.mime.hasPrefix("text/") && !activeText.contains(item.mime)) {
                if let shown = display(item) { return shown }
            }
            let mime = output.items.first?.mime ?? "empty"
            return .notShown(mime: MimeType.isWellFormed(mime) ? mime : "unrecognised")
        }
    }

    /// What a document says in place of an output it does not show, whose type is `mime`.
    static func notShownNote(_ mime: String) -> String {
        switch mime {
        case "text/html": return "[HTML output not shown: untrusted]"
        case "application/javascript", "text/javascript": return "[JavaScript output not shown]"
        default: return "[\(mime) output not shown]"
        }
    }

    private static func shownText(_ text: String) -> String {
        var shown = TerminalText.rendered(text)
        while shown.last?.isNewline == true { shown.removeLast() }
        return shown
    }

    /// Text types whose content is code for a browser to run or lay out.
    private static let activeText: Set<String> = ["text/html", "text/javascript"]

    /// `item` as the display its type calls for, or nil if it lacks the content (a bitmap
    /// item whose base64 could not be decoded holds text only).
    private static func display(_ item: OutputItem) -> OutputDisplay? {
        let text = item.text ?? item.data.flatMap { String(data: $0, encoding: .utf8) }
        switch item.mime {
        case "text/html": return text.map(OutputDisplay.html)
        case "image/svg+xml": return text.map(OutputDisplay.svg)
        case "text/markdown": return text.map(OutputDisplay.markdown)
        case _ where MimeType.embeddableBitmaps.contains(item.mime):
            return item.data.map { .bitmap(mime: item.mime, data: $0) }
        default: return text.map { .text(shownText($0)) }
        }
    }
}
