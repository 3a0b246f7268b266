/// `np.random`: numpy's legacy global `RandomState`, drawing exactly as numpy does so that
/// after `np.random.seed(n)` the same calls give the same numbers: MT19937 seeded by
/// `init_genrand` (or `init_by_array` for a list seed), `random_sample` from 53 bits, the polar
/// Box-Muller `legacy_gauss` keeping its second value, masked rejection sampling for bounded
/// integers (32-bit words when the range fits), and Fisher-Yates shuffles from the end.

import Foundation
import KilnLang
import KilnTensor

/// The session's numpy random state (seeded by `np.random.seed` and by the Keras-style
/// `set_random_seed` helpers).
public final class NumpyRandom {
    private var twister: MersenneTwister
    /// The second value of the last polar Box-Muller pair, returned by the next gauss.
    private var cachedGauss: Double?

    public init() {
        twister = MersenneTwister(seed: UInt32(truncatingIfNeeded: UInt64(Date().timeIntervalSince1970 * 1e6)))
    }

    /// `np.random.seed(n)` for 0 ≤ n < 2**32.
    public func seed(_ n: UInt32) {
        twister = MersenneTwister(seed: n)
        cachedGauss = nil
    }

    /// `np.random.seed([a, b, …])`.
    func seed(key: [UInt32]) {
        twister = MersenneTwister(key: key)
        cachedGauss = nil
    }

    /// A float in [0, 1) (`random_sample`).
    func double() -> Double { twister.nextDouble() }

    /// A standard normal value (numpy's `legacy_gauss`).
    func gauss() -> Double {
        NumpyDraws.polarGauss(cached: &cachedGauss, double)
    }

    /// A uniform integer in [0, max]: random words masked to max's bit length until one is
    /// not above max (numpy's `random_interval` and legacy bounded integers).
    func bounded(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        for shift in [1, 2, 4, 8, 16, 32] as [UInt64] { mask |= mask >> shift }
        if max <= 0xFFFF_FFFF {
            while true {
                let v = UInt64(twister.next32()) & mask
                if v <= max { return v }
            }
        }
        while true {
            let high = UInt64(twister.next32()), low = UInt64(twister.next32())
            let v = (high << 32 | low) & mask
            if v <= max { return v }
        }
    }

    /// numpy's `permutation(n)`: 0..<n shuffled by `swaps`.
    func permutation(_ n: Int) -> [Int] {
        var order = Array(0..<max(n, 0))
        for (i, j) in swaps(order.count) { order.swapAt(i, j) }
        return order
    }

    /// A Fisher-Yates shuffle of n positions from the end, as numpy's `shuffle`: the swaps to
    /// make, (i, j) with j drawn from [0, i].
    func swaps(_ n: Int) -> [(Int, Int)] { NumpyDraws.swaps(n, from: 1, bounded) }

    /// How the legacy state draws for choice, shuffle and permutation.
    var draws: NumpyDraws {
        NumpyDraws(double: double, bounded: bounded, interval: bounded) { [unowned self] n, count in
            Array(permutation(n).prefix(count))
        }
    }
}

/// What `choice`, `shuffle` and `permutation` draw, from the legacy `RandomState` or from a
/// `Generator` (which differ in how they bound integers and pick distinct indices).
struct NumpyDraws {
    /// A float in [0, 1).
    let double: () -> Double
    /// A uniform integer in [0, max] (`choice` with replacement).
    let bounded: (UInt64) -> UInt64
    /// A uniform integer in [0, max] by masked rejection (`random_interval`, for shuffles).
    let interval: (UInt64) -> UInt64
    /// `count` distinct indices of 0..<n (`choice` without replacement or weights).
    let distinct: (_ n: Int, _ count: Int) -> [Int]

    /// A standard normal value by the polar Box-Muller method, keeping the pair's second value
    /// in `cached` for the next call (numpy's `legacy_gauss`).
    static func polarGauss(cached: inout Double?, _ double: () -> Double) -> Double {
        if let g = cached {
            cached = nil
            return g
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2 * double() - 1
            x2 = 2 * double() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * Foundation.log(r2) / r2).squareRoot()
        cached = f * x1
        return f * x2
    }

    /// The Fisher-Yates swaps from the end down to position `first`: (i, j), j from [0, i].
    static func swaps(_ n: Int, from first: Int, _ interval: (UInt64) -> UInt64) -> [(Int, Int)] {
        stride(from: n - 1, through: max(first, 1), by: -1).map { i in (i, Int(interval(UInt64(i)))) }
    }
}

