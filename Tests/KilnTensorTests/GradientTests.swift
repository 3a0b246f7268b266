import XCTest
@testable import KilnTensor

/// The backward kernels of convolution and pooling, each against central differences of its
/// forward kernel (exact up to rounding for the linear ones).
final class GradientTests: XCTestCase {
    private let convolutions: [([Int], [Int], (Int, Int), Padding, (Int, Int))] = [
        ([2, 5, 5, 2], [3, 3, 2, 3], (1, 1), .valid, (1, 1)),
        ([1, 6, 5, 2], [3, 3, 2, 2], (2, 2), .same, (1, 1)),
        ([2, 7, 6, 1], [2, 3, 1, 2], (2, 1), .same, (1, 1)),
        ([1, 7, 7, 2], [3, 3, 2, 2], (1, 1), .same, (2, 2)),
        ([2, 3, 4, 3], [1, 1, 3, 2], (1, 1), .valid, (1, 1)),
        ([5, 4, 4, 2], [3, 3, 2, 2], (1, 1), .same, (1, 1)),
    ]

    func testConv2dInputGradient() throws {
        for (i, (input, kernelShape, strides, padding, dilation)) in convolutions.enumerated() {
            let x = randomTensor(input, seed: i), k = randomTensor(kernelShape, seed: 10 + i)
            let y = try conv2d(x, kernel: k, strides: strides, padding: padding, dilation: dilation)
            let g = randomTensor(y.shape, seed: 20 + i)
            let analytic = try conv2dBackwardInput(g, kernel: k, inputShape: input, strides: strides, padding: padding, dilation: dilation)
            let numeric = try numericalGradient(x, upstream: g, h: 0.5) { try conv2d($0, kernel: k, strides: strides, padding: padding, dilation: dilation) }
            assertClose(analytic, numeric, tolerance: 1e-4)
        }
    }

    func testConv2dKernelGradient() throws {
        for (i, (input, kernelShape, strides, padding, dilation)) in convolutions.enumerated() {
            let x = randomTensor(input, seed: i), k = randomTensor(kernelShape, seed: 10 + i)
            let y = try conv2d(x, kernel: k, strides: strides, padding: padding, dilation: dilation)
            let g = randomTensor(y.shape, seed: 20 + i)
            let analytic = try conv2dBackwardKernel(x, upstream: g, kernelShape: kernelShape, strides: strides, padding: padding, dilation: dilation)
            let numeric = try numericalGradient(k, upstream: g, h: 0.5) { try conv2d(x, kernel: $0, strides: strides, padding: padding, dilation: dilation) }
            assertClose(analytic, numeric, tolerance: 1e-4)
        }
    }

    func testConv2dKernelGradientOverManyImagesIsChunkedDeterministically() throws {
        let x = randomTensor([9, 6, 6, 3], seed: 1), g = randomTensor([9, 6, 6, 4], seed: 2)
        let first = try conv2dBackwardKernel(x, upstream: g, kernelShape: [3, 3, 3, 4], padding: .same)
        let second = try conv2dBackwardKernel(x, upstream: g, kernelShape: [3, 3, 3, 4], padding: .same)
        XCTAssertEqual(first.scalars, second.scalars)
        // The sum over images is the sum of the per-image gradients.
        var total = Tensor(shape: [3, 3, 3, 4])
        for n in 0..<9 {
            total = try total.adding(conv2dBackwardKernel(x.rows(n..<(n + 1)), upstream: g.rows(n..<(n + 1)), kernelShape: [3, 3, 3, 4], padding: .same))
        }
        assertClose(first, total, tolerance: 1e-4)
    }

    func testConv1dGradientsIncludingCausal() throws {
        for (i, padding) in [Padding.valid, .same, .causal].enumerated() {
            let x = randomTensor([2, 7, 2], seed: i), k = randomTensor([3, 2, 3], seed: 10 + i)
            let y = try conv1d(x, kernel: k, stride: 1, padding: padding, dilation: 2)
            let g = randomTensor(y.shape, seed: 20 + i)
            let dx = try conv1dBackwardInput(g, kernel: k, inputShape: x.shape, padding: padding, dilation: 2)
            let dk = try conv1dBackwardKernel(x, upstream: g, kernelShape: k.shape, padding: padding, dilation: 2)
            assertClose(dx, try numericalGradient(x, upstream: g, h: 0.5) { try conv1d($0, kernel: k, padding: padding, dilation: 2) }, tolerance: 1e-4)
            assertClose(dk, try numericalGradient(k, upstream: g, h: 0.5) { try conv1d(x, kernel: $0, padding: padding, dilation: 2) }, tolerance: 1e-4)
        }
    }

