/// Pooling over channels-last tensors: max and average pooling with a sliding window (2D on
/// `[N, H, W, C]`, 1D on `[N, W, C]`) and global pooling over all spatial axes. Windows run
/// as direct loops vectorised over the contiguous channel axis, split across cores by output
/// row. With 'same' padding the padded positions are ignored: max takes the maximum of the
/// valid elements and average divides by their count (Keras/TensorFlow semantics).

/// What a pooling window computes.
enum PoolKind {
    case max, average
}

/// Max pooling of `x` (`[N, H, W, C]`): `y[n, i, j, c] = max x[n, i·sh + a − top, j·sw + b − left, c]`
/// over the `poolSize` window's positions inside the input. `strides` defaults to
/// `poolSize` (Keras). Output `[N, H', W', C]` with `H' = convOutputLength(H, poolSize.0, …)`.
public func maxPool2d(_ x: Tensor, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) throws -> Tensor {
    try pool2d(x, poolSize: poolSize, strides: strides ?? poolSize, padding: padding, kind: .max, what: "maxPool2d")
}

/// Average pooling of `x` (`[N, H, W, C]`): the mean of the window's positions that lie inside
/// the input (with 'same' padding, border windows divide by fewer than `poolSize.0·poolSize.1`).
/// `strides` defaults to `poolSize`. Output `[N, H', W', C]`.
public func avgPool2d(_ x: Tensor, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) throws -> Tensor {
    try pool2d(x, poolSize: poolSize, strides: strides ?? poolSize, padding: padding, kind: .average, what: "avgPool2d")
}

/// Max pooling of `x` (`[N, W, C]`) over windows of `poolSize` steps apart by `stride`
/// (default `poolSize`). Output `[N, W', C]`.
public func maxPool1d(_ x: Tensor, poolSize: Int = 2, stride: Int? = nil, padding: Padding = .valid) throws -> Tensor {
    try pool1d(x, poolSize: poolSize, stride: stride, padding: padding, kind: .max, what: "maxPool1d")
}

/// Average pooling of `x` (`[N, W, C]`), dividing by the number of valid positions in each
/// window. Output `[N, W', C]`.
public func avgPool1d(_ x: Tensor, poolSize: Int = 2, stride: Int? = nil, padding: Padding = .valid) throws -> Tensor {
    try pool1d(x, poolSize: poolSize, stride: stride, padding: padding, kind: .average, what: "avgPool1d")
}

/// The mean over the spatial axes of a channels-last tensor (`[N, W, C]`, `[N, H, W, C]`, or
/// more spatial axes): `[N, C]`, or `[N, 1, …, 1, C]` when `keepDims`.
public func globalAveragePool(_ x: Tensor, keepDims: Bool = false) throws -> Tensor {
    guard x.rank >= 3 else {
        throw ShapeError("global pooling expects [batch, spatial..., channels] (rank ≥ 3), got shape \(Tensor.describe(x.shape))")
    }
    return try x.mean(axes: Array(1..<(x.rank - 1)), keepDims: keepDims)
}

/// The maximum over the spatial axes of a channels-last tensor: `[N, C]`, or
/// `[N, 1, …, 1, C]` when `keepDims`.
public func globalMaxPool(_ x: Tensor, keepDims: Bool = false) throws -> Tensor {
    guard x.rank >= 3 else {
        throw ShapeError("global pooling expects [batch, spatial..., channels] (rank ≥ 3), got shape \(Tensor.describe(x.shape))")
    }
    return try x.max(axes: Array(1..<(x.rank - 1)), keepDims: keepDims)
}

func pool1d(_ x: Tensor, poolSize: Int, stride: Int?, padding: Padding, kind: PoolKind, what: String) throws -> Tensor {
    guard x.rank == 3 else {
        throw ShapeError("\(what) expects input [batch, width, channels], got shape \(Tensor.describe(x.shape))")
    }
    let y = try pool2d(x.reshaped([x.shape[0], 1, x.shape[1], x.shape[2]]), poolSize: (1, poolSize),
                       strides: (1, stride ?? poolSize), padding: padding, kind: kind, what: what)
    return try y.reshaped([y.shape[0], y.shape[2], y.shape[3]])
}

