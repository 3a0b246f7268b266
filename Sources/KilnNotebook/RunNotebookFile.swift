/// `kiln run FILE`: read a notebook file and run it headless.
import Foundation
import KilnLang

/// Reads the notebook at `path`, runs its code cells with an executor from `makeExecutor`
/// and returns the process exit status: 0 if every cell completed, 1 if the file cannot be
/// read or parsed, no executor can be made, or a cell fails (reported on `errors`).
public func runNotebookFile(
    atPath path: String,
    output: OutputSink = StandardStream.output,
    errors: OutputSink = StandardStream.error,
    makeExecutor: (OutputSink) throws -> CellExecutor = makeDefaultExecutor
) -> Int32 {
    func failure(_ message: String) -> Int32 {
        output.flush()
        errors.write("kiln: \(message)\n")
        return 1
    }

    let text: String
    switch readTextFile(atPath: path) {
    case .success(let contents): text = contents
    case .failure(let reason): return failure("can't open file '\(path)': \(reason.message)")
    }
    let notebook: Notebook
    do {
        notebook = try PercentFormat.parse(text)
    } catch let error as PercentFormatError {
        return failure("\(path):\(error.line): \(error.message)")
    } catch {
        return failure("\(path): \(error)")
    }
    let executor: CellExecutor
    do {
        executor = try makeExecutor(output)
    } catch {
        return failure("\(error)")
    }
    let runner = HeadlessRunner(executor: executor, output: output, errors: errors)
    return runner.run(notebook, filename: path) ? 0 : 1
}

struct FileReadError: Error {
    var message: String
}

/// The UTF-8 text of the file at `path`, or why it cannot be had, in the system's words.
func readTextFile(atPath path: String) -> Result<String, FileReadError> {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        return .failure(FileReadError(message: "No such file or directory"))
    }
    if isDirectory.boolValue {
        return .failure(FileReadError(message: "Is a directory"))
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        let readable = FileManager.default.isReadableFile(atPath: path)
        return .failure(FileReadError(message: readable ? "cannot be read" : "Permission denied"))
    }
    guard let text = String(data: data, encoding: .utf8) else {
        return .failure(FileReadError(message: "not UTF-8 text"))
    }
    return .success(text)
}

/// Ctrl-C stops the running cell (KeyboardInterrupt) or training (at the next batch) instead of
/// killing the process; a second Ctrl-C before the first is noticed exits at once.
public func installInterruptHandler() {
    signal(SIGINT) { _ in
        if Interpreter.interruptRequested { _exit(130) }
        Interpreter.interruptRequested = true
    }
}
