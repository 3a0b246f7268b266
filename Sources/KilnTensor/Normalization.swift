/// Normalisation: batch normalisation over the last (channel) axis, in inference form (moving
/// statistics) and in training form (batch statistics) with its backward pass; `moments`;
/// and layer normalisation over trailing axes with its backward pass. Per-channel work is a
/// fused scale-and-shift loop, split across cores by rows.

import Foundation

/// `(x − mean) / √(variance + epsilon) · gamma + beta` over the last axis of `x`, with
/// `mean`, `variance`, `gamma` and `beta` of shape `[C]` (`C = x.shape.last`); a missing
/// `gamma` is 1 and a missing `beta` 0 (Keras' `scale=False`, `center=False`). Computed as
/// `x · s + t` with `s = gamma / √(variance + epsilon)` and `t = beta − mean · s`.
public func batchNormInference(
    _ x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil, epsilon: Float = 1e-3
) throws -> Tensor {
    let c = try channelCount(x, [("mean", mean), ("variance", variance), ("gamma", gamma), ("beta", beta)], what: "batchNormInference")
    var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
    for j in 0..<c {
        let s = (gamma?.pointer[j] ?? 1) / (variance.pointer[j] + epsilon).squareRoot()
        scale[j] = s
        shift[j] = (beta?.pointer[j] ?? 0) - mean.pointer[j] * s
    }
    return scaleAndShift(x, scale, shift)
}

/// Batch normalisation with the statistics of this batch (Keras' BatchNormalization when
/// training): mean and biased variance of `x` over every axis but the last, then as
/// `batchNormInference`. Returns the output and the batch `mean` and `variance` (`[C]`),
/// which the layer folds into its moving averages.
public func batchNormTraining(
    _ x: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil, epsilon: Float = 1e-3
) throws -> (output: Tensor, mean: Tensor, variance: Tensor) {
    _ = try channelCount(x, [("gamma", gamma), ("beta", beta)], what: "batchNormTraining")
    let (mean, variance) = try moments(x, axes: Array(0..<(x.rank - 1)))
    let y = try batchNormInference(x, mean: mean, variance: variance, gamma: gamma, beta: beta, epsilon: epsilon)
    return (y, mean, variance)
}

/// The gradients of `batchNormTraining` given the upstream gradient `g` (shape of `x`) and the
/// batch `mean` and `variance` it returned, with `x̂ = (x − mean)/√(variance + ε)` over the
/// M = count/C elements of each channel: `∂β = Σ g`, `∂γ = Σ g·x̂`, and
/// `∂x = γ/(M·√(variance + ε)) · (M·g − ∂β − x̂·∂γ)` (γ = 1 when `gamma` is nil).
public func batchNormTrainingBackward(
    _ x: Tensor, upstream g: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor? = nil, epsilon: Float = 1e-3
) throws -> (input: Tensor, gamma: Tensor, beta: Tensor) {
    let c = try channelCount(x, [("mean", mean), ("variance", variance), ("gamma", gamma)], what: "batchNormTrainingBackward")
    guard g.shape == x.shape else {
        throw ShapeError("batchNormTrainingBackward: upstream gradient \(Tensor.describe(g.shape)) must have the input's shape \(Tensor.describe(x.shape))")
    }
    let inverse = variance.map { 1 / ($0 + epsilon).squareRoot() }
    let axes = Array(0..<(x.rank - 1))
    let xhat = try x.subtracting(mean).multiplying(inverse)
    let dBeta = try g.sum(axes: axes)
    let dGamma = try g.multiplying(xhat).sum(axes: axes)
    let m = Float(x.count / Swift.max(c, 1))
    // ∂x = k·g + x̂·u + v per channel, with k = γ·inv, u = −k·∂γ/M, v = −k·∂β/M.
    var coefficients = [Float](repeating: 0, count: 3 * c)
    for j in 0..<c {
        let k = (gamma?.pointer[j] ?? 1) * inverse.pointer[j]
        coefficients[j] = k
        coefficients[c + j] = -k * dGamma.pointer[j] / m
        coefficients[2 * c + j] = -k * dBeta.pointer[j] / m
    }
    let dx = coefficients.withUnsafeBufferPointer { buffer in
        Tensor.filled(shape: x.shape) { out in
            guard let k = buffer.baseAddress else { return }
            let u = k + c, v = k + 2 * c
            let rows = x.count / Swift.max(c, 1), pg = g.pointer, ph = xhat.pointer
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, elementwiseMinimumChunk / Swift.max(c, 1))) { range in
                for r in range {
                    let o = shared.value + r * c, gr = pg + r * c, hr = ph + r * c
                    for j in 0..<c { o[j] = k[j] * gr[j] + u[j] * hr[j] + v[j] }
                }
            }
        }
    }
    return (dx, dGamma, dBeta)
}

