/// MT19937, the Mersenne Twister behind Python's `random` and numpy's legacy `RandomState`,
/// with both libraries' seeding procedures, so a Kiln seed reproduces their streams exactly.

/// The 32-bit Mersenne Twister (Matsumoto & Nishimura 1998).
public struct MersenneTwister {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 625

    /// Seeded with `init_genrand(seed)` (numpy's `RandomState(seed)` for an int seed).
    public init(seed: UInt32) {
        initGenrand(seed)
    }

    /// Seeded with `init_by_array(key)` (Python's `random.seed(n)` passes the 32-bit words of
    /// |n|, least significant first).
    public init(key: [UInt32]) {
        initGenrand(19_650_218)
        var i = 1, j = 0
        let n = 624
        for _ in 0..<max(n, key.count) {
            let prev = state[i - 1] ^ (state[i - 1] >> 30)
            state[i] = (state[i] ^ (prev &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1
            j += 1
            if i >= n {
                state[0] = state[n - 1]
                i = 1
            }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<(n - 1) {
            let prev = state[i - 1] ^ (state[i - 1] >> 30)
            state[i] = (state[i] ^ (prev &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= n {
                state[0] = state[n - 1]
                i = 1
            }
        }
        state[0] = 0x8000_0000
    }

    /// Python's seeding of `random.seed(n)` for an int n.
    public init(pythonSeed n: Int) {
        var magnitude = n.magnitude
        var key: [UInt32] = []
        repeat {
            key.append(UInt32(truncatingIfNeeded: magnitude))
            magnitude >>= 32
        } while magnitude > 0
        self.init(key: key)
    }

    private mutating func initGenrand(_ seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7fff_ffff)
            var v = state[(i + 397) % 624] ^ (y >> 1)
            if y & 1 != 0 { v ^= 0x9908_b0df }
            state[i] = v
        }
        index = 0
    }

    /// The next 32 random bits.
    public mutating func next32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// A double in [0, 1) with 53 random bits (`random.random()`, `np.random.rand()`).
    public mutating func nextDouble() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `k` random bits (Python's `getrandbits(k)`, 1 ≤ k ≤ 64).
    public mutating func bits(_ k: Int) -> UInt64 {
        if k <= 32 { return UInt64(next32() >> (32 - UInt32(k))) }
        let low = UInt64(next32())
        let high = UInt64(next32() >> (64 - UInt32(k)))
        return (high << 32) | low
    }

    /// A uniform integer in [0, n) by rejection, drawing bits exactly as Python's
    /// `_randbelow` does (k = n.bit_length() bits per try), so streams stay in step (n ≥ 1).
    public mutating func below(_ n: UInt64) -> UInt64 {
        guard n > 0 else { return 0 }
        let k = 64 - n.leadingZeroBitCount
        var r = bits(k)
        while r >= n { r = bits(k) }
        return r
    }
}
