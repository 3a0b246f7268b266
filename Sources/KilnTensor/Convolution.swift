/// Convolutions over channels-last tensors with Keras' kernel layouts: `conv2d`/`conv1d` by
/// im2col and one GEMM per tile of output rows (a 1×1 stride-1 convolution is a single GEMM),
/// `depthwiseConv2d`/`depthwiseConv1d` as direct loops vectorised over channels, and the
/// separable convolutions (depthwise, then a 1×1 GEMM). 'same' padding is split as TensorFlow
/// splits it: the odd element goes at the bottom/right.

/// How a convolution or pooling window treats the borders (Keras' `padding=`).
public enum Padding: String, Sendable, CaseIterable {
    /// No padding: windows lie entirely inside the input.
    case valid
    /// Zero padding so the output has `ceil(input / stride)` positions.
    case same
    /// Zero padding of `(kernel − 1)·dilation` at the start only (1D convolutions).
    case causal

    /// The padding Keras calls `name` ("valid", "same", "causal"; any letter case), or nil.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The Keras name.
    public var name: String { rawValue }

    /// The names `init?(name:)` accepts, for error messages.
    public static let names = Padding.allCases.map(\.rawValue)
}

/// The zeros added before and after one spatial axis.
struct AxisPadding: Equatable {
    var before: Int
    var after: Int
}

extension Tensor {
    /// The output length of a convolution along one axis, exactly as Keras'
    /// `conv_utils.conv_output_length`: with `d = kernel + (kernel − 1)(dilation − 1)`,
    /// `same`/`causal` give `input` and `valid` gives `input − d + 1`, then
    /// `floor((length + stride − 1) / stride)`. May be ≤ 0; the caller reports that.
    public static func convOutputLength(_ input: Int, kernel: Int, stride: Int, padding: Padding, dilation: Int) -> Int {
        let dilated = kernel + (kernel - 1) * (dilation - 1)
        let length = padding == .valid ? input - dilated + 1 : input
        let numerator = length + stride - 1
        // Python's floor division (numerator may be negative).
        let q = numerator / stride
        return (numerator % stride != 0 && (numerator < 0) != (stride < 0)) ? q - 1 : q
    }

    /// The zeros a window of `kernel` taps (spaced by `dilation`) needs on each side of an
    /// axis of length `input` for `padding`, split as TensorFlow does for 'same'.
    static func axisPadding(_ input: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding) -> AxisPadding {
        let dilated = (kernel - 1) * dilation + 1
        switch padding {
        case .valid:
            return AxisPadding(before: 0, after: 0)
        case .same:
            let out = (input + stride - 1) / stride
            let total = Swift.max((out - 1) * stride + dilated - input, 0)
            return AxisPadding(before: total / 2, after: total - total / 2)
        case .causal:
            return AxisPadding(before: dilated - 1, after: 0)
        }
    }
}

/// The geometry of a 2D sliding-window operation over `[N, H, W, C]` input.
struct WindowGeometry {
    var batch: Int, height: Int, width: Int, channels: Int
    var kernelHeight: Int, kernelWidth: Int
    var strideHeight: Int, strideWidth: Int
    var dilationHeight: Int, dilationWidth: Int
    var top: AxisPadding, left: AxisPadding
    var outHeight: Int { (height + top.before + top.after - (kernelHeight - 1) * dilationHeight - 1) / strideHeight + 1 }
    var outWidth: Int { (width + left.before + left.after - (kernelWidth - 1) * dilationWidth - 1) / strideWidth + 1 }

    /// Validates the hyperparameters and computes the padding; `what` names the operation in errors.
    init(
        input: [Int], kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: Padding,
        what: String, kernelShape: [Int], allowCausal: Bool = false
    ) throws {
        guard strides.0 >= 1, strides.1 >= 1, dilation.0 >= 1, dilation.1 >= 1, kernel.0 >= 1, kernel.1 >= 1 else {
            throw ShapeError("\(what): strides (\(strides.0), \(strides.1)), dilation (\(dilation.0), \(dilation.1)) and window (\(kernel.0), \(kernel.1)) must be positive")
        }
        guard input.count == 4, input.allSatisfy({ $0 >= 0 }), kernelShape.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError("\(what): input shape \(Tensor.describe(input)) and kernel shape \(Tensor.describe(kernelShape)) must have non-negative sizes")
        }
        guard padding != .causal || allowCausal else {
            throw ShapeError("\(what) does not support causal padding (only 1D convolutions do)")
        }
        batch = input[0]; height = input[1]; width = input[2]; channels = input[3]
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideHeight = strides.0; strideWidth = strides.1
        dilationHeight = dilation.0; dilationWidth = dilation.1
        top = Tensor.axisPadding(height, kernel: kernel.0, stride: strides.0, dilation: dilation.0, padding: padding == .causal ? .valid : padding)
        left = Tensor.axisPadding(width, kernel: kernel.1, stride: strides.1, dilation: dilation.1, padding: padding)
        guard height + top.before + top.after >= (kernelHeight - 1) * dilationHeight + 1,
              width + left.before + left.after >= (kernelWidth - 1) * dilationWidth + 1 else {
            throw ShapeError("\(what): computed output size would be negative: input shape \(Tensor.describe(input)), window/kernel shape \(Tensor.describe(kernelShape)), strides (\(strides.0), \(strides.1)), dilation (\(dilation.0), \(dilation.1)), padding '\(padding.name)'")
        }
    }
}

/// Output positions per im2col tile are chosen so a tile holds about this many floats.
private let im2colTileElements = 1 << 19

/// The 2D convolution of `x` (`[N, H, W, C]`) with `kernel` (`[KH, KW, C, F]`), plus `bias`
/// (`[F]`) if given: `y[n, i, j, f] = Σ x[n, i·sh + a·dh − top, j·sw + b·dw − left, c] ·
/// kernel[a, b, c, f] + bias[f]` over the window, with zeros outside the input. Output
/// `[N, H', W', F]` with `H'`, `W'` from `Tensor.convOutputLength`. Computed by im2col and
/// sgemm in tiles of output rows, split across cores by image and tile (a 1×1 stride-1
/// convolution is one GEMM). Throws `ShapeError` for mismatched shapes or an empty output.
public func conv2d(
    _ x: Tensor, kernel: Tensor, bias: Tensor? = nil,
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1),
    activation: Activation = .linear
) throws -> Tensor {
    try conv2d(x, kernel: kernel, bias: bias, strides: strides, padding: padding, dilation: dilation, allowCausal: false,
               what: "conv2d", activation: activation)
}

/// The 1D convolution of `x` (`[N, W, C]`) with `kernel` (`[K, C, F]`) plus `bias` (`[F]`):
/// `y[n, j, f] = Σ x[n, j·stride + a·dilation − left, c] · kernel[a, c, f] + bias[f]`. Padding
/// may be valid, same or causal (`(K − 1)·dilation` zeros on the left, so output j sees inputs
/// ≤ j). Output `[N, W', F]`. Runs as `conv2d` on a height-1 image.
public func conv1d(
    _ x: Tensor, kernel: Tensor, bias: Tensor? = nil,
    stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    try forward1D(x, kernel: kernel, bias: bias, stride: stride, padding: padding, dilation: dilation,
                  what: "conv1d", kernelLayout: "[width, in_channels, filters]") {
        try conv2d($0, kernel: $1, bias: $2, strides: $3, padding: $4, dilation: $5, allowCausal: true, what: "conv1d")
    }
}

/// A 1-D convolution run by its 2-D kernel on an image of height 1: `x` `[N, W, C]` and the
/// kernel `[K, …]` gain a unit height, the output loses it.
private func forward1D(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, stride: Int, padding: Padding, dilation: Int, what: String, kernelLayout: String,
    _ kernel2D: (Tensor, Tensor, Tensor?, (Int, Int), Padding, (Int, Int)) throws -> Tensor
) throws -> Tensor {
    guard x.rank == 3, kernel.rank == 3 else {
        throw ShapeError("\(what) expects input [batch, width, channels] and kernel \(kernelLayout), got input \(Tensor.describe(x.shape)) and kernel \(Tensor.describe(kernel.shape))")
    }
    let y = try kernel2D(x.reshaped([x.shape[0], 1, x.shape[1], x.shape[2]]), kernel.reshaped([1] + kernel.shape), bias,
                         (1, stride), padding, (1, dilation))
    return try y.reshaped([y.shape[0], y.shape[2], y.shape[3]])
}

