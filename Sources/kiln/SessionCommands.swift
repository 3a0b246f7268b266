import ArgumentParser
import Foundation
import KilnLang
import KilnLibrary
import KilnNotebook
import KilnStore

/// `kiln sessions`: the stored sessions as a table.
struct Sessions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the sessions in the store.")

    @OptionGroup var store: StoreOption

    func run() throws {
        let opened = try store.open()
        let sessions = try storeCall { try opened.sessions() }
        StandardStream.output.write(StoredSessions.table(sessions))
    }
}

/// `kiln studies`: the stored hyperparameter searches.
struct Studies: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the hyperparameter searches (studies) in the store, with their trials and best values.")

    @OptionGroup var store: StoreOption

    func run() throws {
        let opened = try store.open()
        let studies = try storeCall { try opened.studies() }
        StandardStream.output.write(StoredSessions.studyTable(studies))
    }
}

/// `kiln show SESSION`: the transcript of a stored session.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a stored session as IPython shows it: In [n], printed text, Out[n], errors.")

    @ArgumentParser.Argument(help: "The session id (kiln sessions lists them).")
    var session: Int64

    @OptionGroup var store: StoreOption

    func run() throws {
        let opened = try store.open()
        let (summary, cells) = try storeCall { (try opened.session(session), try opened.cells(ofSession: session)) }
        StandardStream.output.write(StoredSessions.transcript(summary, cells: cells))
    }
}

/// `kiln export SESSION --to FORMAT`: a stored session (or a notebook file) as a notebook file.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a stored session (or a notebook file) as .ipynb, .kiln, markdown or a self-contained HTML page.",
        discussion: "A notebook file's own outputs (from Jupyter) are untrusted: the HTML page shows their text escaped and images only as data URIs, and leaves out their HTML, JavaScript and SVG."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case ipynb, kiln, md, html
    }

    @ArgumentParser.Argument(help: "A session id (kiln sessions lists them), or a .ipynb / .kiln file.")
    var session: String

    @Option(help: "ipynb, kiln, md or html.")
    var to: Format

    @Option(name: .shortAndLong, help: "The file to write (default: standard output).")
    var output: String?

    @OptionGroup var store: StoreOption

    func run() throws {
        let text: String
        if let id = Int64(session) {
            let opened = try store.open()
            let cells = try storeCall { () -> [StoredCell] in
                _ = try opened.session(id)
                return try opened.cells(ofSession: id)
            }
            text = SessionExport.render(StoredSessions.notebook(cells), format: to.rawValue, title: "Kiln session \(id)")
        } else {
            let notebook: Notebook
            do {
                notebook = try NotebookFile.read(atPath: session)
            } catch {
                StandardStream.error.write("kiln: \(error)\n")
                throw ExitCode(1)
            }
            text = to == .html ? HTMLExport.render(notebook, title: (session as NSString).lastPathComponent, trusted: false)
                               : SessionExport.render(notebook, format: to.rawValue, title: session)
        }
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                StandardStream.error.write("kiln: cannot write \(output): \(error.localizedDescription)\n")
                throw ExitCode(1)
            }
        } else {
            StandardStream.output.write(text)
        }
    }
}

/// `kiln replay SESSION`: run a stored session again and compare its outputs.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a stored session's code cells in a fresh interpreter, as a new session, and report outputs that differ.",
        discussion: "Exit status 1 when any cell's outputs differ (durations in training progress lines are ignored)."
    )

    @ArgumentParser.Argument(help: "The session id (kiln sessions lists them).")
    var session: Int64

    @Flag(help: "Print a unified diff for each cell whose outputs differ.")
    var diff = false

    @OptionGroup var store: StoreOption

    func run() throws {
        installInterruptHandler()
        let opened = try store.open()
        let quiet = CellCapture(forwardingTo: CapturedOutput())
        FileSandbox.restrict(to: [FileManager.default.currentDirectoryPath], readOnly: KilnLibrary.cacheFolders)
        let result = try storeCall {
            try KilnNotebook.Replay.run(session, store: opened, executor: InterpreterExecutor(output: quiet), capture: quiet,
                                        warnings: StandardStream.error)
        }
        let name = result.session.map { "session \($0)" } ?? "the replay"
        if result.differences.isEmpty {
            StandardStream.output.write("Replayed session \(session) as \(name): every cell's outputs match.\n")
            return
        }
        StandardStream.output.write("Replayed session \(session) as \(name): \(result.differences.count) cell(s) differ: "
                                    + result.differences.map { "In [\($0.executionCount)]" }.joined(separator: ", ") + "\n")
        if diff { for d in result.differences { StandardStream.output.write(d.diff) } }
        throw ExitCode(1)
    }
}

/// Runs a store query, turning its error into a message and exit status 1.
func storeCall<T>(_ body: () throws -> T) throws -> T {
    let result: Result<T, Error> = Result { try body() }
    switch result {
    case .success(let value):
        return value
    case .failure(let error):
        guard error is StoreError else { throw error }
        StandardStream.error.write("kiln: \(error)\n")
        throw ExitCode(1)
    }
}
