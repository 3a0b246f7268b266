/// Gaussian-process regression for the Bayesian-optimization sampler: the Matérn 5/2 kernel,
/// the posterior through a Cholesky factor, and the log marginal likelihood with its gradient,
/// maximized to choose the kernel's hyperparameters. Matrices are row-major `[Double]`s.

import Foundation

/// The Matérn 5/2 kernel with one length scale per input (automatic relevance determination):
/// k(x, y) = σ² (1 + √5 r + 5r²/3) exp(−√5 r), with r² = Σᵢ ((xᵢ − yᵢ) / ℓᵢ)².
public struct MaternKernel: Equatable, Sendable {
    public var lengthScales: [Double]
    public var signalVariance: Double

    public init(lengthScales: [Double], signalVariance: Double) {
        self.lengthScales = lengthScales
        self.signalVariance = signalVariance
    }

    public func callAsFunction(_ x: [Double], _ y: [Double]) -> Double {
        var r2 = 0.0
        for i in lengthScales.indices {
            let d = (x[i] - y[i]) / lengthScales[i]
            r2 += d * d
        }
        return MaternKernel.terms(squaredDistance: r2, variance: signalVariance).value
    }

    /// k at squared distance r², and g = (5/3) σ² (1 + √5 r) exp(−√5 r), for which
    /// ∂k/∂(r²) = −g/2: so ∂k/∂xᵢ = −g (xᵢ − yᵢ)/ℓᵢ² and ∂k/∂log ℓᵢ = g (xᵢ − yᵢ)²/ℓᵢ².
    @inline(__always)
    static func terms(squaredDistance r2: Double, variance: Double) -> (value: Double, slope: Double) {
        let r = r2.squareRoot(), e = variance * exp(-sqrt5 * r)
        return ((1 + sqrt5 * r + 5.0 / 3.0 * r2) * e, 5.0 / 3.0 * (1 + sqrt5 * r) * e)
    }

    static let sqrt5 = 5.0.squareRoot()
}

/// Regression with a zero-mean Gaussian-process prior with covariance `kernel` and Gaussian
/// noise of variance `noise`: for inputs X (n × d) and targets y, with K = k(X, X) + noise·I
/// and k* = k(X, x), the posterior at x has mean k*ᵀK⁻¹y and variance k(x, x) − k*ᵀK⁻¹k*
/// (of the noise-free function). K⁻¹ is applied through the Cholesky factor L (K = LLᵀ).
public struct GaussianProcess {
    public let dimension: Int
    /// n × d, row-major.
    public let inputs: [Double]
    public let targets: [Double]
    public let kernel: MaternKernel
    public let noise: Double
    /// The lower Cholesky factor of K (n × n, row-major).
    let factor: [Double]
    /// K⁻¹y.
    let weights: [Double]
    /// 1/ℓᵢ².
    let inverseSquaredScales: [Double]

    public var count: Int { targets.count }

