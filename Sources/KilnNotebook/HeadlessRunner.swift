/// Runs a notebook without a front end, as `kiln run` does (papermill-style).

/// Executes the code cells of a notebook in order through a `CellExecutor`.
///
/// Each result is printed as `Out[n]: <repr>`, where n is the execution count (1 for the first
/// code cell run). Markdown and raw cells, and code cells with nothing but blank lines, are
/// skipped and get no count. The first error is printed to `errors` as
///
///     Error in cell n (file:line):
///     <traceback>
///
/// (n the execution count, line where the cell's code starts) and ends the run.
public final class HeadlessRunner {
    private let executor: CellExecutor
    private let output: OutputSink
    private let errors: OutputSink

    /// `output` should be the sink the executor writes printed output to, so results and
    /// printed text come out in order.
    public init(executor: CellExecutor, output: OutputSink, errors: OutputSink) {
        self.executor = executor
        self.output = output
        self.errors = errors
    }

    /// Runs `notebook`, read from `filename`; true if every code cell completed.
    public func run(_ notebook: Notebook, filename: String) -> Bool {
        var executionCount = 0
        for cell in notebook.cells where cell.kind == .code {
            if cell.source.allSatisfy(\.isWhitespace) { continue }
            executionCount += 1
            switch executor.execute(code: cell.source, filename: filename, firstLine: cell.firstLine) {
            case .completed(let result):
                if let result {
                    output.write("Out[\(executionCount)]: \(result)\n")
                }
            case .failed(let traceback):
                output.flush()
                var message = "Error in cell \(executionCount) (\(filename):\(cell.firstLine)):\n\(traceback)"
                if !message.hasSuffix("\n") { message += "\n" }
                errors.write(message)
                errors.flush()
                return false
            }
        }
        output.flush()
        return true
    }
}
