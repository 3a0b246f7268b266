import Foundation
import KilnLang
import KilnLibrary
import XCTest

/// What training writes as it goes: fit's per-epoch lines and the callbacks' messages.
final class TrainingOutputTests: XCTestCase {
    /// What fit prints when its output is not a terminal (as under `swift test`): "Epoch i/n"
    /// only when there are several epochs, then one line per epoch, validation values included.
    func testFitPrintsOneLinePerEpochWhenNotATerminal() throws {
        func printed(epochs: Int, verbose: String) throws -> String {
            try self.printed("""
                import numpy as np
                import keras
                keras.utils.set_random_seed(0)
                m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation='softmax')])
                m.compile('adam', 'sparse_categorical_crossentropy', metrics=['accuracy'])
                x = np.random.rand(40, 2).astype('float32')
                y = (x[:, 0] > 0.5).astype('int32')
                h = m.fit(x, y, batch_size=16, epochs=\(epochs), verbose=\(verbose), validation_split=0.25)
                """)
        }
        let number = "[0-9]+\\.[0-9]{4}"
        let line = "2/2 - [0-9]+s - loss: \(number) - accuracy: \(number) - val_loss: \(number) - val_accuracy: \(number) - [0-9]+(s|ms|us)/epoch - [0-9]+(s|ms|us)/step"
        let two = try printed(epochs: 2, verbose: "1").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(two.count, 5, two.joined(separator: "\n"))
        XCTAssertEqual(two[0], "Epoch 1/2")
        XCTAssertEqual(two[2], "Epoch 2/2")
        for text in [two[1], two[3]] { XCTAssertNotNil(text.range(of: "^" + line + "$", options: .regularExpression), text) }
        let one = try printed(epochs: 1, verbose: "'auto'")
        XCTAssertNotNil(one.range(of: "^" + line + "\n$", options: .regularExpression), one)
        XCTAssertEqual(try printed(epochs: 2, verbose: "0"), "")
    }


    /// A callback whose monitored value is missing warns once, as Keras 3 does, and carries on.
    func testCallbacksWarnOnceWhenTheMonitoredValueIsMissing() throws {
        let text = try printed("""
            import numpy as np
            import keras
            m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
            m.compile('sgd', 'mse')
            callbacks = [keras.callbacks.EarlyStopping(patience=0), keras.callbacks.ReduceLROnPlateau(monitor='val_mae'),
                         keras.callbacks.ModelCheckpoint('/dev/null', save_best_only=True, monitor='val_acc')]
            h = m.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=3, verbose=0, callbacks=callbacks)
            assert len(h.history['loss']) == 3
            """)
        XCTAssertEqual(text, """
            UserWarning: Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss
            UserWarning: Learning rate reduction is conditioned on metric `val_mae` which is not available. Available metrics are: loss,learning_rate.
            UserWarning: Can save best model only with val_acc available.

            """)
    }

    /// evaluate and predict show Keras' final bar line with verbose 'auto' or 1, nothing with 0.
    func testEvaluateAndPredictShowOneBarLine() throws {
        let text = try printed("""
            import numpy as np
            import keras
            m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation='softmax')])
            m.compile('adam', 'sparse_categorical_crossentropy', metrics=['accuracy'])
            x = np.zeros((40, 2), 'float32')
            y = np.zeros(40, 'int32')
            m.evaluate(x, y, batch_size=16)
            m.predict(x)
            m.evaluate(x, y, verbose=0)
            m.predict(x, verbose=0)
            """)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, text)
        let step = "[0-9]+(s|ms|us)/step"
        XCTAssertNotNil(lines[0].range(of: "^3/3 \\[=+\\] - [0-9]+s \(step) - loss: [0-9.]+ - accuracy: 1\\.0000$", options: .regularExpression), lines[0])
        XCTAssertNotNil(lines[1].range(of: "^2/2 \\[=+\\] - [0-9]+s \(step)$", options: .regularExpression), lines[1])
        XCTAssertTrue(lines[0].contains("[" + String(repeating: "=", count: 30) + "]"), lines[0])
    }
}