    /// Nil when K is not positive definite (to rounding).
    public init?(inputs: [Double], targets: [Double], dimension: Int, kernel: MaternKernel, noise: Double) {
        let n = targets.count
        guard inputs.count == n * dimension, kernel.lengthScales.count == dimension else { return nil }
        (self.inputs, self.targets, self.dimension, self.kernel, self.noise) = (inputs, targets, dimension, kernel, noise)
        inverseSquaredScales = kernel.lengthScales.map { 1 / ($0 * $0) }
        var k = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in 0..<a {
                var r2 = 0.0
                for i in 0..<dimension {
                    let d = inputs[a * dimension + i] - inputs[b * dimension + i]
                    r2 += d * d * inverseSquaredScales[i]
                }
                k[a * n + b] = MaternKernel.terms(squaredDistance: r2, variance: kernel.signalVariance).value
            }
            k[a * n + a] = kernel.signalVariance + noise
        }
        guard Cholesky.factor(&k, n) else { return nil }
        factor = k
        var w = targets
        Cholesky.solve(factor, n, &w)
        weights = w
    }

    /// The posterior mean and variance of the function at `x`.
    public func predict(_ x: [Double]) -> (mean: Double, variance: Double) {
        var covariances = [Double](repeating: 0, count: count), slopes = covariances
        return predict(x, covariances: &covariances, slopes: &slopes)
    }

    /// `predict` with the caller's buffers (n values each), leaving L⁻¹k* in `covariances` and
    /// the kernel slopes g (see `MaternKernel.terms`) in `slopes`.
    func predict(_ x: [Double], covariances: inout [Double], slopes: inout [Double]) -> (mean: Double, variance: Double) {
        let n = count, d = dimension
        var mean = 0.0
        inputs.withUnsafeBufferPointer { X in
            for a in 0..<n {
                var r2 = 0.0
                for i in 0..<d {
                    let diff = x[i] - X[a * d + i]
                    r2 += diff * diff * inverseSquaredScales[i]
                }
                let t = MaternKernel.terms(squaredDistance: r2, variance: kernel.signalVariance)
                covariances[a] = t.value
                slopes[a] = t.slope
                mean += t.value * weights[a]
            }
        }
        Cholesky.solveLower(factor, n, &covariances)
        var explained = 0.0
        for a in 0..<n { explained += covariances[a] * covariances[a] }
        return (mean, Swift.max(kernel.signalVariance - explained, 1e-12))
    }

    /// The posterior mean and variance at `x` and their gradients with respect to x:
    /// ∂μ/∂xᵢ = Σₐ αₐ ∂kₐ/∂xᵢ and ∂σ²/∂xᵢ = −2 Σₐ (K⁻¹k*)ₐ ∂kₐ/∂xᵢ.
    func predictWithGradient(_ x: [Double]) -> (mean: Double, variance: Double, meanGradient: [Double], varianceGradient: [Double]) {
        let n = count, d = dimension
        var solved = [Double](repeating: 0, count: n), slopes = solved
        let (mean, variance) = predict(x, covariances: &solved, slopes: &slopes)
        Cholesky.solveUpper(factor, n, &solved)
        var meanGradient = [Double](repeating: 0, count: d), varianceGradient = meanGradient
        for a in 0..<n {
            for i in 0..<d {
                let dk = -slopes[a] * (x[i] - inputs[a * d + i]) * inverseSquaredScales[i]
                meanGradient[i] += weights[a] * dk
                varianceGradient[i] -= 2 * solved[a] * dk
            }
        }
        if variance <= 1e-12 { varianceGradient = [Double](repeating: 0, count: d) }
        return (mean, variance, meanGradient, varianceGradient)
    }

    /// The process whose hyperparameters θ = (log ℓ₁ … log ℓ_d, log σ², log noise) maximize the
    /// log marginal likelihood, searched by projected L-BFGS within `lower`…`upper` from each
    /// of `starts` (nil when no θ gives a positive definite K).
    public static func fitted(inputs: [Double], targets: [Double], dimension: Int, lower: [Double], upper: [Double],
                              starts: [[Double]], maxIterations: Int = 25) -> (process: GaussianProcess, theta: [Double])? {
        var likelihood = MarginalLikelihood(inputs: inputs, targets: targets, dimension: dimension)
        let minimizer = BoxMinimizer(lower: lower, upper: upper, maxIterations: maxIterations)
        var best: (point: [Double], value: Double)?
        for start in starts {
            let result = minimizer.minimize(from: start) { theta, gradient in
                let value = likelihood.evaluate(theta, gradient: &gradient)
                for j in gradient.indices { gradient[j] = -gradient[j] }
                return -value
            }
            if result.value < (best?.value ?? .infinity) { best = result }
        }
        for theta in [best?.point, starts.first].compactMap({ $0 }) {
            let kernel = MaternKernel(lengthScales: theta.prefix(dimension).map { exp($0) }, signalVariance: exp(theta[dimension]))
            if let process = GaussianProcess(inputs: inputs, targets: targets, dimension: dimension, kernel: kernel, noise: exp(theta[dimension + 1])) {
                return (process, theta)
            }
        }
        return nil
    }
}