/// The geometry of a pooling window over `x`, validated.
func poolGeometry(_ x: Tensor, poolSize: (Int, Int), strides: (Int, Int), padding: Padding, what: String) throws -> WindowGeometry {
    guard x.rank == 4 else {
        throw ShapeError("\(what) expects input [batch, height, width, channels], got shape \(Tensor.describe(x.shape))")
    }
    return try WindowGeometry(
        input: x.shape, kernel: poolSize, strides: strides, dilation: (1, 1), padding: padding,
        what: what, kernelShape: [poolSize.0, poolSize.1])
}

func pool2d(_ x: Tensor, poolSize: (Int, Int), strides: (Int, Int), padding: Padding, kind: PoolKind, what: String) throws -> Tensor {
    let g = try poolGeometry(x, poolSize: poolSize, strides: strides, padding: padding, what: what)
    let c = g.channels
    let outShape = [g.batch, g.outHeight, g.outWidth, c]
    guard Tensor.count(of: outShape) > 0 else { return Tensor(shape: outShape) }
    let source = x.pointer
    let rows = g.batch * g.outHeight
    return Tensor.filled(shape: outShape) { out in
        let shared = UncheckedSendable(out)
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, 16_384 / (g.outWidth * c * poolSize.0 * poolSize.1))) { range in
            for row in range {
                let n = row / g.outHeight, oh = row % g.outHeight
                let image = source + n * g.height * g.width * c
                let h0 = oh * g.strideHeight - g.top.before
                let hs = Swift.max(h0, 0)..<Swift.min(h0 + g.kernelHeight, g.height)
                for ow in 0..<g.outWidth {
                    let w0 = ow * g.strideWidth - g.left.before
                    let ws = Swift.max(w0, 0)..<Swift.min(w0 + g.kernelWidth, g.width)
                    let o = shared.value + (row * g.outWidth + ow) * c
                    switch kind {
                    case .max:
                        o.update(repeating: -.infinity, count: c)
                        for ih in hs {
                            for iw in ws {
                                takeMaximum(o, image + (ih * g.width + iw) * c, c)
                            }
                        }
                    case .average:
                        o.update(repeating: 0, count: c)
                        for ih in hs {
                            for iw in ws {
                                let xp = image + (ih * g.width + iw) * c
                                for j in 0..<c { o[j] += xp[j] }
                            }
                        }
                        let scale = 1 / Float(Swift.max(hs.count * ws.count, 1))
                        for j in 0..<c { o[j] *= scale }
                    }
                }
            }
        }
    }
}

// MARK: - Gradients

/// The gradient of `maxPool2d` with respect to its input `x` (`[N, H, W, C]`): each window's
/// upstream gradient goes to the position of its maximum (the first one, in row-major window
/// order, when several are equal), accumulating where windows overlap. Images run in
/// fixed chunks across cores.
public func maxPool2dBackward(
    _ x: Tensor, upstream: Tensor, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid
) throws -> Tensor {
    let g = try poolGeometry(x, poolSize: poolSize, strides: strides ?? poolSize, padding: padding, what: "maxPool2dBackward")
    try checkPoolUpstream(upstream, g, what: "maxPool2dBackward")
    let c = g.channels
    let result = Tensor(shape: x.shape)
    guard upstream.count > 0, c > 0 else { return result }
    let source = x.pointer, dy = upstream.pointer, shared = UncheckedSendable(result.pointer)
    Parallel.forEachChunk(count: g.batch, minimumChunk: 1) { images in
        // Two passes over each window, both vectorised over channels: the maximum per channel,
        // then the gradient added at the first position that holds it (`pending` is 1 until then).
        let best = UnsafeMutablePointer<Float>.allocate(capacity: c), pending = UnsafeMutablePointer<Float>.allocate(capacity: c)
        defer { best.deallocate(); pending.deallocate() }
        for n in images {
            let image = source + n * g.height * g.width * c, dImage = shared.value + n * g.height * g.width * c
            for oh in 0..<g.outHeight {
                let h0 = oh * g.strideHeight - g.top.before
                let hs = Swift.max(h0, 0)..<Swift.min(h0 + g.kernelHeight, g.height)
                for ow in 0..<g.outWidth {
                    let w0 = ow * g.strideWidth - g.left.before
                    let ws = Swift.max(w0, 0)..<Swift.min(w0 + g.kernelWidth, g.width)
                    guard let firstH = hs.first, let firstW = ws.first else { continue }
                    best.update(from: image + (firstH * g.width + firstW) * c, count: c)
                    for ih in hs {
                        for iw in ws {
                            takeMaximum(best, image + (ih * g.width + iw) * c, c)
                        }
                    }
                    let gp = dy + ((n * g.outHeight + oh) * g.outWidth + ow) * c
                    pending.update(repeating: 1, count: c)
                    for ih in hs {
                        for iw in ws {
                            let offset = (ih * g.width + iw) * c
                            routeToMaximum(image + offset, best, gp, dImage + offset, pending, c)
                        }
                    }
                }
            }
        }
    }
    return result
}

