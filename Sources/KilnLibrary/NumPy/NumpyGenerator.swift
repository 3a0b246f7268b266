/// `np.random.default_rng(seed)`: numpy's `Generator` on the PCG64 bit generator. Bit for bit
/// as numpy: the seeding (`SeedSequence`), `random` and `uniform` (53-bit doubles), `integers`
/// (Lemire's bounded integers, 32-bit words for ranges that fit), `shuffle` and `permutation`
/// (Fisher-Yates from the end with masked bounded integers), and `choice` (with replacement
/// through `integers`, without it by Floyd's algorithm or a tail shuffle as numpy picks, weighted
/// through the cumulative sum). Not as numpy: `standard_normal` and `normal` use the polar
/// Box-Muller method on the same stream, where numpy uses a 256-layer ziggurat, so their values
/// (and the draws after them) differ from numpy's while having the same distribution. (Matching
/// numpy there needs its ziggurat tables exactly; tables recomputed from the published
/// constants, even in 40-digit arithmetic, differ from numpy's in the last bits.)

import Foundation
import KilnLang

/// A numpy `Generator`: a PCG64 stream and the methods that draw from it.
final class NumpyGenerator: KObject {
    private var bits: PCG64
    /// The second value of the last polar Box-Muller pair.
    private var cachedGauss: Double?

    init(seed: Int) {
        bits = PCG64(seed: UInt64(bitPattern: Int64(seed)))
    }

    override var typeName: String { "Generator" }
    override func repr() -> String { "Generator(PCG64)" }

    func double() -> Double { bits.nextDouble() }

    /// An int in [0, max] as `integers` draws it (Lemire).
    func bounded(_ max: UInt64) -> UInt64 { bits.bounded(max) }

    /// An int in [0, max] by masked rejection (numpy's `random_interval`).
    func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        for shift in [1, 2, 4, 8, 16, 32] as [UInt64] { mask |= mask >> shift }
        while true {
            let v = max <= 0xFFFF_FFFF ? UInt64(bits.next32()) & mask : bits.next64() & mask
            if v <= max { return v }
        }
    }

    /// A standard normal value (polar Box-Muller; see the comment at the top).
    func gauss() -> Double {
        NumpyDraws.polarGauss(cached: &cachedGauss, double)
    }

    /// `count` distinct indices of 0..<n as numpy's `choice(replace=False)` picks them: a tail
    /// shuffle of arange(n) for a large share of a large population, else Floyd's algorithm
    /// (then shuffled unless `shuffle` is false); these shuffles bound by Lemire's method, as
    /// numpy's `_shuffle_int` does.
    func distinct(_ n: Int, _ count: Int, shuffle: Bool) -> [Int] {
        if n > 10000 && count > n / (shuffle ? 50 : 20) {
            var order = Array(0..<n)
            for (i, j) in NumpyDraws.swaps(n, from: max(n - count, 1), bounded) { order.swapAt(i, j) }
            return Array(order[(n - count)...])
        }
        var chosen = Set<Int>(), result: [Int] = []
        for j in (n - count)..<n {
            let v = Int(bounded(UInt64(j)))
            let pick = chosen.contains(v) ? j : v
            chosen.insert(pick)
            result.append(pick)
        }
        if shuffle { for (i, j) in NumpyDraws.swaps(count, from: 1, bounded) { result.swapAt(i, j) } }
        return result
    }

    func draws(shuffle: Bool = true) -> NumpyDraws {
        NumpyDraws(double: double, bounded: bounded, interval: interval) { [unowned self] n, count in distinct(n, count, shuffle: shuffle) }
    }

    private lazy var methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: makeMethods().map { ($0.name, $0) })

    override var attributeNames: [String] { methods.keys.sorted() }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        methods[name].map { .object($0) }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = methods[name] else { throw KilnError.attribute("'Generator' object has no attribute '\(name)'") }
        return try method.call(args, interpreter)
    }

    private func makeMethods() -> [KBuiltin] {
        let double = { [unowned self] in self.double() }, gauss = { [unowned self] in self.gauss() }
        func float64Only(_ a: BoundArguments) throws {
            if let dtype = try a.dtype(), dtype != .float64 {
                throw KilnError("NotImplementedError", "not supported in Kiln yet: Generator.\(a.function)(dtype=\(dtype.rawValue)); use float64")
            }
            if !a.isNone("out") { throw KilnError("NotImplementedError", "not supported in Kiln yet: Generator.\(a.function)(out=...)") }
        }
        func firstAxis(_ a: BoundArguments) throws {
            if try a.int("axis") != 0 { throw KilnError("NotImplementedError", "not supported in Kiln yet: Generator.\(a.function)(axis=...) other than 0") }
        }
        return [
            KBuiltin("random", "size=None, dtype=None, out=None", doc: "Uniform floats in [0, 1).") { a in
                try float64Only(a)
                return try NumpyRandomModule.floats(a["size"], double)
            },
            KBuiltin("standard_normal", "size=None, dtype=None, out=None", doc: "Standard normal floats (not numpy's ziggurat stream).") { a in
                try float64Only(a)
                return try NumpyRandomModule.floats(a["size"], gauss)
            },
            NumpyRandomModule.uniform(double),
            NumpyRandomModule.normal(gauss),
            KBuiltin("integers", "low, high=None, size=None, dtype=None, endpoint=False", doc: "Integers from [low, high) ([low, high] with endpoint=True; [0, low) without high).") { [unowned self] a in
                try NumpyRandomModule.integers(a, endpoint: a.bool("endpoint"), bounded)
            },
            KBuiltin("choice", "a, size=None, replace=True, p=None, axis=0, shuffle=True", doc: "Random elements of a 1-d array (or of arange(a)), with or without replacement, optionally weighted by p.") { [unowned self] a in
                try firstAxis(a)
                return try NumpyRandomModule.choice(draws(shuffle: a.bool("shuffle")), a)
            },
            KBuiltin("permutation", "x, axis=0", doc: "A shuffled copy of an array, or of arange(x) for an int.") { [unowned self] a in
                try firstAxis(a)
                return .object(try NumpyRandomModule.permutation(draws(), a[0]))
            },
            KBuiltin("shuffle", "x, axis=0", doc: "Shuffle an array (along its first axis) or a list in place.") { [unowned self] a in
                try firstAxis(a)
                try NumpyRandomModule.shuffle(draws(), a[0])
                return .none
            },
        ]
    }
}

extension NumpyRandomModule {
    /// `np.random.default_rng(seed=None)`: a Generator seeded by a non-negative int (the clock
    /// for None); a Generator passes through.
    static let defaultRNG = KBuiltin("default_rng", "seed=None", doc: "A numpy Generator (PCG64) seeded by a non-negative int, or by the clock.") { a in
        if a[0].as(NumpyGenerator.self) != nil { return a[0] }
        if a.isNone(0) { return .object(NumpyGenerator(seed: Int(UInt32(truncatingIfNeeded: UInt64(Date().timeIntervalSince1970 * 1e6))))) }
        guard case .int(let seed) = a[0] else {
            throw KilnError.type("default_rng(seed) takes a non-negative int or a Generator in Kiln, not \(a[0].typeName)")
        }
        guard seed >= 0 else { throw KilnError.value("expected non-negative integer") }
        return .object(NumpyGenerator(seed: seed))
    }
}
