/// Powell's conjugate-direction method as scipy's `minimize(method='Powell')` runs it without
/// bounds: line minimizations along each direction of a set (initially the axes) by Brent's
/// method from scipy's golden-ratio bracket, the extrapolated direction x − x_start replacing
/// the direction of largest decrease when Powell's test allows, and the stopping rule
/// `2·(f_start − f) ≤ ftol·(|f_start| + |f|) + 1e-20`, so iterates and counts match scipy's.
public struct Powell: Sendable {
    public var xtol = 1e-4
    public var ftol = 1e-4
    /// Default: 1000 · n iterations and evaluations.
    public var budget: Budget

    public init(xtol: Double = 1e-4, ftol: Double = 1e-4, budget: Budget = Budget()) {
        self.xtol = xtol
        self.ftol = ftol
        self.budget = budget
    }

    public func minimize(_ f: @escaping ([Double]) throws -> Double, from x0: [Double]) throws -> MinimizationResult {
        let n = x0.count
        guard n > 0 else { throw LearnError("x0 must have at least one coordinate") }
        let limits = budget.limits(coordinates: n, perCoordinate: 1000)
        let (maxIterations, maxEvaluations) = limits
        var f = CountedObjective(f, limit: maxEvaluations)
        var directions = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0 } }
        var x = x0
        var value = try f(x)
        var start = x
        var iterations = 0
        let tolerance = xtol * 100
        do {
            while true {
                let startValue = value
                var biggest = 0, delta = 0.0
                for i in 0..<n {
                    let before = value
                    (value, x, _) = try lineMinimum(&f, x, directions[i], value, tolerance: tolerance)
                    if before - value > delta { (delta, biggest) = (before - value, i) }
                }
                iterations += 1
                if 2 * (startValue - value) <= ftol * (abs(startValue) + abs(value)) + 1e-20 { break }
                if f.calls >= maxEvaluations || iterations >= maxIterations { break }
                if startValue.isNaN && value.isNaN { break }
                let direction = zip(x, start).map { $0 - $1 }
                start = x
                let extrapolated = try f(zip(x, direction).map { $0 + $1 })
                if startValue > extrapolated {
                    let a = startValue - value - delta, b = startValue - extrapolated
                    let t = 2 * (startValue + extrapolated - 2 * value) * a * a - delta * b * b
                    if t < 0 {
                        let step: [Double]
                        (value, x, step) = try lineMinimum(&f, x, direction, value, tolerance: tolerance)
                        if step.contains(where: { $0 != 0 }) {
                            directions[biggest] = directions[n - 1]
                            directions[n - 1] = step
                        }
                    }
                }
            }
        } catch is CountedObjective.Exhausted {}
        return MinimizationResult(x: x, fun: value, iterations: iterations, evaluations: f.calls,
                                  status: Budget.status(calls: f.calls, iterations: iterations, limits: limits))
    }

    /// The minimum of f along `direction` from `p`: (value, point, step taken).
    private func lineMinimum(_ f: inout CountedObjective, _ p: [Double], _ direction: [Double], _ value: Double,
                             tolerance: Double) throws -> (Double, [Double], [Double]) {
        guard direction.contains(where: { $0 != 0 }) else { return (value, p, direction) }
        let (alpha, best) = try Brent.minimum({ alpha in try f(zip(p, direction).map { $0 + alpha * $1 }) }, tolerance: tolerance)
        let step = direction.map { alpha * $0 }
        return (best, zip(p, step).map { $0 + $1 }, step)
    }
}

