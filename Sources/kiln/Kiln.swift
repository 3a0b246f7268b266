/// The `kiln` command: subcommands only; the work is done by the library modules.
import ArgumentParser
import KilnNotebook
import KilnStore

@main
struct Kiln: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "A notebook environment for building, training, tuning and ensembling neural networks.",
        subcommands: [ReplCommand.self, Run.self, Sessions.self, Show.self, Export.self, ReplayCommand.self, Studies.self, Worker.self],
        defaultSubcommand: ReplCommand.self
    )

    /// Parses and runs the subcommand. A command-line mistake (unknown option, missing
    /// argument, bad value) exits with status 2, as papermill and most Unix tools do, instead of
    /// ArgumentParser's 64.
    static func main() {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            StandardStream.error.write(fullMessage(for: error) + "\n")
            exit(withError: ExitCode(2))
        }
        do {
            var running = command
            try running.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// `--db PATH`, shared by every subcommand that touches the store.
struct StoreOption: ParsableArguments {
    @Option(name: .long, help: "The store (SQLite file) to use; default $KILN_DB or ./kiln.db.")
    var db: String?

    var path: String { db ?? Store.defaultPath() }

    /// The store, or exit status 1 after a clear message.
    func open() throws -> Store {
        do {
            return try Store(path: path)
        } catch {
            StandardStream.error.write("kiln: \(error)\n")
            throw ExitCode(1)
        }
    }
}
