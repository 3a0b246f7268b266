/// Recording a session into the store: the front ends (headless runner, REPL, replay) hand
/// each finished cell, with what it printed and how it ended, to a `SessionRecorder`, which
/// writes it in one transaction. A store that fails mid-session (disk full) is reported once
/// and the session goes on; what was written stays.

import Foundation
import KilnLibrary
import KilnSearch
import KilnStore

/// The version of Kiln recorded with every session.
public let kilnVersion = "0.5.0"

/// Passes output on to another sink while keeping what one cell produces, in order: printed
/// text (as stream outputs) and displayed values.
public final class CellCapture: OutputSink {
    private let forward: OutputSink
    private var text = ""
    private var outputs: [StoredOutput] = []

    public init(forwardingTo forward: OutputSink) {
        self.forward = forward
    }

    public func write(_ text: String) {
        self.text += text
        forward.write(text)
    }

    public func flush() { forward.flush() }

    public func display(_ output: StoredOutput) {
        endStream()
        outputs.append(output)
        forward.display(output)
    }

    private func endStream() {
        if !text.isEmpty { outputs.append(.stream(text)) }
        text = ""
    }

    /// What was produced since the last call, then forgets it.
    public func takeOutputs() -> [StoredOutput] {
        endStream()
        defer { outputs = [] }
        return outputs
    }
}

extension CellOutcome {
    /// The error's type, from the traceback's last line (`ValueError: …` → `ValueError`).
    public var errorName: String? {
        guard case .failed(let traceback) = self else { return nil }
        let last = traceback.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let name = last.prefix { $0 != ":" }
        return name.isEmpty || name.contains(" ") ? "Error" : String(name)
    }

    /// How the cell ended, for the store: a KeyboardInterrupt is an interruption and a
    /// TimeoutError (step budget or cell timeout) a timeout.
    public var status: RunStatus {
        switch errorName {
        case nil: return .ok
        case "KeyboardInterrupt": return .interrupted
        case "TimeoutError": return .timeout
        default: return .error
        }
    }

    /// The outputs the store keeps for this outcome after what the cell printed and displayed.
    public func outputs(captured: [StoredOutput]) -> [StoredOutput] {
        var outputs = captured
        switch self {
        case .completed(let result): if let result { outputs.append(.result(result)) }
        case .failed(let traceback): outputs.append(.error(errorName ?? "Error", traceback: traceback))
        }
        return outputs
    }
}

/// Writes one session's cells to a store as they finish; with no store it records nothing.
public final class SessionRecorder {
    public let store: Store?
    public private(set) var sessionID: Int64?
    /// The notebook recorded (nil for the REPL).
    public let source: String?
    private var position = 0
    private let warnings: OutputSink
    private var failed = false

    /// Starts a session of `kind` for `source` (a notebook path; nil for the REPL).
    public init(store: Store?, kind: SessionKind, source: String?, seed: Int? = nil, replayOf: Int64? = nil,
                warnings: OutputSink = StandardStream.error) {
        self.store = store
        self.source = source
        self.warnings = warnings
        guard let store else { return }
        do {
            sessionID = try store.beginSession(kind: kind, source: source, kilnVersion: kilnVersion, seed: seed, replayOf: replayOf)
        } catch {
            report(error)
        }
    }

    /// Stores the next cell of the session.
    /// `filename` and `firstLine` say where the code came from, for tracebacks.
    public func record(kind: StoredCellKind, source: String, filename: String? = nil, firstLine: Int? = nil,
                       executionCount: Int? = nil, started: Date? = nil, duration: Double? = nil, status: RunStatus? = nil,
                       tags: [String] = [], outputs: [StoredOutput] = []) {
        defer { position += 1 }
        guard let store, let sessionID, !failed else { return }
        let cell = StoredCell(position: position, kind: kind, source: source, filename: filename, firstLine: firstLine,
                              executionCount: executionCount, started: started, duration: duration, status: status, tags: tags,
                              outputs: outputs)
        do {
            try store.record(cell, session: sessionID)
        } catch {
            report(error)
        }
    }

    /// Marks the session ended.
    public func finish(_ status: RunStatus) {
        guard let store, let sessionID, !failed else { return }
        do {
            try store.finishSession(sessionID, status: status)
        } catch {
            report(error)
        }
    }

    private func report(_ error: Error) {
        failed = true
        warnings.write("kiln: recording into the store stopped: \(error) (what was recorded before is kept)\n")
    }
}

/// The store's models table as the Keras session sees it: `model.save` and ModelCheckpoint add
/// rows tagged with the recorded session, `load_model(name)` reads the newest of that name.
public final class RecordedModels: SavedModelStore {
    private let store: Store
    private let recorder: SessionRecorder

    public init(store: Store, recorder: SessionRecorder) {
        self.store = store
        self.recorder = recorder
    }

    public func saveModel(name: String, config: String, weights: [UInt8]) throws {
        try store.saveModel(name: name, session: recorder.sessionID, config: config, weights: Data(weights))
    }

    public func loadModel(name: String) throws -> (config: String, weights: [UInt8])? {
        try store.model(named: name).map { ($0.config, Array($0.weights)) }
    }
}

/// The store's studies and trials as the search functions see them: each `fmin` of a recorded
/// session is a study named "session N: fmin k", and every trial is written as it ends. A store
/// that fails is reported once; the search goes on.
public final class RecordedStudies: StudyStore {
    let store: Store
    let recorder: SessionRecorder
    private let warnings: OutputSink
    private var ids: [String: Int64] = [:]
    private var failed = false

    public init(store: Store, recorder: SessionRecorder, warnings: OutputSink = StandardStream.error) {
        self.store = store
        self.recorder = recorder
        self.warnings = warnings
    }

    public func record(_ trial: Trial, parameters: String, study name: String, direction: Direction, sampler: String) {
        guard !failed else { return }
        let full = recorder.sessionID.map { "session \($0): \(name)" } ?? name
        do {
            let id = try ids[full] ?? store.study(named: full, session: recorder.sessionID, direction: direction.rawValue, sampler: sampler)
            ids[full] = id
            let intermediate = "[" + trial.intermediate.map { String($0) }.joined(separator: ", ") + "]"
            try store.record(StoredTrial(number: trial.number, state: trial.state.rawValue, params: parameters, value: trial.value,
                                         intermediate: intermediate, started: trial.started, finished: trial.finished), study: id)
        } catch {
            failed = true
            warnings.write("kiln: recording search trials into the store stopped: \(error)\n")
        }
    }
}
