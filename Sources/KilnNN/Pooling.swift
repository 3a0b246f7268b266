/// Pooling over 1 or 2 spatial axes (MaxPooling1D/2D, AveragePooling1D/2D) and global
/// pooling (GlobalAveragePooling1D/2D, GlobalMaxPooling1D/2D), channels last.

import KilnTensor

/// `MaxPooling1D/2D`, `AveragePooling1D/2D`: the max or mean of each window.
public final class Pooling: Layer {
    public enum Kind: String { case max = "Max", average = "Average" }

    public let kind: Kind
    public let rank: Int
    public let poolSize: [Int]
    public let strides: [Int]
    public let padding: Padding

    /// `strides` nil means the pool size, as in Keras.
    public init(kind: Kind, rank: Int, poolSize: [Int], strides: [Int]?, padding: Padding, name: String?, backend: Backend) throws {
        self.kind = kind
        self.rank = rank
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        super.init(className: "\(kind.rawValue)Pooling\(rank)D", name: name, backend: backend)
        if padding == .causal {
            throw LayerError("The `padding` argument of \(className) must be one of 'valid', 'same'. Received: padding='causal'")
        }
        for (label, values) in [("pool_size", poolSize), ("strides", self.strides)] {
            guard values.count == rank, values.allSatisfy({ $0 > 0 }) else {
                throw LayerError("The `\(label)` argument must be a tuple of \(rank) positive integers. Received: \(label)=\(values)")
            }
        }
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        try requireRank(x, rank + 2)
        var dims: [Int?] = [x.dims[0]]
        for axis in 0..<rank {
            guard let size = x.dims[axis + 1] else {
                dims.append(nil)
                continue
            }
            let out = Tensor.convOutputLength(size, kernel: poolSize[axis], stride: strides[axis], padding: padding, dilation: 1)
            guard out > 0 else {
                throw LayerError("Computed output size would be negative in \(name): input shape \(x), pool_size \(poolSize), strides \(strides), padding '\(padding)'.")
            }
            dims.append(out)
        }
        return Shape(dims + [x.dims[rank + 1]])
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        guard x.rank == rank + 2 else {
            throw LayerError("Input 0 of layer \"\(name)\" is incompatible with the layer: expected ndim=\(rank + 2), found ndim=\(x.rank). Full shape received: \(Shape([nil] + Shape(of: x).featureDims))")
        }
        let image = rank == 1 ? try x.reshaped([x.shape[0], 1, x.shape[1], x.shape[2]]) : x
        let size = rank == 1 ? (1, poolSize[0]) : (poolSize[0], poolSize[1])
        let step = rank == 1 ? (1, strides[0]) : (strides[0], strides[1])
        let y = kind == .max
            ? try maxPool2d(image, poolSize: size, strides: step, padding: padding)
            : try avgPool2d(image, poolSize: size, strides: step, padding: padding)
        return rank == 1 ? try y.reshaped([y.shape[0], y.shape[2], y.shape[3]]) : y
    }

    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        let y = try forward(inputs, training: true)
        return Recorded(output: y) { [kind, rank, poolSize, strides, padding] g in
            let dx: Tensor
            switch (kind, rank) {
            case (.max, 1): dx = try maxPool1dBackward(x, upstream: g, poolSize: poolSize[0], stride: strides[0], padding: padding)
            case (.average, 1): dx = try avgPool1dBackward(g, inputShape: x.shape, poolSize: poolSize[0], stride: strides[0], padding: padding)
            case (.max, _): dx = try maxPool2dBackward(x, upstream: g, poolSize: (poolSize[0], poolSize[1]), strides: (strides[0], strides[1]), padding: padding)
            case (.average, _): dx = try avgPool2dBackward(g, inputShape: x.shape, poolSize: (poolSize[0], poolSize[1]), strides: (strides[0], strides[1]), padding: padding)
            }
            return LayerGradients(inputs: [dx])
        }
    }
}

/// `GlobalAveragePooling1D/2D`, `GlobalMaxPooling1D/2D`: the mean or max over every spatial
/// position, one value per channel.
public final class GlobalPooling: Layer {
    public let kind: Pooling.Kind
    public let rank: Int
    public let keepDims: Bool

    public init(kind: Pooling.Kind, rank: Int, keepDims: Bool, name: String?, backend: Backend) {
        self.kind = kind
        self.rank = rank
        self.keepDims = keepDims
        super.init(className: "Global\(kind.rawValue)Pooling\(rank)D", name: name, backend: backend)
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        let x = try single(inputs)
        try requireRank(x, rank + 2)
        if keepDims { return Shape([x.dims[0]] + Array(repeating: 1, count: rank) + [x.dims[rank + 1]]) }
        return Shape([x.dims[0], x.dims[rank + 1]])
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        let x = try onlyInput(inputs)
        let axes = Array(1...rank)
        let y = kind == .max ? try x.max(axes: axes, keepDims: keepDims) : try x.mean(axes: axes, keepDims: keepDims)
        return y
    }

    /// Average: the gradient spread evenly over the positions; max: shared by the positions
    /// that hold the maximum (evenly among ties, as TensorFlow's reduce_max).
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let x = try onlyInput(inputs)
        let y = try forward(inputs, training: true)
        let axes = Array(1...rank)
        let kept = [x.shape[0]] + Array(repeating: 1, count: rank) + [x.shape[x.rank - 1]]
        let positions = Float(axes.reduce(1) { $0 * x.shape[$1] })
        return Recorded(output: y) { [kind] g in
            let spread = try Tensor(shape: x.shape).adding(g.reshaped(kept))
            if kind == .average { return LayerGradients(inputs: [spread.multiplying(scalar: 1 / positions)]) }
            let maxima = try Tensor(shape: x.shape).adding(x.max(axes: axes, keepDims: true))
            var mask = Tensor(shape: x.shape)
            mask.withUnsafeMutableBufferPointer { m in
                x.withUnsafeBufferPointer { xs in
                    maxima.withUnsafeBufferPointer { ms in
                        for i in 0..<m.count { m[i] = xs[i] == ms[i] ? 1 : 0 }
                    }
                }
            }
            let ties = try Tensor(shape: x.shape).adding(mask.sum(axes: axes, keepDims: true))
            return LayerGradients(inputs: [try spread.multiplying(mask).dividing(ties)])
        }
    }
}
