/// Convolutions over 1 or 2 spatial axes, channels last: Conv1D, Conv2D, SeparableConv1D,
/// SeparableConv2D and DepthwiseConv2D. Kernels use Keras' layouts ([KH, KW, C_in, F] for
/// Conv2D, [KH, KW, C_in, depth_multiplier] for depthwise kernels), so weights move to and
/// from Keras unchanged.

import KilnTensor

/// What the convolution layers share: window sizes, strides, padding, dilation, the output
/// size rule, and the activation and bias applied after the convolution.
public class ConvolutionLayer: Layer {
    /// Spatial rank: 1 (sequences) or 2 (images).
    public let rank: Int
    public let kernelSize: [Int]
    public let strides: [Int]
    public let padding: Padding
    public let dilation: [Int]
    public let activation: Activation
    public let useBias: Bool
    public let biasInitializer: Initializer
    public internal(set) var bias: Weight?

    init(className: String, rank: Int, kernelSize: [Int], strides: [Int], padding: Padding, dilation: [Int],
         activation: Activation, useBias: Bool, biasInitializer: Initializer, name: String?, backend: Backend) throws {
        self.rank = rank
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilation = dilation
        self.activation = activation
        self.useBias = useBias
        self.biasInitializer = biasInitializer
        super.init(className: className, name: name, backend: backend)
        for (label, values) in [("kernel_size", kernelSize), ("strides", strides), ("dilation_rate", dilation)] {
            guard values.count == rank, values.allSatisfy({ $0 > 0 }) else {
                throw LayerError("The `\(label)` argument must be a tuple of \(rank) positive integers. Received: \(label)=\(values)")
            }
        }
        if padding == .causal && (rank != 1 || className.hasPrefix("Separable")) {
            throw LayerError("The causal padding option is only available for Conv1D layers, not \(className). Received: padding='causal'")
        }
        if strides.contains(where: { $0 > 1 }) && dilation.contains(where: { $0 > 1 }) {
            throw LayerError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=\(strides) and dilation_rate=\(dilation)")
        }
    }

    /// Output channels for `inputChannels` input channels.
    func outputChannels(_ inputChannels: Int) -> Int { inputChannels }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        try requireRank(x, rank + 2)
        let c = try channels(x)
        var dims: [Int?] = [x.dims[0]]
        for axis in 0..<rank {
            guard let size = x.dims[axis + 1] else {
                dims.append(nil)
                continue
            }
            let out = Tensor.convOutputLength(size, kernel: kernelSize[axis], stride: strides[axis],
                                              padding: padding, dilation: dilation[axis])
            guard out > 0 else {
                let would = Shape([nil] + (0..<rank).map { a in x.dims[a + 1].map {
                    Tensor.convOutputLength($0, kernel: kernelSize[a], stride: strides[a], padding: padding, dilation: dilation[a])
                } } + [outputChannels(c)])
                throw LayerError("One of the dimensions in the output is <= 0 due to downsampling in \(name). Consider increasing the input size. Received input shape \(x) which would produce output shape with a zero or negative value in a dimension: \(would).")
            }
            dims.append(out)
        }
        return Shape(dims + [outputChannels(c)])
    }

    /// The convolution plus bias and activation (the kernels apply both to each tile as they
    /// write it) on an input of rank + 2 axes.
    func convolve(_ x: Tensor) throws -> Tensor { x }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        guard x.rank == rank + 2 else {
            throw LayerError("Input 0 of layer \"\(name)\" is incompatible with the layer: expected ndim=\(rank + 2), found ndim=\(x.rank). Full shape received: \(Shape([nil] + Shape(of: x).featureDims))")
        }
        return try convolve(x)
    }
}

/// `Conv1D` / `Conv2D`: activation(conv(input, kernel) + bias), `filters` output channels.
public final class Convolution: ConvolutionLayer {
    public let filters: Int
    public let kernelInitializer: Initializer
    public private(set) var kernel: Weight?

