/// A notebook with its outputs as one Markdown document (for `kiln export`).

import Foundation

/// Renders a notebook as Markdown: markdown and raw cells as written, code cells as fenced
/// blocks, each followed by its outputs (text in fenced blocks, images as `data:` URIs,
/// markdown output as written). Blocks are separated by one blank line.
public enum MarkdownExport {
    public static func render(_ notebook: Notebook) -> String {
        var blocks: [String] = []
        for cell in notebook.cells {
            switch cell.kind {
            case .markdown, .raw:
                let text = trimmingTrailingNewlines(cell.source)
                if !text.isEmpty { blocks.append(text) }
            case .code:
                if !cell.source.allSatisfy(\.isWhitespace) {
                    // Kiln's syntax is Python's, and Markdown renderers (GitHub, editors) know
                    // no Kiln: marked `python`, the code is highlighted as readers expect.
                    blocks.append(fenced(cell.source, info: "python"))
                }
                blocks += cell.outputs.compactMap { block(for: OutputDisplay.of($0, allowingHTML: false)) }
            }
        }
        return blocks.isEmpty ? "" : blocks.joined(separator: "\n\n") + "\n"
    }

    /// The Markdown showing one output, or nil for an output with nothing to show.
    private static func block(for display: OutputDisplay) -> String? {
        switch display {
        case .text(let text):
            return text.isEmpty ? nil : fenced(text, info: "text")
        case .bitmap(let mime, let data):
            return "![output](\(MimeType.dataURI(mime, data)))"
        case .svg(let svg):
            return "![output](\(MimeType.dataURI("image/svg+xml", Data(svg.utf8))))"
        case .markdown(let markdown):
            let text = trimmingTrailingNewlines(markdown)
            return text.isEmpty ? nil : text
        case .html:
            // Not chosen: HTML is never copied into Markdown, whose renderers may pass it on.
            return "*" + OutputDisplay.notShownNote("text/html") + "*"
        case .notShown(let mime):
            return "*" + OutputDisplay.notShownNote(mime) + "*"
        }
    }

    /// `text` in a code fence longer than any run of backticks inside it.
    static func fenced(_ text: String, info: String) -> String {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return fence + info + "\n" + trimmingTrailingNewlines(text) + "\n" + fence
    }

    private static func trimmingTrailingNewlines(_ text: String) -> String {
        var text = text
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }
}
