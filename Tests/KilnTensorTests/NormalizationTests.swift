import XCTest
@testable import KilnTensor

final class NormalizationTests: XCTestCase {
    func testBatchNormInferenceMatchesTheFormula() throws {
        let x = randomTensor([2, 3, 4], seed: 1)
        let mean = randomTensor([4], seed: 2), variance = randomTensor([4], seed: 3, low: 0.1, high: 2)
        let gamma = randomTensor([4], seed: 4), beta = randomTensor([4], seed: 5)
        let y = try batchNormInference(x, mean: mean, variance: variance, gamma: gamma, beta: beta, epsilon: 1e-3)
        let expected = x.scalars.enumerated().map { i, v -> Float in
            let c = i % 4
            return (v - mean.scalars[c]) / (variance.scalars[c] + 1e-3).squareRoot() * gamma.scalars[c] + beta.scalars[c]
        }
        assertClose(y, tensor([2, 3, 4], expected), tolerance: 1e-5)
    }

    func testBatchNormWithoutScaleOrCenter() throws {
        let x = tensor([2, 2], [1, 2, 3, 4])
        let y = try batchNormInference(x, mean: tensor([2], [1, 2]), variance: tensor([2], [4, 1]), epsilon: 0)
        XCTAssertEqual(y.scalars, [0, 0, 1, 2])
    }

    func testBatchNormParameterShapeMustMatchTheChannels() {
        assertShapeError(try batchNormInference(Tensor(shape: [2, 3]), mean: Tensor(shape: [2]), variance: Tensor(shape: [3])),
                         mentions: ["mean", "(2,)", "(2, 3)"])
    }

    func testMomentsAreTheMeanAndBiasedVariance() throws {
        let x = tensor([2, 2], [1, 2, 3, 6])
        let (mean, variance) = try moments(x, axes: [0])
        XCTAssertEqual(mean.scalars, [2, 4])
        XCTAssertEqual(variance.scalars, [1, 4])
        let kept = try moments(x, axes: [1], keepDims: true)
        XCTAssertEqual(kept.mean.shape, [2, 1])
        XCTAssertEqual(kept.variance.scalars, [0.25, 2.25])
    }

    func testBatchNormTrainingNormalisesEachChannel() throws {
        let x = randomTensor([4, 3, 3, 2], seed: 1, low: -3, high: 5)
        let (y, mean, variance) = try batchNormTraining(x, epsilon: 0)
        assertClose(mean, try x.mean(axes: [0, 1, 2]), tolerance: 1e-5)
        assertClose(variance, try x.variance(axes: [0, 1, 2]), tolerance: 1e-5)
        let (outMean, outVariance) = try moments(y, axes: [0, 1, 2])
        assertClose(outMean, Tensor(shape: [2]), tolerance: 1e-5)
        assertClose(outVariance, Tensor(shape: [2], repeating: 1), tolerance: 1e-4)
    }

    func testBatchNormTrainingBackwardMatchesFiniteDifferences() throws {
        let x = randomTensor([3, 2, 3], seed: 1), g = randomTensor([3, 2, 3], seed: 2)
        let gamma = randomTensor([3], seed: 3, low: 0.5, high: 1.5), beta = randomTensor([3], seed: 4)
        let (_, mean, variance) = try batchNormTraining(x, gamma: gamma, beta: beta)
        let grads = try batchNormTrainingBackward(x, upstream: g, mean: mean, variance: variance, gamma: gamma)
        let dx = try numericalGradient(x, upstream: g, h: 1e-2) { try batchNormTraining($0, gamma: gamma, beta: beta).output }
        let dGamma = try numericalGradient(gamma, upstream: g, h: 1e-2) { try batchNormTraining(x, gamma: $0, beta: beta).output }
        let dBeta = try numericalGradient(beta, upstream: g, h: 1e-2) { try batchNormTraining(x, gamma: gamma, beta: $0).output }
        assertClose(grads.input, dx, tolerance: 1e-2)
        assertClose(grads.gamma, dGamma, tolerance: 1e-2)
        assertClose(grads.beta, dBeta, tolerance: 1e-2)
    }

    func testLayerNormNormalisesEachRow() throws {
        let x = randomTensor([3, 8], seed: 1, low: -2, high: 6)
        let y = try layerNorm(x, epsilon: 0)
        let (mean, variance) = try moments(y, axes: [-1])
        assertClose(mean, Tensor(shape: [3]), tolerance: 1e-5)
        assertClose(variance, Tensor(shape: [3], repeating: 1), tolerance: 1e-4)
    }

    func testLayerNormMatchesTheFormulaWithGammaAndBeta() throws {
        let x = randomTensor([2, 3, 4], seed: 1), gamma = randomTensor([4], seed: 2), beta = randomTensor([4], seed: 3)
        let (mean, variance) = try moments(x, axes: [2], keepDims: true)
        let expected = try x.subtracting(mean).dividing(variance.adding(scalar: 1e-3).squareRoot()).multiplying(gamma).adding(beta)
        assertClose(try layerNorm(x, gamma: gamma, beta: beta), expected, tolerance: 1e-5)
    }

    func testLayerNormOverSeveralAxes() throws {
        let x = randomTensor([2, 3, 4], seed: 1), gamma = randomTensor([2, 4], seed: 2)
        let (mean, variance) = try moments(x, axes: [0, 2], keepDims: true)
        let expected = try x.subtracting(mean).dividing(variance.adding(scalar: 1e-3).squareRoot()).multiplying(gamma.reshaped([2, 1, 4]))
        assertClose(try layerNorm(x, axes: [0, 2], gamma: gamma), expected, tolerance: 1e-5)
    }

    func testLayerNormBackwardMatchesFiniteDifferences() throws {
        for axes in [[-1], [0, 2]] {
            let x = randomTensor([2, 3, 4], seed: 1), g = randomTensor([2, 3, 4], seed: 2)
            let shape = axes == [-1] ? [4] : [2, 4]
            let gamma = randomTensor(shape, seed: 3, low: 0.5, high: 1.5), beta = randomTensor(shape, seed: 4)
            let grads = try layerNormBackward(x, upstream: g, axes: axes, gamma: gamma)
            let dx = try numericalGradient(x, upstream: g, h: 1e-2) { try layerNorm($0, axes: axes, gamma: gamma, beta: beta) }
            let dGamma = try numericalGradient(gamma, upstream: g, h: 1e-2) { try layerNorm(x, axes: axes, gamma: $0, beta: beta) }
            let dBeta = try numericalGradient(beta, upstream: g, h: 1e-2) { try layerNorm(x, axes: axes, gamma: gamma, beta: $0) }
            assertClose(grads.input, dx, tolerance: 1e-2)
            assertClose(grads.gamma, dGamma, tolerance: 1e-2)
            assertClose(grads.beta, dBeta, tolerance: 1e-2)
        }
    }

    func testLayerNormGammaShapeMustMatch() {
        assertShapeError(try layerNorm(Tensor(shape: [2, 3]), gamma: Tensor(shape: [2])), mentions: ["gamma", "(2,)", "(3,)"])
    }
}
