/// Normalisation layers: BatchNormalization (with batch renormalization, Ioffe 2017) and
/// LayerNormalization, over the last (channel) axis.

import KilnTensor

/// `BatchNormalization`: gamma · (x − mean) / sqrt(var + epsilon) + beta per channel.
///
/// Inference uses the moving statistics. Training uses the batch's mean and biased variance
/// and then updates the moving statistics, `moving = moving · momentum + batch · (1 − momentum)`,
/// with the biased batch variance as Keras 3 does (tf_keras' fused 4-D kernel uses the
/// unbiased one).
///
/// With `renorm=True` (batch renormalization, Ioffe 2017, as tf_keras implements it), training
/// output is gamma · ((x − mean) / σ_B · r + d) + beta with σ_B = sqrt(var + epsilon),
/// r = σ_B / σ_R clipped to [rmin, rmax] and d = (mean − μ_R) / σ_R clipped to [−dmax, dmax],
/// where μ_R and σ_R (at least sqrt(epsilon)) are moving averages kept with `renorm_momentum`.
/// The inference statistics then track the moving standard deviation: `moving_stddev` is
/// averaged with `momentum` and `moving_variance = max(moving_stddev² − epsilon, 0)`.
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
    public private(set) var movingStddev: Weight?
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
        if scale { gamma = try addWeight("gamma", shape: [c], initializer: initializers.gamma, backend: backend) }
        if center { beta = try addWeight("beta", shape: [c], initializer: initializers.beta, backend: backend) }
        movingMean = try addWeight("moving_mean", shape: [c], initializer: initializers.movingMean, trainable: false, backend: backend)
        movingVariance = try addWeight("moving_variance", shape: [c], initializer: initializers.movingVariance, trainable: false, backend: backend)
        if renorm != nil, let variance = movingVariance?.value, let mean = movingMean?.value {
            let stddev = variance.map { $0.squareRoot() }
            movingStddev = try addWeight("moving_stddev", shape: [c], initializer: .zeros, trainable: false, backend: backend)
            movingStddev?.value = stddev
            renormMean = try addWeight("renorm_mean", shape: [c], initializer: .zeros, trainable: false, backend: backend)
            renormMean?.value = mean
            renormStddev = try addWeight("renorm_stddev", shape: [c], initializer: .zeros, trainable: false, backend: backend)
            renormStddev?.value = stddev
        }
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        guard let movingMean = movingMean, let movingVariance = movingVariance else { throw LayerError("Layer \"\(name)\" is not built") }
        guard training else {
            return try batchNormInference(x, mean: movingMean.value, variance: movingVariance.value,
                                          gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
        }
        return try trainingStep(x).output
    }

    /// The training-mode output with the batch statistics it used, and (with renorm) the
    /// corrections r and d; the moving statistics are updated.
    private func trainingStep(_ x: Tensor) throws -> (output: Tensor, mean: Tensor, variance: Tensor, r: Tensor?, d: Tensor?) {
        guard let movingMean = movingMean, let movingVariance = movingVariance else { throw LayerError("Layer \"\(name)\" is not built") }
        let (mean, variance) = try moments(x, axes: Array(0..<(x.rank - 1)))
        guard let renorm = renorm, let movingStddev = movingStddev, let renormMean = renormMean, let renormStddev = renormStddev else {
            let y = try batchNormInference(x, mean: mean, variance: variance, gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
            movingMean.value = try BatchNormalization.movingAverage(movingMean.value, mean, momentum)
            movingVariance.value = try BatchNormalization.movingAverage(movingVariance.value, variance, momentum)
            return (y, mean, variance, nil, nil)
        }
        let stddev = variance.map { ($0 + epsilon).squareRoot() }
        let floor = epsilon.squareRoot()
        let sigmaR = renormStddev.value.map { max($0, floor) }
        let r = try stddev.dividing(sigmaR).map { min(renorm.rmax ?? .infinity, max(renorm.rmin ?? -.infinity, $0)) }
        let d = try mean.subtracting(renormMean.value).dividing(sigmaR)
            .map { min(renorm.dmax ?? .infinity, max(-(renorm.dmax ?? .infinity), $0)) }
        // gamma · (x̂ · r + d) + beta is batch norm with scale r·gamma and offset d·gamma + beta.
        let scale = try gamma.map { try r.multiplying($0.value) } ?? r
        let offset = try (try gamma.map { try d.multiplying($0.value) } ?? d).adding(beta?.value ?? Tensor(shape: d.shape))
        let y = try batchNormInference(x, mean: mean, variance: variance, gamma: scale, beta: offset, epsilon: epsilon)
        renormMean.value = try BatchNormalization.movingAverage(renormMean.value, mean, renorm.momentum)
        renormStddev.value = try BatchNormalization.movingAverage(renormStddev.value, stddev, renorm.momentum)
        movingMean.value = try BatchNormalization.movingAverage(movingMean.value, mean, momentum)
        movingStddev.value = try BatchNormalization.movingAverage(movingStddev.value, stddev, momentum)
        movingVariance.value = movingStddev.value.map { max($0 * $0 - epsilon, 0) }
        return (y, mean, variance, r, d)
    }

    /// Training with batch statistics (moving averages updated as in `forward`); ∂x, ∂gamma,
    /// ∂beta from the batch-norm gradient kernel. With renorm, r and d are constants of the
    /// step (as tf_keras' stop_gradient makes them): x's gradient is batch norm's with scale
    /// r·gamma, and ∂gamma = r·Σ g·x̂ + d·Σ g.
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        let step = try trainingStep(x)
        let gammaValue = gamma?.value
        let effectiveScale = try step.r.map { r in try gammaValue.map { try r.multiplying($0) } ?? r } ?? gammaValue
        return Recorded(output: step.output) { [scale, center, epsilon] g in
            let grads = try batchNormTrainingBackward(x, upstream: g, mean: step.mean, variance: step.variance,
                                                      gamma: effectiveScale, epsilon: epsilon)
            var gammaGradient = grads.gamma
            if let r = step.r, let d = step.d { gammaGradient = try r.multiplying(grads.gamma).adding(d.multiplying(grads.beta)) }
            var weights: [Tensor?] = []
            if scale { weights.append(gammaGradient) }
            if center { weights.append(grads.beta) }
            return LayerGradients(inputs: [grads.input], weights: weights + [nil, nil])
        }
    }

    /// moving · momentum + batch · (1 − momentum).
    static func movingAverage(_ moving: Tensor, _ batch: Tensor, _ momentum: Float) throws -> Tensor {
        try moving.multiplying(scalar: momentum).adding(batch.multiplying(scalar: 1 - momentum))
    }
}