/// The mean and biased variance of `x` along `axes` (Keras' `ops.moments`); the axes are
/// removed, or kept with size 1 when `keepDims`.
public func moments(_ x: Tensor, axes: [Int], keepDims: Bool = false) throws -> (mean: Tensor, variance: Tensor) {
    let mean = try x.mean(axes: axes, keepDims: true)
    let variance = try x.subtracting(mean).squared().mean(axes: axes, keepDims: keepDims)
    return (try mean.reshaped(variance.shape), variance)
}

/// Layer normalisation (Keras' LayerNormalization): for each position of the other axes,
/// `(x − mean) / √(variance + epsilon) · gamma + beta` with the mean and biased variance
/// taken over `axes` (default the last). `gamma` and `beta`, if given, have the shape of the
/// normalised axes in increasing order (`[C]` for the last axis).
public func layerNorm(
    _ x: Tensor, axes: [Int] = [-1], gamma: Tensor? = nil, beta: Tensor? = nil, epsilon: Float = 1e-3
) throws -> Tensor {
    let plan = try LayerNormPlan(x, axes: axes, gamma: gamma, beta: beta)
    let xt = try x.transposed(permutation: plan.permutation)
    let n = plan.inner
    let scale = gamma?.scalars ?? [Float](repeating: 1, count: n), shift = beta?.scalars ?? [Float](repeating: 0, count: n)
    let yt = Tensor.filled(shape: xt.shape) { out in
        scale.withUnsafeBufferPointer { scale in
            shift.withUnsafeBufferPointer { shift in
                guard let pg = scale.baseAddress, let pb = shift.baseAddress else { return }
                let source = xt.pointer, shared = UncheckedSendable(out)
                Parallel.forEachChunk(count: plan.rows, minimumChunk: Swift.max(1, elementwiseMinimumChunk / Swift.max(n, 1))) { range in
                    for r in range {
                        let xs = source + r * n, ys = shared.value + r * n
                        let (mean, inverse) = rowStatistics(xs, n, epsilon)
                        for j in 0..<n { ys[j] = (xs[j] - mean) * inverse * pg[j] + pb[j] }
                    }
                }
            }
        }
    }
    return try yt.transposed(permutation: plan.inverse)
}

/// The gradients of `layerNorm` given the upstream gradient `g`: with `x̂` the normalised row
/// of N elements and `d = g·γ`, `∂x = (N·d − Σd − x̂·Σ(d·x̂)) / (N·√(variance + ε))`,
/// `∂γ = Σ_rows g·x̂` and `∂β = Σ_rows g` (shaped like `gamma`).
public func layerNormBackward(
    _ x: Tensor, upstream g: Tensor, axes: [Int] = [-1], gamma: Tensor? = nil, epsilon: Float = 1e-3
) throws -> (input: Tensor, gamma: Tensor, beta: Tensor) {
    guard g.shape == x.shape else {
        throw ShapeError("layerNormBackward: upstream gradient \(Tensor.describe(g.shape)) must have the input's shape \(Tensor.describe(x.shape))")
    }
    let plan = try LayerNormPlan(x, axes: axes, gamma: gamma, beta: nil)
    let xt = try x.transposed(permutation: plan.permutation), gt = try g.transposed(permutation: plan.permutation)
    let n = plan.inner, rows = plan.rows
    var dGamma = [Float](repeating: 0, count: n), dBeta = [Float](repeating: 0, count: n)
    let dxt = Tensor.filled(shape: xt.shape) { out in
        let px = xt.pointer, pg = gt.pointer, pgamma = gamma?.pointer
        var d = [Float](repeating: 0, count: n), xhat = [Float](repeating: 0, count: n)
        for r in 0..<rows {
            let xs = px + r * n, gs = pg + r * n, dx = out + r * n
            let (mean, inverse) = rowStatistics(xs, n, epsilon)
            var sumD: Float = 0, sumDX: Float = 0
            for j in 0..<n {
                let h = (xs[j] - mean) * inverse
                xhat[j] = h
                d[j] = gs[j] * (pgamma?[j] ?? 1)
                sumD += d[j]
                sumDX += d[j] * h
                dGamma[j] += gs[j] * h
                dBeta[j] += gs[j]
            }
            let scale = inverse / Float(n)
            for j in 0..<n { dx[j] = scale * (Float(n) * d[j] - sumD - xhat[j] * sumDX) }
        }
    }
    return (try dxt.transposed(permutation: plan.inverse),
            try Tensor(shape: plan.parameterShape, values: dGamma),
            try Tensor(shape: plan.parameterShape, values: dBeta))
}