/// Brent's scalar minimization from scipy's bracket, as `scipy.optimize.brent` computes it.
enum Brent {
    /// (argmin, min) of `f`; when no valid bracket is found, the best of its three points.
    static func minimum(_ f: (Double) throws -> Double, tolerance: Double, maxIterations: Int = 500) throws -> (Double, Double) {
        let gold = 1.618034, tiny = 1e-21, growLimit = 110.0
        var xa = 0.0, xb = 1.0
        var fa = try f(xa), fb = try f(xb)
        if fa < fb { (xa, xb, fa, fb) = (xb, xa, fb, fa) }
        var xc = xb + gold * (xb - xa)
        var fc = try f(xc)
        var rounds = 0
        while fc < fb && rounds <= 1000 {
            rounds += 1
            let tmp1 = (xb - xa) * (fb - fc), tmp2 = (xb - xc) * (fb - fa)
            let val = tmp2 - tmp1
            let denominator = abs(val) < tiny ? 2 * tiny : 2 * val
            var w = xb - ((xb - xc) * tmp2 - (xb - xa) * tmp1) / denominator
            let wlim = xb + growLimit * (xc - xb)
            var fw: Double
            if (w - xc) * (xb - w) > 0 {
                fw = try f(w)
                if fw < fc { (xa, xb, fa, fb) = (xb, w, fb, fw); break }
                if fw > fb { (xc, fc) = (w, fw); break }
                w = xc + gold * (xc - xb)
                fw = try f(w)
            } else if (w - wlim) * (wlim - xc) >= 0 {
                w = wlim
                fw = try f(w)
            } else if (w - wlim) * (xc - w) > 0 {
                fw = try f(w)
                if fw < fc {
                    (xb, xc) = (xc, w)
                    w = xc + gold * (xc - xb)
                    (fb, fc) = (fc, fw)
                    fw = try f(w)
                }
            } else {
                w = xc + gold * (xc - xb)
                fw = try f(w)
            }
            (xa, xb, xc, fa, fb, fc) = (xb, xc, w, fb, fc, fw)
        }
        let valid = ((fb < fc && fb <= fa) || (fb < fa && fb <= fc)) && ((xa < xb && xb < xc) || (xc < xb && xb < xa))
            && xa.isFinite && xb.isFinite && xc.isFinite
        guard valid else {
            let points = [(xa, fa), (xb, fb), (xc, fc)]
            let best = points.indices.min { points[$0].1 < points[$1].1 || (points[$0].1 == points[$1].1 && $0 < $1) } ?? 1
            return points[best]
        }

        let mintol = 1.0e-11, cg = 0.3819660
        var x = xb, w = xb, v = xb
        var fx = fb, fw = fb, fv = fb
        var a = Swift.min(xa, xc), b = Swift.max(xa, xc)
        var deltax = 0.0, rat = 0.0
        for _ in 0..<maxIterations {
            let tol1 = tolerance * abs(x) + mintol, tol2 = 2 * tol1
            let xmid = 0.5 * (a + b)
            if abs(x - xmid) < tol2 - 0.5 * (b - a) { break }
            if abs(deltax) <= tol1 {
                deltax = x >= xmid ? a - x : b - x
                rat = cg * deltax
            } else {
                let tmp1 = (x - w) * (fx - fv)
                var tmp2 = (x - v) * (fx - fw)
                var p = (x - v) * tmp2 - (x - w) * tmp1
                tmp2 = 2 * (tmp2 - tmp1)
                if tmp2 > 0 { p = -p }
                tmp2 = abs(tmp2)
                let previous = deltax
                deltax = rat
                if p > tmp2 * (a - x) && p < tmp2 * (b - x) && abs(p) < abs(0.5 * tmp2 * previous) {
                    rat = p / tmp2
                    let u = x + rat
                    if u - a < tol2 || b - u < tol2 { rat = xmid - x >= 0 ? tol1 : -tol1 }
                } else {
                    deltax = x >= xmid ? a - x : b - x
                    rat = cg * deltax
                }
            }
            let u = abs(rat) < tol1 ? (rat >= 0 ? x + tol1 : x - tol1) : x + rat
            let fu = try f(u)
            if fu > fx {
                if u < x { a = u } else { b = u }
                if fu <= fw || w == x {
                    (v, w, fv, fw) = (w, u, fw, fu)
                } else if fu <= fv || v == x || v == w {
                    (v, fv) = (u, fu)
                }
            } else {
                if u >= x { a = x } else { b = x }
                (v, w, x, fv, fw, fx) = (w, x, u, fw, fx, fu)
            }
        }
        return (x, fx)
    }
}