/// `LayerNormalization`: gamma · (x − mean) / sqrt(var + epsilon) + beta, with mean and
/// variance taken per sample over `axes` (the last axis by default); gamma and beta have the
/// shape of those axes.
public final class LayerNormalization: Layer {
    public let axes: [Int]
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool
    public private(set) var gamma: Weight?
    public private(set) var beta: Weight?

    public init(axes: [Int] = [-1], epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true, name: String?, backend: Backend) {
        self.axes = axes
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        super.init(className: "LayerNormalization", name: name, backend: backend)
    }

    /// The normalised axes of an input of `rank`, in increasing order.
    private func resolvedAxes(_ x: Shape) throws -> [Int] {
        let resolved = axes.map { $0 < 0 ? $0 + x.rank : $0 }
        guard resolved.allSatisfy({ $0 >= 1 && $0 < x.rank }), Set(resolved).count == resolved.count else {
            throw LayerError("Invalid axis \(axes) for layer \"\(name)\" on inputs of shape \(x); the batch axis cannot be normalised")
        }
        return resolved.sorted()
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        for a in try resolvedAxes(x) where x.dims[a] == nil {
            throw LayerError("Layer \"\(name)\" normalises axis \(a) of \(x), which must be defined")
        }
        return x
    }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        let x = try single(inputs)
        let shape = try resolvedAxes(x).map { x.dims[$0] ?? 1 }
        if scale { gamma = try addWeight("gamma", shape: shape, initializer: .ones, backend: backend) }
        if center { beta = try addWeight("beta", shape: shape, initializer: .zeros, backend: backend) }
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        return try layerNorm(x, axes: try resolvedAxes(Shape(of: x)), gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        let axes = try resolvedAxes(Shape(of: x))
        let y = try layerNorm(x, axes: axes, gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
        let gammaValue = gamma?.value
        return Recorded(output: y) { [scale, center, epsilon] g in
            let grads = try layerNormBackward(x, upstream: g, axes: axes, gamma: gammaValue, epsilon: epsilon)
            var weights: [Tensor?] = []
            if scale { weights.append(grads.gamma) }
            if center { weights.append(grads.beta) }
            return LayerGradients(inputs: [grads.input], weights: weights)
        }
    }
}
