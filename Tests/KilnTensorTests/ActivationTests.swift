import XCTest
@testable import KilnTensor

final class ActivationTests: XCTestCase {
    private let points = tensor([7], [-3, -1, -0.5, 0, 0.5, 1, 3])

    private func assertValues(_ activation: Activation, _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        assertClose(activation.apply(points), tensor([7], expected), tolerance: 1e-5, file: file, line: line)
    }

    func testEveryListedNameConstructsAnActivationWithAName() {
        for name in Activation.names {
            XCTAssertNotNil(Activation(name: name), name)
        }
        XCTAssertNil(Activation(name: "rellu"))
        XCTAssertEqual(Activation(name: "silu"), .swish)
        XCTAssertEqual(Activation(name: "leaky_relu"), .leakyRelu(negativeSlope: 0.2))
        XCTAssertEqual(Activation(name: "hard_sigmoid")?.name, "hard_sigmoid")
    }

    func testLinearAndRelu() {
        assertValues(.linear, [-3, -1, -0.5, 0, 0.5, 1, 3])
        assertValues(.relu, [0, 0, 0, 0, 0.5, 1, 3])
    }

    func testSigmoidAndTanh() {
        assertValues(.sigmoid, [0.047425873, 0.26894142, 0.37754067, 0.5, 0.62245933, 0.73105858, 0.95257413])
        assertValues(.tanh, [-0.99505475, -0.76159416, -0.46211716, 0, 0.46211716, 0.76159416, 0.99505475])
    }

    func testSeluAndElu() {
        assertValues(.selu, [-1.6705687, -1.1113307, -0.69175816, 0, 0.52535045, 1.050701, 3.152103])
        assertValues(.elu, [-0.95021293, -0.63212056, -0.39346934, 0, 0.5, 1, 3])
    }

    func testSoftplusAndSoftsign() {
        assertValues(.softplus, [0.048587352, 0.31326169, 0.47407698, 0.69314718, 0.97407698, 1.3132617, 3.0485873])
        assertValues(.softsign, [-0.75, -0.5, -1.0 / 3, 0, 1.0 / 3, 0.5, 0.75])
    }

    func testSoftplusIsStableForLargeInputs() {
        let y = Activation.softplus.apply(tensor([2], [100, -100])).scalars
        XCTAssertEqual(y[0], 100)
        XCTAssertEqual(y[1], 0, accuracy: 1e-30)
    }

    func testSwishAndExactGelu() {
        assertValues(.swish, [-0.14227762, -0.26894142, -0.18877033, 0, 0.31122967, 0.73105858, 2.8577223])
        assertValues(.gelu, [-0.0040496941, -0.15865526, -0.15426877, 0, 0.34573123, 0.84134474, 2.9959502])
    }

    func testExponentialHardSigmoidHardSiluAndRelu6() {
        assertValues(.exponential, [0.049787068, 0.36787944, 0.60653066, 1, 1.6487213, 2.7182818, 20.085537])
        assertValues(.hardSigmoid, [0, 1.0 / 3, 2.5 / 6, 0.5, 3.5 / 6, 2.0 / 3, 1])
        assertValues(.hardSilu, [0, -1.0 / 3, -0.5 * 2.5 / 6, 0, 0.5 * 3.5 / 6, 2.0 / 3, 3])
        assertClose(Activation.relu6.apply(tensor([3], [-1, 3, 7])), tensor([3], [0, 3, 6]))
    }

    func testLeakyReluAndMish() {
        assertValues(.leakyRelu(negativeSlope: 0.2), [-0.6, -0.2, -0.1, 0, 0.5, 1, 3])
        assertValues(.mish, [-0.14564746, -0.30340146, -0.22074377, 0, 0.37524521, 0.86509839, 2.986535])
    }

    func testSoftmaxRowsSumToOne() throws {
        let y = Activation.softmax.apply(randomTensor([4, 3, 5], seed: 1, low: -5, high: 5))
        let sums = try y.sum(axes: [-1])
        assertClose(sums, Tensor(shape: [4, 3], repeating: 1), tolerance: 1e-6)
        XCTAssertTrue(y.scalars.allSatisfy { $0 > 0 })
    }