func conv2d(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, strides: (Int, Int), padding: Padding, dilation: (Int, Int),
    allowCausal: Bool, what: String, activation: Activation = .linear
) throws -> Tensor {
    // Softmax mixes a whole row of filters; it runs after the convolution instead of per tile.
    if activation == .softmax || activation == .logSoftmax {
        return activation.apply(try conv2d(x, kernel: kernel, bias: bias, strides: strides, padding: padding,
                                           dilation: dilation, allowCausal: allowCausal, what: what))
    }
    guard x.rank == 4, kernel.rank == 4, kernel.shape[2] == x.shape[3] else {
        throw ShapeError("\(what): input \(Tensor.describe(x.shape)) and kernel \(Tensor.describe(kernel.shape)) do not match: expected input [batch, height, width, channels] and kernel [height, width, channels, filters] with equal channels")
    }
    let filters = kernel.shape[3]
    if let bias, bias.shape != [filters] {
        throw ShapeError("\(what): bias of shape \(Tensor.describe(bias.shape)) does not match \(filters) filters of kernel \(Tensor.describe(kernel.shape))")
    }
    let g = try WindowGeometry(
        input: x.shape, kernel: (kernel.shape[0], kernel.shape[1]), strides: strides, dilation: dilation,
        padding: padding, what: what, kernelShape: kernel.shape, allowCausal: allowCausal)
    let outShape = [g.batch, g.outHeight, g.outWidth, filters]
    let biasPointer = bias?.pointer
    let patch = g.kernelHeight * g.kernelWidth * g.channels
    let pixels = g.batch * g.outHeight * g.outWidth
    guard pixels > 0, filters > 0 else { return Tensor(shape: outShape) }

    // A 1×1 stride-1 convolution is one product of [N·H·W, C] by [C, F].
    // Tiles of output rows small enough to stay in cache while bias and activation are applied.
    if g.kernelHeight == 1, g.kernelWidth == 1, g.strideHeight == 1, g.strideWidth == 1,
       g.top == AxisPadding(before: 0, after: 0), g.left == AxisPadding(before: 0, after: 0) {
        let tileRows = Swift.max(64, pointwiseTileElements / Swift.max(1, filters + g.channels))
        let tiles = (pixels + tileRows - 1) / tileRows
        let source = x.pointer, weights = kernel.pointer
        return Tensor.filled(shape: outShape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: tiles, minimumChunk: 1) { range in
                for tile in range {
                    let r0 = tile * tileRows, m = Swift.min(tileRows, pixels - r0)
                    let c = shared.value + r0 * filters
                    gemm(transA: false, transB: false, m: m, n: filters, k: g.channels,
                         a: source + r0 * g.channels, lda: g.channels, b: weights, ldb: filters, c: c, ldc: filters)
                    epilogue(c, rows: m, biasPointer, filters, activation)
                }
            }
        }
    }

    let rowsPerTile = Swift.max(1, Swift.min(g.outHeight, im2colTileElements / Swift.max(1, g.outWidth * patch)))
    let tilesPerImage = (g.outHeight + rowsPerTile - 1) / rowsPerTile
    let items = g.batch * tilesPerImage
    let source = x.pointer, weights = kernel.pointer
    return Tensor.filled(shape: outShape) { out in
        let shared = UncheckedSendable(out)
        let work = { (range: Range<Int>) in
            let columns = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerTile * g.outWidth * patch)
            defer { columns.deallocate() }
            for item in range {
                let n = item / tilesPerImage
                let r0 = (item % tilesPerImage) * rowsPerTile, r1 = Swift.min(r0 + rowsPerTile, g.outHeight)
                im2col(source, g, image: n, rows: r0..<r1, into: columns)
                let m = (r1 - r0) * g.outWidth
                let c = shared.value + ((n * g.outHeight + r0) * g.outWidth) * filters
                gemm(transA: false, transB: false, m: m, n: filters, k: patch,
                     a: columns, lda: patch, b: weights, ldb: filters, c: c, ldc: filters)
                epilogue(c, rows: m, biasPointer, filters, activation)
            }
        }
        // Enough tiles: one chunk of tiles per core. Few: tile by tile, each GEMM split.
        if items >= 2 * Parallel.coreCount {
            Parallel.forEachChunk(count: items, minimumChunk: 1, work)
        } else {
            work(0..<items)
        }
    }
}

/// Writes the patches of output rows `rows` of image `image` as a matrix with one row per
/// output position (row-major over the tile) and `KH·KW·C` columns ordered (kh, kw, c), the
/// order of a `[KH, KW, C, F]` kernel; taps outside the input are 0.
func im2col(_ x: UnsafePointer<Float>, _ g: WindowGeometry, image n: Int, rows: Range<Int>, into columns: UnsafeMutablePointer<Float>) {
    let c = g.channels, kw = g.kernelWidth
    let patch = g.kernelHeight * kw * c
    let imageBase = x + n * g.height * g.width * c
    var dst = columns
    for oh in rows {
        for ow in 0..<g.outWidth {
            let iw0 = ow * g.strideWidth - g.left.before
            let rowContiguous = g.dilationWidth == 1 && iw0 >= 0 && iw0 + kw <= g.width
            var p = dst
            for a in 0..<g.kernelHeight {
                let ih = oh * g.strideHeight + a * g.dilationHeight - g.top.before
                if ih < 0 || ih >= g.height {
                    p.update(repeating: 0, count: kw * c)
                } else if rowContiguous {
                    p.update(from: imageBase + (ih * g.width + iw0) * c, count: kw * c)
                } else {
                    let rowBase = imageBase + ih * g.width * c
                    for b in 0..<kw {
                        let iw = iw0 + b * g.dilationWidth
                        if iw < 0 || iw >= g.width {
                            (p + b * c).update(repeating: 0, count: c)
                        } else {
                            (p + b * c).update(from: rowBase + iw * c, count: c)
                        }
                    }
                }
                p += kw * c
            }
            dst += patch
        }
    }
}

/// Output elements per tile of a 1×1 convolution (about 1 MB with its input rows).
let pointwiseTileElements = 1 << 18

/// What follows a convolution tile while it is in cache: the bias added to each row, then the
/// (elementwise) activation.
@inline(__always)
func epilogue(_ tile: UnsafeMutablePointer<Float>, rows: Int, _ bias: UnsafePointer<Float>?, _ length: Int, _ activation: Activation) {
    if let bias { addRowVector(tile, rows: rows, bias, length) }
    activation.applyInPlace(tile, count: rows * length)
}

/// `matrix[r, j] += vector[j]` for `rows` rows of `length` elements.
@inline(__always)
func addRowVector(_ matrix: UnsafeMutablePointer<Float>, rows: Int, _ vector: UnsafePointer<Float>, _ length: Int) {
    for r in 0..<rows {
        let row = matrix + r * length
        for j in 0..<length { row[j] += vector[j] }
    }
}

/// The depthwise 2D convolution of `x` (`[N, H, W, C]`) with `kernel` (`[KH, KW, C, M]`, M the
/// depth multiplier) plus `bias` (`[C·M]`): each input channel c is convolved with its own M
/// filters, `y[n, i, j, c·M + m] = Σ x[n, i·sh + a·dh − top, j·sw + b·dw − left, c] ·
/// kernel[a, b, c, m] + bias[c·M + m]` (TensorFlow's channel order). Output `[N, H', W', C·M]`.
/// A direct loop, vectorised over channels, split across cores by output row.
public func depthwiseConv2d(
    _ x: Tensor, kernel: Tensor, bias: Tensor? = nil,
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1)
) throws -> Tensor {
    try depthwiseConv2d(x, kernel: kernel, bias: bias, strides: strides, padding: padding, dilation: dilation, allowCausal: false, what: "depthwiseConv2d")
}

/// The depthwise 1D convolution of `x` (`[N, W, C]`) with `kernel` (`[K, C, M]`) plus `bias`
/// (`[C·M]`): `y[n, j, c·M + m] = Σ x[n, j·stride + a·dilation − left, c] · kernel[a, c, m] +
/// bias[c·M + m]`; padding valid, same or causal. Output `[N, W', C·M]`.
public func depthwiseConv1d(
    _ x: Tensor, kernel: Tensor, bias: Tensor? = nil,
    stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    try forward1D(x, kernel: kernel, bias: bias, stride: stride, padding: padding, dilation: dilation,
                  what: "depthwiseConv1d", kernelLayout: "[width, channels, multiplier]") {
        try depthwiseConv2d($0, kernel: $1, bias: $2, strides: $3, padding: $4, dilation: $5, allowCausal: true, what: "depthwiseConv1d")
    }
}

