/// The records the store keeps: sessions, their cells, each cell's outputs, saved models.

import Foundation

/// What started a session.
public enum SessionKind: String, Sendable, CaseIterable {
    case repl, notebook, replay
}

/// How a session (or a cell) ended; `running` until it does (a killed process leaves it so).
public enum RunStatus: String, Sendable, CaseIterable {
    case running, ok, error, interrupted, timeout
}

/// What a cell holds.
public enum StoredCellKind: String, Sendable, CaseIterable {
    case code, markdown, raw
}

/// Jupyter's output types.
public enum OutputType: String, Sendable, CaseIterable {
    /// Printed text (`name` stdout or stderr).
    case stream
    /// The value of the cell's last expression (`Out[n]`).
    case result
    /// A rich value shown while the cell ran (a plot), as a MIME bundle.
    case display
    /// The error that ended the cell (`name` its type, the text its traceback).
    case error
}

/// One representation of an output: its MIME type and its text or bytes.
public struct OutputItem: Equatable, Sendable {
    public var mime: String
    public var text: String?
    public var data: Data?

    public init(mime: String, text: String? = nil, data: Data? = nil) {
        self.mime = mime
        self.text = text
        self.data = data
    }
}

/// One output of a cell: a stream's text, a result or display bundle, or an error.
public struct StoredOutput: Equatable, Sendable {
    public var type: OutputType
    /// `stdout`/`stderr` for streams, the exception type (`ValueError`) for errors.
    public var name: String?
    /// The MIME bundle (one `text/plain` item for streams, results and errors).
    public var items: [OutputItem]

    public init(type: OutputType, name: String? = nil, items: [OutputItem]) {
        self.type = type
        self.name = name
        self.items = items
    }

    public static func stream(_ text: String, name: String = "stdout") -> StoredOutput {
        StoredOutput(type: .stream, name: name, items: [OutputItem(mime: "text/plain", text: text)])
    }

    public static func result(_ repr: String) -> StoredOutput {
        StoredOutput(type: .result, items: [OutputItem(mime: "text/plain", text: repr)])
    }

    public static func error(_ name: String, traceback: String) -> StoredOutput {
        StoredOutput(type: .error, name: name, items: [OutputItem(mime: "text/plain", text: traceback)])
    }

    /// The `text/plain` item's text, if any.
    public var plainText: String? { items.first { $0.mime == "text/plain" }?.text }
}

/// A cell as the store keeps it.
public struct StoredCell: Equatable, Sendable {
    /// The row id (0 for a cell not stored yet).
    public var id: Int64
    /// The cell's place in its session, from 0.
    public var position: Int
    public var kind: StoredCellKind
    public var source: String
    /// The file the code came from and the line of it where `source` starts (for tracebacks;
    /// a replay runs the cell under the same name so its tracebacks read the same).
    public var filename: String?
    public var firstLine: Int?
    /// IPython's `In [n]` number (nil for markdown and raw cells).
    public var executionCount: Int?
    public var started: Date?
    /// Seconds the cell ran.
    public var duration: Double?
    public var status: RunStatus?
    public var tags: [String]
    public var outputs: [StoredOutput]

    public init(id: Int64 = 0, position: Int, kind: StoredCellKind, source: String, filename: String? = nil,
                firstLine: Int? = nil, executionCount: Int? = nil,
                started: Date? = nil, duration: Double? = nil, status: RunStatus? = nil, tags: [String] = [],
                outputs: [StoredOutput] = []) {
        self.id = id
        self.position = position
        self.kind = kind
        self.source = source
        self.filename = filename
        self.firstLine = firstLine
        self.executionCount = executionCount
        self.started = started
        self.duration = duration
        self.status = status
        self.tags = tags
        self.outputs = outputs
    }
}

/// A session as `kiln sessions` lists it.
public struct SessionSummary: Equatable, Sendable {
    public var id: Int64
    public var kind: SessionKind
    /// The notebook file, or nil for the REPL.
    public var source: String?
    public var started: Date
    public var ended: Date?
    public var kilnVersion: String
    public var seed: Int?
    public var status: RunStatus
    /// The session this one replayed.
    public var replayOf: Int64?
    public var cellCount: Int
}

/// A model saved into the store: its Keras-style config and its weights.
public struct StoredModel: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var session: Int64?
    public var config: String
    public var weights: Data
    public var created: Date
}

/// A trial of a study as the store keeps it (parameters and intermediate values as JSON text,
/// so the table reads by hand).
public struct StoredTrial: Equatable, Sendable {
    public var number: Int
    /// running, complete, pruned or failed.
    public var state: String
    public var params: String
    public var value: Double?
    public var intermediate: String
    public var started: Date?
    public var finished: Date?
    /// The process that ran it ("host:pid").
    public var worker: String?
    /// Why it failed or was pruned.
    public var message: String?

    public init(number: Int, state: String, params: String, value: Double? = nil, intermediate: String = "[]",
                started: Date? = nil, finished: Date? = nil, worker: String? = nil, message: String? = nil) {
        self.number = number
        self.state = state
        self.params = params
        self.value = value
        self.intermediate = intermediate
        self.started = started
        self.finished = finished
        self.worker = worker
        self.message = message
    }
}

/// A study as `kiln studies` lists it.
public struct StudySummary: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var direction: String
    public var sampler: String
    public var session: Int64?
    public var trialCount: Int
    /// The best complete trial's value, in the study's direction.
    public var best: Double?
    /// What a resumed or shared study needs (JSON: seed, pruner, space), "{}" when nothing.
    public var config: String = "{}"
}
