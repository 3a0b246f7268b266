/// The `kiln` command: subcommands only; the work is done by the library modules.
import ArgumentParser
import KilnNotebook
import KilnTensor

@main
struct Kiln: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "A notebook environment for building, training, tuning and ensembling neural networks.",
        subcommands: [Run.self, ReplCommand.self],
        defaultSubcommand: ReplCommand.self
    )
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a notebook headless, stopping at the first error.",
        discussion: """
            FILE is a .kiln notebook in the percent format (`# %%` starts a code cell, \
            `# %% [markdown]` a markdown cell). Each cell's result is printed as Out[n]; \
            the first error is printed to standard error with its traceback and the exit \
            status is 1.
            """
    )

    @Argument(help: "The notebook to run.")
    var file: String

    @Option(help: "Stop a cell with TimeoutError after this many steps (loop iterations and calls).")
    var maxSteps: Int?

    func run() throws {
        installInterruptHandler()
        Allocator.keepFreedTensorMemory()
        let budget = maxSteps
        let status = runNotebookFile(atPath: file) { InterpreterExecutor(output: $0, stepBudget: budget) }
        if status != 0 { throw ExitCode(status) }
    }
}
