import Foundation
import XCTest

/// The `kiln` binary's command line, run as a user would.
final class CommandLineTests: XCTestCase {
    func testHelpExitsZeroAndListsRun() throws {
        let result = try runKiln(["--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("USAGE: kiln"), result.stdout)
        XCTAssertTrue(result.stdout.contains("run"), result.stdout)
    }

    func testRunHelpExplainsTheFileArgument() throws {
        let result = try runKiln(["run", "--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("<file>"), result.stdout)
    }

    func testRunWithMissingFileExitsOneWithAClearError() throws {
        let result = try runKiln(["run", "missing.kiln"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kiln: can't open file 'missing.kiln': No such file or directory\n")
        XCTAssertEqual(result.stdout, "")
    }

    func testRunWithoutAFileIsAUsageError() throws {
        let result = try runKiln(["run"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("Missing expected argument '<file>'"), result.stderr)
    }

    func testUnknownSubcommandIsAUsageError() throws {
        let result = try runKiln(["frobnicate"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.stderr.isEmpty)
    }

    func write(_ text: String, to name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testRunPrintsOutputAndResultsAndExitsZero() throws {
        let url = try write("# %%\nprint('hi')\n# %%\n6 * 7\n", to: "ok.kiln")
        let result = try runKiln(["run", url.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "hi\nOut[2]: 42\n")
    }

    func testFirstErrorExitsOneWithTracebackPointingIntoTheFile() throws {
        let notebook = "# %%\nx = 1\n\n# %%\ndef f(d):\n    return d['k']\nf({})\n# %%\nprint('not reached')\n"
        let url = try write(notebook, to: "bad.kiln")
        let result = try runKiln(["run", url.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.stdout.contains("not reached"))
        XCTAssertTrue(result.stderr.contains("Error in cell 2"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bad.kiln:7:1 in <module>"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bad.kiln:6:13 in f"), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("KeyError: 'k'\n"), result.stderr)
    }

    func testMaxStepsStopsAnInfiniteLoop() throws {
        let url = try write("n = 0\nwhile True:\n    n += 1\n", to: "spin.kiln")
        let result = try runKiln(["run", "--max-steps", "50000", url.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("spin.kiln:2:1"), result.stderr)
        XCTAssertTrue(result.stderr.contains("TimeoutError: step budget of 50000 steps exceeded"), result.stderr)
    }

    func testRunawayRecursionIsARecursionErrorNotACrash() throws {
        let url = try write("def f(n):\n    return f(n + 1)\nf(0)\n", to: "deep.kiln")
        let result = try runKiln(["run", url.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("RecursionError: maximum recursion depth exceeded"), result.stderr)
    }

    func testCtrlCStopsTrainingAndKeepsGoing() throws {
        let notebook = """
            # %%
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers
            m = keras.Sequential([layers.Dense(4, input_shape=(2,)), layers.Dense(1)])
            m.compile(optimizer='sgd', loss='mse')
            h = m.fit(np.random.rand(64, 2), np.random.rand(64, 1), epochs=100000000, batch_size=8, verbose=0)
            # %%
            print("after fit", len(h.history['loss']) > 0)

            """
        let url = try write(notebook, to: "interrupt.kiln")
        let out = url.deletingLastPathComponent().appendingPathComponent("out.txt")
        let process = try startKiln(["run", url.path, "--no-store"], in: url.deletingLastPathComponent(), output: out)
        Thread.sleep(forTimeInterval: 3)
        process.interrupt()
        process.waitUntilExit()
        let text = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("Training interrupted (Ctrl-C)"), text)
        XCTAssertTrue(text.contains("after fit True"), text)
    }
}