    func testDepthwiseGradients() throws {
        let configurations: [([Int], [Int], (Int, Int), Padding, (Int, Int))] = [
            ([2, 5, 5, 3], [3, 3, 3, 1], (1, 1), .valid, (1, 1)),
            ([1, 6, 5, 2], [3, 3, 2, 2], (2, 2), .same, (1, 1)),
            ([2, 7, 6, 2], [2, 3, 2, 3], (2, 1), .same, (1, 1)),
            ([1, 7, 7, 2], [3, 3, 2, 1], (1, 1), .same, (2, 2)),
            ([1, 4, 5, 10], [3, 3, 10, 1], (1, 1), .same, (1, 1)),  // eight channels at a time, then two
            ([2, 7, 6, 2], [2, 3, 2, 1], (2, 1), .same, (1, 2)),  // row spans with a vertical stride and dilation
            ([2, 5, 6, 8], [3, 3, 8, 1], (1, 1), .same, (1, 1)),  // multiples of eight channels, 3×3: register-blocked rows
            ([1, 7, 6, 16], [3, 3, 16, 1], (2, 1), .valid, (1, 2)),
            ([1, 5, 4, 8], [3, 3, 8, 1], (1, 1), .same, (2, 2)),
        ]
        for (i, (input, kernelShape, strides, padding, dilation)) in configurations.enumerated() {
            let x = randomTensor(input, seed: i), k = randomTensor(kernelShape, seed: 10 + i)
            let y = try depthwiseConv2d(x, kernel: k, strides: strides, padding: padding, dilation: dilation)
            let g = randomTensor(y.shape, seed: 20 + i)
            let dx = try depthwiseConv2dBackwardInput(g, kernel: k, inputShape: input, strides: strides, padding: padding, dilation: dilation)
            let dk = try depthwiseConv2dBackwardKernel(x, upstream: g, kernelShape: kernelShape, strides: strides, padding: padding, dilation: dilation)
            assertClose(dx, try numericalGradient(x, upstream: g, h: 0.5) {
                try depthwiseConv2d($0, kernel: k, strides: strides, padding: padding, dilation: dilation)
            }, tolerance: 1e-4)
            assertClose(dk, try numericalGradient(k, upstream: g, h: 0.5) {
                try depthwiseConv2d(x, kernel: $0, strides: strides, padding: padding, dilation: dilation)
            }, tolerance: 1e-4)
        }
    }

    /// Enough rows that the kernel gradient is summed in several chunks (one per core): ∂kernel
    /// against finite differences, ∂x along one random direction (⟨∂x, v⟩ = d/dh ⟨g, y(x + h·v)⟩).
    func testDepthwiseGradientsOverManyRows() throws {
        try checkManyRows(channels: 5)
        try checkManyRows(channels: 16)
    }

