import Foundation
import KilnNotebook
@testable import KilnStore
import XCTest

/// `kiln run` recording into the store, and the commands that read it back: sessions, show,
/// export, replay; papermill's options; the sandbox; kill -9 and two writers at once.
final class StoreCommandTests: KilnFolderTestCase {
    static let notebook = """
        # %% [markdown]
        # A small notebook
        # %% tags=["parameters"]
        n = 3
        # %%
        print("n is", n)
        n * 2
        # %%
        squares = [i * i for i in range(n)]
        squares

        """

    func testRunIsRecordedAndShownAsATranscript() throws {
        try write(StoreCommandTests.notebook, to: "nb.kiln")
        let run = try kiln(["run", "nb.kiln", "-p", "n", "4"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "n is 4\nOut[3]: 8\nOut[4]: [0, 1, 4, 9]\n")
        XCTAssertTrue(run.stderr.contains("kiln: cell 4/4"), run.stderr)

        let sessions = try kiln(["sessions"])
        XCTAssertEqual(sessions.status, 0, sessions.stderr)
        let lines = sessions.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, sessions.stdout)
        XCTAssertEqual(lines[0], "id  kind      status  cells  started              ended                source", sessions.stdout)
        XCTAssertTrue(lines[1].hasPrefix(" 1  notebook  ok          5  "), sessions.stdout)
        XCTAssertTrue(lines[1].hasSuffix("/nb.kiln"), sessions.stdout)

        let show = try kiln(["show", "1"])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("In [2]: # Parameters\n   ...: n = 4\n"), show.stdout)
        XCTAssertTrue(show.stdout.contains("In [3]: print(\"n is\", n)\n   ...: n * 2\nn is 4\nOut[3]: 8\n"), show.stdout)

