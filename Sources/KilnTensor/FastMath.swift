/// Branch-free Float approximations of exp, sigmoid, tanh and erf for the activation loops.
/// libm's functions are calls the compiler cannot vectorise; these are straight-line
/// arithmetic (Cephes' polynomials, Numerical Recipes' erfc), so loops over them run on SIMD
/// lanes. Accuracy is about 1–2 ulp for exp and better than 2·10⁻⁷ absolute for the others.

/// `eˣ` for `x ≤ 88` (larger x gives e⁸⁸); 0 below −87.3 (where eˣ leaves the normal range).
/// Cephes' expf: `x = n·ln2 + r` with |r| ≤ ln2/2, a degree-6 polynomial for eʳ, and 2ⁿ
/// built in the exponent bits.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let clamped = Swift.min(Swift.max(x, -87.33654), 88)
    // Adding 1.5·2²³ rounds x·log₂e to an integer held in the low mantissa bits.
    let magic: Float = 12_582_912
    let t = clamped * 1.442_695_04 + magic
    let n = t - magic
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let e = p * (r * r) + r + 1
    let scale = Float(bitPattern: (t.bitPattern &- magic.bitPattern &+ 127) << 23)
    return x < -87.33654 ? 0 : e * scale
}

/// `1 / (1 + e⁻ˣ)`, from `e^-|x|` so nothing overflows.
@inline(__always)
func fastSigmoid(_ x: Float) -> Float {
    let e = fastExp(-Swift.abs(x))
    let s = 1 / (1 + e)
    return x >= 0 ? s : e * s
}

/// `tanh(x)`: Cephes' odd polynomial for |x| < 0.625, else `(1 − e)/(1 + e)` with `e = e^-2|x|`.
@inline(__always)
func fastTanh(_ x: Float) -> Float {
    let a = Swift.abs(x)
    let z = x * x
    var p: Float = -5.704_988_727_45e-3
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    let small = x + x * z * p
    let e = fastExp(-2 * a)
    let large = (1 - e) / (1 + e)
    return a < 0.625 ? small : (x < 0 ? -large : large)
}

/// `erf(x)` as `1 − erfc(|x|)` with Numerical Recipes' Chebyshev fit of erfc (fractional
/// error < 1.2·10⁻⁷), signed.
@inline(__always)
func fastErf(_ x: Float) -> Float {
    let a = Swift.abs(x)
    let t = 1 / (1 + 0.5 * a)
    var p: Float = 0.170_872_77
    p = p * t - 0.822_152_23
    p = p * t + 1.488_515_87
    p = p * t - 1.135_203_98
    p = p * t + 0.278_868_07
    p = p * t - 0.186_288_06
    p = p * t + 0.096_784_18
    p = p * t + 0.374_091_96
    p = p * t + 1.000_023_68
    p = p * t - 1.265_512_23
    let erfc = t * fastExp(-a * a + p)
    let y = 1 - erfc
    return x < 0 ? -y : y
}