func depthwiseConv2d(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, strides: (Int, Int), padding: Padding, dilation: (Int, Int),
    allowCausal: Bool, what: String
) throws -> Tensor {
    guard x.rank == 4, kernel.rank == 4, kernel.shape[2] == x.shape[3] else {
        throw ShapeError("\(what): input \(Tensor.describe(x.shape)) and kernel \(Tensor.describe(kernel.shape)) do not match: expected input [batch, height, width, channels] and kernel [height, width, channels, depth_multiplier] with equal channels")
    }
    let c = x.shape[3], multiplier = kernel.shape[3], outChannels = c * multiplier
    if let bias, bias.shape != [outChannels] {
        throw ShapeError("\(what): bias of shape \(Tensor.describe(bias.shape)) does not match the \(outChannels) output channels of kernel \(Tensor.describe(kernel.shape))")
    }
    let g = try WindowGeometry(
        input: x.shape, kernel: (kernel.shape[0], kernel.shape[1]), strides: strides, dilation: dilation,
        padding: padding, what: what, kernelShape: kernel.shape, allowCausal: allowCausal)
    let outShape = [g.batch, g.outHeight, g.outWidth, outChannels]
    guard Tensor.count(of: outShape) > 0 else { return Tensor(shape: outShape) }
    let source = x.pointer, weights = kernel.pointer, biasPointer = bias?.pointer
    let rows = g.batch * g.outHeight
    let rowWork = g.outWidth * outChannels * g.kernelHeight * g.kernelWidth
    if multiplier == 1 && g.strideWidth == 1 {
        return depthwiseRowsStride1(source, weights, biasPointer, g, channels: c, outShape: outShape)
    }
    return Tensor.filled(shape: outShape) { out in
        let shared = UncheckedSendable(out)
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, 16_384 / rowWork)) { range in
            for row in range {
                let n = row / g.outHeight, oh = row % g.outHeight
                let image = source + n * g.height * g.width * c
                for ow in 0..<g.outWidth {
                    let o = shared.value + (row * g.outWidth + ow) * outChannels
                    if let biasPointer {
                        o.update(from: biasPointer, count: outChannels)
                    } else {
                        o.update(repeating: 0, count: outChannels)
                    }
                    for a in 0..<g.kernelHeight {
                        let ih = oh * g.strideHeight + a * g.dilationHeight - g.top.before
                        if ih < 0 || ih >= g.height { continue }
                        for b in 0..<g.kernelWidth {
                            let iw = ow * g.strideWidth + b * g.dilationWidth - g.left.before
                            if iw < 0 || iw >= g.width { continue }
                            let xp = image + (ih * g.width + iw) * c
                            let kp = weights + (a * g.kernelWidth + b) * outChannels
                            depthwiseMultiplyAdd(o, xp, kp, channels: c, multiplier: multiplier)
                        }
                    }
                }
            }
        }
    }
}

/// The separable 2D convolution (Keras' SeparableConv2D): `depthwiseConv2d(x,
/// depthwiseKernel)` (`[KH, KW, C, M]`, no bias) followed by a 1×1 convolution with
/// `pointwiseKernel` (`[1, 1, C·M, F]`) plus `bias` (`[F]`). Output `[N, H', W', F]`.
public func separableConv2d(
    _ x: Tensor, depthwiseKernel: Tensor, pointwiseKernel: Tensor, bias: Tensor? = nil,
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1),
    activation: Activation = .linear
) throws -> Tensor {
    if depthwiseKernel.rank == 4, depthwiseKernel.shape[3] == 1, strides.1 == 1, x.rank == 4, depthwiseKernel.shape[2] == x.shape[3],
       pointwiseKernel.rank == 4, pointwiseKernel.shape[0] == 1, pointwiseKernel.shape[1] == 1, pointwiseKernel.shape[2] == x.shape[3],
       activation != .softmax, activation != .logSoftmax, bias.map({ $0.shape == [pointwiseKernel.shape[3]] }) ?? true {
        let g = try WindowGeometry(
            input: x.shape, kernel: (depthwiseKernel.shape[0], depthwiseKernel.shape[1]), strides: strides, dilation: dilation,
            padding: padding, what: "separableConv2d", kernelShape: depthwiseKernel.shape, allowCausal: false)
        if g.batch * g.outHeight * g.outWidth > 0 {
            return separableFused(x, depthwise: depthwiseKernel, pointwise: pointwiseKernel, bias: bias, g, activation: activation)
        }
    }
    let depthwise = try depthwiseConv2d(x, kernel: depthwiseKernel, bias: nil, strides: strides, padding: padding, dilation: dilation,
                                        allowCausal: false, what: "separableConv2d")
    let mid = depthwise.shape[3]
    guard pointwiseKernel.rank == 4, pointwiseKernel.shape[0] == 1, pointwiseKernel.shape[1] == 1, pointwiseKernel.shape[2] == mid else {
        throw ShapeError("separableConv2d: pointwise kernel of shape \(Tensor.describe(pointwiseKernel.shape)) does not match depthwise kernel \(Tensor.describe(depthwiseKernel.shape)): expected (1, 1, \(mid), filters)")
    }
    return try conv2d(depthwise, kernel: pointwiseKernel, bias: bias, strides: (1, 1), padding: .valid, dilation: (1, 1),
                      allowCausal: false, what: "separableConv2d", activation: activation)
}

/// The separable 1D convolution (Keras' SeparableConv1D): `depthwiseConv1d(x,
/// depthwiseKernel)` (`[K, C, M]`) followed by a pointwise convolution with `pointwiseKernel`
/// (`[1, C·M, F]`) plus `bias` (`[F]`); padding valid, same or causal. Output `[N, W', F]`.
public func separableConv1d(
    _ x: Tensor, depthwiseKernel: Tensor, pointwiseKernel: Tensor, bias: Tensor? = nil,
    stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    let depthwise = try depthwiseConv1d(x, kernel: depthwiseKernel, bias: nil, stride: stride, padding: padding, dilation: dilation)
    let mid = depthwise.shape[2]
    guard pointwiseKernel.rank == 3, pointwiseKernel.shape[0] == 1, pointwiseKernel.shape[1] == mid else {
        throw ShapeError("separableConv1d: pointwise kernel of shape \(Tensor.describe(pointwiseKernel.shape)) does not match depthwise kernel \(Tensor.describe(depthwiseKernel.shape)): expected (1, \(mid), filters)")
    }
    return try conv1d(depthwise, kernel: pointwiseKernel, bias: bias)
}

// MARK: - Gradients

/// Checks `upstream` has the shape the forward convolution produced.
private func checkUpstream(_ upstream: Tensor, _ expected: [Int], what: String) throws {
    guard upstream.shape == expected else {
        throw ShapeError("\(what): upstream gradient of shape \(Tensor.describe(upstream.shape)) does not match the output shape \(Tensor.describe(expected))")
    }
}

/// Whether a convolution with this geometry is a plain product of `[N·H·W, C]` by `[C, F]`.
private func isPointwise(_ g: WindowGeometry) -> Bool {
    g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1
        && g.top == AxisPadding(before: 0, after: 0) && g.left == AxisPadding(before: 0, after: 0)
}

/// The gradient of `conv2d` with respect to its input: `∂x` of shape `inputShape`
/// (`[N, H, W, C]`) given `∂y` (`upstream`, `[N, H', W', F]`) and the `[KH, KW, C, F]` kernel.
/// Computed per tile as `∂columns = ∂y · kernelᵀ` (sgemm), then col2im adds each patch back
/// to the input positions it came from; images run in fixed chunks across cores.
public func conv2dBackwardInput(
    _ upstream: Tensor, kernel: Tensor, inputShape: [Int],
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1)
) throws -> Tensor {
    try conv2dBackwardInput(upstream, kernel: kernel, inputShape: inputShape, strides: strides, padding: padding, dilation: dilation,
                            allowCausal: false, what: "conv2dBackwardInput")
}

