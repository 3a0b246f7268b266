/// `%save`, `%load` and `%run`: this session's inputs to a notebook file, and files back in.

import Foundation
import KilnNotebook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Magic {
    static let fileMagics = [
        Magic(name: "save", usage: "%save [-f] [-a] FILE [range ...]", description: """
            Write this session's code inputs (all, or those in the ranges: 4, 2-5) to FILE as a \
            .kiln notebook, one cell per input; .kiln is added to a name without it. Asks before \
            replacing a file unless -f; -a appends to it.
            """) { session, arguments, _ in
            let options = try MagicOptions(arguments, flags: "fa")
            var words = options.words
            guard !words.isEmpty else { throw UsageError("Missing filename.") }
            var path = NSString(string: words.removeFirst()).expandingTildeInPath
            if !path.hasSuffix(".kiln") { path += ".kiln" }
            let append = options.flags.contains("a")
            let exists = FileManager.default.fileExists(atPath: path)
            if exists && !append && !options.flags.contains("f")
                && !session.askYesNo("File `\(path)` exists. Overwrite (y/[N])? ") {
                session.capture.write("Operation cancelled.\n")
                return .done
            }
            let cells = try inputNumbers(words, in: session).compactMap { number -> Cell? in
                guard case .code(let source) = Input(session.inputs[number - 1]) else { return nil }
                return Cell(kind: .code, source: source)
            }
            let text = PercentFormat.write(Notebook(cells: cells))
            try writeText(append && exists ? "\n" + text : text, toPath: path, appending: append)
            session.capture.write("The following commands were written to file `\(path)`:\n\(text)")
            return .done
        },
        Magic(name: "load", usage: "%load FILE", description: """
            Put the text of FILE in as the next input, after a `# %load FILE` line, to edit and \
            run with Enter (read from a pipe, it runs as it is).
            """) { session, arguments, _ in
            let path = try singleFile(arguments, magic: "load")
            session.nextInput = "# %load \(path)\n" + (try fileText(path)).trimmingTrailingWhitespace
            return .done
        },
        Magic(name: "run", usage: "%run FILE", description: """
            Run the code cells of a .kiln notebook in this session, as `kiln run` does (each \
            result shown as Out[n], stopping at the first error); the names it defines stay.
            """) { session, arguments, _ in
            let path = try singleFile(arguments, magic: "run")
            let notebook: Notebook
            do {
                notebook = try PercentFormat.parse(try fileText(path))
            } catch let error as PercentFormatError {
                throw UsageError("\(path):\(error.line): \(error.message)")
            }
            let errors = CapturedOutput()
            let runner = HeadlessRunner(executor: session.executor, output: session.capture, errors: errors)
            guard runner.run(notebook, filename: path) else {
                return InputRun(outcome: .failed(traceback: errors.text), value: nil)
            }
            return .done
        },
    ]

    /// The one file name a magic takes.
    private static func singleFile(_ arguments: String, magic: String) throws -> String {
        let words = try MagicOptions(arguments).words
        guard words.count == 1, let path = words.first else { throw UsageError("%\(magic) takes one file name: %\(magic) FILE") }
        return NSString(string: path).expandingTildeInPath
    }

    /// Writes (or appends) `text` to the file at `path`; a failure is a UsageError in the
    /// system's words ("No such file or directory").
    private static func writeText(_ text: String, toPath path: String, appending: Bool) throws {
        guard let file = fopen(path, appending ? "a" : "w") else {
            throw UsageError("can't write file '\(path)': \(String(cString: strerror(errno)))")
        }
        let written = fputs(text, file)
        let closed = fclose(file)
        guard written >= 0, closed == 0 else {
            throw UsageError("can't write file '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    private static func fileText(_ path: String) throws -> String {
        switch readTextFile(atPath: path) {
        case .success(let text): return text
        case .failure(let error): throw UsageError("can't open file '\(path)': \(error.message)")
        }
    }
}
