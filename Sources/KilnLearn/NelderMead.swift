/// The Nelder-Mead simplex method as scipy's `minimize(method='Nelder-Mead')` runs it: the
/// same initial simplex (each coordinate moved by 5 %, or set to 0.00025 where it is zero),
/// reflection ρ=1, expansion χ=2, contraction ψ=½, shrink σ=½ (or the adaptive coefficients
/// of Gao and Han), clipping to bounds, and the stopping rule
/// `max|xᵢ − x₀| ≤ xatol and max|f(xᵢ) − f(x₀)| ≤ fatol`, so iterates and counts match scipy's.
public struct NelderMead: Sendable {
    public var xatol = 1e-4
    public var fatol = 1e-4
    /// Default: 200 · n iterations and evaluations.
    public var budget: Budget
    public var adaptive = false
    public var bounds: Bounds?

    public init(xatol: Double = 1e-4, fatol: Double = 1e-4, budget: Budget = Budget(), adaptive: Bool = false, bounds: Bounds? = nil) {
        self.xatol = xatol
        self.fatol = fatol
        self.budget = budget
        self.adaptive = adaptive
        self.bounds = bounds
    }

    /// Minimizes `f` from `x0`; errors thrown by `f` propagate.
    public func minimize(_ f: @escaping ([Double]) throws -> Double, from x0: [Double]) throws -> MinimizationResult {
        let n = x0.count
        guard n > 0 else { throw LearnError("x0 must have at least one coordinate") }
        if let bounds, bounds.lower.count != n { throw LearnError("bounds have \(bounds.lower.count) pairs but x0 has \(n) coordinates") }
        let dim = Double(n)
        let (rho, chi, psi, sigma) = adaptive ? (1.0, 1 + 2 / dim, 0.75 - 1 / (2 * dim), 1 - 1 / dim) : (1.0, 2.0, 0.5, 0.5)
        let limits = budget.limits(coordinates: n, perCoordinate: 200)
        let (maxIterations, maxEvaluations) = limits
        let clip: ([Double]) -> [Double] = { x in bounds?.clip(x) ?? x }

        let start = clip(x0)
        var simplex = [start]
        for k in 0..<n {
            var y = start
            y[k] = y[k] != 0 ? 1.05 * y[k] : 0.00025
            simplex.append(y)
        }
        if let bounds {
            // Reflect vertices that overshoot an upper bound back inside, then clip (scipy).
            simplex = simplex.map { v in bounds.clip((0..<n).map { v[$0] > bounds.upper[$0] ? 2 * bounds.upper[$0] - v[$0] : v[$0] }) }
        }
        var values = [Double](repeating: .infinity, count: n + 1)
        var f = CountedObjective(f, limit: maxEvaluations)

        /// Orders the vertices by value, ties keeping their order (numpy's argsort on ≤ 16 items).
        func sort() {
            let order = (0...n).sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
        }
        do {
            for k in 0...n { values[k] = try f(simplex[k]) }
        } catch is CountedObjective.Exhausted {}
        sort()

        /// One reflection / expansion / contraction / shrink move.
        func step() throws {
            let worst = simplex[n]
            let centroid = (0..<n).map { j in simplex[0..<n].reduce(0) { $0 + $1[j] } / dim }
            func point(_ a: Double, _ b: Double) -> [Double] { clip((0..<n).map { a * centroid[$0] - b * worst[$0] }) }
            let xr = point(1 + rho, rho)
            let fxr = try f(xr)
            if fxr < values[0] {
                let xe = point(1 + rho * chi, rho * chi)
                let fxe = try f(xe)
                (simplex[n], values[n]) = fxe < fxr ? (xe, fxe) : (xr, fxr)
            } else if fxr < values[n - 1] {
                (simplex[n], values[n]) = (xr, fxr)
            } else {
                let outside = fxr < values[n]
                let xc = outside ? point(1 + psi * rho, psi * rho) : point(1 - psi, -psi)
                let fxc = try f(xc)
                if outside ? fxc <= fxr : fxc < values[n] {
                    (simplex[n], values[n]) = (xc, fxc)
                } else {
                    for j in 1...n {
                        simplex[j] = clip((0..<n).map { simplex[0][$0] + sigma * (simplex[j][$0] - simplex[0][$0]) })
                        values[j] = try f(simplex[j])
                    }
                }
            }
        }

        var iterations = 1
        while f.calls < maxEvaluations && iterations < maxIterations {
            let spread = simplex.dropFirst().map { v in zip(v, simplex[0]).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            let drop = values.dropFirst().map { abs(values[0] - $0) }.max() ?? 0
            if spread <= xatol && drop <= fatol { break }
            do {
                try step()
                iterations += 1
            } catch is CountedObjective.Exhausted {}
            sort()
        }

        return MinimizationResult(x: simplex[0], fun: values.min() ?? values[0], iterations: iterations, evaluations: f.calls,
                                  status: Budget.status(calls: f.calls, iterations: iterations, limits: limits))
    }
}
