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
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1)
) throws -> Tensor {
    try conv2d(x, kernel: kernel, bias: bias, strides: strides, padding: padding, dilation: dilation, allowCausal: false, what: "conv2d")
}

/// The 1D convolution of `x` (`[N, W, C]`) with `kernel` (`[K, C, F]`) plus `bias` (`[F]`):
/// `y[n, j, f] = Σ x[n, j·stride + a·dilation − left, c] · kernel[a, c, f] + bias[f]`. Padding
/// may be valid, same or causal (`(K − 1)·dilation` zeros on the left, so output j sees inputs
/// ≤ j). Output `[N, W', F]`. Runs as `conv2d` on a height-1 image.
public func conv1d(
    _ x: Tensor, kernel: Tensor, bias: Tensor? = nil,
    stride: Int = 1, padding: Padding = .valid, dilation: Int = 1
) throws -> Tensor {
    guard x.rank == 3, kernel.rank == 3 else {
        throw ShapeError("conv1d expects input [batch, width, channels] and kernel [width, in_channels, filters], got input \(Tensor.describe(x.shape)) and kernel \(Tensor.describe(kernel.shape))")
    }
    let y = try conv2d(
        x.reshaped([x.shape[0], 1, x.shape[1], x.shape[2]]), kernel: kernel.reshaped([1] + kernel.shape), bias: bias,
        strides: (1, stride), padding: padding, dilation: (1, dilation), allowCausal: true, what: "conv1d")
    return try y.reshaped([y.shape[0], y.shape[2], y.shape[3]])
}

func conv2d(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, strides: (Int, Int), padding: Padding, dilation: (Int, Int),
    allowCausal: Bool, what: String
) throws -> Tensor {
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
    if g.kernelHeight == 1, g.kernelWidth == 1, g.strideHeight == 1, g.strideWidth == 1,
       g.top == AxisPadding(before: 0, after: 0), g.left == AxisPadding(before: 0, after: 0) {
        return Tensor.filled(shape: outShape) { out in
            gemm(transA: false, transB: false, m: pixels, n: filters, k: g.channels,
                 a: x.pointer, lda: g.channels, b: kernel.pointer, ldb: filters, c: out, ldc: filters)
            if let biasPointer { addRowVector(out, rows: pixels, biasPointer, filters) }
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
                if let biasPointer { addRowVector(c, rows: m, biasPointer, filters) }
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
    guard x.rank == 3, kernel.rank == 3 else {
        throw ShapeError("depthwiseConv1d expects input [batch, width, channels] and kernel [width, channels, multiplier], got input \(Tensor.describe(x.shape)) and kernel \(Tensor.describe(kernel.shape))")
    }
    let y = try depthwiseConv2d(
        x.reshaped([x.shape[0], 1, x.shape[1], x.shape[2]]), kernel: kernel.reshaped([1] + kernel.shape), bias: bias,
        strides: (1, stride), padding: padding, dilation: (1, dilation), allowCausal: true, what: "depthwiseConv1d")
    return try y.reshaped([y.shape[0], y.shape[2], y.shape[3]])
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
                            if multiplier == 1 {
                                for j in 0..<c { o[j] += xp[j] * kp[j] }
                            } else {
                                for j in 0..<c {
                                    let v = xp[j], oj = o + j * multiplier, kj = kp + j * multiplier
                                    for m in 0..<multiplier { oj[m] += v * kj[m] }
                                }
                            }
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
    strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilation: (Int, Int) = (1, 1)
) throws -> Tensor {
    let depthwise = try depthwiseConv2d(x, kernel: depthwiseKernel, bias: nil, strides: strides, padding: padding, dilation: dilation,
                                        allowCausal: false, what: "separableConv2d")
    let mid = depthwise.shape[3]
    guard pointwiseKernel.rank == 4, pointwiseKernel.shape[0] == 1, pointwiseKernel.shape[1] == 1, pointwiseKernel.shape[2] == mid else {
        throw ShapeError("separableConv2d: pointwise kernel of shape \(Tensor.describe(pointwiseKernel.shape)) does not match depthwise kernel \(Tensor.describe(depthwiseKernel.shape)): expected (1, 1, \(mid), filters)")
    }
    return try conv2d(depthwise, kernel: pointwiseKernel, bias: bias, strides: (1, 1), padding: .valid, dilation: (1, 1),
                      allowCausal: false, what: "separableConv2d")
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
