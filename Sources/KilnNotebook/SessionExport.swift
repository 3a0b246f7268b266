/// A stored session written in one of `kiln export`'s formats.

public enum SessionExport {
    /// `notebook` as `format`: ipynb, kiln, md or html (a session's outputs were made by Kiln,
    /// so the HTML export trusts them).
    public static func render(_ notebook: Notebook, format: String, title: String) -> String {
        switch format {
        case "ipynb": return IpynbFormat.write(notebook)
        case "md": return MarkdownExport.render(notebook)
        case "html": return HTMLExport.render(notebook, title: title, trusted: true)
        default: return PercentFormat.write(notebook)
        }
    }
}
