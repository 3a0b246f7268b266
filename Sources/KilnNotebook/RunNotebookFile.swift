/// `kiln run FILE`: read a notebook file and run it headless.
import Foundation
import KilnLang
import KilnLibrary
import KilnStore

/// What `kiln run` was asked to do besides running the file (papermill's options).
public struct RunOptions {
    /// `-p NAME VALUE` pairs, in order.
    public var parameters: [(name: String, value: String)] = []
    /// Where to write the executed notebook (`.ipynb` with outputs, or `.kiln`).
    public var outputPath: String?
    public var allowErrors = false
    /// Seconds per cell.
    public var timeout: Double?
    /// The directory the notebook runs in (its files are read and written there).
    public var workingDirectory: String?
    /// Paths outside the working directory the notebook may read and write.
    public var allowedPaths: [String] = []
    /// The store to record into (nil: no recording).
    public var storePath: String?
    /// Write `cell i/n` progress lines to the error stream.
    public var showProgress = false
    /// Restrict files to the working directory and `allowedPaths`.
    public var sandboxed = true
    /// Run as `kiln worker` for this study: record no session, only the study's trials, and
    /// stop after the cell that finished the study's optimize.
    public var workerStudy: String?

    public init() {}
}

/// Reads the notebook at `path`, runs its code cells with an executor from `makeExecutor`
/// and returns the process exit status: 0 if every cell completed, 1 if the file cannot be
/// read or parsed, no executor can be made, or a cell fails (reported on `errors`), 2 for a
/// usage mistake (a parameter that is not a literal, a working directory that does not exist).
public func runNotebookFile(
    atPath path: String,
    options: RunOptions = RunOptions(),
    output: OutputSink = StandardStream.output,
    errors: OutputSink = StandardStream.error,
    makeExecutor: (OutputSink) throws -> CellExecutor = makeDefaultExecutor
) -> Int32 {
    func failure(_ message: String, status: Int32 = 1) -> Int32 {
        output.flush()
        errors.write("kiln: \(message)\n")
        return status
    }

    let notebook: Notebook
    let parameters: NotebookParameters
    do {
        notebook = try NotebookFile.read(atPath: path)
        parameters = try NotebookParameters(options.parameters)
    } catch let error as UsageError {
        return failure(error.message, status: 2)
    } catch {
        return failure("\(error)")
    }
    // Paths given on the command line are relative to where kiln was started.
    let invocationDirectory = FileManager.default.currentDirectoryPath
    func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : invocationDirectory + "/" + p }
    let store: Store?
    do {
        store = try options.storePath.map { try Store(path: absolute($0)) }
    } catch {
        return failure("\(error)")
    }
    if let directory = options.workingDirectory {
        guard FileManager.default.changeCurrentDirectoryPath(absolute(directory)) else {
            return failure("--cwd \(directory): no such directory", status: 2)
        }
    }
    if options.sandboxed {
        FileSandbox.restrict(to: [FileManager.default.currentDirectoryPath] + options.allowedPaths.map(absolute), readOnly: KilnLibrary.cacheFolders)
    }
    defer { FileSandbox.allowEverything() }
    let capture = CellCapture(forwardingTo: output)
    let executor: CellExecutor
    do {
        executor = try makeExecutor(capture)
    } catch {
        return failure("\(error)")
    }
    // A worker records only its study's trials: its recorder writes no session.
    let recorder = store.map { SessionRecorder(store: options.workerStudy == nil ? $0 : nil, kind: .notebook, source: absolute(path), warnings: errors) }
    let interpreter = (executor as? InterpreterExecutor)?.interpreter
    if let store, let recorder, let interpreter {
        if options.workerStudy == nil { KilnLibrary.attach(RecordedModels(store: store, recorder: recorder), to: interpreter) }
        let studies = RecordedStudies(store: store, recorder: recorder, warnings: errors)
        KilnLibrary.attach(studies, to: interpreter)
        KilnLibrary.attachShared(studies, to: interpreter)
    }
    var settings = RunSettings(allowErrors: options.allowErrors, timeout: options.timeout, progress: options.showProgress ? errors : nil,
                               namesCells: NotebookFile.isIpynb(path))
    if let study = options.workerStudy, let interpreter, let studies = KilnLibrary.studies(of: interpreter) {
        studies.workerStudy = study
        settings.finishedEarly = { studies.workerFinished }
    }
    let runner = HeadlessRunner(executor: executor, output: capture, errors: errors, recorder: recorder, settings: settings)
    let succeeded = runner.run(parameters.inject(into: notebook), filename: path)
    if let out = options.outputPath {
        do {
            try NotebookFile.write(runner.executed, toPath: absolute(out))
        } catch {
            return failure("cannot write \(out): \(error)")
        }
    }
    return succeeded ? 0 : 1
}

/// Ctrl-C stops the running cell (KeyboardInterrupt) or training (at the next batch) instead of
/// killing the process; a second Ctrl-C before the first is noticed exits at once.
public func installInterruptHandler() {
    signal(SIGINT) { _ in
        if Interpreter.interruptRequested { _exit(130) }
        Interpreter.interruptRequested = true
    }
}
