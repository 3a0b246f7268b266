/// numpy's default bit generator: `SeedSequence` turns a seed into well-mixed state words
/// (numpy's hash and mix of the entropy into a pool of four 32-bit words, then
/// `generate_state`), and `PCG64` is the 128-bit permuted congruential generator with the
/// XSL-RR output function, seeded as `PCG64(SeedSequence(seed))` seeds it. With both, Kiln's
/// `np.random.default_rng(seed)` produces numpy's 64-bit words bit for bit.

/// numpy's `SeedSequence` for a non-negative int seed (no spawn key), pool size 4.
struct SeedSequence {
    private static let initA: UInt32 = 0x43b0_d7e5, multA: UInt32 = 0x931e_8875
    private static let initB: UInt32 = 0x8b51_f9dd, multB: UInt32 = 0x58f3_8ded
    private static let mixMultL: UInt32 = 0xca01_f9dd, mixMultR: UInt32 = 0x4973_f715
    private static let xshift: UInt32 = 16

    /// The entropy pool after mixing.
    private(set) var pool: [UInt32] = [0, 0, 0, 0]

    /// `seed` as numpy reads an int: its 32-bit words, least significant first ([0] for 0).
    init(_ seed: UInt64) {
        var entropy: [UInt32] = [UInt32(truncatingIfNeeded: seed)]
        if seed >> 32 != 0 { entropy.append(UInt32(truncatingIfNeeded: seed >> 32)) }
        var hashConst = Self.initA
        func hashmix(_ value: UInt32) -> UInt32 {
            var value = value ^ hashConst
            hashConst = hashConst &* Self.multA
            value = value &* hashConst
            return value ^ (value >> Self.xshift)
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let result = Self.mixMultL &* x &- Self.mixMultR &* y
            return result ^ (result >> Self.xshift)
        }
        for i in pool.indices { pool[i] = hashmix(i < entropy.count ? entropy[i] : 0) }
        for source in pool.indices {
            for destination in pool.indices where source != destination {
                pool[destination] = mix(pool[destination], hashmix(pool[source]))
            }
        }
        for source in pool.count..<max(entropy.count, pool.count) {
            for destination in pool.indices { pool[destination] = mix(pool[destination], hashmix(entropy[source])) }
        }
    }

    /// `generate_state(n, np.uint64)`: n 64-bit words, each from two 32-bit words (low first).
    func generateState(_ n: Int) -> [UInt64] {
        var hashConst = Self.initB
        var words: [UInt32] = []
        for i in 0..<(2 * n) {
            var value = pool[i % pool.count] ^ hashConst
            hashConst = hashConst &* Self.multB
            value = value &* hashConst
            words.append(value ^ (value >> Self.xshift))
        }
        return (0..<n).map { UInt64(words[2 * $0]) | UInt64(words[2 * $0 + 1]) << 32 }
    }
}

/// PCG64 (XSL-RR 128/64), as numpy's `PCG64` bit generator.
struct PCG64 {
    private static let multiplier = (high: UInt64(0x2360_ed05_1fc6_5da4), low: UInt64(0x4385_df64_9fcc_f645))
    private var state: (high: UInt64, low: UInt64) = (0, 0)
    private var increment: (high: UInt64, low: UInt64) = (0, 1)
    /// The upper half of the last 64-bit word, returned by the next `next32` (numpy's buffer).
    private var buffered: UInt32?

    /// `PCG64(SeedSequence(seed))`.
    init(seed: UInt64) {
        let words = SeedSequence(seed).generateState(4)
        // pcg_setseq_128_srandom_r: inc = initseq << 1 | 1; step; state += initstate; step.
        increment = (words[2] << 1 | words[3] >> 63, words[3] << 1 | 1)
        step()
        state = Self.add(state, (words[0], words[1]))
        step()
    }

    private static func add(_ a: (high: UInt64, low: UInt64), _ b: (high: UInt64, low: UInt64)) -> (high: UInt64, low: UInt64) {
        let (low, carry) = a.low.addingReportingOverflow(b.low)
        return (a.high &+ b.high &+ (carry ? 1 : 0), low)
    }

    /// state = state * multiplier + increment (mod 2**128).
    private mutating func step() {
        let m = Self.multiplier
        let (productHigh, productLow) = state.low.multipliedFullWidth(by: m.low)
        let high = productHigh &+ state.low &* m.high &+ state.high &* m.low
        state = Self.add((high, productLow), increment)
    }

    /// The next 64-bit word: step, then rotate (high ^ low) right by the top 6 bits of the state.
    mutating func next64() -> UInt64 {
        step()
        let value = state.high ^ state.low
        let rotation = state.high >> 58
        return value >> rotation | value << ((64 - rotation) & 63)
    }

    /// The next 32-bit word: the low half of a fresh 64-bit word, then its high half.
    mutating func next32() -> UInt32 {
        if let word = buffered {
            buffered = nil
            return word
        }
        let word = next64()
        buffered = UInt32(truncatingIfNeeded: word >> 32)
        return UInt32(truncatingIfNeeded: word)
    }

    /// A double in [0, 1) from the top 53 bits of a 64-bit word (numpy's `next_double`).
    mutating func nextDouble() -> Double {
        Double(next64() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform integer in [0, range] by Lemire's multiply-and-reject, 32-bit words when the
    /// range fits in them (numpy's `random_bounded_uint64_fill` without masking).
    mutating func bounded(_ range: UInt64) -> UInt64 {
        if range == 0 { return 0 }
        if range == UInt64(UInt32.max) { return UInt64(next32()) }
        if range < UInt64(UInt32.max) {
            let exclusive = UInt32(range) + 1
            var m = UInt64(next32()) * UInt64(exclusive)
            if UInt32(truncatingIfNeeded: m) < exclusive {
                let threshold = (UInt32.max - UInt32(range)) % exclusive
                while UInt32(truncatingIfNeeded: m) < threshold { m = UInt64(next32()) * UInt64(exclusive) }
            }
            return m >> 32
        }
        if range == UInt64.max { return next64() }
        let exclusive = range + 1
        var (high, low) = next64().multipliedFullWidth(by: exclusive)
        if low < exclusive {
            let threshold = (UInt64.max - range) % exclusive
            while low < threshold { (high, low) = next64().multipliedFullWidth(by: exclusive) }
        }
        return high
    }
}