enum NumpyRandomModule {
    static func make(_ rng: NumpyRandom) -> KModule {
        let m = KModule("numpy.random", doc: "Random numbers drawn as numpy's legacy RandomState draws them.")
        m.add([
            KBuiltin("seed", "seed=None", doc: "Seed the generator: an int in [0, 2**32), a list of them, or None (the clock).") { a in
                try seed(rng, a[0])
                return .none
            },
            KBuiltin("rand", "*shape", doc: "Uniform floats in [0, 1) of the given shape (a float with no arguments).") { a in
                try floats(dimensions(a), rng.double)
            },
            KBuiltin("randn", "*shape", doc: "Standard normal floats of the given shape (a float with no arguments).") { a in
                try floats(dimensions(a), rng.gauss)
            },
            KBuiltin("random", "size=None", doc: "Uniform floats in [0, 1).") { a in try floats(a["size"], rng.double) },
            KBuiltin("random_sample", "size=None", doc: "Uniform floats in [0, 1).") { a in try floats(a["size"], rng.double) },
            KBuiltin("standard_normal", "size=None", doc: "Standard normal floats.") { a in try floats(a["size"], rng.gauss) },
            uniform(rng.double),
            normal(rng.gauss),
            KBuiltin("randint", "low, high=None, size=None, dtype=None", doc: "Integers from [low, high) (from [0, low) without high).") { a in
                try integers(a, endpoint: false, rng.bounded)
            },
            KBuiltin("shuffle", "x", doc: "Shuffle an array (along its first axis) or a list in place.") { a in
                try shuffle(rng.draws, a[0])
                return .none
            },
            KBuiltin("permutation", "x", doc: "A shuffled copy of an array, or of arange(x) for an int.") { a in
                .object(try permutation(rng.draws, a[0]))
            },
            KBuiltin("choice", "a, size=None, replace=True, p=None", doc: "Random elements of a 1-d array (or of arange(a)), with or without replacement, optionally weighted by p.") { a in
                try choice(rng.draws, a)
            },
            defaultRNG,
        ])
        return m
    }

    /// `uniform(low, high, size)` drawing from `double`.
    static func uniform(_ double: @escaping () -> Double) -> KBuiltin {
        KBuiltin("uniform", "low=0.0, high=1.0, size=None", doc: "Uniform floats in [low, high).") { a in
            let low = try a.double("low"), range = try a.double("high") - low
            return try floats(a["size"]) { low + range * double() }
        }
    }

    /// `normal(loc, scale, size)` drawing standard normals from `gauss`.
    static func normal(_ gauss: @escaping () -> Double) -> KBuiltin {
        KBuiltin("normal", "loc=0.0, scale=1.0, size=None", doc: "Normal floats with mean loc and standard deviation scale.") { a in
            let loc = try a.double("loc"), scale = try a.double("scale")
            if scale < 0 { throw KilnError.value("scale < 0") }
            return try floats(a["size"]) { loc + scale * gauss() }
        }
    }

    /// Integers from [low, high) (or [low, high] with `endpoint`; from [0, low) without high),
    /// `bounded(max)` drawing each offset from [0, max]: `randint` and `Generator.integers`.
    static func integers(_ a: BoundArguments, endpoint: Bool, _ bounded: (UInt64) -> UInt64) throws -> Value {
        let (low, high) = a.isNone("high") ? (0, try a.int("low")) : (try a.int("low"), try a.int("high"))
        guard endpoint ? low <= high : low < high else { throw KilnError.value(endpoint ? "low > high" : "low >= high") }
        let dtype = try a.dtype() ?? .int64
        guard dtype == .int64 || dtype == .int32 else {
            throw KilnError.type("not supported in Kiln: \(a.function)(dtype=\(dtype.rawValue)); use int64 or int32")
        }
        let range = UInt64(bitPattern: Int64(high &- low &- (endpoint ? 0 : 1)))
        let (shape, n) = try size(a["size"])
        let values = (0..<n).map { _ in low &+ Int(bitPattern: UInt(bounded(range))) }
        guard let shape else { return .int(values[0]) }
        return .object(NDArray(dtype, shape, ints: values))
    }

    private static func seed(_ rng: NumpyRandom, _ value: Value) throws {
        let outOfRange = KilnError.value("Seed must be between 0 and 2**32 - 1")
        switch value {
        case .none:
            rng.seed(UInt32(truncatingIfNeeded: UInt64(Date().timeIntervalSince1970 * 1e6)))
        case .int, .bool:
            guard let n = value.asInt, let seed = UInt32(exactly: n) else { throw outOfRange }
            rng.seed(seed)
        default:
            let key = try NDArray.from(value)
            guard key.size > 0 else { throw KilnError.value("Seed must be non-empty") }
            guard !key.dtype.isFloat else {
                let what = key.ndim == 0 ? "scalar" : "array data"
                throw KilnError.type("Cannot cast \(what) from dtype('\(key.dtype.rawValue)') to dtype('int64') according to the rule 'safe'")
            }
            guard key.ndim == 1 else { throw KilnError.value("Seed array must be 1-d") }
            rng.seed(key: try key.storage.ints.map { guard let k = UInt32(exactly: $0) else { throw outOfRange }; return k })
        }
    }

    /// The shape a `size` argument asks for (nil for None: one Python number) and its count.
    static func size(_ size: Value) throws -> (shape: [Int]?, count: Int) {
        if case .none = size { return (nil, 1) }
        let shape = try Shapes.read(size)
        return (shape, try NDArray.checkedCount(shape, .float64))
    }