/// The log marginal likelihood of Gaussian-process regression with the Matérn 5/2 kernel as a
/// function of θ = (log ℓ₁ … log ℓ_d, log σ², log noise):
/// log p(y | X, θ) = −½ yᵀK⁻¹y − ½ log|K| − (n/2) log 2π, with K = k_θ(X, X) + noise·I,
/// and its gradient ∂/∂θⱼ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θⱼ), α = K⁻¹y (Rasmussen & Williams, eq. 5.9).
/// The pairwise squared differences are computed once; each evaluation reuses its buffers.
struct MarginalLikelihood {
    let n: Int, d: Int
    let targets: [Double]
    /// (xₐᵢ − x_bᵢ)² for each pair a > b (in the order (1,0), (2,0), (2,1), …), d values each.
    let squaredDifferences: [Double]
    private var matrix: [Double], inverse: [Double], kernelValues: [Double], slopes: [Double], alpha: [Double]

    init(inputs: [Double], targets: [Double], dimension: Int) {
        n = targets.count
        d = dimension
        self.targets = targets
        var differences: [Double] = []
        differences.reserveCapacity(n * (n - 1) / 2 * d)
        for a in 0..<n {
            for b in 0..<a {
                for i in 0..<d {
                    let diff = inputs[a * d + i] - inputs[b * d + i]
                    differences.append(diff * diff)
                }
            }
        }
        squaredDifferences = differences
        matrix = [Double](repeating: 0, count: n * n)
        inverse = matrix
        kernelValues = [Double](repeating: 0, count: n * (n - 1) / 2)
        slopes = kernelValues
        alpha = targets
    }

    /// The log marginal likelihood at `theta` (−∞ when K is not positive definite), writing its
    /// gradient (d + 2 values) to `gradient`.
    mutating func evaluate(_ theta: [Double], gradient: inout [Double]) -> Double {
        let n = self.n, d = self.d
        let inverseSquared = (0..<d).map { exp(-2 * theta[$0]) }
        let variance = exp(theta[d]), noise = exp(theta[d + 1])
        gradient = [Double](repeating: 0, count: d + 2)
        squaredDifferences.withUnsafeBufferPointer { D in
            kernelValues.withUnsafeMutableBufferPointer { kv in
                slopes.withUnsafeMutableBufferPointer { g in
                    matrix.withUnsafeMutableBufferPointer { K in
                        var p = 0
                        for a in 0..<n {
                            for b in 0..<a {
                                var r2 = 0.0
                                for i in 0..<d { r2 += D[p * d + i] * inverseSquared[i] }
                                let t = MaternKernel.terms(squaredDistance: r2, variance: variance)
                                (kv[p], g[p], K[a * n + b]) = (t.value, t.slope, t.value)
                                p += 1
                            }
                            K[a * n + a] = variance + noise
                        }
                    }
                }
            }
        }
        guard Cholesky.factor(&matrix, n) else { return -.infinity }
        for a in 0..<n { alpha[a] = targets[a] }
        Cholesky.solve(matrix, n, &alpha)
        var value = -0.5 * Double(n) * log(2 * Double.pi)
        for a in 0..<n { value -= 0.5 * targets[a] * alpha[a] + log(matrix[a * n + a]) }
        Cholesky.inverse(matrix, n, into: &inverse)
        // W = ααᵀ − K⁻¹ (lower triangle), contracted with each ∂K/∂θⱼ.
        var diagonalW = 0.0
        for a in 0..<n { diagonalW += alpha[a] * alpha[a] - inverse[a * n + a] }
        var varianceTerm = 0.5 * diagonalW * variance
        let noiseTerm = 0.5 * diagonalW * noise
        squaredDifferences.withUnsafeBufferPointer { D in
            gradient.withUnsafeMutableBufferPointer { grad in
                var p = 0
                for a in 0..<n {
                    for b in 0..<a {
                        let w = alpha[a] * alpha[b] - inverse[a * n + b]
                        varianceTerm += w * kernelValues[p]
                        let wg = w * slopes[p]
                        for i in 0..<d { grad[i] += wg * D[p * d + i] * inverseSquared[i] }
                        p += 1
                    }
                }
            }
        }
        gradient[d] = varianceTerm
        gradient[d + 1] = noiseTerm
        return value
    }
}