/// `o[j] = max(o[j], x[j])` for j < n (a NaN in `x` wins, as `MaxReduction.combine`), eight
/// lanes at a time: the plain loop does not vectorise (the compiler cannot rule out `o`
/// overlapping `x`).
@inline(__always)
private func takeMaximum(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    typealias Lanes = SIMD8<Float>
    let os = UnsafeMutableRawPointer(o), xs = UnsafeRawPointer(x)
    var j = 0
    while j + 8 <= n {
        let offset = j * MemoryLayout<Float>.stride
        let a = os.loadUnaligned(fromByteOffset: offset, as: Lanes.self), b = xs.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
        // b > a, or b is NaN (b != b): take b.
        os.storeBytes(of: a.replacing(with: b, where: (b .> a) .| (b .!= b)), toByteOffset: offset, as: Lanes.self)
        j += 8
    }
    while j < n {
        o[j] = MaxReduction.combine(o[j], x[j])
        j += 1
    }
}

/// One window position's share of a max-pooling gradient, eight channels at a time: where
/// `x[j]` equals the window maximum `best[j]` and no earlier position took it (`pending[j]` is
/// 1), `d[j] += g[j]` and `pending[j]` becomes 0.
@inline(__always)
private func routeToMaximum(
    _ x: UnsafePointer<Float>, _ best: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    _ d: UnsafeMutablePointer<Float>, _ pending: UnsafeMutablePointer<Float>, _ n: Int
) {
    typealias Lanes = SIMD8<Float>
    let xs = UnsafeRawPointer(x), bs = UnsafeRawPointer(best), gs = UnsafeRawPointer(g)
    let ds = UnsafeMutableRawPointer(d), ps = UnsafeMutableRawPointer(pending)
    let zero = Lanes(repeating: 0)
    var j = 0
    while j + 8 <= n {
        let offset = j * MemoryLayout<Float>.stride
        let p = ps.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
        let hit = zero.replacing(with: p, where: xs.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                                      .== bs.loadUnaligned(fromByteOffset: offset, as: Lanes.self))
        let add = zero.replacing(with: gs.loadUnaligned(fromByteOffset: offset, as: Lanes.self), where: hit .!= zero)
        ds.storeBytes(of: ds.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + add, toByteOffset: offset, as: Lanes.self)
        ps.storeBytes(of: p - hit, toByteOffset: offset, as: Lanes.self)
        j += 8
    }
    while j < n {
        let hit = x[j] == best[j] ? pending[j] : 0
        d[j] += hit != 0 ? g[j] : 0
        pending[j] -= hit
        j += 1
    }
}

