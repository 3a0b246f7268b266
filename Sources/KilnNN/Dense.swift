/// `Dense`: activation(matmul(input, kernel) + bias) over the last axis.

import KilnTensor

public final class Dense: Layer {
    public let units: Int
    public let activation: Activation
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public private(set) var kernel: Weight?
    public private(set) var bias: Weight?

    public init(units: Int, activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                name: String?, backend: Backend) throws {
        guard units > 0 else {
            throw LayerError("Received an invalid value for `units`, expected a positive integer. Received: units=\(units)")
        }
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init(className: "Dense", name: name, backend: backend)
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        try requireRank(x, 2, minimum: true)
        _ = try channels(x)
        return Shape(Array(x.dims.dropLast()) + [units])
    }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        let features = try channels(try single(inputs))
        kernel = try addWeight("kernel", shape: [features, units], initializer: kernelInitializer, backend: backend)
        if useBias { bias = try addWeight("bias", shape: [units], initializer: biasInitializer, backend: backend) }
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        guard let x = inputs.first, let kernel = kernel else { throw LayerError("Layer \"\(name)\" is not built") }
        guard x.shape.last == kernel.value.shape.first else {
            throw LayerError("Input 0 of layer \"\(name)\" is incompatible with the layer: expected axis -1 of input shape to have value \(kernel.value.shape[0]), but received input with shape \(Shape([nil] + Shape(of: x).featureDims))")
        }
        var y = try matmul(x, kernel.value)
        if let b = bias { y = try y.adding(b.value) }
        activation.applyInPlace(&y)
        return y
    }

    /// ∂x = g·Kᵀ, ∂K = xᵀ·g, ∂b = Σ g over the batch (rows of every leading axis).
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        guard let kernel = kernel?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        var z = try matmul(x, kernel)
        if let b = bias { z = try z.adding(b.value) }
        let hasBias = bias != nil, needsDX = needsInputGradient
        return activated(z, activation) { g in
            let rows = try x.reshaped([-1, kernel.shape[0]]), upstream = try g.reshaped([-1, kernel.shape[1]])
            var weights: [Tensor?] = [try matmul(rows, upstream, transposeA: true)]
            if hasBias { weights.append(try upstream.sum(axes: [0])) }
            guard needsDX else { return LayerGradients(inputs: [], weights: weights) }
            let dx = try matmul(upstream, kernel, transposeB: true).reshaped(x.shape)
            return LayerGradients(inputs: [dx], weights: weights)
        }
    }
}