/// The gradient of `conv2d` with respect to its kernel: `∂kernel` of shape `kernelShape`
/// (`[KH, KW, C, F]`) given the input `x` and `∂y` (`upstream`). Each chunk of images
/// accumulates `columnsᵀ · ∂y` (sgemm) into its own partial sum; the partials are added in
/// chunk order, so the result is deterministic. (The bias gradient is `upstream.sum(axes: [0, 1, 2])`.)
public func conv2dBackwardKernel(
    _ x: Tensor, upstream: Tensor, kernelShape: [Int],
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1)
) throws -> Tensor {
    try conv2dBackwardKernel(x, upstream: upstream, kernelShape: kernelShape, strides: strides, padding: padding, dilation: dilation,
                             allowCausal: false, what: "conv2dBackwardKernel")
}

/// The gradient of `conv1d` with respect to its input (`[N, W, C]`), given `∂y` (`[N, W', F]`).
public func conv1dBackwardInput(
    _ upstream: Tensor, kernel: Tensor, inputShape: [Int], stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    try backwardInput1D(upstream, kernel: kernel, inputShape: inputShape, stride: stride, padding: padding, dilation: dilation,
                        what: "conv1dBackwardInput", conv2dBackwardInput)
}

/// The gradient of `conv1d` with respect to its kernel (`[K, C, F]`).
public func conv1dBackwardKernel(
    _ x: Tensor, upstream: Tensor, kernelShape: [Int], stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    try backwardKernel1D(x, upstream: upstream, kernelShape: kernelShape, stride: stride, padding: padding, dilation: dilation,
                         what: "conv1dBackwardKernel", conv2dBackwardKernel)
}

/// The geometry of a convolution of an input of `inputShape` by a kernel of `kernelShape`
/// (`[KH, KW, C, ·]`), validated.
private func convolutionGeometry(
    inputShape: [Int], kernelShape: [Int], strides: (Int, Int), padding: Padding, dilation: (Int, Int), allowCausal: Bool, what: String
) throws -> WindowGeometry {
    guard inputShape.count == 4, kernelShape.count == 4, kernelShape[2] == inputShape[3] else {
        throw ShapeError("\(what): input \(Tensor.describe(inputShape)) and kernel \(Tensor.describe(kernelShape)) do not match: expected input [batch, height, width, channels] and kernel [height, width, channels, filters] with equal channels")
    }
    return try WindowGeometry(
        input: inputShape, kernel: (kernelShape[0], kernelShape[1]), strides: strides, dilation: dilation,
        padding: padding, what: what, kernelShape: kernelShape, allowCausal: allowCausal)
}

func conv2dBackwardInput(
    _ upstream: Tensor, kernel: Tensor, inputShape: [Int], strides: (Int, Int), padding: Padding, dilation: (Int, Int),
    allowCausal: Bool, what: String
) throws -> Tensor {
    let g = try convolutionGeometry(inputShape: inputShape, kernelShape: kernel.shape, strides: strides, padding: padding,
                                    dilation: dilation, allowCausal: allowCausal, what: what)
    let filters = kernel.shape[3]
    try checkUpstream(upstream, [g.batch, g.outHeight, g.outWidth, filters], what: what)
    let patch = g.kernelHeight * g.kernelWidth * g.channels
    let pixels = g.batch * g.outHeight * g.outWidth
    guard pixels > 0, filters > 0, g.channels > 0 else { return Tensor(shape: inputShape) }
    let dy = upstream.pointer, weights = kernel.pointer
    if isPointwise(g) {
        // Every element is written by the product, so the result needs no zeroing first.
        return Tensor.filled(shape: inputShape) { dx in
            gemm(transA: false, transB: true, m: pixels, n: g.channels, k: filters, a: dy, lda: filters, b: weights, ldb: filters, c: dx, ldc: g.channels)
        }
    }
    let result = Tensor(shape: inputShape)
    let dx = result.pointer
    let rowsPerTile = Swift.max(1, Swift.min(g.outHeight, im2colTileElements / Swift.max(1, g.outWidth * patch)))
    let shared = UncheckedSendable(dx)
    // Patches of one image overlap, so an image's tiles stay in one chunk.
    let work = { (images: Range<Int>) in
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerTile * g.outWidth * patch)
        defer { columns.deallocate() }
        for n in images {
            var r0 = 0
            while r0 < g.outHeight {
                let r1 = Swift.min(r0 + rowsPerTile, g.outHeight), m = (r1 - r0) * g.outWidth
                gemm(transA: false, transB: true, m: m, n: patch, k: filters,
                     a: dy + ((n * g.outHeight + r0) * g.outWidth) * filters, lda: filters, b: weights, ldb: filters, c: columns, ldc: patch)
                col2im(columns, g, image: n, rows: r0..<r1, into: shared.value)
                r0 = r1
            }
        }
    }
    if g.batch >= 2 * Parallel.coreCount {
        Parallel.forEachChunk(count: g.batch, minimumChunk: 1, work)
    } else {
        work(0..<g.batch)
    }
    return result
}

/// Adds each row of `columns` (one patch per output position of rows `rows`, laid out as
/// `im2col` writes them) back to the input positions of image `image` it was read from.
func col2im(_ columns: UnsafePointer<Float>, _ g: WindowGeometry, image n: Int, rows: Range<Int>, into x: UnsafeMutablePointer<Float>) {
    let c = g.channels, kw = g.kernelWidth
    let patch = g.kernelHeight * kw * c
    let imageBase = x + n * g.height * g.width * c
    var src = columns
    for oh in rows {
        for ow in 0..<g.outWidth {
            let iw0 = ow * g.strideWidth - g.left.before
            var p = src
            for a in 0..<g.kernelHeight {
                let ih = oh * g.strideHeight + a * g.dilationHeight - g.top.before
                if ih >= 0 && ih < g.height {
                    let rowBase = imageBase + ih * g.width * c
                    for b in 0..<kw {
                        let iw = iw0 + b * g.dilationWidth
                        if iw >= 0 && iw < g.width {
                            let dst = rowBase + iw * c, q = p + b * c
                            for j in 0..<c { dst[j] += q[j] }
                        }
                    }
                }
                p += kw * c
            }
            src += patch
        }
    }
}

func conv2dBackwardKernel(
    _ x: Tensor, upstream: Tensor, kernelShape: [Int], strides: (Int, Int), padding: Padding, dilation: (Int, Int),
    allowCausal: Bool, what: String
) throws -> Tensor {
    let g = try convolutionGeometry(inputShape: x.shape, kernelShape: kernelShape, strides: strides, padding: padding,
                                    dilation: dilation, allowCausal: allowCausal, what: what)
    let filters = kernelShape[3]
    try checkUpstream(upstream, [g.batch, g.outHeight, g.outWidth, filters], what: what)
    let patch = g.kernelHeight * g.kernelWidth * g.channels
    let result = Tensor(shape: kernelShape)
    guard g.batch * g.outHeight * g.outWidth > 0, filters > 0, patch > 0 else { return result }
    let pointwise = isPointwise(g)
    let rowsPerTile = Swift.max(1, Swift.min(g.outHeight, im2colTileElements / Swift.max(1, g.outWidth * patch)))
    let tilesPerImage = (g.outHeight + rowsPerTile - 1) / rowsPerTile
    let items = g.batch * tilesPerImage
    let source = x.pointer, dy = upstream.pointer
    let chunks = items >= 2 * Parallel.coreCount ? Parallel.chunks(count: items, minimumChunk: 1) : [0..<items]
    // One partial ∂kernel per chunk; the first chunk writes into the result.
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(chunks.count - 1, 0) * patch * filters + 1)
    defer { partials.deallocate() }
    let shared = UncheckedSendable((result.pointer, partials))
    Parallel.forEachChunk(count: chunks.count, minimumChunk: 1) { chunkRange in
        for chunk in chunkRange {
            let (first, rest) = shared.value
            let accumulator = chunk == 0 ? first : rest + (chunk - 1) * patch * filters
            accumulator.update(repeating: 0, count: patch * filters)
            let columns = pointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rowsPerTile * g.outWidth * patch)
            defer { columns?.deallocate() }
            for item in chunks[chunk] {
                let n = item / tilesPerImage
                let r0 = (item % tilesPerImage) * rowsPerTile, r1 = Swift.min(r0 + rowsPerTile, g.outHeight)
                let m = (r1 - r0) * g.outWidth
                let a: UnsafePointer<Float>
                if let columns {
                    im2col(source, g, image: n, rows: r0..<r1, into: columns)
                    a = UnsafePointer(columns)
                } else {
                    a = UnsafePointer(source + ((n * g.height + r0) * g.width) * g.channels)
                }
                gemm(transA: true, transB: false, m: patch, n: filters, k: m,
                     a: a, lda: patch, b: dy + ((n * g.outHeight + r0) * g.outWidth) * filters, ldb: filters,
                     beta: 1, c: accumulator, ldc: filters)
            }
        }
    }
    let out = result.pointer
    for chunk in 1..<Swift.max(chunks.count, 1) {
        let partial = partials + (chunk - 1) * patch * filters
        for i in 0..<(patch * filters) { out[i] += partial[i] }
    }
    return result
}

