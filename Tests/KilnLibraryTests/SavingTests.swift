import Foundation
import KilnLang
import KilnLibrary
import XCTest

/// save_weights / load_weights (numpy .npz archives) and ModelCheckpoint, through the language.
final class SavingTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-saving-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func run(_ source: String) throws -> String {
        let interpreter = KilnLibrary.makeInterpreter()
        interpreter.output = { _ in }
        let value = try interpreter.run(source, filename: "saving.kiln").get()
        return value.map { Repr.repr($0) } ?? "None"
    }

    func testWeightsRoundTripAndNumpyReadsThem() throws {
        let path = folder.appendingPathComponent("w.npz").path
        let result = try run("""
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers
            def build():
                return keras.Sequential([layers.Dense(3, input_shape=(2,)), layers.BatchNormalization(), layers.Dense(1)])
            a = build()
            a.save_weights('\(path)')
            b = build()
            before = b.get_weights()[0].tolist() == a.get_weights()[0].tolist()
            b.load_weights('\(path)')
            same = all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
            raw = np.load('\(path)')
            [before, same, len(raw.files), raw['arr_0'].shape]
            """)
        XCTAssertEqual(result, "[False, True, 8, (2, 3)]")
    }

    func testLoadingIntoAnotherArchitectureNamesBothCounts() throws {
        let path = folder.appendingPathComponent("w.npz").path
        XCTAssertThrowsError(try run("""
            from tensorflow import keras
            from tensorflow.keras import layers
            keras.Sequential([layers.Dense(3, input_shape=(2,))]).save_weights('\(path)')
            keras.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)]).load_weights('\(path)')
            """)) { error in
            XCTAssertTrue("\(error)".contains("holds 2 weight arrays, but model \"sequential_1\" has 4"), "\(error)")
        }
    }

    func testModelCheckpointWritesOneFilePerEpochOrTheBest() throws {
        let every = folder.appendingPathComponent("w.{epoch:02d}.npz").path
        let best = folder.appendingPathComponent("best.npz").path
        _ = try run("""
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers
            m = keras.Sequential([layers.Dense(1, input_shape=(2,))])
            m.compile(optimizer='sgd', loss='mse')
            x = np.random.rand(16, 2); y = np.random.rand(16, 1)
            m.fit(x, y, epochs=3, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint('\(every)', monitor='loss'),
                                                        keras.callbacks.ModelCheckpoint('\(best)', monitor='loss', save_best_only=True)])
            """)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(files, ["best.npz", "w.01.npz", "w.02.npz", "w.03.npz"])
    }

    func testCheckpointFieldMissingFromTheLogsIsAKeyErrorNamingIt() throws {
        let path = folder.appendingPathComponent("w.{val_loss:.2f}.npz").path
        XCTAssertThrowsError(try run("""
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers
            m = keras.Sequential([layers.Dense(1, input_shape=(2,))])
            m.compile(optimizer='sgd', loss='mse')
            m.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint('\(path)')])
            """)) { error in
            XCTAssertTrue("\(error)".contains("KeyError") && "\(error)".contains("val_loss"), "\(error)")
        }
    }

    func testLoadingAFileThatIsNotAnArchiveNamesIt() throws {
        let path = folder.appendingPathComponent("notes.txt").path
        try "not weights".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try run("""
            from tensorflow import keras
            from tensorflow.keras import layers
            keras.Sequential([layers.Dense(1, input_shape=(2,))]).load_weights('\(path)')
            """)) { error in
            XCTAssertTrue("\(error)".contains("BadZipFile: File is not a zip file: \(path)"), "\(error)")
        }
    }
}
