@testable import KilnNN
import KilnTensor
import XCTest

/// Every layer's backward pass against central finite differences, through whole models (so
/// each layer's input gradient is checked by the weight gradients of the layers before it).
/// The loss is L = Σ y ⊙ R for a fixed random R, so ∂L/∂y = R.
final class GradientCheckTests: XCTestCase {
    var backend = Backend(seed: 7)

    func random(_ shape: [Int], seed: Int) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return g.uniform(shape: shape, low: -1, high: 1)
    }

    /// Checks a handful of elements of every trainable weight of `model` on `inputs`.
    func check(_ model: Model, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
        let probe = try model.gradients(inputs) { $0 }
        let directions = probe.outputs.enumerated().map { random($0.element.shape, seed: 100 + $0.offset) }
        func loss() throws -> Double {
            let outs = try model.gradients(inputs) { $0 }.outputs
            var total = 0.0
            for (y, r) in zip(outs, directions) {
                for (a, b) in zip(y.scalars, r.scalars) { total += Double(a) * Double(b) }
            }
            return total
        }
        let analytic = try model.gradients(inputs) { _ in directions }.gradients
        var checked = 0
        for layer in model.layers {
            for weight in layer.weights where weight.trainable {
                guard let grad = analytic[weight] else {
                    XCTFail("\(layer.name).\(weight.name) has no gradient", file: file, line: line)
                    continue
                }
                XCTAssertEqual(grad.shape, weight.value.shape, "\(layer.name).\(weight.name)", file: file, line: line)
                let n = weight.value.count
                for i in Set([0, n / 3, n / 2, n - 1]) {
                    let original = weight.value.scalars[i]
                    let h: Float = 1e-3
                    func set(_ v: Float) { weight.value.withUnsafeMutableBufferPointer { $0[i] = v } }
                    set(original + h)
                    let up = try loss()
                    set(original - h)
                    let down = try loss()
                    set(original)
                    let numeric = (up - down) / (2 * Double(h))
                    let exact = Double(grad.scalars[i])
                    XCTAssertEqual(exact, numeric, accuracy: 2e-2 * max(1, abs(numeric)),
                                   "\(layer.name).\(weight.name)[\(i)]", file: file, line: line)
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 0, file: file, line: line)
    }

    func sequential(_ inputShape: [Int], _ layers: [Layer]) throws -> Sequential {
        let model = Sequential(name: nil, backend: backend)
        layers.first?.declaredInputShape = inputShape
        for l in layers { try model.add(l) }
        return model
    }

    func conv(_ filters: Int, _ k: Int, rank: Int = 2, strides: Int = 1, padding: Padding = .valid, activation: Activation = .linear) throws -> Convolution {
        try Convolution(rank: rank, filters: filters, kernelSize: Array(repeating: k, count: rank), strides: Array(repeating: strides, count: rank),
                        padding: padding, dilation: Array(repeating: 1, count: rank), activation: activation, useBias: true,
                        kernelInitializer: .glorotUniform, biasInitializer: .randomUniform(minval: -0.1, maxval: 0.1), name: nil, backend: backend)
    }

    /// Nothing asks for ∂loss/∂input of a model's first layer: its backward pass leaves it out
    /// (the costliest part of a first convolution's backward); later layers still give theirs.
    func testFirstLayerLeavesOutTheModelInputGradient() throws {
        let model = try sequential([4, 4, 2], [try conv(3, 3, padding: .same), try conv(2, 3)])
        let tape = try model.trainingPass([random([2, 4, 4, 2], seed: 1)])
        let first = try tape.entries[0].recorded.backward(random(tape.entries[0].recorded.output.shape, seed: 2))
        let second = try tape.entries[1].recorded.backward(random(tape.entries[1].recorded.output.shape, seed: 3))
        XCTAssertEqual(first.inputs.count, 0)
        XCTAssertEqual(first.weights.count, 2)
        XCTAssertEqual(second.inputs.map(\.shape), [[2, 4, 4, 3]])
        XCTAssertTrue(model.layers.allSatisfy(\.needsInputGradient))
    }

    func testDenseStack() throws {
        let model = try sequential([5], [
            try Dense(units: 4, activation: .tanh, biasInitializer: .randomUniform(minval: -0.1, maxval: 0.1), name: nil, backend: backend),
            try Dense(units: 3, activation: .softmax, name: nil, backend: backend),
        ])
        try check(model, [random([4, 5], seed: 1)])
    }

    func testConvolutionsAndPooling() throws {
        let model = try sequential([6, 6, 2], [
            try conv(3, 3, padding: .same, activation: .relu),
            try Pooling(kind: .max, rank: 2, poolSize: [2, 2], strides: nil, padding: .valid, name: nil, backend: backend),
            try conv(2, 2, strides: 1, activation: .sigmoid),
            GlobalPooling(kind: .average, rank: 2, keepDims: false, name: nil, backend: backend),
            try Dense(units: 2, name: nil, backend: backend),
        ])
        try check(model, [random([2, 6, 6, 2], seed: 2)])
    }

    func testDepthwiseSeparableAndAveragePooling() throws {
        let model = try sequential([6, 6, 2], [
            try DepthwiseConvolution(kernelSize: [3, 3], strides: [1, 1], padding: .same, depthMultiplier: 2, dilation: [1, 1],
                                     activation: .linear, useBias: true, depthwiseInitializer: .glorotUniform,
                                     biasInitializer: .zeros, name: nil, backend: backend),
            try SeparableConvolution(rank: 2, filters: 3, kernelSize: [3, 3], strides: [1, 1], padding: .valid, dilation: [1, 1],
                                     depthMultiplier: 1, activation: .tanh, useBias: true, depthwiseInitializer: .glorotUniform,
                                     pointwiseInitializer: .glorotUniform, biasInitializer: .zeros, name: nil, backend: backend),
            try Pooling(kind: .average, rank: 2, poolSize: [2, 2], strides: nil, padding: .valid, name: nil, backend: backend),
            Flatten(name: nil, backend: backend),
            try Dense(units: 2, name: nil, backend: backend),
        ])
        try check(model, [random([2, 6, 6, 2], seed: 3)])
    }

    func testOneDimensionalLayers() throws {
        let model = try sequential([8, 2], [
            try conv(3, 3, rank: 1, padding: .causal, activation: .elu),
            try SeparableConvolution(rank: 1, filters: 2, kernelSize: [2], strides: [1], padding: .same, dilation: [1],
                                     depthMultiplier: 2, activation: .linear, useBias: true, depthwiseInitializer: .glorotUniform,
                                     pointwiseInitializer: .glorotUniform, biasInitializer: .zeros, name: nil, backend: backend),
            try Pooling(kind: .max, rank: 1, poolSize: [2], strides: nil, padding: .valid, name: nil, backend: backend),
            GlobalPooling(kind: .max, rank: 1, keepDims: false, name: nil, backend: backend),
            try Dense(units: 2, name: nil, backend: backend),
        ])
        try check(model, [random([3, 8, 2], seed: 4)])
    }

    func testBatchNormalizationInTraining() throws {
        let model = try sequential([4, 3], [
            BatchNormalization(gammaInitializer: .randomUniform(minval: 0.5, maxval: 1.5), name: nil, backend: backend),
            Reshape(targetShape: [12], name: nil, backend: backend),
            try Dense(units: 2, activation: .tanh, name: nil, backend: backend),
        ])
        try check(model, [random([5, 4, 3], seed: 5)])
    }

    /// renorm_momentum 1 keeps the renorm statistics (so r and d) fixed between the
    /// finite-difference evaluations; r = σ_B and d = mean then, clipped by rmax and dmax.
    func testBatchRenormalizationInTraining() throws {
        let model = try sequential([4, 3], [
            BatchNormalization(gammaInitializer: .randomUniform(minval: 0.5, maxval: 1.5),
                               renorm: .init(rmin: nil, rmax: 3, dmax: 5, momentum: 1.0), name: nil, backend: backend),
            Reshape(targetShape: [12], name: nil, backend: backend),
            try Dense(units: 2, activation: .tanh, name: nil, backend: backend),
        ])
        try check(model, [random([5, 4, 3], seed: 11)])
    }

    func testLayerNormalization() throws {
        let model = try sequential([4, 3], [
            LayerNormalization(name: nil, backend: backend),
            Flatten(name: nil, backend: backend),
            try Dense(units: 2, activation: .tanh, name: nil, backend: backend),
        ])
        try check(model, [random([5, 4, 3], seed: 9)])
    }

    func testActivationLayers() throws {
        let model = try sequential([6], [
            try Dense(units: 6, name: nil, backend: backend),
            try ReLULayer(maxValue: 6, negativeSlope: 0.1, threshold: 0, name: nil, backend: backend),
            try Dense(units: 6, name: nil, backend: backend),
            LeakyReLULayer(negativeSlope: 0.3, name: nil, backend: backend),
            try Dense(units: 6, name: nil, backend: backend),
            ActivationLayer(.selu, name: nil, backend: backend),
            try Dense(units: 2, name: nil, backend: backend),
        ])
        try check(model, [random([4, 6], seed: 10)])
    }

    func testResidualConcatenateAndSharedLayer() throws {
        let input = InputLayer(shape: Shape([nil, 4]), name: nil, backend: backend)
        let dense = try Dense(units: 4, activation: .tanh, name: nil, backend: backend)
        let x = try dense.call([input.output], backend: backend)
        let y = try Add(name: nil, backend: backend).call([x, input.output], backend: backend)
        let z = try dense.call([y], backend: backend)  // the same layer again: gradients add up
        let joined = try Concatenate(axis: -1, name: nil, backend: backend).call([y, z], backend: backend)
        let out = try Dense(units: 2, name: nil, backend: backend).call([joined], backend: backend)
        let model = try Functional(inputs: [input.output], outputs: [out], name: nil, backend: backend)
        try check(model, [random([3, 4], seed: 6)])
    }

    func testEmbeddingRowsGetTheirGradients() throws {
        let model = try sequential([3], [
            try Embedding(inputDim: 6, outputDim: 2, inputLength: 3, initializer: .randomUniform(minval: -1, maxval: 1), name: nil, backend: backend),
            Flatten(name: nil, backend: backend),
            try Dense(units: 2, name: nil, backend: backend),
        ])
        try check(model, [try Tensor(shape: [2, 3], values: [0, 2, 2, 5, 1, 0])])
    }

    func testDropoutPassesGradientOnlyThroughKeptUnits() throws {
        let dropout = try Dropout(rate: 0.5, name: nil, backend: backend)
        let x = random([200], seed: 8)
        let recorded = try dropout.record([x])
        let g = try recorded.backward(Tensor(shape: [200], repeating: 1))
        for (y, (gx, xv)) in zip(recorded.output.scalars, zip(g.inputs[0].scalars, x.scalars)) {
            if y == 0 && xv != 0 { XCTAssertEqual(gx, 0) } else { XCTAssertEqual(gx, 2, accuracy: 1e-6) }
        }
    }
}
