/// What a study shows of itself: `trials_table()`, one row per trial with its state, value,
/// hyperparameters and duration, aligned as text. (`plot()`, the search trace, is drawn by the
/// plot module: `PlotModule.traceChart`.)

import Foundation
import KilnLang
import KilnSearch

/// A study's trials as a table; its repr is the aligned text.
final class TrialsTable: KObject {
    let header: [String]
    let rows: [[String]]
    /// Columns whose cells are numbers (right-aligned).
    let numeric: [Bool]

    init(_ study: StudyValue) throws {
        let labels = study.declared.map(\.label)
        header = ["number", "state", "value"] + labels + ["duration"]
        var rows: [[String]] = []
        for trial in try study.study.storage.trials() {
            let params = try study.values(trial.assignment)
            let cells = try labels.map { label in try params.get(.string(label)).map(TrialsTable.cell) ?? "" }
            var duration = ""
            if let started = trial.started, let finished = trial.finished { duration = String(format: "%.1f s", finished.timeIntervalSince(started)) }
            rows.append(["\(trial.number)", trial.state.rawValue, trial.value.map { TrialsTable.number($0) } ?? ""] + cells + [duration])
        }
        self.rows = rows
        numeric = header.indices.map { column in
            column != 1 && rows.allSatisfy { $0[column].isEmpty || Double($0[column].split(separator: " ")[0]) != nil }
        }
    }

    static func number(_ x: Double) -> String { String(format: "%.6g", x) }

    static func cell(_ value: Value) -> String {
        if case .float(let x) = value { return number(x) }
        if case .string(let s) = value { return s }
        return Repr.repr(value)
    }

    override var typeName: String { "TrialsTable" }

    override func repr() -> String {
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - cells[c].count)
                return numeric[c] ? pad + cells[c] : cells[c] + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    override var count: Int? { rows.count }
}
