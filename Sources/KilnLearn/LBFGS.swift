/// Limited-memory BFGS for smooth unconstrained problems: the two-loop recursion over the last
/// `memory` steps and a line search satisfying the strong Wolfe conditions (Nocedal & Wright,
/// algorithms 7.4 and 3.5–3.6). It stops as scipy's L-BFGS-B does for scikit-learn: when
/// `max|∇f| ≤ gradientTolerance`, when the relative decrease of f falls to `64·ε`, or after
/// `maxIterations` iterations.
struct LBFGS {
    var gradientTolerance = 1e-4
    var maxIterations = 100
    var memory = 10

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Minimizes `f`, which returns the value and the gradient at a point.
    func minimize(_ f: ([Double]) -> (Double, [Double]), from x0: [Double]) -> Result {
        var x = x0
        var (value, gradient) = f(x)
        var steps: [[Double]] = [], changes: [[Double]] = [], curvatures: [Double] = []
        var iteration = 0
        while iteration < maxIterations {
            if (gradient.map(abs).max() ?? 0) <= gradientTolerance { return Result(x: x, value: value, iterations: iteration, converged: true) }
            iteration += 1
            // Two-loop recursion: direction = −H·∇f.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = curvatures[i] * dot(steps[i], q)
                axpy(-alphas[i], changes[i], &q)
            }
            if let s = steps.last, let y = changes.last {
                let scale = dot(s, y) / dot(y, y)
                q = q.map { $0 * scale }
            } else {
                let norm = dot(gradient, gradient).squareRoot()
                q = q.map { $0 / Swift.max(norm, 1) }
            }
            for i in 0..<steps.count {
                let beta = curvatures[i] * dot(changes[i], q)
                axpy(alphas[i] - beta, steps[i], &q)
            }
            var direction = q.map { -$0 }
            if dot(direction, gradient) >= 0 {      // not a descent direction: restart
                steps.removeAll(); changes.removeAll(); curvatures.removeAll()
                direction = gradient.map { -$0 }
            }
            guard let (t, newValue, newGradient) = lineSearch(f, x, value, gradient, direction) else {
                return Result(x: x, value: value, iterations: iteration, converged: false)
            }
            let s = direction.map { $0 * t }
            let y = zip(newGradient, gradient).map { $0 - $1 }
            let newX = zip(x, s).map { $0 + $1 }
            let decrease = (value - newValue) / Swift.max(abs(value), abs(newValue), 1)
            x = newX
            (value, gradient) = (newValue, newGradient)
            let sy = dot(s, y)
            if sy > 1e-10 * dot(y, y) {
                steps.append(s); changes.append(y); curvatures.append(1 / sy)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
            }
            if decrease <= 64 * Double.ulpOfOne { return Result(x: x, value: value, iterations: iteration, converged: true) }
        }
        let converged = (gradient.map(abs).max() ?? 0) <= gradientTolerance
        return Result(x: x, value: value, iterations: iteration, converged: converged)
    }

    /// A step length along `d` with sufficient decrease (c₁ = 1e-4) and strong curvature
    /// (c₂ = 0.9): doubling until the minimum is bracketed, then a zoom by safeguarded
    /// quadratic interpolation; nil when no step lowers f.
    private func lineSearch(_ f: ([Double]) -> (Double, [Double]), _ x: [Double], _ f0: Double, _ g0: [Double],
                            _ d: [Double]) -> (Double, Double, [Double])? {
        let c1 = 1e-4, c2 = 0.9
        let slope0 = dot(g0, d)
        func at(_ t: Double) -> (value: Double, gradient: [Double], slope: Double) {
            let (v, g) = f(zip(x, d).map { $0 + t * $1 })
            return (v, g, dot(g, d))
        }
        func sufficient(_ t: Double, _ v: Double) -> Bool { v.isFinite && v <= f0 + c1 * t * slope0 }
        var lo = 0.0, fLo = f0, slopeLo = slope0, hi = 1.0, fHi = 0.0
        var bracketed = false
        var t = 1.0
        for attempt in 0..<20 {
            let p = at(t)
            if !sufficient(t, p.value) || (attempt > 0 && p.value >= fLo) {
                (hi, fHi, bracketed) = (t, p.value, true)
                break
            }
            if abs(p.slope) <= -c2 * slope0 { return (t, p.value, p.gradient) }
            if p.slope >= 0 {
                (hi, fHi, bracketed) = (lo, fLo, true)
                (lo, fLo, slopeLo) = (t, p.value, p.slope)
                break
            }
            (lo, fLo, slopeLo) = (t, p.value, p.slope)
            t *= 2
        }
        if bracketed {
            for _ in 0..<40 {
                let width = hi - lo
                var next = lo - slopeLo * width * width / (2 * (fHi - fLo - slopeLo * width))
                let low = Swift.min(lo, hi) + 0.1 * abs(width), high = Swift.max(lo, hi) - 0.1 * abs(width)
                if !next.isFinite || next < low || next > high { next = lo + width / 2 }
                let p = at(next)
                if !sufficient(next, p.value) || p.value >= fLo {
                    (hi, fHi) = (next, p.value)
                } else {
                    if abs(p.slope) <= -c2 * slope0 { return (next, p.value, p.gradient) }
                    if p.slope * (hi - lo) >= 0 { (hi, fHi) = (lo, fLo) }
                    (lo, fLo, slopeLo) = (next, p.value, p.slope)
                }
                if abs(hi - lo) < 1e-16 * Swift.max(1, abs(lo)) { break }
            }
        }
        guard lo > 0 else { return nil }
        let p = at(lo)
        return (lo, p.value, p.gradient)
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in 0..<Swift.min(a.count, b.count) { s += a[i] * b[i] }
    return s
}

/// y += a·x.
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
    for i in 0..<Swift.min(x.count, y.count) { y[i] += a * x[i] }
}