/// The mean and `1/√(variance + ε)` of `n` contiguous elements (two passes).
@inline(__always)
private func rowStatistics(_ xs: UnsafePointer<Float>, _ n: Int, _ epsilon: Float) -> (mean: Float, inverse: Float) {
    var total: Float = 0
    for j in 0..<n { total += xs[j] }
    let mean = total / Float(n)
    var squares: Float = 0
    for j in 0..<n { squares += (xs[j] - mean) * (xs[j] - mean) }
    return (mean, 1 / (squares / Float(n) + epsilon).squareRoot())
}

/// How `layerNorm` views `x`: the normalised axes moved to the end, as `rows × inner`.
private struct LayerNormPlan {
    var permutation: [Int], inverse: [Int]
    var rows: Int, inner: Int
    var parameterShape: [Int]

    init(_ x: Tensor, axes: [Int], gamma: Tensor?, beta: Tensor?) throws {
        let axes = try Tensor.normalizedAxes(axes, rank: x.rank)
        guard !axes.isEmpty else { throw ShapeError("layerNorm needs at least one axis to normalise over") }
        let kept = (0..<x.rank).filter { !axes.contains($0) }
        permutation = kept + axes
        inverse = [Int](repeating: 0, count: x.rank)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        parameterShape = axes.map { x.shape[$0] }
        inner = Tensor.count(of: parameterShape)
        rows = inner == 0 ? 0 : x.count / inner
        for (name, p) in [("gamma", gamma), ("beta", beta)] {
            if let p, p.count != inner || (p.shape != parameterShape && p.rank != 1) {
                throw ShapeError("layerNorm: \(name) of shape \(Tensor.describe(p.shape)) does not match the normalised axes \(axes) of input \(Tensor.describe(x.shape)): expected \(Tensor.describe(parameterShape))")
            }
        }
    }
}

/// `C = x.shape.last`, after checking every given per-channel tensor has shape `[C]`.
private func channelCount(_ x: Tensor, _ parameters: [(String, Tensor?)], what: String) throws -> Int {
    guard let c = x.shape.last else { throw ShapeError("\(what) needs an input with a channel axis, got a scalar") }
    for (name, p) in parameters {
        if let p, p.shape != [c] {
            throw ShapeError("\(what): \(name) of shape \(Tensor.describe(p.shape)) does not match the \(c) channels of input \(Tensor.describe(x.shape))")
        }
    }
    return c
}

/// `x · scale + shift` with per-channel (last axis) `scale` and `shift`.
private func scaleAndShift(_ x: Tensor, _ scale: [Float], _ shift: [Float]) -> Tensor {
    let c = scale.count
    guard c > 0 else { return x }
    let rows = x.count / c, source = x.pointer
    return Tensor.filled(shape: x.shape) { out in
        let shared = UncheckedSendable(out)
        scale.withUnsafeBufferPointer { s in
            shift.withUnsafeBufferPointer { t in
                guard let s = s.baseAddress, let t = t.baseAddress else { return }
                Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, elementwiseMinimumChunk / c)) { range in
                    for r in range {
                        let xs = source + r * c, ys = shared.value + r * c
                        for j in 0..<c { ys[j] = xs[j] * s[j] + t[j] }
                    }
                }
            }
        }
    }
}