/// The geometry of a depthwise convolution of an input of `inputShape` by a kernel of
/// `kernelShape` (`[KH, KW, C, M]`), validated.
private func depthwiseGeometry(
    inputShape: [Int], kernelShape: [Int], strides: (Int, Int), padding: Padding, dilation: (Int, Int), allowCausal: Bool, what: String
) throws -> WindowGeometry {
    guard inputShape.count == 4, kernelShape.count == 4, kernelShape[2] == inputShape[3] else {
        throw ShapeError("\(what): input \(Tensor.describe(inputShape)) and kernel \(Tensor.describe(kernelShape)) do not match: expected input [batch, height, width, channels] and kernel [height, width, channels, depth_multiplier] with equal channels")
    }
    return try WindowGeometry(
        input: inputShape, kernel: (kernelShape[0], kernelShape[1]), strides: strides, dilation: dilation,
        padding: padding, what: what, kernelShape: kernelShape, allowCausal: allowCausal)
}

/// The gradient of `depthwiseConv2d` with respect to its input (`inputShape`, `[N, H, W, C]`)
/// given `∂y` (`[N, H', W', C·M]`): each input position gathers `Σ ∂y[…, c·M + m] ·
/// kernel[a, b, c, m]` from the outputs whose windows cover it, so rows run independently
/// across cores.
public func depthwiseConv2dBackwardInput(
    _ upstream: Tensor, kernel: Tensor, inputShape: [Int],
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1)
) throws -> Tensor {
    try depthwiseConv2dBackwardInput(upstream, kernel: kernel, inputShape: inputShape, strides: strides, padding: padding,
                                     dilation: dilation, allowCausal: false, what: "depthwiseConv2dBackwardInput")
}

/// The gradient of `depthwiseConv2d` with respect to its kernel (`kernelShape`, `[KH, KW, C, M]`)
/// given the input `x` and `∂y`: `Σ x[n, …, c] · ∂y[n, …, c·M + m]` over every output position,
/// accumulated per chunk of output rows and added in chunk order. (The bias gradient is
/// `upstream.sum(axes: [0, 1, 2])`.)
public func depthwiseConv2dBackwardKernel(
    _ x: Tensor, upstream: Tensor, kernelShape: [Int],
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1)
) throws -> Tensor {
    try depthwiseConv2dBackwardKernel(x, upstream: upstream, kernelShape: kernelShape, strides: strides, padding: padding,
                                      dilation: dilation, allowCausal: false, what: "depthwiseConv2dBackwardKernel")
}

/// The gradient of `depthwiseConv1d` with respect to its input (`[N, W, C]`).
public func depthwiseConv1dBackwardInput(
    _ upstream: Tensor, kernel: Tensor, inputShape: [Int], stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    try backwardInput1D(upstream, kernel: kernel, inputShape: inputShape, stride: stride, padding: padding, dilation: dilation,
                        what: "depthwiseConv1dBackwardInput", depthwiseConv2dBackwardInput)
}

/// The gradient of `depthwiseConv1d` with respect to its kernel (`[K, C, M]`).
public func depthwiseConv1dBackwardKernel(
    _ x: Tensor, upstream: Tensor, kernelShape: [Int], stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    try backwardKernel1D(x, upstream: upstream, kernelShape: kernelShape, stride: stride, padding: padding, dilation: dilation,
                         what: "depthwiseConv1dBackwardKernel", depthwiseConv2dBackwardKernel)
}

func depthwiseConv2dBackwardInput(
    _ upstream: Tensor, kernel: Tensor, inputShape: [Int], strides: (Int, Int), padding: Padding, dilation: (Int, Int),
    allowCausal: Bool, what: String
) throws -> Tensor {
    let g = try depthwiseGeometry(inputShape: inputShape, kernelShape: kernel.shape, strides: strides, padding: padding,
                                  dilation: dilation, allowCausal: allowCausal, what: what)
    let c = g.channels, multiplier = kernel.shape[3], outChannels = c * multiplier
    try checkUpstream(upstream, [g.batch, g.outHeight, g.outWidth, outChannels], what: what)
    guard Tensor.count(of: inputShape) > 0, outChannels > 0 else { return Tensor(shape: inputShape) }
    let dy = upstream.pointer, weights = kernel.pointer
    if multiplier == 1 && g.strideWidth == 1 && c % 8 == 0 && g.kernelHeight == 3 && g.kernelWidth == 3 {
        // The 3×3 row kernel writes every element, so the result needs no zeroing first.
        return Tensor.filled(shape: inputShape) { depthwiseBackwardInputRows(dy, weights, g, into: $0) }
    }
    let result = Tensor(shape: inputShape)
    if multiplier == 1 && g.strideWidth == 1 {
        depthwiseBackwardInputRows(dy, weights, g, into: result.pointer)
        return result
    }
    let shared = UncheckedSendable(result.pointer)
    let rows = g.batch * g.height
    Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, 16_384 / Swift.max(1, g.width * outChannels * g.kernelHeight * g.kernelWidth))) { range in
        for row in range {
            let n = row / g.height, ih = row % g.height
            for iw in 0..<g.width {
                let d = shared.value + (row * g.width + iw) * c
                for a in 0..<g.kernelHeight {
                    // The output row whose window puts tap a on input row ih, if any.
                    let t = ih + g.top.before - a * g.dilationHeight
                    guard t >= 0, t % g.strideHeight == 0 else { continue }
                    let oh = t / g.strideHeight
                    guard oh < g.outHeight else { continue }
                    for b in 0..<g.kernelWidth {
                        let u = iw + g.left.before - b * g.dilationWidth
                        guard u >= 0, u % g.strideWidth == 0 else { continue }
                        let ow = u / g.strideWidth
                        guard ow < g.outWidth else { continue }
                        let gp = dy + ((n * g.outHeight + oh) * g.outWidth + ow) * outChannels
                        let kp = weights + (a * g.kernelWidth + b) * outChannels
                        if multiplier == 1 {
                            multiplyAdd(d, gp, kp, c)
                        } else {
                            for j in 0..<c {
                                var total: Float = 0
                                for m in 0..<multiplier { total += gp[j * multiplier + m] * kp[j * multiplier + m] }
                                d[j] += total
                            }
                        }
                    }
                }
            }
        }
    }
    return result
}

func depthwiseConv2dBackwardKernel(
    _ x: Tensor, upstream: Tensor, kernelShape: [Int], strides: (Int, Int), padding: Padding, dilation: (Int, Int),
    allowCausal: Bool, what: String
) throws -> Tensor {
    let g = try depthwiseGeometry(inputShape: x.shape, kernelShape: kernelShape, strides: strides, padding: padding,
                                  dilation: dilation, allowCausal: allowCausal, what: what)
    let c = g.channels, multiplier = kernelShape[3], outChannels = c * multiplier
    try checkUpstream(upstream, [g.batch, g.outHeight, g.outWidth, outChannels], what: what)
    let result = Tensor(shape: kernelShape)
    let size = result.count
    let rows = g.batch * g.outHeight
    guard size > 0, rows * g.outWidth > 0 else { return result }
    let chunks = Parallel.chunks(count: rows, minimumChunk: Swift.max(1, 16_384 / Swift.max(1, g.outWidth * size)))
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(chunks.count - 1, 0) * size + 1)
    defer { partials.deallocate() }
    let source = x.pointer, dy = upstream.pointer
    let shared = UncheckedSendable((result.pointer, partials))
    let rowWise = multiplier == 1 && g.strideWidth == 1
    Parallel.forEachChunk(count: chunks.count, minimumChunk: 1) { chunkRange in
        for chunk in chunkRange {
            let (first, rest) = shared.value
            let accumulator = chunk == 0 ? first : rest + (chunk - 1) * size
            if rowWise {
                depthwiseBackwardKernelRows(source, dy, g, rows: chunks[chunk], into: accumulator)
                continue
            }
            accumulator.update(repeating: 0, count: size)
            for row in chunks[chunk] {
                let n = row / g.outHeight, oh = row % g.outHeight
                let image = source + n * g.height * g.width * c
                for ow in 0..<g.outWidth {
                    let gp = dy + (row * g.outWidth + ow) * outChannels
                    for a in 0..<g.kernelHeight {
                        let ih = oh * g.strideHeight + a * g.dilationHeight - g.top.before
                        if ih < 0 || ih >= g.height { continue }
                        for b in 0..<g.kernelWidth {
                            let iw = ow * g.strideWidth + b * g.dilationWidth - g.left.before
                            if iw < 0 || iw >= g.width { continue }
                            let xp = image + (ih * g.width + iw) * c
                            let kp = accumulator + (a * g.kernelWidth + b) * outChannels
                            depthwiseMultiplyAdd(kp, xp, gp, channels: c, multiplier: multiplier)
                        }
                    }
                }
            }
        }
    }
    let out = result.pointer
    for chunk in 1..<Swift.max(chunks.count, 1) {
        let partial = partials + (chunk - 1) * size
        for i in 0..<size { out[i] += partial[i] }
    }
    return result
}