    public init(rank: Int, filters: Int, kernelSize: [Int], strides: [Int], padding: Padding, dilation: [Int],
                activation: Activation, useBias: Bool, kernelInitializer: Initializer, biasInitializer: Initializer,
                name: String?, backend: Backend) throws {
        guard filters > 0 else {
            throw LayerError("Invalid value for argument `filters`. Expected a strictly positive value. Received filters=\(filters).")
        }
        self.filters = filters
        self.kernelInitializer = kernelInitializer
        try super.init(className: "Conv\(rank)D", rank: rank, kernelSize: kernelSize, strides: strides, padding: padding,
                       dilation: dilation, activation: activation, useBias: useBias, biasInitializer: biasInitializer,
                       name: name, backend: backend)
    }

    override func outputChannels(_ inputChannels: Int) -> Int { filters }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        let c = try channels(try single(inputs))
        kernel = try addWeight("kernel", shape: kernelSize + [c, filters], initializer: kernelInitializer, backend: backend)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, backend: backend) }
    }

    /// ∂x and ∂kernel by the convolution's gradient kernels, ∂b = Σ g over all but channels.
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        guard let k = kernel?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        let one = rank == 1
        // A 2-D convolution applies an activation that allows it in its own epilogue.
        let inKernel = !one && activation.backwardNeedsOnlyOutput
        let z = one
            ? try conv1d(x, kernel: k, bias: bias?.value, stride: strides[0], padding: padding, dilation: dilation[0])
            : try conv2d(x, kernel: k, bias: bias?.value, strides: (strides[0], strides[1]), padding: padding, dilation: (dilation[0], dilation[1]),
                         activation: inKernel ? activation : .linear)
        let hasBias = bias != nil, needsDX = needsInputGradient
        let linear = { [strides, padding, dilation] (g: Tensor, biasGradient: Tensor?) throws -> LayerGradients in
            let dx = !needsDX ? nil : one
                ? try conv1dBackwardInput(g, kernel: k, inputShape: x.shape, stride: strides[0], padding: padding, dilation: dilation[0])
                : try conv2dBackwardInput(g, kernel: k, inputShape: x.shape, strides: (strides[0], strides[1]), padding: padding, dilation: (dilation[0], dilation[1]))
            let dk = one
                ? try conv1dBackwardKernel(x, upstream: g, kernelShape: k.shape, stride: strides[0], padding: padding, dilation: dilation[0])
                : try conv2dBackwardKernel(x, upstream: g, kernelShape: k.shape, strides: (strides[0], strides[1]), padding: padding, dilation: (dilation[0], dilation[1]))
            var weights: [Tensor?] = [dk]
            if hasBias { weights.append(try biasGradient ?? g.sum(axes: Array(0..<(g.rank - 1)))) }
            return LayerGradients(inputs: dx.map { [$0] } ?? [], weights: weights)
        }
        return record(z, inKernel: inKernel, hasBias: hasBias, linear)
    }

    override func convolve(_ x: Tensor) throws -> Tensor {
        guard let k = kernel?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        if rank == 1 {
            return activation.apply(try conv1d(x, kernel: k, bias: bias?.value, stride: strides[0], padding: padding, dilation: dilation[0]))
        }
        return try conv2d(x, kernel: k, bias: bias?.value, strides: (strides[0], strides[1]), padding: padding,
                          dilation: (dilation[0], dilation[1]), activation: activation)
    }
}

extension ConvolutionLayer {
    /// The record of a convolution's output `z`: with the activation applied in the kernel and
    /// a bias, the activation's backward also gives the bias gradient in one pass; otherwise
    /// `activatedInKernel` or `activated` as usual (`linear` then computes the bias gradient).
    func record(_ z: consuming Tensor, inKernel: Bool, hasBias: Bool,
                _ linear: @escaping (Tensor, Tensor?) throws -> LayerGradients) -> Recorded {
        if inKernel && hasBias { return activatedInKernel(z, activation, withBiasGradient: { try linear($0, $1) }) }
        if inKernel { return activatedInKernel(z, activation) { try linear($0, nil) } }
        return activated(consume z, activation) { try linear($0, nil) }
    }
}

