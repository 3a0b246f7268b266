import KilnNN
import KilnTensor
import XCTest

/// Layers and models on the engine alone: names, shape inference, the summary table's rules.
final class ModelTests: XCTestCase {
    func testKerasSnakeCaseNames() {
        XCTAssertEqual(Backend.snakeCase("SeparableConv2D"), "separable_conv2d")
        XCTAssertEqual(Backend.snakeCase("ReLU"), "re_lu")
        XCTAssertEqual(Backend.snakeCase("LeakyReLU"), "leaky_re_lu")
        XCTAssertEqual(Backend.snakeCase("GlobalAveragePooling2D"), "global_average_pooling2d")
        XCTAssertEqual(Backend.snakeCase("BatchNormalization"), "batch_normalization")
    }

    func testAutomaticNamesCountPerClassAndSession() throws {
        let b = Backend()
        XCTAssertEqual(try Dense(units: 1, name: nil, backend: b).name, "dense")
        XCTAssertEqual(try Dense(units: 1, name: nil, backend: b).name, "dense_1")
        XCTAssertEqual(Flatten(name: nil, backend: b).name, "flatten")
        XCTAssertEqual(try Dense(units: 1, name: nil, backend: Backend()).name, "dense")
    }

    func testRowCutsAFieldAndReplacesItsLastCharacterWithASpace() {
        let row = Model.row(["separable_conv2d (SeparableConv2D)", "(None, 62, 62, 32)", "155"], [29, 55, 65])
        XCTAssertEqual(row, "separable_conv2d (SeparableC (None, 62, 62, 32)        155       ")
        XCTAssertEqual(row.count, 65)
    }

    func testThousandsSeparators() {
        XCTAssertEqual(Model.grouped(38949), "38,949")
        XCTAssertEqual(Model.grouped(1234567), "1,234,567")
        XCTAssertEqual(Model.grouped(999), "999")
    }

    func testSequentialInfersShapesAndCountsParameters() throws {
        let b = Backend()
        let model = Sequential(name: nil, backend: b)
        let conv = try Convolution(rank: 2, filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: .same, dilation: [1, 1],
                                   activation: .relu, useBias: true, kernelInitializer: .glorotUniform, biasInitializer: .zeros,
                                   name: nil, backend: b)
        conv.declaredInputShape = [9, 9, 3]
        try model.add(conv)
        try model.add(Flatten(name: nil, backend: b))
        XCTAssertEqual(conv.outputShape, Shape([nil, 5, 5, 4]))
        XCTAssertEqual(model.outputShape, Shape([nil, 100]))
        XCTAssertEqual(model.trainableParams, 3 * 3 * 3 * 4 + 4)
    }

    func testKernelLargerThanInputNamesTheLayerAndBothShapes() throws {
        let b = Backend()
        let model = Sequential(name: nil, backend: b)
        let conv = try Convolution(rank: 2, filters: 8, kernelSize: [5, 5], strides: [1, 1], padding: .valid, dilation: [1, 1],
                                   activation: .linear, useBias: true, kernelInitializer: .glorotUniform, biasInitializer: .zeros,
                                   name: nil, backend: b)
        conv.declaredInputShape = [3, 3, 1]
        XCTAssertThrowsError(try model.add(conv)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("conv2d"), message)
            XCTAssertTrue(message.contains("(None, 3, 3, 1)"), message)
            XCTAssertTrue(message.contains("(None, -1, -1, 8)"), message)
        }
        XCTAssertTrue(model.layers.isEmpty, "a layer that does not fit is not kept")
    }

    func testPredictRunsInBatchesAndJoinsTheRows() throws {
        let b = Backend()
        let model = Sequential(name: nil, backend: b)
        let dense = try Dense(units: 2, activation: .linear, name: nil, backend: b)
        dense.declaredInputShape = [3]
        try model.add(dense)
        try dense.setWeights([try Tensor(shape: [3, 2], values: [1, 0, 0, 1, 1, 1]), try Tensor(shape: [2], values: [0.5, -0.5])])
        let x = try Tensor(shape: [5, 3], values: (0..<15).map(Float.init))
        let y = try model.predict([x], batchSize: 2)[0]
        XCTAssertEqual(y.shape, [5, 2])
        // Row r is (3r, 3r+1, 3r+2): y = (x0 + x2 + 0.5, x1 + x2 − 0.5).
        for r in 0..<5 {
            let base = Float(3 * r)
            XCTAssertEqual(y[[r, 0]], base + base + 2 + 0.5)
            XCTAssertEqual(y[[r, 1]], base + 1 + base + 2 - 0.5)
        }
    }
}