        let stored = try Store(path: store)
        let cells = try stored.cells(ofSession: 1)
        XCTAssertEqual(cells.map(\.kind), [.markdown, .code, .code, .code, .code])
        XCTAssertEqual(cells[3].outputs, [.stream("n is 4\n"), .result("8")])
        XCTAssertEqual(cells[2].tags, ["injected-parameters"])
        XCTAssertEqual(cells[3].status, .ok)
        XCTAssertEqual(cells[3].firstLine, 6)
    }

    func testDisplayedValuesAreStoredAsMIMEBundlesInOrder() throws {
        let svg = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>"
        try write("# %%\nfrom IPython.display import SVG, HTML\nprint('before')\ndisplay(SVG(\"\(svg)\"), HTML('<b>hi</b>'))\nprint('after')\n", to: "show.kiln")
        let run = try kiln(["run", "show.kiln"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "before\n<IPython.core.display.SVG object>\n<IPython.core.display.HTML object>\nafter\n")
        let outputs = try XCTUnwrap(Store(path: store).cells(ofSession: 1).first?.outputs)
        XCTAssertEqual(outputs.map(\.type), [.stream, .display, .display, .stream])
        XCTAssertEqual(outputs[1].items.map(\.mime), ["text/plain", "image/svg+xml"])
        XCTAssertEqual(outputs[1].items[1].text, svg)
        XCTAssertEqual(outputs[2].items.map(\.mime), ["text/plain", "text/html"])
        XCTAssertEqual(outputs[3], .stream("after\n"))
    }

    func testSavedModelsGoIntoTheStoreAndLoadFromIt() throws {
        try write("""
            # %%
            import numpy as np
            import keras
            m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name='out')])
            m.compile('adam', 'mse')
            m.save('net.keras')
            print(m.predict(np.ones((1, 3)), verbose=0).tolist())

            """, to: "save.kiln")
        let save = try kiln(["run", "save.kiln"])
        XCTAssertEqual(save.status, 0, save.stderr)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("net.keras"))
        try write("# %%\nimport numpy as np\nimport keras\nm = keras.models.load_model('net.keras')\nprint(m.predict(np.ones((1, 3)), verbose=0).tolist())\n", to: "load.kiln")
        let load = try kiln(["run", "load.kiln"])
        XCTAssertEqual(load.status, 0, load.stderr)
        XCTAssertEqual(load.stdout, save.stdout)
        let model = try XCTUnwrap(try Store(path: store).model(named: "net.keras"))
        XCTAssertEqual(model.session, 1)
        XCTAssertTrue(model.config.contains("\"class_name\": \"Sequential\""), model.config)
    }

    /// An .ipynb runs like a .kiln file (parameters after the cell tagged in its metadata),
    /// tracebacks name the cell, and --out writes the executed notebook with outputs.
    func testIpynbRunsWithParametersAndOutWritesOutputs() throws {
        let notebook = """
            {"cells": [
              {"cell_type": "code", "execution_count": null, "id": "p", "metadata": {"tags": ["parameters"]}, "outputs": [], "source": ["n = 1"]},
              {"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# Title"]},
              {"cell_type": "code", "execution_count": null, "id": "c", "metadata": {}, "outputs": [], "source": ["print('n =', n)\\n", "n * 10"]}
             ],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            """
        try write(notebook, to: "nb.ipynb")
        let run = try kiln(["run", "nb.ipynb", "-p", "n", "4", "--out", "out.ipynb"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "n = 4\nOut[3]: 40\n")
        let executed = try NotebookFile.read(atPath: folder.appendingPathComponent("out.ipynb").path)
        XCTAssertEqual(executed.cells.count, 4)
        XCTAssertEqual(executed.cells[1].tags, ["injected-parameters"])
        XCTAssertEqual(executed.cells[3].executionCount, 3)
        XCTAssertEqual(executed.cells[3].outputs, [.stream("n = 4\n"), .result("40")])

        try write(notebook.replacingOccurrences(of: "n * 10", with: "n / 0"), to: "bad.ipynb")
        let bad = try kiln(["run", "bad.ipynb"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("Error in cell 2 (bad.ipynb cell 3)"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("bad.ipynb cell 3:2:3 in <module>"), bad.stderr)
    }

    func testMalformedIpynbFilesAreClearErrors() throws {
        try write("{\"cells\": [], \"nbformat\": 3, \"nbformat_minor\": 0, \"metadata\": {}}", to: "old.ipynb")
        let old = try kiln(["run", "old.ipynb"])
        XCTAssertEqual(old.status, 1)
        XCTAssertTrue(old.stderr.contains("nbformat 3"), old.stderr)
        try write("{\"cells\": [", to: "broken.ipynb")
        let broken = try kiln(["run", "broken.ipynb"])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stderr.contains("broken.ipynb"), broken.stderr)
        try write("{\"cells\": [{\"cell_type\": \"code\", \"source\": 7, \"metadata\": {}, \"outputs\": []}], \"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}", to: "source.ipynb")
        let source = try kiln(["run", "source.ipynb"])
        XCTAssertEqual(source.status, 1)
        XCTAssertTrue(source.stderr.contains("\"source\" must be a string or a list of strings"), source.stderr)
        XCTAssertEqual(try Store(path: store).sessions().count, 0)
    }

    func testExportsOfASessionAndUntrustedOutputsOfAFile() throws {
        try write(StoreCommandTests.notebook, to: "nb.kiln")
        XCTAssertEqual(try kiln(["run", "nb.kiln"]).status, 0)
        for format in ["ipynb", "md", "html"] {
            let export = try kiln(["export", "1", "--to", format, "-o", "nb." + format])
            XCTAssertEqual(export.status, 0, export.stderr)
        }
        let ipynb = try NotebookFile.read(atPath: folder.appendingPathComponent("nb.ipynb").path)
        XCTAssertEqual(ipynb.cells.map(\.source), try PercentFormat.parse(StoreCommandTests.notebook).cells.map(\.source))
        XCTAssertEqual(ipynb.cells[2].outputs, [.stream("n is 3\n"), .result("6")])
        let html = try String(contentsOf: folder.appendingPathComponent("nb.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("n is 3"), html)
        XCTAssertFalse(html.contains("<script"), html)

        let evil = """
            {"cells": [{"cell_type": "code", "execution_count": 1, "id": "e", "metadata": {}, "source": ["1"],
              "outputs": [{"output_type": "display_data", "metadata": {},
                           "data": {"text/html": ["<script>alert(1)</script>"], "image/svg+xml": ["<svg onload=\\"alert(2)\\"></svg>"], "text/plain": ["<b onmouseover=alert(3)>"]}}]}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            """
        try write(evil, to: "evil.ipynb")
        let page = try kiln(["export", "evil.ipynb", "--to", "html"])
        XCTAssertEqual(page.status, 0, page.stderr)
        for forbidden in ["<script", "onload=", "javascript:", "<svg", "<b onmouseover"] {
            XCTAssertFalse(page.stdout.contains(forbidden), "\(forbidden) in \(page.stdout)")
        }
    }

    func testSearchTrialsAreRecordedAsStudies() throws {
        try write("""
            # %%
            from hyperopt import fmin, tpe, rand, hp, Trials
            best = fmin(lambda x: (x - 2) ** 2, hp.uniform('x', -5, 5), algo=rand.suggest, max_evals=12, rstate=0)
            # %%
            fmin(lambda p: p['n'], {'n': hp.randint('n', 3, 9)}, algo=tpe.suggest, max_evals=25, rstate=1)
            # %%
            import numpy as np
            import keras
            import keras_tuner as kt
            def build(hp):
                m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(hp.Int('units', 2, 4), activation='relu'), keras.layers.Dense(1)])
                m.compile('sgd', 'mse')
                return m
            tuner = kt.RandomSearch(build, objective='loss', max_trials=3, seed=0)
            tuner.search(np.zeros((8, 2)), np.zeros((8, 1)), epochs=1, verbose=0)
            # %%
            from hyperas import optim
            from hyperas.distributions import choice, uniform
            def model():
                return {'loss': {{uniform(0, 1)}} + {{choice([0, 1])}}, 'status': 'ok'}
            best_run, best_model = optim.minimize(model=model, data=lambda: None, algo=rand.suggest, max_evals=4, trials=Trials())

            """, to: "search.kiln")
        let run = try kiln(["run", "search.kiln"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let stored = try Store(path: store)
        let studies = try stored.studies()
        XCTAssertEqual(studies.map(\.name), ["session 1: fmin 1", "session 1: fmin 2", "session 1: RandomSearch 1", "session 1: hyperas 1"])
        XCTAssertEqual(studies.map(\.trialCount), [12, 25, 3, 4])
        XCTAssertEqual(studies.map(\.sampler), ["rand", "tpe", "RandomSearch", "rand"])
        XCTAssertTrue(try stored.trials(ofStudy: studies[3].id).allSatisfy { $0.params.hasPrefix("{\"uniform\": ") && $0.params.contains("\"uniform_1\": ") })
        XCTAssertTrue(try stored.trials(ofStudy: studies[2].id).allSatisfy { $0.params.hasPrefix("{\"units\": ") })
        XCTAssertEqual(studies[1].best, 3)
        let trials = try stored.trials(ofStudy: studies[1].id)
        XCTAssertEqual(trials.map(\.number), Array(0..<25))
        XCTAssertTrue(trials.allSatisfy { $0.state == "complete" && $0.params.hasPrefix("{\"n\": ") }, "\(trials.first!)")
        let listing = try kiln(["studies"])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let rows = listing.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertTrue(rows.contains(["2", "session", "1:", "fmin", "2", "tpe", "minimize", "25", "3"]), listing.stdout)
    }

    func testExportToKilnKeepsEveryCell() throws {
        try write(StoreCommandTests.notebook, to: "nb.kiln")
        XCTAssertEqual(try kiln(["run", "nb.kiln"]).status, 0)
        let export = try kiln(["export", "1", "--to", "kiln", "-o", "again.kiln"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let again = try NotebookFile.read(atPath: folder.appendingPathComponent("again.kiln").path)
        let original = try PercentFormat.parse(StoreCommandTests.notebook)
        XCTAssertEqual(again.cells.map(\.source), original.cells.map(\.source))
        XCTAssertEqual(again.cells.map(\.kind), original.cells.map(\.kind))
        XCTAssertEqual(again.cells.map(\.tags), original.cells.map(\.tags))
    }

    func testReplayMatchesThenReportsExactlyTheChangedCell() throws {
        try write(StoreCommandTests.notebook, to: "nb.kiln")
        XCTAssertEqual(try kiln(["run", "nb.kiln"]).status, 0)
        let same = try kiln(["replay", "1", "--diff"])
        XCTAssertEqual(same.status, 0, same.stdout + same.stderr)
        XCTAssertTrue(same.stdout.contains("every cell's outputs match"), same.stdout)

        // Change one stored output by hand.
        let stored = try Store(path: store)
        let target = try XCTUnwrap(stored.cells(ofSession: 1).first { $0.executionCount == 2 })
        try stored.database.query("UPDATE outputs SET text = '7' WHERE cell = ? AND type = 'result'", [.integer(target.id)])
        let changed = try kiln(["replay", "1", "--diff"])
        XCTAssertEqual(changed.status, 1, changed.stdout + changed.stderr)
        XCTAssertTrue(changed.stdout.contains("1 cell(s) differ: In [2]\n"), changed.stdout)
        XCTAssertTrue(changed.stdout.contains("-7\n+6\n"), changed.stdout)
        XCTAssertEqual(try Store(path: store).sessions().map(\.kind), [.notebook, .replay, .replay])
    }

    /// Cells marked as nbval marks them (a `# NBVAL_IGNORE_OUTPUT` line, or the
    /// `nbval-ignore-output` tag) are run but not compared; an unmarked cell printing the time
    /// is reported.
    func testReplayIgnoresCellsMarkedAsNbvalDoes() throws {
        try write("""
        # %%
        import time
        # %%
        # NBVAL_IGNORE_OUTPUT
        print(time.time())
        # %% tags=["nbval-ignore-output"]
        print(time.perf_counter())
        # %%
        print(time.perf_counter())
        """, to: "timing.kiln")
        XCTAssertEqual(try kiln(["run", "timing.kiln"]).status, 0)
        let replay = try kiln(["replay", "1"])
        XCTAssertEqual(replay.status, 1, replay.stdout + replay.stderr)
        XCTAssertTrue(replay.stdout.contains("1 cell(s) differ: In [4]\n"), replay.stdout)
    }

    func testUsageMistakesAndUnknownSessions() throws {
        try write(StoreCommandTests.notebook, to: "nb.kiln")
        let literal = try kiln(["run", "nb.kiln", "-p", "n", "hello"])
        XCTAssertEqual(literal.status, 2)
        XCTAssertTrue(literal.stderr.contains("is not a Kiln literal"), literal.stderr)
        let odd = try kiln(["run", "nb.kiln", "-p", "n"])
        XCTAssertEqual(odd.status, 2, odd.stderr)
        XCTAssertTrue(odd.stderr.contains("-p takes a name and a value"), odd.stderr)
        XCTAssertEqual(try kiln(["run", "nb.kiln", "--no-such-option"]).status, 2)
        XCTAssertEqual(try kiln(["run"]).status, 2)
        let unknown = try kiln(["show", "42"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no session 42"), unknown.stderr)
        XCTAssertEqual(try kiln(["replay", "42"]).status, 1)
        XCTAssertEqual(try kiln(["export", "42", "--to", "md"]).status, 1)
    }

    func testEmptyAndBinaryNotebooksAreClearErrors() throws {
        try write("", to: "empty.kiln")
        let empty = try kiln(["run", "empty.kiln"])
        XCTAssertEqual(empty.status, 1)
        XCTAssertTrue(empty.stderr.contains("empty.kiln: the notebook is empty"), empty.stderr)
        try Data([0xff, 0xfe, 0x00, 0x9f, 0x80]).write(to: folder.appendingPathComponent("binary.kiln"))
        let binary = try kiln(["run", "binary.kiln"])
        XCTAssertEqual(binary.status, 1)
        XCTAssertTrue(binary.stderr.contains("not UTF-8 text"), binary.stderr)
        XCTAssertEqual(try Store(path: store).sessions().count, 0, "nothing is recorded for a notebook that cannot be read")
    }

    func testAFileThatIsNotAStoreIsRefusedAndLeftAlone() throws {
        try write(StoreCommandTests.notebook, to: "nb.kiln")
        let notes = try write("my notes, not a database\n", to: "notes.db")
        let run = try kiln(["run", "nb.kiln", "--db", "notes.db"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("not a Kiln store"), run.stderr)
        XCTAssertEqual(try String(contentsOf: notes, encoding: .utf8), "my notes, not a database\n")
        XCTAssertEqual(try kiln(["sessions", "--db", "notes.db"]).status, 1)
    }

    func testTimeoutStopsTheCellAndIsRecorded() throws {
        try write("# %%\nprint('before')\n# %%\nwhile True:\n    pass\n# %%\nprint('never')\n", to: "spin.kiln")
        let run = try kiln(["run", "spin.kiln", "--timeout", "0.5"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("TimeoutError: the cell did not finish within 0.5 seconds (--timeout)"), run.stderr)
        XCTAssertFalse(run.stdout.contains("never"))
        let stored = try Store(path: store)
        XCTAssertEqual(try stored.cells(ofSession: 1).map(\.status), [.ok, .timeout, nil])
        XCTAssertEqual(try stored.session(1).status, .timeout)
    }

    func testAllowErrorsRunsEveryCellAndStillFails() throws {
        try write("# %%\n1 / 0\n# %%\nprint('after')\n", to: "errors.kiln")
        let run = try kiln(["run", "errors.kiln", "--allow-errors"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains("after"), run.stdout)
        XCTAssertTrue(run.stderr.contains("ZeroDivisionError"), run.stderr)
        let cells = try Store(path: store).cells(ofSession: 1)
        XCTAssertEqual(cells.map(\.status), [.error, .ok])
        XCTAssertEqual(cells[0].outputs.first?.name, "ZeroDivisionError")
    }

    func testFilesOutsideTheWorkingDirectoryAreRefusedUnlessAllowed() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let target = outside.appendingPathComponent("a.npy").path
        try write("import numpy as np\nnp.save('inside.npy', np.zeros(2))\nnp.save('\(target)', np.zeros(2))\n", to: "files.kiln")
        let refused = try kiln(["run", "files.kiln"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("PermissionError: [Errno 13] Permission denied: '\(target)'"), refused.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("inside.npy").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        try write("import numpy as np\nnp.load('../../../../../../../../etc/passwd')\n", to: "escape.kiln")
        XCTAssertTrue(try kiln(["run", "escape.kiln"]).stderr.contains("PermissionError"))
        let allowed = try kiln(["run", "files.kiln", "--allow-path", outside.path])
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: target))
    }

    func testKillNineLosesAtMostTheRunningCell() throws {
        try write("# %%\nprint('first')\n# %%\nx = 2\n# %%\nwhile True:\n    x += 1\n", to: "long.kiln")
        let process = try start(["run", "long.kiln"], output: "long.out")
        // Wait until the two finished cells are in the store.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let stored = try? Store(path: store), let cells = try? stored.cells(ofSession: 1), cells.count == 2 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let stored = try Store(path: store)
        let cells = try stored.cells(ofSession: 1)
        XCTAssertEqual(cells.map(\.source), ["print('first')", "x = 2"])
        XCTAssertEqual(cells[0].outputs, [.stream("first\n")])
        XCTAssertEqual(try stored.session(1).status, .running)
        let sessions = try kiln(["sessions"])
        XCTAssertEqual(sessions.status, 0, sessions.stderr)
        XCTAssertTrue(sessions.stdout.contains("running"), sessions.stdout)
    }

    func testTwoRunsWritingOneStoreBothFinish() throws {
        let cells = (0..<30).map { "# %%\nv = \($0)\nprint(v)\n" }.joined()
        try write(cells, to: "a.kiln")
        try write(cells, to: "b.kiln")
        let a = try start(["run", "a.kiln"], output: "a.out"), b = try start(["run", "b.kiln"], output: "b.out")
        a.waitUntilExit()
        b.waitUntilExit()
        let aOut = try String(contentsOf: folder.appendingPathComponent("a.out"), encoding: .utf8)
        let bOut = try String(contentsOf: folder.appendingPathComponent("b.out"), encoding: .utf8)
        XCTAssertEqual(a.terminationStatus, 0, aOut)
        XCTAssertEqual(b.terminationStatus, 0, bOut)
        let stored = try Store(path: store)
        let sessions = try stored.sessions()
        XCTAssertEqual(sessions.count, 2)
        for session in sessions {
            XCTAssertEqual(session.status, .ok)
            XCTAssertEqual(session.cellCount, 30)
            XCTAssertEqual(try stored.cells(ofSession: session.id).last?.outputs, [.stream("29\n")])
        }
    }
}
