/// `kiln repl` (and `kiln` alone): the interactive REPL.
import ArgumentParser
import KilnREPL
import KilnStore
import KilnTensor

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start the interactive REPL (what `kiln` alone does).",
        discussion: """
            Inputs are numbered In [n] / Out[n] as in IPython; a block (a line ending with ':') \
            ends with an empty line. Tab completes names and attributes, `obj?` and help(obj) \
            describe things, %lsmagic lists the magics (%time, %timeit, %history, %who, %reset, \
            %save, %load, %run, %sessions, %quit). Ctrl-C stops the running input, Ctrl-D leaves. \
            Each input is recorded into the store as it finishes. History is kept in \
            ~/.kiln_history. When standard input is not a terminal, lines are read from it \
            as they come and echoed after their prompts.
            """
    )

    @Option(help: "The store to record the session into (default: $KILN_DB, else ./kiln.db).")
    var db: String?

    func run() throws {
        Allocator.keepFreedTensorMemory()
        let status = REPL.start(storePath: db ?? Store.defaultPath())
        if status != 0 { throw ExitCode(status) }
    }
}
