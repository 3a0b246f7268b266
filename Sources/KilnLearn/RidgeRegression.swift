/// Ridge regression as scikit-learn's `Ridge` solves it in closed form: with weighted means
/// x̄, ȳ removed (when fitting an intercept), w solves `(Xcᵀ S Xc + α I) w = Xcᵀ S yc` for the
/// diagonal sample weights S, and b = ȳ − x̄·w.
public struct RidgeRegression: Regressor, Inspectable {
    public var alpha: Double
    public var fitIntercept: Bool
    public private(set) var coefficients: [Double] = []
    public private(set) var intercept = 0.0
    private var fitted = false

    public init(alpha: Double = 1, fitIntercept: Bool = true) throws {
        guard alpha >= 0 else { throw LearnError("alpha must be >= 0, got \(alpha)") }
        self.alpha = alpha
        self.fitIntercept = fitIntercept
    }

    public mutating func fit(_ x: Samples, _ y: [Double], weights: [Double]?) throws {
        let n = x.rows, p = x.columns
        guard y.count == n else { throw LearnError("y has \(y.count) values for \(n) samples") }
        let sw = weights ?? [Double](repeating: 1, count: n)
        let total = sw.reduce(0, +)
        guard total > 0 else { throw LearnError("the sample weights sum to zero") }
        var means = [Double](repeating: 0, count: p), yMean = 0.0
        if fitIntercept {
            for i in 0..<n {
                for j in 0..<p { means[j] += sw[i] * x[i, j] / total }
                yMean += sw[i] * y[i] / total
            }
        }
        // Rows scaled by √sᵢ after centring, so the normal equations carry the weights.
        var centred = x.values, target = y
        for i in 0..<n {
            let root = sw[i].squareRoot()
            for j in 0..<p { centred[i * p + j] = (x[i, j] - means[j]) * root }
            target[i] = (y[i] - yMean) * root
        }
        var gram = DenseAlgebra.product(centred, centred, rows: p, inner: n, columns: p, transposeA: true)
        for j in 0..<p { gram[j * p + j] += alpha }
        let moment = DenseAlgebra.product(centred, target, rows: p, inner: n, columns: 1, transposeA: true)
        coefficients = try DenseAlgebra.solvePositiveDefinite(gram, moment, n: p, k: 1)
        intercept = fitIntercept ? yMean - dot(means, coefficients) : 0
        fitted = true
    }

    public func predict(_ x: Samples) throws -> [Double] {
        guard fitted else { throw LearnError("Ridge is not fitted") }
        guard x.columns == coefficients.count else { throw LearnError("X has \(x.columns) features, but Ridge is expecting \(coefficients.count) features as input.") }
        return DenseAlgebra.product(x.values, coefficients, rows: x.rows, inner: x.columns, columns: 1).map { $0 + intercept }
    }

    public var learnedArrays: [String: LearnedArray] {
        guard fitted else { return [:] }
        return ["coef_": LearnedArray(shape: [coefficients.count], values: coefficients),
                "intercept_": LearnedArray(shape: [], values: [intercept])]
    }
}
