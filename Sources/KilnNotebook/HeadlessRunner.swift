/// Runs a notebook without a front end, as `kiln run` does (papermill-style).

import Dispatch
import Foundation
import KilnLang
import KilnStore

/// How a headless run behaves: papermill's `--allow-errors`, a per-cell timeout, and where
/// progress goes.
public struct RunSettings {
    /// Go on after a failing cell (the run still counts as failed).
    public var allowErrors = false
    /// Seconds a cell may run before it is stopped with TimeoutError (nil: no limit).
    public var timeout: Double?
    /// Where `cell i/n` progress lines go (nil: nowhere).
    public var progress: OutputSink?
    /// Name each cell's code `FILE cell N` (N its place in the notebook) in tracebacks, for
    /// formats whose cells do not sit at known lines of the file (.ipynb).
    public var namesCells = false
    /// Checked after each cell: true ends the run there, successfully (a worker whose study is done).
    public var finishedEarly: () -> Bool = { false }

    public init(allowErrors: Bool = false, timeout: Double? = nil, progress: OutputSink? = nil, namesCells: Bool = false) {
        self.allowErrors = allowErrors
        self.timeout = timeout
        self.progress = progress
        self.namesCells = namesCells
    }
}

/// Executes the code cells of a notebook in order through a `CellExecutor`.
///
/// Each result is printed as `Out[n]: <repr>`, where n is the execution count (1 for the first
/// code cell run). Markdown and raw cells, and code cells with nothing but blank lines, are
/// skipped and get no count. An error is printed to `errors` as
///
///     Error in cell n (file:line):
///     <traceback>
///
/// (n the execution count, line where the cell's code starts) and ends the run unless errors
/// are allowed. Every cell, run or not, goes to the recorder, and the executed notebook (with
/// counts and outputs) is kept in `executed`.
public final class HeadlessRunner {
    private let executor: CellExecutor
    private let output: OutputSink
    private let errors: OutputSink
    private let capture: CellCapture?
    private let recorder: SessionRecorder?
    private let settings: RunSettings
    /// The notebook as run: each code cell that ran has its execution count and outputs.
    public private(set) var executed = Notebook(cells: [])

    /// `output` should be the sink the executor writes printed output to, so results and
    /// printed text come out in order; when it is a `CellCapture`, each cell's printed text is
    /// kept in its outputs.
    public init(executor: CellExecutor, output: OutputSink, errors: OutputSink, recorder: SessionRecorder? = nil,
                settings: RunSettings = RunSettings()) {
        self.executor = executor
        self.output = output
        self.errors = errors
        self.capture = output as? CellCapture
        self.recorder = recorder
        self.settings = settings
    }

    /// Runs `notebook`, read from `filename`; true if every code cell completed.
    public func run(_ notebook: Notebook, filename: String) -> Bool {
        executed = notebook
        var executionCount = 0, status = RunStatus.ok, stopped = false
        let start = Date()
        let total = notebook.cells.filter { $0.kind == .code && !$0.source.allSatisfy(\.isWhitespace) }.count
        for (index, cell) in notebook.cells.enumerated() {
            guard cell.kind == .code, !stopped, !cell.source.allSatisfy(\.isWhitespace) else {
                recorder?.record(kind: StoredCellKind(rawValue: cell.kind.rawValue) ?? .raw, source: cell.source, tags: cell.tags)
                continue
            }
            executionCount += 1
            let name = settings.namesCells ? "\(filename) cell \(index + 1)" : filename
            settings.progress?.write(String(format: "kiln: cell %d/%d (%.1fs elapsed)\n", executionCount, total, Date().timeIntervalSince(start)))
            _ = capture?.takeOutputs()
            let began = Date()
            let outcome = runWithTimeout(cell, filename: name)
            let outputs = outcome.outputs(captured: capture?.takeOutputs() ?? [])
            executed.cells[index].executionCount = executionCount
            executed.cells[index].outputs = outputs
            recorder?.record(kind: .code, source: cell.source, filename: name, firstLine: cell.firstLine,
                             executionCount: executionCount, started: began,
                             duration: Date().timeIntervalSince(began), status: outcome.status, tags: cell.tags, outputs: outputs)
            switch outcome {
            case .completed(let result):
                if let result { output.write("Out[\(executionCount)]: \(result)\n") }
            case .failed(let traceback):
                output.flush()
                let place = settings.namesCells ? name : "\(filename):\(cell.firstLine)"
                var message = "Error in cell \(executionCount) (\(place)):\n\(traceback)"
                if !message.hasSuffix("\n") { message += "\n" }
                errors.write(message)
                errors.flush()
                if status == .ok { status = outcome.status }
                stopped = !settings.allowErrors
            }
            if settings.finishedEarly() { stopped = true }
        }
        output.flush()
        recorder?.finish(status)
        return status == .ok
    }

    /// Runs one cell, stopping it with TimeoutError when it outlasts `settings.timeout`.
    private func runWithTimeout(_ cell: Cell, filename: String) -> CellOutcome {
        guard let seconds = settings.timeout else {
            return executor.execute(code: cell.source, filename: filename, firstLine: cell.firstLine)
        }
        let timer = DispatchWorkItem {
            Interpreter.timeoutMessage = "the cell did not finish within \(Repr.float(seconds)) seconds (--timeout)"
            Interpreter.interruptRequested = true
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
        let outcome = executor.execute(code: cell.source, filename: filename, firstLine: cell.firstLine)
        timer.cancel()
        // A timer that fired as the cell ended must not stop the next one.
        Interpreter.timeoutMessage = nil
        Interpreter.interruptRequested = false
        return outcome
    }
}
