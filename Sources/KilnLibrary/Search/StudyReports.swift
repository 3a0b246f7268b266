/// What a study shows of itself: `trials_table()`, one row per trial with its state, value,
/// hyperparameters and duration, aligned as text; and `plot()`, the search trace — each
/// trial's value and the best so far by trial number — as an SVG image.

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

/// The search trace of a study as SVG.
enum SearchTracePlot {
    static func svg(_ trials: [Trial], direction: Direction, title: String) -> String {
        let width = 560.0, height = 320.0, left = 64.0, right = 16.0, top = 32.0, bottom = 40.0
        let shown = trials.filter { ($0.state == .complete || $0.state == .pruned) && ($0.value?.isFinite ?? false) }
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">",
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                     "<text x=\"\(Int(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">\(escape(title)): value by trial</text>"]
        guard let lowest = shown.compactMap(\.value).min(), let highest = shown.compactMap(\.value).max(),
              let last = trials.map(\.number).max() else {
            parts.append("<text x=\"\(Int(width / 2))\" y=\"\(Int(height / 2))\" text-anchor=\"middle\">no finished trial yet</text></svg>")
            return parts.joined(separator: "\n")
        }
        let span = highest > lowest ? highest - lowest : 1
        func x(_ n: Int) -> Double { left + (width - left - right) * (last > 0 ? Double(n) / Double(last) : 0.5) }
        func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - (v - lowest) / span) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        parts.append("<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"#444\"/>")
        parts.append("<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\" stroke=\"#444\"/>")
        for value in [lowest, highest] {
            parts.append("<text x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">\(TrialsTable.number(value))</text>")
        }
        for n in Set([0, last]).sorted() {
            parts.append("<text x=\"\(f(x(n)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(n)</text>")
        }
        parts.append("<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">trial</text>")
        // The best so far, a step line through the complete trials.
        var best: Double?, path: [String] = []
        for trial in trials.sorted(by: { $0.number < $1.number }) where trial.state == .complete {
            guard let value = trial.value, value.isFinite else { continue }
            if let b = best, direction == .minimize ? value >= b : value <= b { continue }
            if let b = best { path.append("L\(f(x(trial.number))),\(f(y(b)))") }
            path.append((best == nil ? "M" : "L") + "\(f(x(trial.number))),\(f(y(value)))")
            best = value
        }
        if let b = best { path.append("L\(f(x(last))),\(f(y(b)))") }
        parts.append("<path d=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"#e6550d\" stroke-width=\"2\"/>")
        for trial in shown {
            guard let value = trial.value else { continue }
            let fill = trial.state == .complete ? "#3182bd" : "none"
            parts.append("<circle cx=\"\(f(x(trial.number)))\" cy=\"\(f(y(value)))\" r=\"3.5\" fill=\"\(fill)\" stroke=\"#3182bd\"><title>trial \(trial.number): \(TrialsTable.number(value)) (\(trial.state.rawValue))</title></circle>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