    func testSoftmaxHandComputedAndStableForLargeInputs() {
        assertClose(Activation.softmax.apply(tensor([1, 3], [1, 2, 3])), tensor([1, 3], [0.09003057, 0.24472847, 0.66524096]))
        assertClose(Activation.softmax.apply(tensor([1, 3], [1001, 1002, 1003])), tensor([1, 3], [0.09003057, 0.24472847, 0.66524096]))
        assertClose(Activation.softmax.apply(tensor([1, 2], [-1e30, 0])), tensor([1, 2], [0, 1]))
    }

    func testLogSoftmaxIsTheLogOfSoftmax() {
        let x = randomTensor([3, 6], seed: 2, low: -4, high: 4)
        assertClose(Activation.logSoftmax.apply(x), Activation.softmax.apply(x).log(), tolerance: 1e-5)
    }

    func testGeneralReluWithThresholdMaxValueAndSlope() {
        let x = tensor([6], [-2, -0.5, 0.5, 1.5, 3, 8])
        assertClose(relu(x), tensor([6], [0, 0, 0.5, 1.5, 3, 8]))
        assertClose(relu(x, maxValue: 2), tensor([6], [0, 0, 0.5, 1.5, 2, 2]))
        assertClose(relu(x, threshold: 1), tensor([6], [0, 0, 0, 1.5, 3, 8]))
        assertClose(relu(x, negativeSlope: 0.1), tensor([6], [-0.2, -0.05, 0.5, 1.5, 3, 8]))
        // Below the threshold: slope · (x − threshold); above: x, clipped.
        assertClose(relu(x, negativeSlope: 0.5, maxValue: 4, threshold: 1), tensor([6], [-1.5, -0.75, -0.25, 1.5, 3, 4]))
    }

    func testBackwardMatchesFiniteDifferences() throws {
        let x = tensor([2, 5], [-2.3, -0.7, -0.2, 0.4, 1.1, 2.6, -1.4, 0.9, 0.15, -3.2])
        let g = randomTensor([2, 5], seed: 7)
        let all: [Activation] = [
            .linear, .relu, .sigmoid, .tanh, .softmax, .logSoftmax, .selu, .elu, .softplus, .softsign, .swish,
            .gelu, .exponential, .hardSigmoid, .hardSilu, .relu6, .leakyRelu(negativeSlope: 0.3), .mish,
        ]
        for activation in all {
            let analytic = try activation.backward(input: x, output: activation.apply(x), upstream: g)
            let numeric = numericalGradient(x, upstream: g, h: 1e-3) { activation.apply($0) }
            assertClose(analytic, numeric, tolerance: 2e-2)
        }
    }

    func testGeneralReluBackwardMatchesFiniteDifferences() throws {
        let x = tensor([6], [-2, -0.5, 0.5, 1.5, 3, 8])
        let g = randomTensor([6], seed: 3)
        let analytic = try reluBackward(x, upstream: g, negativeSlope: 0.5, maxValue: 4, threshold: 1)
        let numeric = numericalGradient(x, upstream: g, h: 1e-3) { relu($0, negativeSlope: 0.5, maxValue: 4, threshold: 1) }
        assertClose(analytic, numeric, tolerance: 1e-2)
    }
}

/// The backward pass that also sums the gradient per column (a layer's bias gradient) equals
/// the backward pass followed by the sum, for rows enough to span several chunks and blocks.
final class ActivationColumnSumTests: XCTestCase {
    func testBackwardWithColumnSumsEqualsBackwardThenSum() throws {
        for (shape, activation) in [([3, 700, 21], Activation.relu), ([2, 9, 16], .tanh), ([5, 8], .linear), ([0, 4], .relu)] {
            let z = randomTensor(shape, seed: 3), g = randomTensor(shape, seed: 4)
            let y = activation.apply(z)
            let (d, sums) = try activation.backwardWithColumnSums(output: y, upstream: g)
            let expected = try activation.backward(input: z, output: y, upstream: g)
            assertClose(d, expected, tolerance: 1e-6)
            assertClose(sums, try expected.sum(axes: Array(0..<(shape.count - 1))), tolerance: 1e-4)
        }
    }
}
