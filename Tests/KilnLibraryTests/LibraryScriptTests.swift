import Foundation
import KilnLang
import KilnLibrary
import KilnTestSupport
import XCTest

/// The native modules and the stdlib/ modules, tested in the language through a session
/// interpreter as `kiln run` builds it (testdata/*.kiln, expected values from CPython).
final class LibraryScriptTests: XCTestCase {
    static let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")
    static let scripts = ["keras_layers", "keras_training", "keras_optimizers", "keras_metrics_losses", "math", "random", "statistics", "numpy_printing",
                          "numpy_creation", "numpy_arithmetic", "numpy_indexing", "numpy_reductions", "numpy_shapes", "numpy_random",
                          "numpy_language", "numpy_files", "sklearn", "hyperopt", "hyperas", "keras_tuner", "numpy_generator", "search_study",
                          "sklearn_linear", "sklearn_model_selection", "scipy_optimize", "ensemble", "sklearn_ensemble", "plot"]

    func runScript(_ name: String, globals: [String: Value] = [:]) {
        let path = LibraryScriptTests.testdata.appendingPathComponent(name + ".kiln").path
        for failure in ScriptTest.run(file: path, globals: globals, makeInterpreter: { KilnLibrary.makeInterpreter() }) {
            XCTFail(failure.description)
        }
    }

    func testEveryScriptIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: LibraryScriptTests.testdata.path)
            .filter { $0.hasSuffix(".kiln") }.map { String($0.dropLast(5)) }
        XCTAssertEqual(Set(files), Set(LibraryScriptTests.scripts))
    }

    func test_keras_layers() { runScript("keras_layers") }
    func test_keras_training() { runScript("keras_training") }
    func test_keras_optimizers() { runScript("keras_optimizers") }
    func test_keras_metrics_losses() { runScript("keras_metrics_losses") }
    func test_math() { runScript("math") }
    func test_sklearn() { runScript("sklearn") }
    func test_sklearn_linear() { runScript("sklearn_linear") }
    func test_sklearn_model_selection() { runScript("sklearn_model_selection") }
    func test_scipy_optimize() { runScript("scipy_optimize") }
    func test_sklearn_ensemble() { runScript("sklearn_ensemble") }
    func test_plot() { runScript("plot") }
    func test_hyperopt() { runScript("hyperopt") }
    func test_hyperas() { runScript("hyperas") }
    func test_numpy_generator() { runScript("numpy_generator") }
    func test_keras_tuner() { runScript("keras_tuner") }
    func test_search_study() { runScript("search_study") }
    func test_ensemble() { runScript("ensemble") }
    func test_random() { runScript("random") }
    func test_statistics() { runScript("statistics") }
    func test_numpy_printing() { runScript("numpy_printing") }
    func test_numpy_creation() { runScript("numpy_creation") }
    func test_numpy_arithmetic() { runScript("numpy_arithmetic") }
    func test_numpy_indexing() { runScript("numpy_indexing") }
    func test_numpy_reductions() { runScript("numpy_reductions") }
    func test_numpy_shapes() { runScript("numpy_shapes") }
    func test_numpy_random() { runScript("numpy_random") }
    func test_numpy_language() { runScript("numpy_language") }

    /// np.save/load/savez/loadtxt/genfromtxt: FIXTURES is the folder of files written by real
    /// numpy (Fixtures/npy/generate.py), TMP an empty folder for round trips.
    func test_numpy_files() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/npy").path
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-npy-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        runScript("numpy_files", globals: ["FIXTURES": .string(fixtures), "TMP": .string(tmp)])
    }
}
