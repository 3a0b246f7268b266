import KilnNN
import KilnTensor
import XCTest

/// Losses against Keras 3's values (computed with keras.losses on the same arrays, TensorFlow
/// backend) and their gradients against finite differences.
final class LossTests: XCTestCase {
    func t(_ shape: [Int], _ values: [Float]) throws -> Tensor { try Tensor(shape: shape, values: values) }

    func value(_ loss: Loss, _ target: Tensor, _ prediction: Tensor) throws -> Float {
        try loss.compute(target: target, prediction: prediction).value
    }

    func testCrossentropiesMatchKeras() throws {
        let target = try t([2, 3], [0, 1, 0, 1, 0, 0])
        let probabilities = try t([2, 3], [0.2, 0.7, 0.1, 0.5, 0.3, 0.2])
        XCTAssertEqual(try value(.categoricalCrossentropy(fromLogits: false), target, probabilities), 0.5249110460281372, accuracy: 1e-6)
        XCTAssertEqual(try value(.sparseCategoricalCrossentropy(fromLogits: false), try t([2], [1, 0]), probabilities), 0.5249110460281372, accuracy: 1e-6)
        let logits = try t([2, 3], [2, -1, 0.5, 0.1, 0.2, 3])
        XCTAssertEqual(try value(.categoricalCrossentropy(fromLogits: true), target, logits), 3.1254563331604004, accuracy: 1e-5)
        XCTAssertEqual(try value(.binaryCrossentropy(fromLogits: false), try t([2, 2], [1, 0, 0, 1]), try t([2, 2], [0.8, 0.3, 0.4, 0.9])),
                       0.29900115728378296, accuracy: 1e-6)
        XCTAssertEqual(try value(.binaryCrossentropy(fromLogits: true), try t([2, 2], [1, 0, 0, 1]), try t([2, 2], [2, -1, 0.5, 3])),
                       0.365713506937027, accuracy: 1e-6)
    }

    func testRegressionLossesMatchKeras() throws {
        let y = try t([2, 2], [1, 2, 3, -1]), p = try t([2, 2], [1.5, 0, 2, 1])
        XCTAssertEqual(try value(.meanSquaredError, y, p), 2.3125, accuracy: 1e-6)
        XCTAssertEqual(try value(.meanAbsoluteError, y, p), 1.375, accuracy: 1e-6)
        XCTAssertEqual(try value(.huber(delta: 1), y, p), 0.90625, accuracy: 1e-6)
    }

    func testEveryGradientMatchesFiniteDifferences() throws {
        let cases: [(Loss, Tensor, Tensor)] = [
            (.categoricalCrossentropy(fromLogits: false), try t([2, 3], [0, 1, 0, 0.3, 0.3, 0.4]), try t([2, 3], [0.2, 0.7, 0.1, 0.5, 0.3, 0.2])),
            (.categoricalCrossentropy(fromLogits: true), try t([2, 3], [0, 1, 0, 1, 0, 0]), try t([2, 3], [2, -1, 0.5, 0.1, 0.2, 3])),
            (.sparseCategoricalCrossentropy(fromLogits: false), try t([2], [2, 0]), try t([2, 3], [0.2, 0.7, 0.1, 0.5, 0.3, 0.2])),
            (.sparseCategoricalCrossentropy(fromLogits: true), try t([2], [2, 0]), try t([2, 3], [2, -1, 0.5, 0.1, 0.2, 3])),
            (.binaryCrossentropy(fromLogits: false), try t([2, 2], [1, 0, 0, 1]), try t([2, 2], [0.8, 0.3, 0.4, 0.9])),
            (.binaryCrossentropy(fromLogits: true), try t([2, 2], [1, 0, 0, 1]), try t([2, 2], [2, -1, 0.5, 3])),
            (.meanSquaredError, try t([2, 2], [1, 2, 3, -1]), try t([2, 2], [1.5, 0, 2, 1])),
            (.huber(delta: 1), try t([2, 2], [1, 2, 3, -1]), try t([2, 2], [1.2, 0, 2, 1])),
        ]
        for (loss, target, prediction) in cases {
            let g = try loss.compute(target: target, prediction: prediction).gradient
            for i in 0..<prediction.count {
                var up = prediction, down = prediction
                let h: Float = 1e-3
                up.withUnsafeMutableBufferPointer { $0[i] += h }
                down.withUnsafeMutableBufferPointer { $0[i] -= h }
                let numeric = (try value(loss, target, up) - value(loss, target, down)) / (2 * h)
                XCTAssertEqual(g.scalars[i], numeric, accuracy: 2e-3 * max(1, abs(numeric)), "\(loss) [\(i)]")
            }
        }
    }

    func testLabelOutOfRangeIsAnErrorNamingTheRange() {
        XCTAssertThrowsError(try value(.sparseCategoricalCrossentropy(fromLogits: false), try t([1], [3]), try t([1, 3], [0.2, 0.3, 0.5]))) {
            XCTAssertTrue("\($0)".contains("outside the valid range of [0, 3)"), "\($0)")
        }
    }

    func testShapeMismatchIsAnError() {
        XCTAssertThrowsError(try value(.meanSquaredError, try t([2, 1], [1, 2]), try t([2, 2], [1, 2, 3, 4]))) {
            XCTAssertTrue("\($0)".contains("must have the same shape"), "\($0)")
        }
    }

    /// A softmax output trained with crossentropy from probabilities uses the logits: the loss is
    /// the same, and stays finite where the probabilities underflow.
    func testSoftmaxCrossentropyIsFusedAndStable() throws {
        let backend = Backend(seed: 3)
        let model = Sequential(name: nil, backend: backend)
        let dense = try Dense(units: 3, activation: .softmax, name: nil, backend: backend)
        dense.declaredInputShape = [2]
        try model.add(dense)
        let x = try t([2, 2], [1, -1, 0.5, 2]), y = try t([2, 3], [0, 1, 0, 0, 0, 1])
        let fused = try model.lossAndGradients([x], targets: [y], losses: [.categoricalCrossentropy(fromLogits: false)])
        let direct = try Loss.categoricalCrossentropy(fromLogits: false).compute(target: y, prediction: fused.outputs[0]).value
        XCTAssertEqual(fused.loss, direct, accuracy: 1e-5)
        try dense.setWeights([try t([2, 3], [200, -200, 0, 0, 0, 0]), Tensor(shape: [3])])
        let extreme = try model.lossAndGradients([x], targets: [y], losses: [.categoricalCrossentropy(fromLogits: false)])
        XCTAssertTrue(extreme.loss.isFinite)
        XCTAssertGreaterThan(extreme.loss, 100, "the fused loss sees the true logit gap, not a clipped 1e-7")
    }
}
