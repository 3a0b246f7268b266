/// KilnNotebook holds notebooks as documents and runs them: the `.kiln` percent text format,
/// the headless runner behind `kiln run`, the recording of sessions into the store, and the
/// `CellExecutor` seam through which cells reach the interpreter. It knows nothing of how Kiln
/// code is evaluated.

import KilnStore

/// What a cell holds: code to run, markdown text to show, or raw text passed through.
public enum CellKind: String, Equatable, Sendable {
    case code
    case markdown
    case raw
}

/// One metadata entry: a `key=value` pair from a cell's marker line other than `tags`, e.g.
/// `active="ipynb"`, or a key of an `.ipynb` cell's or notebook's `metadata`. The value is
/// kept as JSON text.
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
    /// nbformat 4.5's cell id, when the cell came from (or is going to) an .ipynb file.
    public var id: String?
    /// `In [n]` of the run that produced `outputs` (nil: not run).
    public var executionCount: Int?
    /// What the cell produced when it last ran (the store's output records).
    public var outputs: [StoredOutput]

    public init(
        kind: CellKind, source: String, title: String = "", tags: [String] = [],
        metadata: [CellMetadataEntry] = [], firstLine: Int = 1, id: String? = nil,
        executionCount: Int? = nil, outputs: [StoredOutput] = []
    ) {
        self.kind = kind
        self.source = source
        self.title = title
        self.tags = tags
        self.metadata = metadata
        self.firstLine = firstLine
        self.id = id
        self.executionCount = executionCount
        self.outputs = outputs
    }
}

/// A notebook: its cells, in order, and the notebook-wide metadata of the `.ipynb` file it
/// came from.
public struct Notebook: Equatable, Sendable {
    public var cells: [Cell]
    /// The `.ipynb` file's top-level `metadata`, one entry per key in the file's order, each
    /// value as JSON text (`kernelspec`, `language_info`, `colab`, …); empty for `.kiln` files.
    public var metadata: [CellMetadataEntry]

    public init(cells: [Cell], metadata: [CellMetadataEntry] = []) {
        self.cells = cells
        self.metadata = metadata
    }

    /// The code cells, in order.
    public var codeCells: [Cell] { cells.filter { $0.kind == .code } }
}