/// `o[j·M + m] += x[j] · k[j·M + m]` for channels j and depth multiplier M: one kernel tap of a
/// depthwise convolution (forward, `o` an output pixel and `k` the tap's weights) or of its
/// kernel gradient (`o` the tap's gradient and `k` the upstream pixel).
@inline(__always)
private func depthwiseMultiplyAdd(
    _ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ k: UnsafePointer<Float>, channels c: Int, multiplier: Int
) {
    if multiplier == 1 { return multiplyAdd(o, x, k, c) }
    for j in 0..<c {
        let v = x[j], oj = o + j * multiplier, kj = k + j * multiplier
        for m in 0..<multiplier { oj[m] += v * kj[m] }
    }
}

/// `o[j] += x[j] · k[j]` for j < n, eight lanes at a time (kernel taps of a depthwise
/// convolution with depth multiplier 1, forward and backward; the plain loop does not
/// vectorise because the compiler cannot rule out `o` overlapping `x` or `k`).
@inline(__always)
private func multiplyAdd(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ n: Int) {
    var j = 0
    let out = UnsafeMutableRawPointer(o), xs = UnsafeRawPointer(x), ks = UnsafeRawPointer(k)
    while j + 8 <= n {
        let offset = j * MemoryLayout<Float>.stride
        let acc = out.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            .addingProduct(xs.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), ks.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self))
        out.storeBytes(of: acc, toByteOffset: offset, as: SIMD8<Float>.self)
        j += 8
    }
    while j < n {
        o[j] += x[j] * k[j]
        j += 1
    }
}

/// For output row `oh` of `image`: each kernel tap `a·KW + b` whose input row lies inside the
/// image, with that input row and the output columns `lo..<hi` whose input column
/// `ow + offset` (`offset = b·d − left`) lies inside it too: the contiguous spans the
/// depthwise row kernels work on.
@inline(__always)
private func forEachTapSpan(_ g: WindowGeometry, outputRow oh: Int, image: UnsafePointer<Float>,
                            _ body: (_ tap: Int, _ inputRow: UnsafePointer<Float>, _ lo: Int, _ hi: Int, _ offset: Int) -> Void) {
    for a in 0..<g.kernelHeight {
        let ih = oh * g.strideHeight + a * g.dilationHeight - g.top.before
        if ih < 0 || ih >= g.height { continue }
        let inputRow = image + ih * g.width * g.channels
        for b in 0..<g.kernelWidth {
            let offset = b * g.dilationWidth - g.left.before
            let lo = Swift.max(0, -offset), hi = Swift.min(g.outWidth, g.width - offset)
            guard lo < hi else { continue }
            body(a * g.kernelWidth + b, inputRow, lo, hi, offset)
        }
    }
}

/// Depthwise convolution with depth multiplier 1 and horizontal stride 1, one output row at a
/// time: for each kernel tap the row update `o[i] += x[i + shift] · k[i mod C]` runs over one
/// contiguous span of the row (width × channels), so it vectorises whatever the channel count
/// (three input channels included) and the window bounds are checked once per tap, not per pixel.
struct DepthwiseRowPlan {
    let g: WindowGeometry
    let channels: Int
    let rowLength: Int
    let taps: Int
    /// Each tap's kernel values repeated along a row, then the bias (or zeros) likewise.
    let repeated: [Float]

    init(_ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ g: WindowGeometry, channels c: Int) {
        self.g = g
        channels = c
        rowLength = g.outWidth * c
        taps = g.kernelHeight * g.kernelWidth
        let length = g.outWidth * c
        let biasRow = bias.map { b in (0..<length).map { b[$0 % c] } } ?? Array(repeating: 0, count: length)
        repeated = DepthwiseRowPlan.repeatedTaps(weights, taps: taps, channels: c, pixels: g.outWidth) + biasRow
    }

    /// Each tap's `c` kernel values repeated `pixels` times along a row, tap after tap, so a
    /// row update can multiply element by element.
    static func repeatedTaps(_ weights: UnsafePointer<Float>, taps: Int, channels c: Int, pixels: Int) -> [Float] {
        var repeated = [Float](repeating: 0, count: taps * pixels * c)
        for t in 0..<taps {
            for p in 0..<pixels {
                for j in 0..<c { repeated[(t * pixels + p) * c + j] = weights[t * c + j] }
            }
        }
        return repeated
    }

    /// Writes output row `row` (image-major, then output row) into `o`.
    func compute(row: Int, from source: UnsafePointer<Float>, into o: UnsafeMutablePointer<Float>, table: UnsafePointer<Float>,
                 weights: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>? = nil) {
        let c = channels
        let n = row / g.outHeight, oh = row % g.outHeight
        let image = source + n * g.height * g.width * c
        if let weights, c % 8 == 0, g.kernelHeight == 3, g.kernelWidth == 3 {
            func inputRow(_ a: Int) -> UnsafePointer<Float>? {
                let ih = oh * g.strideHeight + a * g.dilationHeight - g.top.before
                return ih < 0 || ih >= g.height ? nil : image + ih * g.width * c
            }
            depthwise3x3Row(o, pixels: g.outWidth, channels: c, sourceWidth: g.width, rows: (inputRow(0), inputRow(1), inputRow(2)),
                            shifts: (-g.left.before, g.dilationWidth - g.left.before, 2 * g.dilationWidth - g.left.before),
                            weights: weights, bias: bias)
            return
        }
        o.update(from: table + taps * rowLength, count: rowLength)
        forEachTapSpan(g, outputRow: oh, image: image) { tap, inputRow, lo, hi, offset in
            let k = table + tap * rowLength
            multiplyAdd(o + lo * c, inputRow + (lo + offset) * c, k + lo * c, (hi - lo) * c)
        }
    }
}

/// `depthwiseConv2dBackwardInput` with depth multiplier 1 and horizontal stride 1, one input
/// row at a time: for each tap whose output row covers the input row, `d[i] += ∂y[i + shift] ·
/// k[i mod C]` over one contiguous span of the row, as `DepthwiseRowPlan` does forward.
private func depthwiseBackwardInputRows(
    _ dy: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ g: WindowGeometry, into result: UnsafeMutablePointer<Float>
) {
    let c = g.channels, rowLength = g.width * c, outRowLength = g.outWidth * c
    let table = DepthwiseRowPlan.repeatedTaps(weights, taps: g.kernelHeight * g.kernelWidth, channels: c, pixels: g.width)
    let rows = g.batch * g.height
    let shared = UncheckedSendable(result)
    table.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        let kernels = UncheckedSendable(base)
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, 16_384 / Swift.max(1, rowLength * g.kernelHeight * g.kernelWidth))) { range in
            for row in range {
                let n = row / g.height, ih = row % g.height
                let d = shared.value + row * rowLength
                if c % 8 == 0, g.kernelHeight == 3, g.kernelWidth == 3 {
                    // The output rows over this input row, if any; columns mirrored.
                    func upstreamRow(_ a: Int) -> UnsafePointer<Float>? {
                        let t = ih + g.top.before - a * g.dilationHeight
                        guard t >= 0, t % g.strideHeight == 0, t / g.strideHeight < g.outHeight else { return nil }
                        return dy + (n * g.outHeight + t / g.strideHeight) * outRowLength
                    }
                    depthwise3x3Row(d, pixels: g.width, channels: c, sourceWidth: g.outWidth,
                                    rows: (upstreamRow(0), upstreamRow(1), upstreamRow(2)),
                                    shifts: (g.left.before, g.left.before - g.dilationWidth, g.left.before - 2 * g.dilationWidth),
                                    weights: weights, bias: nil)
                    continue
                }
                for a in 0..<g.kernelHeight {
                    // The output row whose window puts tap a on input row ih, if any.
                    let t = ih + g.top.before - a * g.dilationHeight
                    guard t >= 0, t % g.strideHeight == 0, t / g.strideHeight < g.outHeight else { continue }
                    let upstreamRow = dy + (n * g.outHeight + t / g.strideHeight) * outRowLength
                    for b in 0..<g.kernelWidth {
                        // Input columns iw whose output column iw + offset lies inside the output.
                        let offset = g.left.before - b * g.dilationWidth
                        let lo = Swift.max(0, -offset), hi = Swift.min(g.width, g.outWidth - offset)
                        guard lo < hi else { continue }
                        let k = kernels.value + (a * g.kernelWidth + b) * rowLength
                        multiplyAdd(d + lo * c, upstreamRow + (lo + offset) * c, k + lo * c, (hi - lo) * c)
                    }
                }
            }
        }
    }
}