    private func checkManyRows(channels: Int) throws {
        let x = randomTensor([4, 24, 20, channels], seed: 1), k = randomTensor([3, 3, channels, 1], seed: 2)
        let y = try depthwiseConv2d(x, kernel: k, padding: .same)
        let g = randomTensor(y.shape, seed: 3), v = randomTensor(x.shape, seed: 4)
        let dk = try depthwiseConv2dBackwardKernel(x, upstream: g, kernelShape: k.shape, padding: .same)
        assertClose(dk, try numericalGradient(k, upstream: g, h: 0.5) { try depthwiseConv2d(x, kernel: $0, padding: .same) }, tolerance: 1e-3)
        let dx = try depthwiseConv2dBackwardInput(g, kernel: k, inputShape: x.shape, padding: .same)
        func loss(_ h: Float) throws -> Double {
            let shifted = try depthwiseConv2d(try x.adding(v.multiplying(scalar: h)), kernel: k, padding: .same)
            return zip(shifted.scalars, g.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let directional = (try loss(0.5) - loss(-0.5)) / 1.0
        let predicted = zip(dx.scalars, v.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(predicted, directional, accuracy: 1e-3 * max(1, abs(directional)))
    }

    func testDepthwiseConv1dGradients() throws {
        let x = randomTensor([2, 8, 2], seed: 1), k = randomTensor([3, 2, 2], seed: 2)
        let y = try depthwiseConv1d(x, kernel: k, stride: 2, padding: .causal)
        let g = randomTensor(y.shape, seed: 3)
        let dx = try depthwiseConv1dBackwardInput(g, kernel: k, inputShape: x.shape, stride: 2, padding: .causal)
        let dk = try depthwiseConv1dBackwardKernel(x, upstream: g, kernelShape: k.shape, stride: 2, padding: .causal)
        assertClose(dx, try numericalGradient(x, upstream: g, h: 0.5) { try depthwiseConv1d($0, kernel: k, stride: 2, padding: .causal) }, tolerance: 1e-4)
        assertClose(dk, try numericalGradient(k, upstream: g, h: 0.5) { try depthwiseConv1d(x, kernel: $0, stride: 2, padding: .causal) }, tolerance: 1e-4)
    }

    func testPoolingGradients() throws {
        let configurations: [([Int], (Int, Int), (Int, Int), Padding)] = [
            ([2, 4, 4, 2], (2, 2), (2, 2), .valid),
            ([1, 5, 7, 3], (3, 3), (2, 2), .same),
            ([2, 5, 4, 2], (2, 3), (1, 1), .same),
            ([1, 4, 5, 11], (2, 2), (1, 1), .valid),  // eight channels at a time, then three
        ]
        for (i, (input, pool, strides, padding)) in configurations.enumerated() {
            let x = randomTensor(input, seed: i)
            let y = try maxPool2d(x, poolSize: pool, strides: strides, padding: padding)
            let g = randomTensor(y.shape, seed: 10 + i)
            let dMax = try maxPool2dBackward(x, upstream: g, poolSize: pool, strides: strides, padding: padding)
            assertClose(dMax, try numericalGradient(x, upstream: g, h: 1e-3) { try maxPool2d($0, poolSize: pool, strides: strides, padding: padding) }, tolerance: 1e-2)
            let dAvg = try avgPool2dBackward(g, inputShape: input, poolSize: pool, strides: strides, padding: padding)
            assertClose(dAvg, try numericalGradient(x, upstream: g, h: 0.5) { try avgPool2d($0, poolSize: pool, strides: strides, padding: padding) }, tolerance: 1e-4)
        }
    }

    func testMaxPoolGradientGoesToTheFirstOfEqualMaxima() throws {
        let x = tensor([1, 2, 2, 1], [3, 3, 1, 3])
        let dx = try maxPool2dBackward(x, upstream: tensor([1, 1, 1, 1], [1]))
        XCTAssertEqual(dx.scalars, [1, 0, 0, 0])
        // Nine channels, every value equal: each channel's gradient goes to the window's first position.
        let flat = try maxPool2dBackward(Tensor(shape: [1, 2, 2, 9], repeating: 5), upstream: Tensor(shape: [1, 1, 1, 9], repeating: 2))
        XCTAssertEqual(flat.scalars, Array(repeating: 2, count: 9) + Array(repeating: 0, count: 27))
    }

    func testOneDimensionalPoolingGradients() throws {
        let x = randomTensor([2, 7, 2], seed: 1)
        let y = try maxPool1d(x, poolSize: 3, stride: 2, padding: .same)
        let g = randomTensor(y.shape, seed: 2)
        assertClose(try maxPool1dBackward(x, upstream: g, poolSize: 3, stride: 2, padding: .same),
                    try numericalGradient(x, upstream: g, h: 1e-3) { try maxPool1d($0, poolSize: 3, stride: 2, padding: .same) }, tolerance: 1e-2)
        assertClose(try avgPool1dBackward(g, inputShape: x.shape, poolSize: 3, stride: 2, padding: .same),
                    try numericalGradient(x, upstream: g, h: 0.5) { try avgPool1d($0, poolSize: 3, stride: 2, padding: .same) }, tolerance: 1e-4)
    }

    func testUpstreamGradientShapeMustMatchTheOutput() {
        assertShapeError(try conv2dBackwardInput(Tensor(shape: [1, 2, 2, 3]), kernel: Tensor(shape: [3, 3, 2, 3]), inputShape: [1, 5, 5, 2]),
                         mentions: ["(1, 2, 2, 3)", "(1, 3, 3, 3)"])
        assertShapeError(try maxPool2dBackward(Tensor(shape: [1, 4, 4, 1]), upstream: Tensor(shape: [1, 1, 1, 1])),
                         mentions: ["(1, 1, 1, 1)", "(1, 2, 2, 1)"])
        assertShapeError(try avgPool2dBackward(Tensor(shape: [1, 2, 2, 1]), inputShape: [1, -4, 4, 1]), mentions: ["(1, -4, 4, 1)"])
    }
}
