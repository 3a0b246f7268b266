/// `kiln replay SESSION`: the stored code cells run again, in order, in a fresh interpreter,
/// recorded as a new session (kind replay), and each cell's outputs compared with the stored
/// ones. Durations that training progress lines and trial tables print (`- 2s`, `12ms/step`,
/// `ETA: 3s`, a trial's `0.4 s`) differ from run to run by nature and are masked before comparing; everything else must match,
/// except in cells marked as nbval (Jupyter's notebook-replay tool) marks them: a
/// `# NBVAL_IGNORE_OUTPUT` comment line or the `nbval-ignore-output` tag — a cell that prints
/// timings, say. Those still run and are recorded.

import Foundation
import KilnStore

/// One replayed cell whose outputs differ from the stored ones.
public struct ReplayDifference {
    public var executionCount: Int
    public var diff: String
}

public enum Replay {
    /// Replays `sessionID` from `store` through `executor` (which writes printed text to
    /// `capture`); returns the new session's id and the cells whose outputs differ.
    public static func run(_ sessionID: Int64, store: Store, executor: CellExecutor, capture: CellCapture,
                           warnings: OutputSink) throws -> (session: Int64?, differences: [ReplayDifference]) {
        let original = try store.session(sessionID)
        let cells = try store.cells(ofSession: sessionID)
        let recorder = SessionRecorder(store: store, kind: .replay, source: original.source, seed: original.seed,
                                       replayOf: sessionID, warnings: warnings)
        var differences: [ReplayDifference] = []
        var status = RunStatus.ok
        for cell in cells {
            guard cell.kind == .code, let count = cell.executionCount else {
                recorder.record(kind: cell.kind, source: cell.source, filename: cell.filename, firstLine: cell.firstLine, tags: cell.tags)
                continue
            }
            _ = capture.takeOutputs()
            let began = Date()
            let outcome = executor.execute(code: cell.source, filename: cell.filename ?? "<cell \(count)>", firstLine: cell.firstLine ?? 1)
            let outputs = outcome.outputs(captured: capture.takeOutputs())
            recorder.record(kind: .code, source: cell.source, filename: cell.filename, firstLine: cell.firstLine, executionCount: count,
                            started: began, duration: Date().timeIntervalSince(began), status: outcome.status, tags: cell.tags,
                            outputs: outputs)
            if status == .ok, outcome.status != .ok { status = outcome.status }
            if ignoresOutput(source: cell.source, tags: cell.tags) { continue }
            let diff = LineDiff.unified(comparable(cell.outputs), comparable(outputs),
                                        oldName: "session \(sessionID) In [\(count)]", newName: "replay In [\(count)]")
            if !diff.isEmpty { differences.append(ReplayDifference(executionCount: count, diff: diff)) }
        }
        recorder.finish(status)
        return (recorder.sessionID, differences)
    }

    /// Whether a cell's outputs are left out of the comparison (nbval's marks).
    static func ignoresOutput(source: String, tags: [String]) -> Bool {
        tags.contains("nbval-ignore-output")
            || source.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "# NBVAL_IGNORE_OUTPUT" }
    }

    /// The outputs as text for comparison: each output's kind and text, durations masked.
    static func comparable(_ outputs: [StoredOutput]) -> String {
        outputs.map { output in
            let body = output.items.map { item in item.text ?? "<\(item.data?.count ?? 0) bytes of \(item.mime)>" }.joined(separator: "\n")
            return "[\(output.type.rawValue)\(output.name.map { " " + $0 } ?? "")]\n" + maskDurations(body)
        }.joined(separator: "\n")
    }

    /// Replaces the times training prints with `…`.
    static func maskDurations(_ text: String) -> String {
        var result = text
        for pattern in [#"ETA: [0-9:]+s?"#, #"\b[0-9]+(\.[0-9]+)?(s|ms|us)/(step|epoch)\b"#, #" - [0-9]+s\b"#, #"\([0-9]+(\.[0-9]+)?s elapsed\)"#, #"\b[0-9]+\.[0-9] s$"#] {
            result = result.replacingOccurrences(of: "(?m)" + pattern, with: "…", options: .regularExpression)
        }
        return result
    }
}
