/// `scipy.optimize.minimize` for the derivative-free methods: `minimize(fun, x0, args=(),
/// method='Nelder-Mead', bounds=None, tol=None, options=None)` runs KilnLearn's Nelder-Mead
/// or (unbounded) Powell, with scipy's defaults, stopping rules and messages, on a function
/// written in the language and
/// returns an `OptimizeResult` (a dict whose keys are also attributes: x, fun, nit, nfev,
/// success, status, message).

import KilnLang
import KilnLearn

/// scipy's `OptimizeResult`: a dict with attribute access.
final class OptimizeResult: KDict {
    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        if let value = try get(.string(name)) { return value }
        return try super.attribute(name, interpreter)
    }

    override var attributeNames: [String] { table.orderedKeys.compactMap { if case .string(let s) = $0 { s } else { nil } } }
}

enum ScipyOptimize {
    static func register(in registry: ModuleRegistry) {
        registry.register("scipy.optimize") { _ in
            let m = KModule("scipy.optimize", doc: "Derivative-free minimization: minimize(method='Nelder-Mead' or 'Powell').")
            m.add([minimize])
            return m
        }
        registry.register("scipy") { interpreter in
            KModule("scipy", members: ["optimize": .object(try interpreter.importModule(["scipy", "optimize"]))],
                    doc: "Kiln's SciPy subset: scipy.optimize.minimize.")
        }
    }

    /// The numbers of a vector argument (a list, tuple or 1-D array; a scalar is one coordinate).
    static func vector(_ value: Value) throws -> [Double] {
        if let d = value.asDouble, value.as(NDArray.self) == nil { return [d] }
        return try NDArray.from(value).elements
    }

    /// `bounds=[(low, high), …]`, None meaning unbounded on that side.
    static func bounds(_ value: Value, count: Int, _ interpreter: Interpreter) throws -> Bounds? {
        if case .none = value { return nil }
        var lower: [Double] = [], upper: [Double] = []
        for pair in try interpreter.iterate(value) {
            let ends = try interpreter.iterate(pair)
            guard ends.count == 2 else { throw KilnError.value("bounds must be a sequence of (min, max) pairs, got \(Repr.repr(pair))") }
            lower.append(ends[0].asDouble ?? -.infinity)
            upper.append(ends[1].asDouble ?? .infinity)
        }
        guard lower.count == count else {
            throw KilnError.value("The number of bounds is not compatible with the length of `x0`.")
        }
        guard zip(lower, upper).allSatisfy({ !($0 > $1) }) else {
            throw KilnError.value("An upper bound is less than the corresponding lower bound.")
        }
        return try learning { try Bounds(lower: lower, upper: upper) }
    }

    static let minimize = KBuiltin(
        "minimize", "fun, x0, args=(), method=None, jac=None, hess=None, hessp=None, bounds=None, constraints=(), tol=None, callback=None, options=None",
        doc: "Minimize fun(x, *args) from x0 by Nelder-Mead (scipy's defaults: xatol=fatol=1e-4, maxiter=maxfev=200*n) or Powell (xtol=ftol=1e-4, 1000*n); returns an OptimizeResult.") { a in
        let interpreter = a.interpreter
        let method = (try a.optionalString(3) ?? "Nelder-Mead").lowercased()
        guard method == "nelder-mead" || method == "powell" else {
            throw KilnError.value("minimize: method \(Repr.repr(a[3])) is not available in Kiln; use method='Nelder-Mead' or 'Powell'")
        }
        let methodName = method == "powell" ? "Powell" : "Nelder-Mead"
        for (i, name) in [(4, "jac"), (5, "hess"), (6, "hessp"), (10, "callback")] where !a.isNone(i) {
            throw KilnError.value("minimize: \(name)= is not supported with method='\(methodName)' in Kiln")
        }
        if try interpreter.length(a[8]) > 0 { throw KilnError.value("Method \(methodName) cannot handle constraints.") }
        let x0 = try vector(a[1])
        let extra = try interpreter.iterate(a[2])
        let box = try bounds(a[7], count: x0.count, interpreter)
        // tol sets both tolerances; options override them (scipy: xatol/fatol, or xtol/ftol for Powell).
        var xtol = 1e-4, ftol = 1e-4, budget = Budget(), adaptive = false
        if let tol = try a.optionalDouble(9) { (xtol, ftol) = (tol, tol) }
        if !a.isNone(11), let options = a[11].as(KDict.self) {
            for key in options.table.orderedKeys {
                guard case .string(let name) = key, let value = try options.get(key) else { continue }
                switch (name, methodName) {
                case ("xatol", "Nelder-Mead"), ("xtol", "Powell"): xtol = try number(value, name)
                case ("fatol", "Nelder-Mead"), ("ftol", "Powell"): ftol = try number(value, name)
                case ("maxiter", _): budget.maxIterations = try count(value, name)
                case ("maxfev", _): budget.maxEvaluations = try count(value, name)
                case ("adaptive", "Nelder-Mead"): adaptive = value.isTruthy
                default: break   // scipy only warns about options a method does not use (disp, return_all, …)
                }
            }
        }
        if methodName == "Powell", box != nil {
            throw KilnError.value("minimize: bounds are not supported with method='Powell' in Kiln; use method='Nelder-Mead'")
        }
        let objective: ([Double]) throws -> Double = { x in
            let result = try interpreter.call(a[0], Arguments([.object(NDArray(.float64, [x.count], doubles: x))] + extra))
            if let d = result.asDouble { return d }
            if let array = result.as(NDArray.self), array.size == 1, let d = array.elements.first { return d }
            throw KilnError.value("The user-provided objective function must return a scalar value.")
        }
        let r = try learning {
            methodName == "Powell"
                ? try Powell(xtol: xtol, ftol: ftol, budget: budget).minimize(objective, from: x0)
                : try NelderMead(xatol: xtol, fatol: ftol, budget: budget, adaptive: adaptive, bounds: box).minimize(objective, from: x0)
        }
        let out = OptimizeResult()
        let fields: [(String, Value)] = [
            ("message", .string(r.status.message)), ("success", .bool(r.success)), ("status", .int(r.status.rawValue)),
            ("fun", .float(r.fun)), ("x", .object(NDArray(.float64, [r.x.count], doubles: r.x))),
            ("nit", .int(r.iterations)), ("nfev", .int(r.evaluations)),
        ]
        for (name, value) in fields { try out.set(.string(name), value) }
        return .object(out)
    }

    static func number(_ value: Value, _ name: String) throws -> Double {
        guard let d = value.asDouble else { throw KilnError.type("option \(name) must be a number, got \(Repr.repr(value))") }
        return d
    }

    /// A count option; infinity (`np.inf`) means no limit.
    static func count(_ value: Value, _ name: String) throws -> Int? {
        if case .none = value { return nil }
        let d = try number(value, name)
        guard !d.isNaN else { throw KilnError.value("option \(name) must be a count, got nan") }
        return d >= Double(Int.max) ? Int.max : Int(Swift.max(d, 0))
    }
}
