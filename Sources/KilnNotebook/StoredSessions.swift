/// Stored sessions as people look at them: the `kiln sessions` table, the `kiln show`
/// transcript (In/Out as IPython prints them), and a stored session as a `Notebook` for export.

import Foundation
import KilnStore

public enum StoredSessions {
    /// `kiln sessions` and the REPL's `%sessions`: aligned columns `id  kind  status  cells
    /// started  ended  source`, one line per session, oldest first, times in local time; the id
    /// and cell count right-aligned, a REPL session's source empty.
    public static func table(_ sessions: [SessionSummary], timeZone: TimeZone = .current) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let header = ["id", "kind", "status", "cells", "started", "ended", "source"]
        let rows = sessions.map { s in
            [String(s.id), s.kind.rawValue + (s.replayOf.map { " of \($0)" } ?? ""), s.status.rawValue, String(s.cellCount),
             formatter.string(from: s.started), s.ended.map(formatter.string(from:)) ?? "", s.source ?? ""]
        }
        let rightAligned: Set<Int> = [0, 3]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, text in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return rightAligned.contains(column) ? padding + text : text + padding
            }
            return padded.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// `kiln studies`: one row per study (id, name, sampler, direction, trials, best value).
    public static func studyTable(_ studies: [StudySummary]) -> String {
        let header = ["id", "name", "sampler", "direction", "trials", "best"]
        let rows = studies.map { s in
            [String(s.id), s.name, s.sampler, s.direction, String(s.trialCount), s.best.map { String(format: "%.6g", $0) } ?? "-"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let rightAligned: Set<Int> = [0, 4, 5]
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, text in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return rightAligned.contains(column) ? padding + text : text + padding
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// `2026-11-27 14:03:12` in UTC.
    static func shortTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// `kiln show`: the session as IPython's terminal shows it: `In [n]: ` before the code (and
    /// `   ...: ` before its continuation lines), printed text, `Out[n]: ` results, tracebacks.
    public static func transcript(_ summary: SessionSummary, cells: [StoredCell]) -> String {
        var text = "Session \(summary.id) (\(summary.kind.rawValue)\(summary.source.map { ", " + $0 } ?? "")), started \(shortTime(summary.started)) UTC, \(summary.status.rawValue)\n\n"
        for cell in cells {
            switch cell.kind {
            case .code:
                let prompt = "In [\(cell.executionCount.map(String.init) ?? " ")]: "
                let lines = cell.source.split(separator: "\n", omittingEmptySubsequences: false)
                let continuation = String(repeating: " ", count: max(0, prompt.count - 5)) + "...: "
                text += lines.enumerated().map { ($0.offset == 0 ? prompt : continuation) + $0.element }.joined(separator: "\n") + "\n"
                for output in cell.outputs {
                    switch output.type {
                    case .stream, .error: text += ensureNewline(output.plainText ?? "")
                    case .result: text += "Out[\(cell.executionCount ?? 0)]: " + ensureNewline(output.plainText ?? "")
                    case .display: text += ensureNewline(output.plainText ?? "<display: \(output.items.map(\.mime).joined(separator: ", "))>")
                    }
                }
                if cell.status == .interrupted { text += "(interrupted)\n" }
                text += "\n"
            case .markdown, .raw:
                text += cell.source.split(separator: "\n", omittingEmptySubsequences: false).map { "# " + $0 }.joined(separator: "\n") + "\n\n"
            }
        }
        return text
    }

    private static func ensureNewline(_ s: String) -> String { s.isEmpty || s.hasSuffix("\n") ? s : s + "\n" }

    /// The session as a notebook: every cell with its execution count and outputs.
    public static func notebook(_ cells: [StoredCell]) -> Notebook {
        Notebook(cells: cells.map { stored in
            Cell(kind: CellKind(rawValue: stored.kind.rawValue) ?? .raw, source: stored.source, tags: stored.tags,
                 firstLine: stored.firstLine ?? 1, executionCount: stored.executionCount, outputs: stored.outputs)
        })
    }
}
