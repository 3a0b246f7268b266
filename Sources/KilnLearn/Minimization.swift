/// What every derivative-free minimizer shares: the box bounds, the counted objective that
/// stops at the evaluation budget, and the result scipy's `OptimizeResult` reports.

/// Box bounds: `lower[i] ≤ x[i] ≤ upper[i]` (±infinity where a side is open).
public struct Bounds: Equatable, Sendable {
    public var lower: [Double]
    public var upper: [Double]

    /// Checks that there is one pair per coordinate and that no lower bound exceeds its upper.
    public init(lower: [Double], upper: [Double]) throws {
        guard lower.count == upper.count else { throw LearnError("bounds need as many lower as upper limits, got \(lower.count) and \(upper.count)") }
        guard zip(lower, upper).allSatisfy({ !($0 > $1) }) else {
            throw LearnError("Nelder Mead - one of the lower bounds is greater than an upper bound.")
        }
        self.lower = lower
        self.upper = upper
    }

    /// `x` clipped into the box, as numpy's `clip`.
    public func clip(_ x: [Double]) -> [Double] {
        (0..<x.count).map { Swift.min(Swift.max(x[$0], lower[$0]), upper[$0]) }
    }
}

/// scipy's iteration and evaluation limits: when neither is given, both are `perCoordinate · n`;
/// when only one is, the other is unlimited (unless the given one is itself unlimited, `Int.max`).
public struct Budget: Equatable, Sendable {
    public var maxIterations: Int?
    public var maxEvaluations: Int?

    public init(maxIterations: Int? = nil, maxEvaluations: Int? = nil) {
        self.maxIterations = maxIterations
        self.maxEvaluations = maxEvaluations
    }

    func limits(coordinates n: Int, perCoordinate: Int) -> (iterations: Int, evaluations: Int) {
        let unlimited = Int.max
        let iterations = maxIterations ?? (maxEvaluations == nil || maxEvaluations == unlimited ? perCoordinate * n : unlimited)
        let evaluations = maxEvaluations ?? (maxIterations == nil || maxIterations == unlimited ? perCoordinate * n : unlimited)
        return (iterations, evaluations)
    }

    /// How a run that made `calls` evaluations in `iterations` iterations ended (scipy's order:
    /// the evaluation limit first).
    static func status(calls: Int, iterations: Int, limits: (iterations: Int, evaluations: Int)) -> MinimizationResult.Status {
        calls >= limits.evaluations ? .maxFunctionEvaluations : iterations >= limits.iterations ? .maxIterations : .success
    }
}

/// The outcome of a minimization, in scipy's terms.
public struct MinimizationResult: Sendable {
    public enum Status: Int, Sendable {
        case success = 0, maxFunctionEvaluations = 1, maxIterations = 2
        /// scipy's `_status_message` for this status.
        public var message: String {
            switch self {
            case .success: "Optimization terminated successfully."
            case .maxFunctionEvaluations: "Maximum number of function evaluations has been exceeded."
            case .maxIterations: "Maximum number of iterations has been exceeded."
            }
        }
    }
    public var x: [Double]
    public var fun: Double
    public var iterations: Int
    public var evaluations: Int
    public var status: Status
    public var success: Bool { status == .success }
}

/// The objective with scipy's evaluation budget: a call past `limit` throws `Exhausted`
/// instead of evaluating (scipy's `_MaxFuncCallError`).
struct CountedObjective {
    struct Exhausted: Error {}
    let function: ([Double]) throws -> Double
    let limit: Int
    private(set) var calls = 0

    init(_ function: @escaping ([Double]) throws -> Double, limit: Int) {
        self.function = function
        self.limit = limit
    }

    mutating func callAsFunction(_ x: [Double]) throws -> Double {
        guard calls < limit else { throw Exhausted() }
        calls += 1
        return try function(x)
    }
}
