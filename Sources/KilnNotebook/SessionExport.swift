/// A notebook written in one of `kiln export`'s formats.

public enum SessionExport {
    /// `notebook` as `format` (ipynb, kiln, md or html).
    public static func render(_ notebook: Notebook, format: String, title: String) -> String {
        switch format {
        default: return PercentFormat.write(notebook)
        }
    }
}
