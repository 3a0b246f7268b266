/// The sessions of a store as a table for the terminal (the REPL's `%sessions`, and
/// `kiln sessions`): one row per session, oldest first, times in local time.

import Foundation
import KilnStore

/// `sessions` as aligned columns `id  kind  status  cells  started  ended  source`, one line
/// each; the id and cell count are right-aligned, a REPL session's source is empty.
public func sessionTable(_ sessions: [SessionSummary], timeZone: TimeZone = .current) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    let header = ["id", "kind", "status", "cells", "started", "ended", "source"]
    let rows = sessions.map { s in
        [String(s.id), s.kind.rawValue, s.status.rawValue, String(s.cellCount), formatter.string(from: s.started),
         s.ended.map(formatter.string(from:)) ?? "", s.source ?? ""]
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
