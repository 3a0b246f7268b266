/// Normalisation layers: BatchNormalization (with batch renormalization, Ioffe 2017) and
/// LayerNormalization, over the last (channel) axis.

import KilnTensor

/// `BatchNormalization`: gamma · (x − mean) / sqrt(var + epsilon) + beta per channel.
///
/// Inference uses the moving statistics. Training uses the batch's mean and biased variance
/// and then updates the moving statistics, `moving = moving · momentum + batch · (1 − momentum)`,
/// with the biased batch variance as Keras 3 does (tf_keras' fused kernel uses the unbiased one).
/// With `renorm=True` (tf_keras' batch renormalization), training output is
/// gamma · ((x − mean) / σ_B · r + d) + beta with r = σ_B / σ_R clipped to [rmin, rmax] and
/// d = (mean − μ_R) / σ_R clipped to [−dmax, dmax], where μ_R and σ_R are moving averages
/// kept with `renorm_momentum`.
public final class BatchNormalization: Layer {
    public struct Renorm {
        public var rmin: Float?
        public var rmax: Float?
        public var dmax: Float?
        public var momentum: Float
        public init(rmin: Float?, rmax: Float?, dmax: Float?, momentum: Float) {
            self.rmin = rmin
            self.rmax = rmax
            self.dmax = dmax
            self.momentum = momentum
        }
    }

    public let axis: Int
    public let momentum: Float
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool
    public let initializers: (beta: Initializer, gamma: Initializer, movingMean: Initializer, movingVariance: Initializer)
    public let renorm: Renorm?
    public private(set) var gamma: Weight?
    public private(set) var beta: Weight?
    public private(set) var movingMean: Weight?
    public private(set) var movingVariance: Weight?
    public private(set) var renormMean: Weight?
    public private(set) var renormStddev: Weight?

    public init(axis: Int = -1, momentum: Float = 0.99, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
                movingMeanInitializer: Initializer = .zeros, movingVarianceInitializer: Initializer = .ones,
                renorm: Renorm? = nil, name: String?, backend: Backend) {
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.initializers = (betaInitializer, gammaInitializer, movingMeanInitializer, movingVarianceInitializer)
        self.renorm = renorm
        super.init(className: "BatchNormalization", name: name, backend: backend)
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        let a = axis < 0 ? axis + x.rank : axis
        guard a >= 0, a < x.rank else {
            throw LayerError("Invalid axis \(axis) for layer \"\(name)\" on inputs of shape \(x)")
        }
        guard a == x.rank - 1 else {
            throw LayerError("not supported in Kiln: BatchNormalization over axis \(axis) of \(x); Kiln normalises the last (channel) axis", type: "NotImplementedError")
        }
        _ = try channels(x)
        return x
    }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        let c = try channels(try single(inputs))
        if scale { gamma = addWeight("gamma", shape: [c], initializer: initializers.gamma, backend: backend) }
        if center { beta = addWeight("beta", shape: [c], initializer: initializers.beta, backend: backend) }
        movingMean = addWeight("moving_mean", shape: [c], initializer: initializers.movingMean, trainable: false, backend: backend)
        movingVariance = addWeight("moving_variance", shape: [c], initializer: initializers.movingVariance, trainable: false, backend: backend)
        if renorm != nil {
            renormMean = addWeight("renorm_mean", shape: [c], initializer: .zeros, trainable: false, backend: backend)
            renormStddev = addWeight("renorm_stddev", shape: [c], initializer: .ones, trainable: false, backend: backend)
        }
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        guard let movingMean = movingMean, let movingVariance = movingVariance else { throw LayerError("Layer \"\(name)\" is not built") }
        guard training else {
            return try Tensor.batchNormInference(x, mean: movingMean.value, variance: movingVariance.value,
                                                 gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
        }
        let axes = Array(0..<(x.rank - 1))
        let (mean, variance) = try x.moments(alongAxes: axes)
        var y: Tensor
        if let renorm = renorm, let renormMean = renormMean, let renormStddev = renormStddev {
            let stddev = variance.map { ($0 + epsilon).squareRoot() }
            var r = try stddev.dividing(renormStddev.value)
            var d = try (try mean.subtracting(renormMean.value)).dividing(renormStddev.value)
            r = r.map { v in min(renorm.rmax ?? .infinity, max(renorm.rmin ?? -.infinity, v)) }
            d = d.map { v in min(renorm.dmax ?? .infinity, max(-(renorm.dmax ?? .infinity), v)) }
            // ((x − mean) / σ_B · r + d) is batch-norm with variance σ_B²/r² − ε and mean mean − d·σ_B/r.
            let normalized = try Tensor.batchNormInference(x, mean: mean, variance: variance, gamma: nil, beta: nil, epsilon: epsilon)
            y = try (try normalized.multiplying(r)).adding(d)
            if let g = gamma?.value { y = try y.multiplying(g) }
            if let b = beta?.value { y = try y.adding(b) }
            renormMean.value = try BatchNormalization.movingAverage(renormMean.value, mean, renorm.momentum)
            renormStddev.value = try BatchNormalization.movingAverage(renormStddev.value, stddev, renorm.momentum)
        } else {
            y = try Tensor.batchNormInference(x, mean: mean, variance: variance, gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
        }
        movingMean.value = try BatchNormalization.movingAverage(movingMean.value, mean, momentum)
        movingVariance.value = try BatchNormalization.movingAverage(movingVariance.value, variance, momentum)
        return y
    }

    /// moving · momentum + batch · (1 − momentum).
    static func movingAverage(_ moving: Tensor, _ batch: Tensor, _ momentum: Float) throws -> Tensor {
        try moving.multiplying(scalar: momentum).adding(batch.multiplying(scalar: 1 - momentum))
    }
}

/// `LayerNormalization`: gamma · (x − mean) / sqrt(var + epsilon) + beta, with mean and
/// variance taken over the last axis of each sample.
public final class LayerNormalization: Layer {
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool
    public private(set) var gamma: Weight?
    public private(set) var beta: Weight?

    public init(epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true, name: String?, backend: Backend) {
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        super.init(className: "LayerNormalization", name: name, backend: backend)
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        _ = try channels(x)
        return x
    }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        let c = try channels(try single(inputs))
        if scale { gamma = addWeight("gamma", shape: [c], initializer: .ones, backend: backend) }
        if center { beta = addWeight("beta", shape: [c], initializer: .zeros, backend: backend) }
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        try Tensor.layerNorm(try onlyInput(inputs), gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
    }
}