/// `depthwiseConv2dBackwardKernel` with depth multiplier 1 and horizontal stride 1 over the
/// output rows `rows`: each tap's products `x[i + shift] · ∂y[i]` are summed along whole row
/// spans into a row-long buffer per tap, which is reduced to the tap's `C` values at the end;
/// the sums land in `accumulator` (`[KH·KW·C]`, overwritten).
private func depthwiseBackwardKernelRows(
    _ source: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ g: WindowGeometry, rows: Range<Int>,
    into accumulator: UnsafeMutablePointer<Float>
) {
    let c = g.channels, outRowLength = g.outWidth * c, taps = g.kernelHeight * g.kernelWidth
    if c % 8 == 0, g.kernelHeight == 3, g.kernelWidth == 3 {
        accumulator.update(repeating: 0, count: taps * c)
        for row in rows {
            let n = row / g.outHeight, oh = row % g.outHeight
            let image = source + n * g.height * g.width * c
            func inputRow(_ a: Int) -> UnsafePointer<Float>? {
                let ih = oh * g.strideHeight + a * g.dilationHeight - g.top.before
                return ih < 0 || ih >= g.height ? nil : image + ih * g.width * c
            }
            depthwise3x3KernelRow(dy + row * outRowLength, pixels: g.outWidth, channels: c, sourceWidth: g.width,
                                  rows: (inputRow(0), inputRow(1), inputRow(2)),
                                  shifts: (-g.left.before, g.dilationWidth - g.left.before, 2 * g.dilationWidth - g.left.before),
                                  sums: accumulator)
        }
        return
    }
    let sums = UnsafeMutablePointer<Float>.allocate(capacity: taps * outRowLength)
    defer { sums.deallocate() }
    sums.initialize(repeating: 0, count: taps * outRowLength)
    for row in rows {
        let n = row / g.outHeight, oh = row % g.outHeight
        let image = source + n * g.height * g.width * c
        let upstreamRow = dy + row * outRowLength
        forEachTapSpan(g, outputRow: oh, image: image) { tap, inputRow, lo, hi, offset in
            let tapSums = sums + tap * outRowLength
            multiplyAdd(tapSums + lo * c, inputRow + (lo + offset) * c, upstreamRow + lo * c, (hi - lo) * c)
        }
    }
    accumulator.update(repeating: 0, count: taps * c)
    for t in 0..<taps {
        let tapSums = sums + t * outRowLength, out = accumulator + t * c
        for ow in 0..<g.outWidth {
            for j in 0..<c { out[j] += tapSums[ow * c + j] }
        }
    }
}

/// Runs `body` with the three rows, a row of zeros (`sourceWidth` pixels) standing in for any
/// that is missing (above or below the image), so the kernels need no per-row branches.
@inline(__always)
private func withRowsOrZeros(_ rows: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?), length: Int,
                             _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
    if let r0 = rows.0, let r1 = rows.1, let r2 = rows.2 { return body(r0, r1, r2) }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(length, 1)) { zeros in
        guard let zero = zeros.baseAddress else { return }
        zero.initialize(repeating: 0, count: Swift.max(length, 1))
        body(rows.0 ?? UnsafePointer(zero), rows.1 ?? UnsafePointer(zero), rows.2 ?? UnsafePointer(zero))
    }
}

/// The pixels `first..<end` of a row whose every source column `p + shift` exists.
@inline(__always)
private func interior(pixels: Int, sourceWidth: Int, shifts: (Int, Int, Int)) -> (first: Int, end: Int) {
    let lowest = Swift.min(shifts.0, Swift.min(shifts.1, shifts.2)), highest = Swift.max(shifts.0, Swift.max(shifts.1, shifts.2))
    let first = Swift.min(pixels, Swift.max(0, -lowest))
    return (first, Swift.max(first, Swift.min(pixels, sourceWidth - highest)))
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

/// A 3×3 depthwise row for a channel count that is a multiple of eight: `out[p][j] = bias[j] +
/// Σ_{a,b} rows[a][p + shifts[b]][j] · w[a][b][j]`, skipping source columns outside
/// `0..<sourceWidth` (a nil row counts as zeros). Eight channels at a time, the nine weight
/// vectors in registers and one store per output vector (forward: the input rows under the
/// window; input gradient: the output rows over it, shifts mirrored).
private func depthwise3x3Row(
    _ out: UnsafeMutablePointer<Float>, pixels: Int, channels c: Int, sourceWidth: Int,
    rows: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?), shifts: (Int, Int, Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?
) {
    typealias Lanes = SIMD8<Float>
    let (s0, s1, s2) = shifts
    let (first, end) = interior(pixels: pixels, sourceWidth: sourceWidth, shifts: shifts)
    withRowsOrZeros(rows, length: sourceWidth * c) { r0, r1, r2 in
        for j in stride(from: 0, to: c, by: 8) {
            let w = weights + j
            let w00 = load8(w), w01 = load8(w + c), w02 = load8(w + 2 * c)
            let w10 = load8(w + 3 * c), w11 = load8(w + 4 * c), w12 = load8(w + 5 * c)
            let w20 = load8(w + 6 * c), w21 = load8(w + 7 * c), w22 = load8(w + 8 * c)
            let start = bias.map { load8($0 + j) } ?? Lanes(repeating: 0)
            @inline(__always) func edge(_ p: Int) {
                var total = start
                @inline(__always) func add(_ shift: Int, _ x: Lanes, _ y: Lanes, _ z: Lanes) {
                    let q = p + shift
                    guard q >= 0 && q < sourceWidth else { return }
                    total.addProduct(load8(r0 + q * c + j), x)
                total.addProduct(load8(r1 + q * c + j), y)
                total.addProduct(load8(r2 + q * c + j), z)
                }
                add(s0, w00, w10, w20)
                add(s1, w01, w11, w21)
                add(s2, w02, w12, w22)
                UnsafeMutableRawPointer(out + p * c + j).storeBytes(of: total, as: Lanes.self)
            }
            for p in 0..<first { edge(p) }
            let o0 = s0 * c, o1 = s1 * c, o2 = s2 * c
            var a = r0 + first * c + j, b = r1 + first * c + j, d = r2 + first * c + j
            var o = out + first * c + j
            for _ in first..<end {
                var total = start
                total.addProduct(load8(a + o0), w00)
                total.addProduct(load8(a + o1), w01)
                total.addProduct(load8(a + o2), w02)
                total.addProduct(load8(b + o0), w10)
                total.addProduct(load8(b + o1), w11)
                total.addProduct(load8(b + o2), w12)
                total.addProduct(load8(d + o0), w20)
                total.addProduct(load8(d + o1), w21)
                total.addProduct(load8(d + o2), w22)
                UnsafeMutableRawPointer(o).storeBytes(of: total, as: Lanes.self)
                a += c; b += c; d += c; o += c
            }
            for p in end..<pixels { edge(p) }
        }
    }
}

/// The 3×3 kernel gradient's share of one output row, for a channel count that is a multiple
/// of eight: `sums[a][b][j] += Σ_p rows[a][p + shifts[b]][j] · upstream[p][j]` (columns outside
/// the source skipped, nil rows skipped), the nine sums of eight channels kept in registers
/// along the row.
private func depthwise3x3KernelRow(
    _ upstream: UnsafePointer<Float>, pixels: Int, channels c: Int, sourceWidth: Int,
    rows: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?), shifts: (Int, Int, Int),
    sums: UnsafeMutablePointer<Float>
) {
    typealias Lanes = SIMD8<Float>
    let (s0, s1, s2) = shifts
    let (first, end) = interior(pixels: pixels, sourceWidth: sourceWidth, shifts: shifts)
    withRowsOrZeros(rows, length: sourceWidth * c) { r0, r1, r2 in
        for j in stride(from: 0, to: c, by: 8) {
            let w = sums + j
            var t00 = load8(w), t01 = load8(w + c), t02 = load8(w + 2 * c)
            var t10 = load8(w + 3 * c), t11 = load8(w + 4 * c), t12 = load8(w + 5 * c)
            var t20 = load8(w + 6 * c), t21 = load8(w + 7 * c), t22 = load8(w + 8 * c)
            @inline(__always) func edge(_ p: Int) {
                let g = load8(upstream + p * c + j)
                var q = p + s0
                if q >= 0 && q < sourceWidth { t00.addProduct(load8(r0 + q * c + j), g); t10.addProduct(load8(r1 + q * c + j), g); t20.addProduct(load8(r2 + q * c + j), g) }
                q = p + s1
                if q >= 0 && q < sourceWidth { t01.addProduct(load8(r0 + q * c + j), g); t11.addProduct(load8(r1 + q * c + j), g); t21.addProduct(load8(r2 + q * c + j), g) }
                q = p + s2
                if q >= 0 && q < sourceWidth { t02.addProduct(load8(r0 + q * c + j), g); t12.addProduct(load8(r1 + q * c + j), g); t22.addProduct(load8(r2 + q * c + j), g) }
            }
            for p in 0..<first { edge(p) }
            let o0 = s0 * c, o1 = s1 * c, o2 = s2 * c
            var a = r0 + first * c + j, b = r1 + first * c + j, d = r2 + first * c + j
            var u = upstream + first * c + j
            for _ in first..<end {
                let g = load8(u)
                t00.addProduct(load8(a + o0), g)
                t01.addProduct(load8(a + o1), g)
                t02.addProduct(load8(a + o2), g)
                t10.addProduct(load8(b + o0), g)
                t11.addProduct(load8(b + o1), g)
                t12.addProduct(load8(b + o2), g)
                t20.addProduct(load8(d + o0), g)
                t21.addProduct(load8(d + o1), g)
                t22.addProduct(load8(d + o2), g)
                a += c; b += c; d += c; u += c
            }
            for p in end..<pixels { edge(p) }
            @inline(__always) func store(_ tap: Int, _ value: Lanes) {
                UnsafeMutableRawPointer(w + tap * c).storeBytes(of: value, as: Lanes.self)
            }
            store(0, t00); store(1, t01); store(2, t02)
            store(3, t10); store(4, t11); store(5, t12)
            store(6, t20); store(7, t21); store(8, t22)
        }
    }
}

