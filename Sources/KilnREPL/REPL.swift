/// KilnREPL is the interactive front end (`kiln repl`, or `kiln` alone): readline editing,
/// history and completion, IPython's `In [n]:` / `Out[n]:` prompts, multi-line blocks,
/// `obj?` help, `%magics`, and Ctrl-C that stops the running input but not the session. Every
/// input runs in the interpreter of one session and is recorded into the store.
///
/// This file: the read-eval-print loop (prompts, lines into inputs, inputs into the session)
/// and its start from the command line.

import Foundation
import KilnNotebook
import KilnStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads inputs with a `LineReader` and submits them to a `ReplSession` until Ctrl-D or
/// `%quit`, with IPython's prompts and a blank line before each new input.
public final class REPL {
    public let session: ReplSession
    private let reader: LineReader
    private let output: OutputSink

    public init(session: ReplSession, reader: LineReader, output: OutputSink) {
        self.session = session
        self.reader = reader
        self.output = output
        session.reader = reader
    }

    /// What the REPL says first.
    public static let banner = """
        Kiln \(kilnVersion) -- Keras-style deep learning, one input at a time.
        Type 'help()' or 'obj?' for help, '%lsmagic' for the magics, Ctrl-D or '%quit' to leave.


        """

    /// Runs the loop, then marks the session ended (status ok).
    public func run() {
        output.write(REPL.banner)
        var assembler = InputAssembler()
        var separate = false
        while !session.quitRequested {
            let count = session.executionCount
            if assembler.isEmpty && separate {
                output.write("\n")
                separate = false
            }
            let prompt = assembler.isEmpty ? InputAssembler.inputPrompt(count) : InputAssembler.continuationPrompt(count)
            output.flush()
            switch reader.readLine(prompt: prompt, initialText: assembler.isEmpty ? session.takeNextInput() : nil) {
            case .end:
                output.write("\n")
                session.finish()
                return
            case .interrupted:
                output.write("\n")
                assembler.reset()
            case .line(let text):
                guard let source = assembler.add(text) else { continue }
                reader.addHistory(source)
                session.submit(source)
                separate = true
            }
        }
        session.finish()
    }

    /// `kiln repl`: a session recorded into the store at `storePath` (if it cannot be opened,
    /// the REPL says why and runs without recording), read with readline when standard input
    /// is a terminal, with the history file `~/.kiln_history` (HOME from `environment`), and
    /// plain lines otherwise. Ctrl-C stops the running input. Returns the exit status.
    public static func start(storePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        let output = StandardStream.output
        var store: Store?
        do {
            store = try Store(path: storePath)
        } catch {
            StandardStream.error.write("kiln: \(error); this session will not be recorded\n")
        }
        InterruptSignal.install()
        let session = ReplSession(store: store, output: output)
        let reader: LineReader
        if isatty(STDIN_FILENO) == 1 {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            reader = TerminalLineReader(historyFile: home.map { $0 + "/.kiln_history" }, completer: session.completer)
        } else {
            reader = PlainLineReader(output: output)
        }
        REPL(session: session, reader: reader, output: output).run()
        return 0
    }
}
