import Foundation
import XCTest
@testable import KilnTensor

final class CrossEntropyTests: XCTestCase {
    func testLossIsMinusTheLogOfTheTargetProbability() throws {
        let logits = tensor([2, 3], [1, 2, 3, 0, 0, 0])
        let (loss, _) = try sparseSoftmaxCrossEntropy(logits: logits, labels: [2, 1])
        assertClose(loss, tensor([2], [-Foundation.log(0.66524096), -Foundation.log(1.0 / 3)]), tolerance: 1e-6)
        let dense = try softmaxCrossEntropy(logits: logits, labels: Tensor.oneHot([2, 1], depth: 3))
        assertClose(dense.loss, loss, tolerance: 1e-6)
    }

    func testGradientIsSoftmaxMinusTheTargets() throws {
        let logits = randomTensor([4, 5], seed: 1, low: -3, high: 3)
        let (_, gradient) = try sparseSoftmaxCrossEntropy(logits: logits, labels: [0, 4, 2, 2])
        let expected = try Activation.softmax.apply(logits).subtracting(Tensor.oneHot([0, 4, 2, 2], depth: 5))
        assertClose(gradient, expected, tolerance: 1e-6)
    }

    func testSoftTargetGradientMatchesFiniteDifferences() throws {
        let logits = randomTensor([3, 4], seed: 2, low: -2, high: 2)
        let targets = Activation.softmax.apply(randomTensor([3, 4], seed: 3))
        let (_, gradient) = try softmaxCrossEntropy(logits: logits, labels: targets)
        let numeric = try numericalGradient(logits, upstream: Tensor(shape: [3], repeating: 1), h: 1e-2) {
            try softmaxCrossEntropy(logits: $0, labels: targets).loss
        }
        assertClose(gradient, numeric, tolerance: 1e-3)
    }

    func testHugeLogitsStayFinite() throws {
        let (loss, gradient) = try sparseSoftmaxCrossEntropy(logits: tensor([1, 2], [1000, -1000]), labels: [1])
        XCTAssertEqual(loss.scalars[0], 2000, accuracy: 1e-2)
        XCTAssertTrue(gradient.scalars.allSatisfy(\.isFinite))
    }

    func testLabelErrors() {
        assertShapeError(try sparseSoftmaxCrossEntropy(logits: Tensor(shape: [2, 3]), labels: [0, 3]), mentions: ["label 3", "[0, 3)"])
        assertShapeError(try sparseSoftmaxCrossEntropy(logits: Tensor(shape: [2, 3]), labels: [0]), mentions: ["1 labels", "(2, 3)"])
        assertShapeError(try softmaxCrossEntropy(logits: Tensor(shape: [2, 3]), labels: Tensor(shape: [2, 2])), mentions: ["(2, 2)", "(2, 3)"])
    }

    func testOneHotAndBernoulli() throws {
        XCTAssertEqual(try Tensor.oneHot([1, 0], depth: 3).scalars, [0, 1, 0, 1, 0, 0])
        assertShapeError(try Tensor.oneHot([3], depth: 3), mentions: ["index 3"])
        var generator = RandomGenerator(seed: 1)
        let mask = generator.bernoulli(shape: [10_000], probability: 0.3)
        XCTAssertTrue(mask.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertEqual(mask.mean(), 0.3, accuracy: 0.02)
    }
}
