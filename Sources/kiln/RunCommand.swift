import ArgumentParser
import KilnNotebook
import KilnTensor

/// `kiln run NOTEBOOK`: a headless run, after papermill.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a notebook headless, stopping at the first error.",
        discussion: """
            NOTEBOOK is a .kiln notebook in the percent format (`# %%` starts a code cell, \
            `# %% [markdown]` a markdown cell) or a Jupyter .ipynb file. Each cell's result is \
            printed as Out[n]; an error is printed to standard error with its traceback. Every \
            cell and its outputs are recorded in the store. Exit status: 0 every cell ran, 1 a \
            cell failed (or the notebook could not be read), 2 a usage mistake.
            """
    )

    @Argument(help: "The notebook to run.")
    var file: String

    @Option(name: .customShort("p"), parsing: .upToNextOption,
            help: ArgumentHelp("A parameter NAME VALUE (repeatable); VALUE is a Kiln literal, e.g. -p lr 0.01 -p optimizer \"'adam'\".", valueName: "NAME VALUE"))
    var parameters: [String] = []

    @Option(help: "Write the executed notebook (with outputs) to this .ipynb or .kiln file.")
    var out: String?

    @Flag(help: "Run every cell even after one fails (the exit status is still 1).")
    var allowErrors = false

    @Option(help: "Stop a cell with TimeoutError after this many seconds.")
    var timeout: Double?

    @Option(help: "Run the notebook in this directory.")
    var cwd: String?

    @Option(help: "A path outside the working directory the notebook may read and write (repeatable).")
    var allowPath: [String] = []

    @Option(help: "Stop a cell with TimeoutError after this many steps (loop iterations and calls).")
    var maxSteps: Int?

    @Flag(help: "Do not record the run in the store.")
    var noStore = false

    @OptionGroup var store: StoreOption

    func validate() throws {
        guard parameters.count % 2 == 0 else {
            throw ValidationError("-p takes a name and a value: -p NAME VALUE")
        }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() throws {
        installInterruptHandler()
        Allocator.keepFreedTensorMemory()
        var options = RunOptions()
        options.parameters = stride(from: 0, to: parameters.count, by: 2).map { (parameters[$0], parameters[$0 + 1]) }
        options.outputPath = out
        options.allowErrors = allowErrors
        options.timeout = timeout
        options.workingDirectory = cwd
        options.allowedPaths = allowPath
        options.storePath = noStore ? nil : store.path
        options.showProgress = true
        let budget = maxSteps
        let status = runNotebookFile(atPath: file, options: options) { InterpreterExecutor(output: $0, stepBudget: budget) }
        if status != 0 { throw ExitCode(status) }
    }
}
