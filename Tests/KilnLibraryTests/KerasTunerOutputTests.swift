import Foundation
import XCTest

/// What keras-tuner's tuners print.
final class KerasTunerOutputTests: XCTestCase {
    /// results_summary after a BayesianOptimization search: keras-tuner's header (and Kiln's
    /// line on the data that chose), then the best trials, best first, each with its
    /// hyperparameters in declaration order and its score.
    func testBayesianOptimizationResultsSummaryHasKerasTunersLayout() throws {
        let text = try printed("""
            import numpy as np
            import keras
            import keras_tuner as kt
            keras.utils.set_random_seed(0)
            x = np.random.rand(32, 2).astype('float32')
            y = (x[:, 0] > 0.5).astype('int32')
            def build(hp):
                m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(hp.Int('units', 2, 8, step=2), activation='relu'),
                                      keras.layers.Dense(2, activation='softmax')])
                m.compile(optimizer=keras.optimizers.Adam(hp.Float('lr', 1e-3, 1e-1, sampling='log')), loss='sparse_categorical_crossentropy')
                return m
            tuner = kt.BayesianOptimization(build, objective='val_loss', max_trials=5, num_initial_points=2, seed=1)
            tuner.search(x[:24], y[:24], epochs=1, validation_data=(x[24:], y[24:]), verbose=0)
            tuner.results_summary(3)
            """)
        let score = "[0-9]+\\.[0-9]+(e-?[0-9]+)?"
        let trial = "\nTrial 0[0-4] summary\nHyperparameters:\nunits: (2|4|6|8)\nlr: \(score)\nScore: \(score)\n"
        let pattern = "^Results summary\nShowing 3 best trials\nObjective\\(name=\"val_loss\", direction=\"min\"\\)\n"
            + "Chosen on: validation data \\(8 samples\\)\n" + trial + trial + trial + "$"
        XCTAssertNotNil(text.range(of: pattern, options: .regularExpression), text)
        // Best first.
        let scores = text.split(separator: "\n").filter { $0.hasPrefix("Score: ") }.compactMap { Double($0.dropFirst(7)) }
        XCTAssertEqual(scores.count, 3)
        XCTAssertEqual(scores, scores.sorted())
    }
}
