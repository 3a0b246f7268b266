/// Seeded random numbers and Keras' weight initializers. `RandomGenerator` draws uniform,
/// normal (Box–Muller) and truncated normal values from a Mersenne Twister, so a seed fixes
/// every weight; `Initializer` is `keras.initializers` (zeros … orthogonal) with Keras'
/// defaults and fan computation. Values are Keras' in distribution, not bit for bit: Keras
/// draws from its backend's generators.

import Foundation

/// A seedable source of random numbers built on MT19937.
public struct RandomGenerator {
    private var twister: MersenneTwister
    private var spareNormal: Double?

    /// A generator whose whole stream is fixed by `seed` (seeded as Python's `random.seed`).
    public init(seed: Int) {
        twister = MersenneTwister(pythonSeed: seed)
    }

    /// A double uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { twister.nextDouble() }

    /// An integer uniform in `0..<n` (0 when n ≤ 0).
    public mutating func nextInt(below n: Int) -> Int {
        n <= 0 ? 0 : Int(twister.below(UInt64(n)))
    }

    /// A float uniform in `[low, high)`.
    public mutating func uniform(low: Float = 0, high: Float = 1) -> Float {
        let v = Float(Double(low) + (Double(high) - Double(low)) * nextDouble())
        // Rounding to Float may reach `high`; keep the interval half-open.
        return v >= high && high > low ? high.nextDown : v
    }

    /// A normal deviate with the given mean and standard deviation (Box–Muller; the second
    /// value of each pair is kept for the next call).
    public mutating func normal(mean: Float = 0, stddev: Float = 1) -> Float {
        Float(Double(mean) + Double(stddev) * standardNormal())
    }

    /// A normal deviate redrawn until it lies within two standard deviations of the mean
    /// (TensorFlow's and Keras' truncated normal: the result's stddev is ≈ 0.88 · `stddev`).
    public mutating func truncatedNormal(mean: Float = 0, stddev: Float = 1) -> Float {
        var z = standardNormal()
        while Swift.abs(z) > 2 { z = standardNormal() }
        return Float(Double(mean) + Double(stddev) * z)
    }

    /// `0..<n` in a uniformly random order (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var result = Array(0..<Swift.max(n, 0))
        shuffle(&result)
        return result
    }

    /// Shuffles `array` in place, uniformly (Fisher–Yates).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, nextInt(below: i + 1))
        }
    }

    /// A tensor of `shape` with elements uniform in `[low, high)`.
    public mutating func uniform(shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        fill(shape) { $0.uniform(low: low, high: high) }
    }

    /// A tensor of `shape` with normal elements.
    public mutating func normal(shape: [Int], mean: Float = 0, stddev: Float = 1) -> Tensor {
        fill(shape) { $0.normal(mean: mean, stddev: stddev) }
    }

    /// A tensor of `shape` with truncated normal elements (within 2 stddev of the mean).
    public mutating func truncatedNormal(shape: [Int], mean: Float = 0, stddev: Float = 1) -> Tensor {
        fill(shape) { $0.truncatedNormal(mean: mean, stddev: stddev) }
    }

    /// A tensor of `shape` whose elements are 1 with probability `probability` and 0 otherwise
    /// (`uniform() < probability`): dropout masks.
    public mutating func bernoulli(shape: [Int], probability: Float) -> Tensor {
        fill(shape) { $0.uniform() < probability ? 1 : 0 }
    }

    private mutating func fill(_ shape: [Int], _ draw: (inout RandomGenerator) -> Float) -> Tensor {
        let n = Tensor.count(of: shape)
        return Tensor.filled(shape: shape) { out in
            for i in 0..<n { out[i] = draw(&self) }
        }
    }

    /// A standard normal deviate (Box–Muller; the second value of each pair is kept for the
    /// next call).
    public mutating func standardNormal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        let u1 = 1 - nextDouble(), u2 = nextDouble()
        let r = (-2 * Foundation.log(u1)).squareRoot(), theta = 2 * Double.pi * u2
        spareNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }
}

