/// `%history` and `%sessions`: this session's inputs, and the sessions in the store.

import Foundation
import KilnNotebook

extension Magic {
    static let historyMagics = [
        Magic(name: "history", aliases: ["hist"], usage: "%history [-n] [range ...]", description: """
            Print this session's inputs, each with its number as IPython's %history -n does \
            (always, here). Ranges choose inputs: 4, or 2-5 (inclusive).
            """) { session, arguments, _ in
            let options = try MagicOptions(arguments, flags: "n")
            let numbers = try inputNumbers(options.words, in: session)
            let width = 4
            var text = ""
            for number in numbers {
                let input = session.inputs[number - 1].replacingTabs().trimmingTrailingWhitespace
                let label = String(repeating: " ", count: max(0, width - String(number).count)) + "\(number):"
                text += label + (input.contains("\n") ? "\n" : " ") + input + "\n"
            }
            session.capture.write(text)
            return .done
        },
        Magic(name: "sessions", usage: "%sessions", description: "List the sessions in the store, this one included.") { session, _, _ in
            guard let store = session.store else { throw UsageError("this session has no store (start kiln with --db FILE)") }
            let sessions = try store.sessions()
            session.capture.write(sessions.isEmpty ? "No sessions in \(store.path).\n" : StoredSessions.table(sessions))
            return .done
        },
    ]

    /// The input numbers that `ranges` (`4`, `2-5`) choose, in order; all inputs when there
    /// are none.
    static func inputNumbers(_ ranges: [String], in session: ReplSession) throws -> [Int] {
        let last = session.inputs.count
        guard !ranges.isEmpty else { return Array(stride(from: 1, through: last, by: 1)) }
        return try ranges.flatMap { word -> [Int] in
            let bounds = word.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0) }
            guard bounds.allSatisfy({ $0 != nil }), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
                  low >= 1, low <= high else {
                throw UsageError("'\(word)' is not an input number or range (4, 2-5)")
            }
            return Array(stride(from: low, through: min(high, last), by: 1))
        }
    }
}

extension String {
    /// Tabs expanded to 4 spaces, as IPython's %history prints them.
    func replacingTabs() -> String { replacingOccurrences(of: "\t", with: "    ") }

    var trimmingTrailingWhitespace: String {
        String(reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.reversed())
    }
}