/// Cholesky factorization and solves on row-major n × n matrices (only the lower triangle is
/// read or written).
enum Cholesky {
    /// Replaces the lower triangle of the symmetric `a` by L with a = LLᵀ; false when `a` is not
    /// positive definite.
    static func factor(_ a: inout [Double], _ n: Int) -> Bool {
        a.withUnsafeMutableBufferPointer { buffer in
            guard let A = buffer.baseAddress else { return n == 0 }
            for i in 0..<n {
                for j in 0...i {
                    let s = A[i * n + j] - dotProduct(A + i * n, A + j * n, j)
                    if i == j {
                        guard s > 0, s.isFinite else { return false }
                        A[i * n + i] = s.squareRoot()
                    } else {
                        A[i * n + j] = s / A[j * n + j]
                    }
                }
            }
            return true
        }
    }

    /// b ← L⁻¹b.
    static func solveLower(_ l: [Double], _ n: Int, _ b: inout [Double]) {
        l.withUnsafeBufferPointer { L in
            b.withUnsafeMutableBufferPointer { x in
                guard let L = L.baseAddress, let x = x.baseAddress else { return }
                for i in 0..<n { x[i] = (x[i] - dotProduct(L + i * n, x, i)) / L[i * n + i] }
            }
        }
    }

    /// b ← L⁻ᵀb.
    static func solveUpper(_ l: [Double], _ n: Int, _ b: inout [Double]) {
        l.withUnsafeBufferPointer { L in
            for i in stride(from: n - 1, through: 0, by: -1) {
                b[i] /= L[i * n + i]
                let x = b[i]
                for k in 0..<i { b[k] -= L[i * n + k] * x }
            }
        }
    }

    /// b ← (LLᵀ)⁻¹b.
    static func solve(_ l: [Double], _ n: Int, _ b: inout [Double]) {
        solveLower(l, n, &b)
        solveUpper(l, n, &b)
    }

    /// Σ_{k < count} p[k]·q[k], in four interleaved sums.
    @inline(__always)
    static func dotProduct(_ p: UnsafePointer<Double>, _ q: UnsafePointer<Double>, _ count: Int) -> Double {
        var sums = SIMD4<Double>(repeating: 0), k = 0
        while k + 4 <= count {
            sums += SIMD4(p[k], p[k + 1], p[k + 2], p[k + 3]) * SIMD4(q[k], q[k + 1], q[k + 2], q[k + 3])
            k += 4
        }
        var total = sums.sum()
        while k < count {
            total += p[k] * q[k]
            k += 1
        }
        return total
    }

    /// The lower triangle of (LLᵀ)⁻¹ = L⁻ᵀL⁻¹, written to `result` (n × n). U = L⁻ᵀ is built
    /// column by column, U[j, i] = −(Σ_{j ≤ k < i} L[i, k] U[j, k]) / L[i, i], and then
    /// (UUᵀ)[a, b] = Σ_{k ≥ a} U[a, k] U[b, k]: every sum runs along rows.
    static func inverse(_ l: [Double], _ n: Int, into result: inout [Double]) {
        var u = [Double](repeating: 0, count: n * n)
        l.withUnsafeBufferPointer { lBuffer in
            u.withUnsafeMutableBufferPointer { uBuffer in
                result.withUnsafeMutableBufferPointer { rBuffer in
                    guard let L = lBuffer.baseAddress, let U = uBuffer.baseAddress, let R = rBuffer.baseAddress else { return }
                    for i in 0..<n {
                        let inv = 1 / L[i * n + i]
                        U[i * n + i] = inv
                        for j in 0..<i { U[j * n + i] = -inv * dotProduct(L + i * n + j, U + j * n + j, i - j) }
                    }
                    for a in 0..<n {
                        for b in 0...a { R[a * n + b] = dotProduct(U + a * n + a, U + b * n + a, n - a) }
                    }
                }
            }
        }
    }
}
