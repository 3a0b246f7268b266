/// KilnNotebook holds notebooks as documents and runs them: the `.kiln` percent text format,
/// the headless runner behind `kiln run`, and the `CellExecutor` seam through which cells
/// reach the interpreter. It knows nothing of how Kiln code is evaluated.

/// What a cell holds: code to run, markdown text to show, or raw text passed through.
public enum CellKind: String, Equatable, Sendable {
    case code
    case markdown
    case raw
}

/// One `key=value` pair from a cell's marker line other than `tags`, e.g. `active="ipynb"`.
/// The value is kept as the JSON text written in the file.
public struct CellMetadataEntry: Equatable, Sendable {
    public var key: String
    public var json: String

    public init(key: String, json: String) {
        self.key = key
        self.json = json
    }
}

/// A notebook cell.
public struct Cell: Equatable, Sendable {
    public var kind: CellKind
    /// The cell's text. For markdown cells the `# ` comment marks of the file are removed.
    public var source: String
    /// Free text after `# %%` on the marker line ("" when there is none).
    public var title: String
    /// Jupyter tags, e.g. `["parameters"]` from `# %% tags=["parameters"]`.
    public var tags: [String]
    /// The marker line's other metadata, in the order written.
    public var metadata: [CellMetadataEntry]
    /// The 1-based line of the file on which `source` starts, so that errors can point into
    /// the file: line k of the source is line `firstLine + k - 1` of the file.
    public var firstLine: Int

    public init(
        kind: CellKind, source: String, title: String = "", tags: [String] = [],
        metadata: [CellMetadataEntry] = [], firstLine: Int = 1
    ) {
        self.kind = kind
        self.source = source
        self.title = title
        self.tags = tags
        self.metadata = metadata
        self.firstLine = firstLine
    }
}

/// A notebook: its cells, in order.
public struct Notebook: Equatable, Sendable {
    public var cells: [Cell]

    public init(cells: [Cell]) {
        self.cells = cells
    }

    /// The code cells, in order.
    public var codeCells: [Cell] { cells.filter { $0.kind == .code } }
}
