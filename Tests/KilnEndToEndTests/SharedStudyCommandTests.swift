import Foundation
import KilnNotebook
@testable import KilnStore
import XCTest

/// `kiln.search` studies through the store: two processes share one study, claiming trials in
/// transactions; a run killed in the middle of a study resumes without losing or re-running a
/// completed trial; `kiln worker` explains what it cannot do.
final class SharedStudyCommandTests: KilnFolderTestCase {
    static let notebook = """
        # %%
        import time
        from kiln import search
        study = search.study('shared', sampler='tpe', seed=4)
        def objective(trial):
            x = trial.suggest_float('x', 0, 1)
            kind = trial.suggest_categorical('kind', ['a', 'b'])
            time.sleep(0.15)
            return x + (0 if kind == 'a' else 0.5)
        study.optimize(objective, n_trials=12)
        # %%
        print('best', study.best_trial.number)

        """

    func trials() throws -> [StoredTrial] {
        let stored = try Store(path: store)
        guard let study = try stored.study(named: "shared") else { return [] }
        return try stored.trials(ofStudy: study.id)
    }

    func testTwoProcessesShareOneStudy() throws {
        try write(SharedStudyCommandTests.notebook, to: "search.kiln")
        let run = try start(["run", "search.kiln"], output: "run.out")
        wait { (try? self.trials().isEmpty == false) ?? false }
        let worker = try kiln(["worker", "shared"])
        run.waitUntilExit()
        let runOutput = try String(contentsOf: folder.appendingPathComponent("run.out"), encoding: .utf8)
        XCTAssertEqual(run.terminationStatus, 0, runOutput)
        XCTAssertEqual(worker.status, 0, worker.stderr)
        let trials = try trials()
        XCTAssertEqual(trials.map(\.number), Array(0..<12))
        XCTAssertTrue(trials.allSatisfy { $0.state == "complete" }, "\(trials.map(\.state))")
        let workers = Dictionary(grouping: trials, by: { $0.worker ?? "" })
        XCTAssertEqual(workers.count, 2, "\(workers.keys)")
        XCTAssertTrue(workers.values.allSatisfy { $0.count >= 2 }, "\(workers.mapValues(\.count))")
        // The two ran at the same time: some trial of one began before a trial of the other ended.
        let (a, b) = (Array(workers.values)[0], Array(workers.values)[1])
        XCTAssertTrue(a.contains { x in b.contains { y in x.started! < y.finished! && y.started! < x.finished! } })
        // Each trial's parameters are the values its objective saw.
        XCTAssertTrue(trials.allSatisfy { $0.params.hasPrefix("{\"x\": ") && $0.params.contains("\"kind\": ") }, "\(trials[0].params)")
        // The worker stops after the optimize cell and records no session of its own.
        XCTAssertFalse(worker.stdout.contains("best"), worker.stdout)
        XCTAssertTrue(runOutput.contains("best "), runOutput)
        XCTAssertEqual(try Store(path: store).sessions().count, 1)
    }

    func testAKilledRunResumesWithoutLosingOrRerunningTrials() throws {
        try write(SharedStudyCommandTests.notebook, to: "search.kiln")
        let first = try start(["run", "search.kiln"], output: "first.out")
        wait { ((try? self.trials())?.filter { $0.state == "complete" }.count ?? 0) >= 4 }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let before = try trials().filter { $0.state == "complete" }
        XCTAssertGreaterThanOrEqual(before.count, 4)
        let again = try kiln(["run", "search.kiln"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let after = try trials()
        // Completed trials are kept as they were and not run again.
        for trial in before { XCTAssertEqual(after.first { $0.number == trial.number }, trial) }
        for trial in before { XCTAssertFalse(again.stdout.contains("Trial \(trial.number) finished"), again.stdout) }
        // A trial the killed process was running is marked interrupted and does not count.
        let interrupted = after.filter { $0.message?.hasPrefix("interrupted:") ?? false }
        XCTAssertLessThanOrEqual(interrupted.count, 1)
        XCTAssertTrue(interrupted.allSatisfy { $0.state == "failed" })
        XCTAssertEqual(after.filter { $0.state == "complete" }.count, 12)
        XCTAssertEqual(after.count, 12 + interrupted.count)
    }

    func testAWorkerNamesWhatIsMissing() throws {
        let none = try kiln(["worker", "nope"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("there is no study 'nope' in the store"), none.stderr)
        try write("from hyperopt import fmin, rand, hp\nfmin(lambda x: x, hp.uniform('x', 0, 1), algo=rand.suggest, max_evals=2)\n", to: "f.kiln")
        XCTAssertEqual(try kiln(["run", "f.kiln"]).status, 0)
        let fmin = try kiln(["worker", "session 1: fmin 1"])
        XCTAssertEqual(fmin.status, 1)
        XCTAssertTrue(fmin.stderr.contains("was not opened by a notebook's search.study"), fmin.stderr)
    }

    func testAStoredStudyIsContinuedOnlyWhenAsked() throws {
        let notebook = "from kiln import search\nstudy = search.study('once', seed=0, load_if_exists=FLAG)\nstudy.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=3)\n"
        try write(notebook.replacingOccurrences(of: "FLAG", with: "True"), to: "a.kiln")
        try write(notebook.replacingOccurrences(of: "FLAG", with: "False"), to: "b.kiln")
        let first = try kiln(["run", "a.kiln"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(first.stdout.contains("Using an existing study"), first.stdout)
        let again = try kiln(["run", "a.kiln"])
        XCTAssertTrue(again.stdout.hasPrefix("Using an existing study with name 'once' instead of creating a new one (3 trials in the store).\n"), again.stdout)
        XCTAssertFalse(again.stdout.contains("Trial "), again.stdout)
        let refused = try kiln(["run", "b.kiln"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("ValueError: study 'once' already exists in the store with 3 trials; choose another name, or pass load_if_exists=True to continue it"), refused.stderr)
    }
}