/// A Keras weight initializer (`kernel_initializer="glorot_uniform"`), with Keras' defaults.
public enum Initializer: Equatable, Sendable {
    /// All 0.
    case zeros
    /// All 1.
    case ones
    /// All `value`.
    case constant(Float)
    /// Normal with `mean` and `stddev` (Keras defaults 0, 0.05).
    case randomNormal(mean: Float, stddev: Float)
    /// Uniform in `[minval, maxval)` (Keras defaults −0.05, 0.05).
    case randomUniform(minval: Float, maxval: Float)
    /// Normal with `mean` and `stddev` redrawn beyond 2 stddev (Keras defaults 0, 0.05).
    case truncatedNormal(mean: Float, stddev: Float)
    /// `scale / n` variance, n the fan chosen by `mode`: uniform in `±√(3·scale/n)`, truncated
    /// normal with stddev `√(scale/n) / 0.8796…`, or normal with stddev `√(scale/n)`.
    case varianceScaling(scale: Float, mode: FanMode, distribution: Distribution)
    /// Uniform in `±√(6 / (fan_in + fan_out))`.
    case glorotUniform
    /// Truncated normal with stddev `√(2 / (fan_in + fan_out)) / 0.8796…`.
    case glorotNormal
    /// Uniform in `±√(6 / fan_in)`.
    case heUniform
    /// Truncated normal with stddev `√(2 / fan_in) / 0.8796…`.
    case heNormal
    /// Uniform in `±√(3 / fan_in)`.
    case lecunUniform
    /// Truncated normal with stddev `√(1 / fan_in) / 0.8796…` (for selu networks).
    case lecunNormal
    /// `gain ·` an orthogonal matrix (the Q of the QR decomposition of a normal matrix, signs
    /// fixed so R's diagonal is positive), over the shape flattened to `[∏ shape[..<-1], shape[-1]]`.
    case orthogonal(gain: Float)
    /// `gain ·` the identity matrix (ones on the main diagonal; rectangular allowed).
    case identity(gain: Float)

    /// Which fan `varianceScaling` divides by.
    public enum FanMode: String, Sendable {
        case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg"
    }

    /// The distribution `varianceScaling` draws from.
    public enum Distribution: String, Sendable {
        case truncatedNormal = "truncated_normal", untruncatedNormal = "untruncated_normal", uniform
    }

    /// The names `init?(name:)` accepts, snake case (class names and Keras' aliases
    /// "normal", "uniform", "zero", "one" are accepted too).
    public static let names = [
        "zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
        "variance_scaling", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
        "lecun_uniform", "lecun_normal", "orthogonal", "identity",
    ]