private func depthwiseRowsStride1(
    _ source: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ biasPointer: UnsafePointer<Float>?,
    _ g: WindowGeometry, channels c: Int, outShape: [Int]
) -> Tensor {
    let plan = DepthwiseRowPlan(weights, biasPointer, g, channels: c)
    let rows = g.batch * g.outHeight
    return plan.repeated.withUnsafeBufferPointer { table in
        guard let base = table.baseAddress else { return Tensor(shape: outShape) }
        let kernels = UncheckedSendable(base)
        return Tensor.filled(shape: outShape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, 16_384 / Swift.max(1, plan.rowLength * plan.taps))) { range in
                for row in range {
                    plan.compute(row: row, from: source, into: shared.value + row * plan.rowLength, table: kernels.value,
                                 weights: weights, bias: biasPointer)
                }
            }
        }
    }
}

/// A separable convolution with depth multiplier 1 and horizontal stride 1, fused tile by tile:
/// a few depthwise output rows are computed into a buffer that stays in cache, multiplied by
/// the pointwise kernel straight into the output, and given bias and activation there, so the
/// depthwise result never travels through main memory.
private func separableFused(
    _ x: Tensor, depthwise: Tensor, pointwise: Tensor, bias: Tensor?, _ g: WindowGeometry, activation: Activation
) -> Tensor {
    let c = x.shape[3], filters = pointwise.shape[3]
    let plan = DepthwiseRowPlan(depthwise.pointer, nil, g, channels: c)
    let depthwiseWeights = depthwise.pointer
    let rows = g.batch * g.outHeight
    let rowsPerTile = Swift.max(1, Swift.min(g.outHeight, (1 << 15) / Swift.max(1, g.outWidth * (c + filters))))
    let tiles = (rows + rowsPerTile - 1) / rowsPerTile
    let source = x.pointer, weights = pointwise.pointer, biasPointer = bias?.pointer
    let outShape = [g.batch, g.outHeight, g.outWidth, filters]
    return plan.repeated.withUnsafeBufferPointer { table in
        guard let base = table.baseAddress else { return Tensor(shape: outShape) }
        let kernels = UncheckedSendable(base)
        return Tensor.filled(shape: outShape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: tiles, minimumChunk: 1) { range in
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerTile * plan.rowLength)
                defer { buffer.deallocate() }
                for tile in range {
                    let r0 = tile * rowsPerTile, r1 = Swift.min(rows, r0 + rowsPerTile)
                    for row in r0..<r1 {
                        plan.compute(row: row, from: source, into: buffer + (row - r0) * plan.rowLength, table: kernels.value,
                                     weights: depthwiseWeights)
                    }
                    let m = (r1 - r0) * g.outWidth
                    let o = shared.value + r0 * g.outWidth * filters
                    gemm(transA: false, transB: false, m: m, n: filters, k: c, a: buffer, lda: c, b: weights, ldb: filters, c: o, ldc: filters)
                    epilogue(o, rows: m, biasPointer, filters, activation)
                }
            }
        }
    }
}

/// The signature of the 2-D input-gradient kernels (`conv2dBackwardInput`, `depthwiseConv2dBackwardInput`).
typealias BackwardInput2D = (Tensor, Tensor, [Int], (Int, Int), Padding, (Int, Int), Bool, String) throws -> Tensor
/// The signature of the 2-D kernel-gradient kernels (`conv2dBackwardKernel`, `depthwiseConv2dBackwardKernel`).
typealias BackwardKernel2D = (Tensor, Tensor, [Int], (Int, Int), Padding, (Int, Int), Bool, String) throws -> Tensor

/// A 1-D input gradient computed by its 2-D kernel on images of height 1: the upstream
/// gradient `[N, W', F]`, the kernel `[K, …]` and the input shape `[N, W, C]` gain a unit height.
private func backwardInput1D(
    _ upstream: Tensor, kernel: Tensor, inputShape: [Int], stride: Int, padding: Padding, dilation: Int, what: String,
    _ kernel2D: BackwardInput2D
) throws -> Tensor {
    guard upstream.rank == 3, kernel.rank == 3, inputShape.count == 3 else {
        throw ShapeError("\(what) expects rank-3 upstream gradient, kernel and input shape, got \(Tensor.describe(upstream.shape)), \(Tensor.describe(kernel.shape)) and \(Tensor.describe(inputShape))")
    }
    let dx = try kernel2D(upstream.reshaped([upstream.shape[0], 1] + upstream.shape.dropFirst()), kernel.reshaped([1] + kernel.shape),
                          [inputShape[0], 1, inputShape[1], inputShape[2]], (1, stride), padding, (1, dilation), true, what)
    return try dx.reshaped(inputShape)
}

/// A 1-D kernel gradient computed by its 2-D kernel on images of height 1.
private func backwardKernel1D(
    _ x: Tensor, upstream: Tensor, kernelShape: [Int], stride: Int, padding: Padding, dilation: Int, what: String,
    _ kernel2D: BackwardKernel2D
) throws -> Tensor {
    guard x.rank == 3, upstream.rank == 3, kernelShape.count == 3 else {
        throw ShapeError("\(what) expects rank-3 input, upstream gradient and kernel shape, got \(Tensor.describe(x.shape)), \(Tensor.describe(upstream.shape)) and \(Tensor.describe(kernelShape))")
    }
    let dk = try kernel2D(x.reshaped([x.shape[0], 1] + x.shape.dropFirst()), upstream.reshaped([upstream.shape[0], 1] + upstream.shape.dropFirst()),
                          [1] + kernelShape, (1, stride), padding, (1, dilation), true, what)
    return try dk.reshaped(kernelShape)
}
