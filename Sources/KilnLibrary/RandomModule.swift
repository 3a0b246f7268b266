/// Python's `random` module on the Mersenne Twister, drawing numbers exactly as CPython does:
/// after `random.seed(n)` the same calls give the same values as in Python.

import Foundation
import KilnLang
import KilnTensor

/// The session's Python-style random generator (shared by `random` and, later, the
/// `set_random_seed` helpers that seed everything).
public final class PythonRandom {
    var twister: MersenneTwister
    /// Box-Muller's second value, kept for the next `gauss` call as CPython does.
    var nextGauss: Double?

    public init() {
        twister = MersenneTwister(pythonSeed: Int(truncatingIfNeeded: UInt64(Date().timeIntervalSince1970 * 1e6)))
    }

    public func seed(_ n: Int) {
        twister = MersenneTwister(pythonSeed: n)
        nextGauss = nil
    }

    func random() -> Double { twister.nextDouble() }

    /// A uniform int in [0, n), n ≥ 1.
    func below(_ n: Int) -> Int { Int(twister.below(UInt64(n))) }

    func gauss(_ mu: Double, _ sigma: Double) -> Double {
        if let z = nextGauss {
            nextGauss = nil
            return mu + z * sigma
        }
        let angle = random() * 2 * Double.pi
        let radius = (-2.0 * Foundation.log(1.0 - random())).squareRoot()
        nextGauss = Foundation.sin(angle) * radius
        return mu + Foundation.cos(angle) * radius * sigma
    }
}

enum RandomModule {
    static func make(_ rng: PythonRandom) -> KModule {
        let m = KModule("random", doc: "Pseudo-random numbers, as Python's random module.")
        m.add([
            KBuiltin("seed", "a=None, /", doc: "Seed the generator with an int (None: from the clock).") { a in
                if a.isNone(0) {
                    rng.seed(Int(truncatingIfNeeded: UInt64(Date().timeIntervalSince1970 * 1e6)))
                } else {
                    rng.seed(try a.int(0))
                }
                return .none
            },
            KBuiltin("random", "", doc: "A float in [0.0, 1.0).") { _ in .float(rng.random()) },
            KBuiltin("uniform", "a, b, /", doc: "A float between a and b.") { a in
                let lo = try a.double(0), hi = try a.double(1)
                return .float(lo + (hi - lo) * rng.random())
            },
            KBuiltin("randint", "a, b, /", doc: "An int in [a, b], both ends included.") { a in
                try randrange(rng, try a.int(0), try a.int(1) + 1, 1, "randint")
            },
            KBuiltin("randrange", "start, stop=None, step=1, /", doc: "An int from range(start, stop, step).") { a in
                guard let stop = try a.optionalInt(1) else { return try randrange(rng, 0, try a.int(0), 1, "randrange") }
                return try randrange(rng, try a.int(0), stop, try a.int(2), "randrange")
            },
            KBuiltin("getrandbits", "k, /", doc: "An int with k random bits (k <= 63 in Kiln).") { a in
                let k = try a.int(0)
                guard k >= 0, k <= 63 else { throw KilnError.value("number of bits must be between 0 and 63 in Kiln") }
                return .int(k == 0 ? 0 : Int(rng.twister.bits(k)))
            },
            KBuiltin("choice", "seq, /", doc: "A random element of a non-empty sequence.") { a in
                let n = try a.interpreter.length(a[0])
                guard n > 0 else { throw KilnError.index("Cannot choose from an empty sequence") }
                return try a.interpreter.getItem(a[0], .int(rng.below(n)))
            },
            KBuiltin("shuffle", "x, /", doc: "Shuffle a list in place.") { a in
                guard case .object(let o) = a[0], let list = o as? KList else { throw a.typeError(0, expected: "list") }
                var i = list.items.count - 1
                while i > 0 {
                    let j = rng.below(i + 1)
                    list.items.swapAt(i, j)
                    i -= 1
                }
                return .none
            },
            KBuiltin("gauss", "mu=0.0, sigma=1.0", doc: "A normally distributed float (Box-Muller, as CPython).") { a in
                .float(rng.gauss(try a.double(0), try a.double(1)))
            },
        ])
        return m
    }

    private static func randrange(_ rng: PythonRandom, _ start: Int, _ stop: Int, _ step: Int, _ name: String) throws -> Value {
        guard step != 0 else { throw KilnError.value("zero step for randrange()") }
        let (width, overflow) = stop.subtractingReportingOverflow(start)
        guard !overflow else { throw KilnError.overflow("range of \(name)() does not fit in a 64-bit int") }
        let n = step > 0 ? (width + step - 1) / step : (width + step + 1) / step
        guard n > 0 else { throw KilnError.value("empty range for \(name)() (\(start), \(stop), \(step))") }
        return .int(start + step * rng.below(n))
    }
}