    /// The initializer Keras calls `name`, with its default arguments: snake-case names
    /// ("glorot_uniform"), class names ("GlorotUniform") and Keras' aliases; nil otherwise.
    public init?(name: String) {
        switch name {
        case "zeros", "Zeros", "zero": self = .zeros
        case "ones", "Ones", "one": self = .ones
        case "constant", "Constant": self = .constant(0)
        case "random_normal", "RandomNormal", "normal": self = .randomNormal(mean: 0, stddev: 0.05)
        case "random_uniform", "RandomUniform", "uniform": self = .randomUniform(minval: -0.05, maxval: 0.05)
        case "truncated_normal", "TruncatedNormal": self = .truncatedNormal(mean: 0, stddev: 0.05)
        case "variance_scaling", "VarianceScaling": self = .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)
        case "glorot_uniform", "GlorotUniform": self = .glorotUniform
        case "glorot_normal", "GlorotNormal": self = .glorotNormal
        case "he_uniform", "HeUniform": self = .heUniform
        case "he_normal", "HeNormal": self = .heNormal
        case "lecun_uniform", "LecunUniform": self = .lecunUniform
        case "lecun_normal", "LecunNormal": self = .lecunNormal
        case "orthogonal", "Orthogonal": self = .orthogonal(gain: 1)
        case "identity", "Identity", "IdentityInitializer": self = .identity(gain: 1)
        default: return nil
        }
    }

    /// The snake-case Keras name.
    public var name: String {
        switch self {
        case .zeros: "zeros"
        case .ones: "ones"
        case .constant: "constant"
        case .randomNormal: "random_normal"
        case .randomUniform: "random_uniform"
        case .truncatedNormal: "truncated_normal"
        case .varianceScaling: "variance_scaling"
        case .glorotUniform: "glorot_uniform"
        case .glorotNormal: "glorot_normal"
        case .heUniform: "he_uniform"
        case .heNormal: "he_normal"
        case .lecunUniform: "lecun_uniform"
        case .lecunNormal: "lecun_normal"
        case .orthogonal: "orthogonal"
        case .identity: "identity"
        }
    }

    /// The Keras class name (`GlorotUniform`), as in a saved model's config.
    public var className: String {
        switch self {
        case .zeros: "Zeros"
        case .ones: "Ones"
        case .constant: "Constant"
        case .randomNormal: "RandomNormal"
        case .randomUniform: "RandomUniform"
        case .truncatedNormal: "TruncatedNormal"
        case .varianceScaling: "VarianceScaling"
        case .glorotUniform: "GlorotUniform"
        case .glorotNormal: "GlorotNormal"
        case .heUniform: "HeUniform"
        case .heNormal: "HeNormal"
        case .lecunUniform: "LecunUniform"
        case .lecunNormal: "LecunNormal"
        case .orthogonal: "Orthogonal"
        case .identity: "Identity"
        }
    }

    /// Keras' `compute_fans`: scalars have fans 1; vectors `shape[0]`; matrices `shape[0]`
    /// and `shape[1]`; for rank ≥ 3 kernels the receptive field is the product of the leading
    /// axes and `fan_in = rf · shape[-2]`, `fan_out = rf · shape[-1]`.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let field = shape.dropLast(2).reduce(1, *)
            return (field * shape[shape.count - 2], field * shape[shape.count - 1])
        }
    }

    /// This initializer as the variance scaling it is an instance of, if it is one.
    public var varianceScalingParameters: (scale: Float, mode: FanMode, distribution: Distribution)? {
        switch self {
        case let .varianceScaling(scale, mode, distribution): (scale, mode, distribution)
        case .glorotUniform: (1, .fanAvg, .uniform)
        case .glorotNormal: (1, .fanAvg, .truncatedNormal)
        case .heUniform: (2, .fanIn, .uniform)
        case .heNormal: (2, .fanIn, .truncatedNormal)
        case .lecunUniform: (1, .fanIn, .uniform)
        case .lecunNormal: (1, .fanIn, .truncatedNormal)
        default: nil
        }
    }

    /// Throws the error Keras raises for a shape this initializer cannot fill: orthogonal needs
    /// rank ≥ 2 and identity rank 2. (`make` never traps: it flattens such shapes instead.)
    public func validate(shape: [Int]) throws {
        switch self {
        case .orthogonal where shape.count < 2:
            throw ShapeError("the orthogonal initializer requires a shape of rank ≥ 2, got \(Tensor.describe(shape))")
        case .identity where shape.count != 2:
            throw ShapeError("the identity initializer can only be used for 2D matrices, got shape \(Tensor.describe(shape))")
        default:
            return
        }
    }

    /// A tensor of `shape` filled as this initializer says, drawing from `generator`.
    public func make(shape: [Int], using generator: inout RandomGenerator) -> Tensor {
        let shape = shape.map { Swift.max($0, 0) }
        switch self {
        case .zeros: return Tensor(shape: shape)
        case .ones: return Tensor(shape: shape, repeating: 1)
        case .constant(let value): return Tensor(shape: shape, repeating: value)
        case let .randomNormal(mean, stddev): return generator.normal(shape: shape, mean: mean, stddev: stddev)
        case let .randomUniform(low, high): return generator.uniform(shape: shape, low: low, high: high)
        case let .truncatedNormal(mean, stddev): return generator.truncatedNormal(shape: shape, mean: mean, stddev: stddev)
        case .orthogonal(let gain): return Initializer.orthogonal(shape: shape, gain: gain, using: &generator)
        case .identity(let gain):
            let rows = shape.dropLast().reduce(1, *), columns = shape.last ?? 1
            return Tensor.filled(shape: shape) { out in
                out.update(repeating: 0, count: rows * columns)
                for i in 0..<Swift.min(rows, columns) { out[i * columns + i] = gain }
            }
        default:
            guard let (scale, mode, distribution) = varianceScalingParameters else { return Tensor(shape: shape) }
            let (fanIn, fanOut) = Initializer.fans(of: shape)
            let n: Float
            switch mode {
            case .fanIn: n = Swift.max(1, Float(fanIn))
            case .fanOut: n = Swift.max(1, Float(fanOut))
            case .fanAvg: n = Swift.max(1, Float(fanIn + fanOut) / 2)
            }
            let variance = scale / n
            switch distribution {
            case .uniform:
                let limit = (3 * variance).squareRoot()
                return generator.uniform(shape: shape, low: -limit, high: limit)
            case .truncatedNormal:
                return generator.truncatedNormal(shape: shape, mean: 0, stddev: variance.squareRoot() / 0.87962566103423978)
            case .untruncatedNormal:
                return generator.normal(shape: shape, mean: 0, stddev: variance.squareRoot())
            }
        }
    }

    /// Keras' Orthogonal: Q of a `[max(r, c), min(r, c)]` normal matrix (Householder QR, in
    /// Double), columns signed by R's diagonal, transposed when `r < c`, times `gain`.
    private static func orthogonal(shape: [Int], gain: Float, using generator: inout RandomGenerator) -> Tensor {
        let rows = shape.dropLast().reduce(1, *), columns = shape.last ?? 1
        let m = Swift.max(rows, columns), n = Swift.min(rows, columns)
        guard n > 0 else { return Tensor(shape: shape) }
        var a = (0..<(m * n)).map { _ in Double(generator.normal()) }
        var q = [Double](repeating: 0, count: m * n)
        var reflectors = [[Double]]()
        var signs = [Double](repeating: 1, count: n)
        // Householder: column j of A below the diagonal becomes alpha·e_j.
        for j in 0..<n {
            var v = (j..<m).map { a[$0 * n + j] }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { reflectors.append([]); continue }
            let alpha = v[0] > 0 ? -norm : norm
            signs[j] = alpha < 0 ? -1 : 1
            v[0] -= alpha
            let vnorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard vnorm > 0 else { reflectors.append([]); continue }
            v = v.map { $0 / vnorm }
            for col in j..<n {
                var dot = 0.0
                for i in j..<m { dot += v[i - j] * a[i * n + col] }
                for i in j..<m { a[i * n + col] -= 2 * v[i - j] * dot }
            }
            reflectors.append(v)
        }
        // Q = H₀ H₁ … applied to the first n columns of the identity.
        for i in 0..<n { q[i * n + i] = 1 }
        for j in stride(from: n - 1, through: 0, by: -1) where !reflectors[j].isEmpty {
            let v = reflectors[j]
            for col in 0..<n {
                var dot = 0.0
                for i in j..<m { dot += v[i - j] * q[i * n + col] }
                for i in j..<m { q[i * n + col] -= 2 * v[i - j] * dot }
            }
        }
        let g = Double(gain)
        return Tensor.filled(shape: shape) { out in
            for i in 0..<m {
                for j in 0..<n {
                    let value = Float(g * q[i * n + j] * signs[j])
                    if rows >= columns { out[i * n + j] = value } else { out[j * m + i] = value }
                }
            }
        }
    }
}
