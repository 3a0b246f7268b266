import ArgumentParser
import KilnNotebook
import KilnTensor

/// `kiln worker STUDY`: one more process working on a shared study.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work on a stored study: run the notebook that created it until the study's budget of trials is reached.",
        discussion: """
            The notebook runs in the directory it first ran in, up to the cell whose \
            study.optimize(...) finishes STUDY; each trial is claimed in the store in a \
            transaction, so N workers (and the notebook itself) run N trials at once. A worker \
            records the study's trials but no session of its own.
            """
    )

    @Argument(help: "The study's name, as given to search.study.")
    var study: String

    @Option(help: "Stop a cell with TimeoutError after this many seconds.")
    var timeout: Double?

    @OptionGroup var store: StoreOption

    func run() throws {
        installInterruptHandler()
        Allocator.keepFreedTensorMemory()
        let opened = try store.open()
        let plan = try storeCall { try WorkerPlan(study: study, store: opened) }
        var options = RunOptions()
        options.workingDirectory = plan.directory
        options.storePath = store.path
        options.timeout = timeout
        options.workerStudy = study
        options.showProgress = true
        let status = runNotebookFile(atPath: plan.notebook, options: options) { InterpreterExecutor(output: $0) }
        if status != 0 { throw ExitCode(status) }
    }
}
