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

    // MARK: Whole models

    func testSequentialModelRoundTripsWithItsCompileArguments() throws {
        let path = folder.appendingPathComponent("model.keras").path
        let result = try run("""
            import numpy as np
            import keras
            from keras import layers
            keras.utils.set_random_seed(3)
            m = keras.Sequential([keras.Input((4,)),
                                  layers.Dense(8, activation='relu', kernel_initializer=keras.initializers.RandomNormal(stddev=0.1),
                                               kernel_regularizer=keras.regularizers.l2(0.001)),
                                  layers.BatchNormalization(), layers.Dropout(0.25), layers.Dense(3, activation='softmax', name='probabilities')])
            m.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.005), loss='sparse_categorical_crossentropy', metrics=['accuracy'])
            x = np.random.rand(16, 4).astype('float32')
            y = np.random.randint(0, 3, 16)
            m.fit(x, y, epochs=2, verbose=0)
            m.save('\(path)')
            back = keras.models.load_model('\(path)')
            [np.array_equal(m.predict(x, verbose=0), back.predict(x, verbose=0)),
             [type(l).__name__ for l in back.layers] == ['Dense', 'BatchNormalization', 'Dropout', 'Dense'],
             back.layers[-1].name, sorted(back.evaluate(x, y, verbose=0, return_dict=True).keys()),
             m.evaluate(x, y, verbose=0) == back.evaluate(x, y, verbose=0)]
            """)
        XCTAssertEqual(result, "[True, True, 'probabilities', ['accuracy', 'loss'], True]")
    }

    func testFunctionalGraphRoundTripsThroughJSON() throws {
        let result = try run("""
            import numpy as np
            import keras
            from keras import layers
            inp = keras.Input((6,), name='features')
            a = layers.Dense(5, activation='relu')(inp)
            b = layers.Dense(5)(inp)
            out = layers.Dense(1, activation='sigmoid')(layers.add([a, b]))
            f = keras.Model(inp, out, name='residual')
            text = f.to_json()
            g = keras.models.model_from_json(text)
            g.set_weights(f.get_weights())
            x = np.random.rand(3, 6).astype('float32')
            [g.name, [l.name for l in g.layers] == [l.name for l in f.layers], np.array_equal(f.predict(x, verbose=0), g.predict(x, verbose=0)),
             g.count_params() == f.count_params(), text.startswith('{"module": "keras", "class_name": "Functional"')]
            """)
        XCTAssertEqual(result, "['residual', True, True, True, True]")
    }

    func testModelCheckpointSavesTheWholeModelByDefault() throws {
        let path = folder.appendingPathComponent("best.keras").path
        let result = try run("""
            import numpy as np
            import keras
            m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
            m.compile('sgd', 'mse')
            x = np.random.rand(8, 2)
            m.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint('\(path)', monitor='loss', save_best_only=True)])
            back = keras.models.load_model('\(path)')
            back.count_params()
            """)
        XCTAssertEqual(result, "3")
    }

    func testLoadingSomethingThatIsNotASavedModelIsAClearError() throws {
        let npz = folder.appendingPathComponent("weights.npz").path
        XCTAssertThrowsError(try run("""
            import keras
            m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
            m.save_weights('\(npz)')
            keras.models.load_model('\(npz)')
            """)) { error in
            XCTAssertTrue("\(error)".contains("is not a saved model"), "\(error)")
        }
        XCTAssertThrowsError(try run("import keras\nkeras.models.load_model('\(folder.path)/missing.keras')")) { error in
            XCTAssertTrue("\(error)".contains("FileNotFoundError"), "\(error)")
        }
    }

    func testCheckpointInitialValueThresholdMustBeBeaten() throws {
        let path = folder.appendingPathComponent("best.keras").path
        let result = try run("""
            import numpy as np
            import keras
            m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
            m.compile('sgd', 'mse')
            x = np.random.rand(8, 2)
            never = keras.callbacks.ModelCheckpoint('\(path)', monitor='loss', save_best_only=True, initial_value_threshold=-1.0)
            len(m.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[never]).history['loss'])
            """)
        XCTAssertEqual(result, "2")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "a loss never beats -1")
        _ = try run("""
            import numpy as np
            import keras
            m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
            m.compile('sgd', 'mse')
            x = np.random.rand(8, 2)
            m.fit(x, x[:, :1], epochs=1, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint('\(path)', monitor='loss', save_best_only=True, initial_value_threshold=1e9)])
            """)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    func testSkipMismatchLoadsTheLayersThatFit() throws {
        let path = folder.appendingPathComponent("w.npz").path
        let interpreter = KilnLibrary.makeInterpreter()
        var printed = ""
        interpreter.output = { printed += $0 }
        let value = try interpreter.run("""
            import numpy as np
            import keras
            a = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dense(1)])
            a.save_weights('\(path)')
            b = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dense(2)])
            kept = b.get_weights()[2]
            b.load_weights('\(path)', skip_mismatch=True)
            [np.array_equal(a.get_weights()[0], b.get_weights()[0]), np.array_equal(kept, b.get_weights()[2])]
            """, filename: "skip.kiln").get()
        XCTAssertEqual(value.map { Repr.repr($0) }, "[True, True]")
        XCTAssertTrue(printed.contains("Skipping loading weights for layer #1 (named dense_3) due to mismatch in shape"), printed)
    }
}