/// `DepthwiseConv2D`: each input channel convolved with its own `depth_multiplier` filters;
/// output channel c·M + m.
public final class DepthwiseConvolution: ConvolutionLayer {
    public let depthMultiplier: Int
    public let depthwiseInitializer: Initializer
    public private(set) var depthwiseKernel: Weight?

    public init(kernelSize: [Int], strides: [Int], padding: Padding, depthMultiplier: Int, dilation: [Int],
                activation: Activation, useBias: Bool, depthwiseInitializer: Initializer, biasInitializer: Initializer,
                name: String?, backend: Backend) throws {
        guard depthMultiplier > 0 else {
            throw LayerError("Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received depth_multiplier=\(depthMultiplier).")
        }
        self.depthMultiplier = depthMultiplier
        self.depthwiseInitializer = depthwiseInitializer
        try super.init(className: "DepthwiseConv2D", rank: 2, kernelSize: kernelSize, strides: strides, padding: padding,
                       dilation: dilation, activation: activation, useBias: useBias, biasInitializer: biasInitializer,
                       name: name, backend: backend)
    }

    override func outputChannels(_ inputChannels: Int) -> Int { inputChannels * depthMultiplier }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        let c = try channels(try single(inputs))
        depthwiseKernel = try addWeight("depthwise_kernel", shape: kernelSize + [c, depthMultiplier], initializer: depthwiseInitializer, backend: backend)
        if useBias { bias = try addWeight("bias", shape: [c * depthMultiplier], initializer: biasInitializer, backend: backend) }
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        guard let k = depthwiseKernel?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        let s = (strides[0], strides[1]), d = (dilation[0], dilation[1])
        let z = try depthwiseConv2d(x, kernel: k, bias: bias?.value, strides: s, padding: padding, dilation: d)
        let hasBias = bias != nil, needsDX = needsInputGradient
        return activated(z, activation) { [padding] g in
            var weights: [Tensor?] = [try depthwiseConv2dBackwardKernel(x, upstream: g, kernelShape: k.shape, strides: s, padding: padding, dilation: d)]
            if hasBias { weights.append(try g.sum(axes: [0, 1, 2])) }
            guard needsDX else { return LayerGradients(inputs: [], weights: weights) }
            let dx = try depthwiseConv2dBackwardInput(g, kernel: k, inputShape: x.shape, strides: s, padding: padding, dilation: d)
            return LayerGradients(inputs: [dx], weights: weights)
        }
    }

    override func convolve(_ x: Tensor) throws -> Tensor {
        guard let k = depthwiseKernel?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        return activation.apply(try depthwiseConv2d(x, kernel: k, bias: bias?.value, strides: (strides[0], strides[1]),
                                                    padding: padding, dilation: (dilation[0], dilation[1])))
    }
}

/// `SeparableConv1D` / `SeparableConv2D`: a depthwise convolution (depth_multiplier filters per
/// channel) followed by a pointwise 1×1 convolution to `filters` channels, then bias and activation.
public final class SeparableConvolution: ConvolutionLayer {
    public let filters: Int
    public let depthMultiplier: Int
    public let depthwiseInitializer: Initializer
    public let pointwiseInitializer: Initializer
    public private(set) var depthwiseKernel: Weight?
    public private(set) var pointwiseKernel: Weight?

    public init(rank: Int, filters: Int, kernelSize: [Int], strides: [Int], padding: Padding, dilation: [Int],
                depthMultiplier: Int, activation: Activation, useBias: Bool, depthwiseInitializer: Initializer,
                pointwiseInitializer: Initializer, biasInitializer: Initializer, name: String?, backend: Backend) throws {
        guard filters > 0, depthMultiplier > 0 else {
            throw LayerError("Invalid value for argument `filters` or `depth_multiplier`. Expected strictly positive values. Received filters=\(filters), depth_multiplier=\(depthMultiplier).")
        }
        self.filters = filters
        self.depthMultiplier = depthMultiplier
        self.depthwiseInitializer = depthwiseInitializer
        self.pointwiseInitializer = pointwiseInitializer
        try super.init(className: "SeparableConv\(rank)D", rank: rank, kernelSize: kernelSize, strides: strides, padding: padding,
                       dilation: dilation, activation: activation, useBias: useBias, biasInitializer: biasInitializer,
                       name: name, backend: backend)
    }

