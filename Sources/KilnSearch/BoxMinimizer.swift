/// Minimization of a smooth function over a box, for the Gaussian-process sampler (fitting the
/// kernel's hyperparameters, refining the acquisition): projected L-BFGS with a backtracking
/// line search.

/// Projected L-BFGS (Nocedal & Wright, ch. 7, with the bounds handled by projection, as in
/// Kim, Sra & Dhillon's projected quasi-Newton): the search direction is the two-loop L-BFGS
/// step on the free variables (those not held at a bound by their gradient), each trial point
/// is projected onto `[lower, upper]`, and a step is taken once it gives Armijo's sufficient
/// decrease. A variable whose bounds are equal stays fixed. It stops after `maxIterations`
/// steps, when the projected gradient is below `tolerance`, or when a step no longer lowers
/// the value by a relative `1e-10`.
struct BoxMinimizer {
    var lower: [Double]
    var upper: [Double]
    var maxIterations: Int
    var memory = 6
    var tolerance = 1e-6

    /// The best point found from `start` and its value; `function` returns the value at a point
    /// and writes the gradient (a non-finite value counts as worse than any other).
    func minimize(from start: [Double], _ function: ([Double], inout [Double]) -> Double) -> (point: [Double], value: Double) {
        let n = start.count
        var x = project(start)
        var gradient = [Double](repeating: 0, count: n)
        var value = function(x, &gradient)
        guard value.isFinite else { return (x, .infinity) }
        var steps: [[Double]] = [], changes: [[Double]] = [], curvatures: [Double] = []
        var direction = [Double](repeating: 0, count: n), free = [Bool](repeating: true, count: n)
        var candidate = x, candidateGradient = gradient
        for _ in 0..<maxIterations {
            var largest = 0.0
            for i in 0..<n {
                free[i] = lower[i] < upper[i] && !(x[i] <= lower[i] && gradient[i] > 0) && !(x[i] >= upper[i] && gradient[i] < 0)
                if free[i] { largest = Swift.max(largest, abs(gradient[i])) }
            }
            if largest < tolerance { break }
            // Two-loop recursion on the free variables' gradient.
            for i in 0..<n { direction[i] = free[i] ? -gradient[i] : 0 }
            var alphas = [Double](repeating: 0, count: steps.count)
            for k in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[k] = curvatures[k] * dot(steps[k], direction)
                for i in 0..<n { direction[i] -= alphas[k] * changes[k][i] }
            }
            if let s = steps.last, let y = changes.last {
                let scale = dot(s, y) / Swift.max(dot(y, y), 1e-300)
                for i in 0..<n { direction[i] *= scale }
            } else {
                // First step: at most a unit move along the steepest descent.
                for i in 0..<n { direction[i] /= Swift.max(1, largest) }
            }
            for k in 0..<steps.count {
                let beta = curvatures[k] * dot(changes[k], direction)
                for i in 0..<n { direction[i] += (alphas[k] - beta) * steps[k][i] }
            }
            for i in 0..<n where !free[i] { direction[i] = 0 }
            if dot(direction, gradient) >= 0 {
                for i in 0..<n { direction[i] = free[i] ? -gradient[i] / Swift.max(1, largest) : 0 }
                steps.removeAll(); changes.removeAll(); curvatures.removeAll()
            }
            // Backtracking along the projected path.
            var t = 1.0, accepted = false, candidateValue = Double.infinity
            for _ in 0..<30 {
                for i in 0..<n { candidate[i] = Swift.min(Swift.max(x[i] + t * direction[i], lower[i]), upper[i]) }
                candidateValue = function(candidate, &candidateGradient)
                var decrease = 0.0
                for i in 0..<n { decrease += gradient[i] * (candidate[i] - x[i]) }
                if candidateValue.isFinite && candidateValue <= value + 1e-4 * decrease { accepted = true; break }
                t *= 0.5
            }
            guard accepted else { break }
            var s = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
            for i in 0..<n { (s[i], y[i]) = (candidate[i] - x[i], candidateGradient[i] - gradient[i]) }
            let sy = dot(s, y)
            if sy > 1e-12 {
                if steps.count == memory { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
                steps.append(s); changes.append(y); curvatures.append(1 / sy)
            }
            let improvement = value - candidateValue
            (x, value, gradient) = (candidate, candidateValue, candidateGradient)
            if improvement <= 1e-10 * (abs(value) + 1e-10) { break }
        }
        return (x, value)
    }

    func project(_ point: [Double]) -> [Double] {
        (0..<point.count).map { Swift.min(Swift.max(point[$0], lower[$0]), upper[$0]) }
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<Swift.min(a.count, b.count) { sum += a[i] * b[i] }
    return sum
}
