@testable import KilnNotebook

/// A stand-in for the interpreter: answers each cell from a table keyed by its code, writes
/// `prints[code]` to its output sink first, and records every call.
final class FakeExecutor: CellExecutor {
    struct Call: Equatable {
        var code: String
        var filename: String
        var firstLine: Int
    }

    var outcomes: [String: CellOutcome]
    var prints: [String: String]
    let output: OutputSink
    private(set) var calls: [Call] = []

    init(output: OutputSink, outcomes: [String: CellOutcome] = [:], prints: [String: String] = [:]) {
        self.output = output
        self.outcomes = outcomes
        self.prints = prints
    }

    func execute(code: String, filename: String, firstLine: Int) -> CellOutcome {
        calls.append(Call(code: code, filename: filename, firstLine: firstLine))
        if let text = prints[code] { output.write(text) }
        return outcomes[code] ?? .completed(result: nil)
    }
}