    /// `rand(2, 3)`'s dimensions as a size (None when there are none).
    private static func dimensions(_ args: BoundArguments) throws -> Value {
        let dims = try args.list(0)
        return dims.isEmpty ? .none : .object(KTuple(dims))
    }

    /// Floats drawn for a `size` argument: a Python float for None, else a float64 array.
    static func floats(_ size: Value, _ draw: () -> Double) throws -> Value {
        let (shape, n) = try self.size(size)
        let values = (0..<n).map { _ in draw() }
        guard let shape else { return .float(values[0]) }
        return .object(NDArray(.float64, shape, doubles: values))
    }

    static func shuffle(_ draws: NumpyDraws, _ x: Value) throws {
        if let list = x.as(KList.self) {
            for (i, j) in NumpyDraws.swaps(list.items.count, from: 1, draws.interval) { list.items.swapAt(i, j) }
            return
        }
        guard let array = x.as(NDArray.self) else {
            throw KilnError.type("shuffle() argument 'x' must be a list or an array, not \(x.typeName)")
        }
        guard let n = array.shape.first else { return }
        var order = Array(0..<n)
        for (i, j) in NumpyDraws.swaps(n, from: 1, draws.interval) { order.swapAt(i, j) }
        if let shuffled = try ArrayIndex(.object(KList(order.map { .int($0) })), of: array).get(array).as(NDArray.self) {
            array.storage = shuffled.storage
        }
    }

    static func permutation(_ draws: NumpyDraws, _ x: Value) throws -> NDArray {
        if let n = x.asInt, x.as(NDArray.self) == nil {
            let n = max(n, 0)
            _ = try NDArray.checkedCount([n], .int64)
            let a = NDArray(.int64, [n], ints: Array(0..<n))
            try shuffle(draws, .object(a))
            return a
        }
        let a = try NDArray.from(x).copy()
        if a.ndim == 0 { throw KilnError.index("x must be an integer or at least 1-dimensional") }
        try shuffle(draws, .object(a))
        return a
    }

    static func choice(_ draws: NumpyDraws, _ args: BoundArguments) throws -> Value {
        // An int a stands for arange(a), which is only built when a permutation needs it.
        let population: NDArray?
        let n: Int
        if let count = args["a"].asInt, args["a"].as(NDArray.self) == nil {
            guard count > 0 else { throw KilnError.value("a must be greater than 0 unless no samples are taken") }
            (population, n) = (nil, count)
        } else {
            let a = try args.array("a")
            guard a.ndim == 1 else { throw KilnError.value("a must be 1-dimensional") }
            guard a.size > 0 else { throw KilnError.value("'a' cannot be empty unless no samples are taken") }
            (population, n) = (a, a.size)
        }
        let (requested, count) = try size(args["size"])
        let shape = requested ?? []
        var weights: [Double]?
        if !args.isNone("p") {
            let p = try args.array("p")
            guard p.ndim == 1 else { throw KilnError.value("'p' must be 1-dimensional") }
            guard p.size == n else { throw KilnError.value("'a' and 'p' must have same size") }
            let w = p.storage.doubles
            if w.contains(where: { $0 < 0 }) { throw KilnError.value("probabilities are not non-negative") }
            if abs(Reduction.sum(w[...], .float64, pairwise: true) - 1) > Double.ulpOfOne.squareRoot() {
                throw KilnError.value("probabilities do not sum to 1")
            }
            weights = w
        }
        var indices: [Int]
        if args.bool("replace") {
            if let w = weights {
                let cdf = cumulative(w)
                indices = (0..<count).map { _ in searchRight(cdf, draws.double()) }
            } else {
                indices = (0..<count).map { _ in Int(draws.bounded(UInt64(n - 1))) }
            }
        } else {
            guard count <= n else { throw KilnError.value("Cannot take a larger sample than population when 'replace=False'") }
            if var w = weights {
                // numpy's legacy loop: draw, keep the new distinct picks in order, zero them, repeat.
                indices = []
                while indices.count < count {
                    let uniforms = (0..<(count - indices.count)).map { _ in draws.double() }
                    for i in indices { w[i] = 0 }
                    let cdf = cumulative(w)
                    var seen = Set<Int>()
                    indices += uniforms.map { searchRight(cdf, $0) }.filter { seen.insert($0).inserted }
                }
            } else {
                indices = draws.distinct(n, count)
            }
        }
        guard let population else { return NDArray(.int64, shape, ints: indices).valueOrScalar }
        return NDArray(population.dtype, shape, population.storage.gather(indices)).valueOrScalar
    }

    /// The running sum of `w`, divided by its total (numpy's cdf for weighted choice).
    private static func cumulative(_ w: [Double]) -> [Double] {
        var total = 0.0
        let sums = w.map { x -> Double in total += x; return total }
        return sums.map { $0 / (sums.last ?? 1) }
    }

    /// The first position whose value is above `x` (`searchsorted(side='right')`).
    private static func searchRight(_ sorted: [Double], _ x: Double) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] <= x { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