/// The gradient of `avgPool2d` with respect to its input (`inputShape`, `[N, H, W, C]`): each
/// window's upstream gradient divided by the number of valid positions in it, added to each
/// of them.
public func avgPool2dBackward(
    _ upstream: Tensor, inputShape: [Int], poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid
) throws -> Tensor {
    guard inputShape.count == 4, inputShape.allSatisfy({ $0 >= 0 }) else {
        throw ShapeError("avgPool2dBackward expects an input shape [batch, height, width, channels], got \(Tensor.describe(inputShape))")
    }
    let result = Tensor(shape: inputShape)
    let g = try poolGeometry(result, poolSize: poolSize, strides: strides ?? poolSize, padding: padding, what: "avgPool2dBackward")
    try checkPoolUpstream(upstream, g, what: "avgPool2dBackward")
    let c = g.channels
    guard upstream.count > 0, c > 0 else { return result }
    let dy = upstream.pointer, shared = UncheckedSendable(result.pointer)
    Parallel.forEachChunk(count: g.batch, minimumChunk: 1) { images in
        for n in images {
            let dImage = shared.value + n * g.height * g.width * c
            for oh in 0..<g.outHeight {
                let h0 = oh * g.strideHeight - g.top.before
                let hs = Swift.max(h0, 0)..<Swift.min(h0 + g.kernelHeight, g.height)
                for ow in 0..<g.outWidth {
                    let w0 = ow * g.strideWidth - g.left.before
                    let ws = Swift.max(w0, 0)..<Swift.min(w0 + g.kernelWidth, g.width)
                    let scale = 1 / Float(Swift.max(hs.count * ws.count, 1))
                    let gp = dy + ((n * g.outHeight + oh) * g.outWidth + ow) * c
                    for ih in hs {
                        for iw in ws {
                            let d = dImage + (ih * g.width + iw) * c
                            for j in 0..<c { d[j] += gp[j] * scale }
                        }
                    }
                }
            }
        }
    }
    return result
}

/// The gradient of `maxPool1d` with respect to its input `x` (`[N, W, C]`).
public func maxPool1dBackward(_ x: Tensor, upstream: Tensor, poolSize: Int = 2, stride: Int? = nil, padding: Padding = .valid) throws -> Tensor {
    guard x.rank == 3, upstream.rank == 3 else {
        throw ShapeError("maxPool1dBackward expects rank-3 input and upstream gradient, got \(Tensor.describe(x.shape)) and \(Tensor.describe(upstream.shape))")
    }
    let dx = try maxPool2dBackward(x.reshaped([x.shape[0], 1] + x.shape.dropFirst()),
                                   upstream: upstream.reshaped([upstream.shape[0], 1] + upstream.shape.dropFirst()),
                                   poolSize: (1, poolSize), strides: (1, stride ?? poolSize), padding: padding)
    return try dx.reshaped(x.shape)
}

/// The gradient of `avgPool1d` with respect to its input (`inputShape`, `[N, W, C]`).
public func avgPool1dBackward(_ upstream: Tensor, inputShape: [Int], poolSize: Int = 2, stride: Int? = nil, padding: Padding = .valid) throws -> Tensor {
    guard upstream.rank == 3, inputShape.count == 3 else {
        throw ShapeError("avgPool1dBackward expects a rank-3 upstream gradient and input shape, got \(Tensor.describe(upstream.shape)) and \(Tensor.describe(inputShape))")
    }
    let dx = try avgPool2dBackward(upstream.reshaped([upstream.shape[0], 1] + upstream.shape.dropFirst()),
                                   inputShape: [inputShape[0], 1, inputShape[1], inputShape[2]],
                                   poolSize: (1, poolSize), strides: (1, stride ?? poolSize), padding: padding)
    return try dx.reshaped(inputShape)
}

private func checkPoolUpstream(_ upstream: Tensor, _ g: WindowGeometry, what: String) throws {
    let expected = [g.batch, g.outHeight, g.outWidth, g.channels]
    guard upstream.shape == expected else {
        throw ShapeError("\(what): upstream gradient of shape \(Tensor.describe(upstream.shape)) does not match the output shape \(Tensor.describe(expected))")
    }
}