    override func outputChannels(_ inputChannels: Int) -> Int { filters }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        let c = try channels(try single(inputs))
        depthwiseKernel = try addWeight("depthwise_kernel", shape: kernelSize + [c, depthMultiplier], initializer: depthwiseInitializer, backend: backend)
        pointwiseKernel = try addWeight("pointwise_kernel", shape: Array(repeating: 1, count: rank) + [c * depthMultiplier, filters],
                                    initializer: pointwiseInitializer, backend: backend)
        if useBias { bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, backend: backend) }
    }

    /// The depthwise then pointwise chain, differentiated in reverse: the pointwise gradients
    /// give ∂(depthwise output), whose depthwise gradients give ∂x and ∂depthwise_kernel.
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        guard let dk = depthwiseKernel?.value, let pk = pointwiseKernel?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        let one = rank == 1
        let s1 = strides[0], d1 = dilation[0]
        let s2 = (strides[0], one ? 1 : strides[1]), d2 = (dilation[0], one ? 1 : dilation[1])
        let mid = one
            ? try depthwiseConv1d(x, kernel: dk, stride: s1, padding: padding, dilation: d1)
            : try depthwiseConv2d(x, kernel: dk, strides: s2, padding: padding, dilation: d2)
        // The 2-D pointwise step applies an activation that allows it in its own epilogue.
        let inKernel = !one && activation.backwardNeedsOnlyOutput
        let z = one ? try conv1d(mid, kernel: pk, bias: bias?.value)
                    : try conv2d(mid, kernel: pk, bias: bias?.value, activation: inKernel ? activation : .linear)
        let hasBias = bias != nil, needsDX = needsInputGradient
        let linear = { [padding] (g: Tensor, biasGradient: Tensor?) throws -> LayerGradients in
            let dpk = one ? try conv1dBackwardKernel(mid, upstream: g, kernelShape: pk.shape) : try conv2dBackwardKernel(mid, upstream: g, kernelShape: pk.shape)
            let dmid = one ? try conv1dBackwardInput(g, kernel: pk, inputShape: mid.shape) : try conv2dBackwardInput(g, kernel: pk, inputShape: mid.shape)
            let ddk = one
                ? try depthwiseConv1dBackwardKernel(x, upstream: dmid, kernelShape: dk.shape, stride: s1, padding: padding, dilation: d1)
                : try depthwiseConv2dBackwardKernel(x, upstream: dmid, kernelShape: dk.shape, strides: s2, padding: padding, dilation: d2)
            let dx = !needsDX ? nil : one
                ? try depthwiseConv1dBackwardInput(dmid, kernel: dk, inputShape: x.shape, stride: s1, padding: padding, dilation: d1)
                : try depthwiseConv2dBackwardInput(dmid, kernel: dk, inputShape: x.shape, strides: s2, padding: padding, dilation: d2)
            var weights: [Tensor?] = [ddk, dpk]
            if hasBias { weights.append(try biasGradient ?? g.sum(axes: Array(0..<(g.rank - 1)))) }
            return LayerGradients(inputs: dx.map { [$0] } ?? [], weights: weights)
        }
        return record(z, inKernel: inKernel, hasBias: hasBias, linear)
    }

    override func convolve(_ x: Tensor) throws -> Tensor {
        guard let d = depthwiseKernel?.value, let p = pointwiseKernel?.value else { throw LayerError("Layer \"\(name)\" is not built") }
        if rank == 1 {
            return activation.apply(try separableConv1d(x, depthwiseKernel: d, pointwiseKernel: p, bias: bias?.value,
                                                        stride: strides[0], padding: padding, dilation: dilation[0]))
        }
        return try separableConv2d(x, depthwiseKernel: d, pointwiseKernel: p, bias: bias?.value, strides: (strides[0], strides[1]),
                                   padding: padding, dilation: (dilation[0], dilation[1]), activation: activation)
    }
}
