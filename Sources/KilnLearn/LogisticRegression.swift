import Foundation

/// Logistic regression with an L2 penalty, as scikit-learn's `LogisticRegression(solver='lbfgs')`
/// fits it: for K > 2 classes the multinomial model P(k|x) = softmax(W x + b)ₖ with W of K rows,
/// for two classes the logistic model P(1|x) = σ(w·x + b); the objective
/// `Σᵢ sᵢ·(−log P(yᵢ|xᵢ)) / Σᵢ sᵢ + ‖W‖² / (2·C·Σᵢ sᵢ)` (the intercept is not penalized) is
/// minimized by L-BFGS from zero until `max|∇| ≤ tol` or `maxIterations`.
public struct LogisticRegression: Classifier, Inspectable {
    public var c: Double
    public var fitIntercept: Bool
    public var maxIterations: Int
    public var tolerance: Double
    /// rows × features, rows = classes (1 for two classes).
    public private(set) var weights: [Double] = []
    public private(set) var intercepts: [Double] = []
    public private(set) var iterations = 0
    public private(set) var converged = false
    private var classes = 0
    private var features = 0

    public init(c: Double = 1, fitIntercept: Bool = true, maxIterations: Int = 100, tolerance: Double = 1e-4) throws {
        guard c > 0 else { throw LearnError("Penalty term must be positive; got (C=\(c))") }
        guard maxIterations >= 0 else { throw LearnError("Maximum number of iteration must be positive; got (max_iter=\(maxIterations))") }
        guard tolerance >= 0 else { throw LearnError("Tolerance for stopping criteria must be positive; got (tol=\(tolerance))") }
        self.c = c
        self.fitIntercept = fitIntercept
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    private var rows: Int { classes == 2 ? 1 : classes }

    public mutating func fit(_ x: Samples, _ y: [Int], classes: Int, weights sampleWeights: [Double]?) throws {
        guard classes >= 2 else { throw LearnError("LogisticRegression needs samples of at least 2 classes") }
        guard y.count == x.rows, y.allSatisfy({ (0..<classes).contains($0) }) else { throw LearnError("labels must be class indices, one per sample") }
        self.classes = classes
        features = x.columns
        let rows = self.rows, p = x.columns, n = x.rows
        let sw = sampleWeights ?? [Double](repeating: 1, count: n)
        let total = sw.reduce(0, +)
        guard total > 0 else { throw LearnError("the sample weights sum to zero") }
        let lambda = 1 / (c * total)
        let fitIntercept = self.fitIntercept
        // θ = [W (rows × p), b (rows)].
        let objective: ([Double]) -> (Double, [Double]) = { theta in
            let w = Array(theta[0..<(rows * p)])
            var z = DenseAlgebra.product(x.values, w, rows: n, inner: p, columns: rows, transposeB: true)
            var loss = 0.0
            for i in 0..<n {
                let s = sw[i] / total
                if fitIntercept { for k in 0..<rows { z[i * rows + k] += theta[rows * p + k] } }
                if rows == 1 {
                    let zi = z[i], label = Double(y[i])
                    loss += s * (softplus(zi) - label * zi)
                    z[i] = s * (sigmoid(zi) - label)
                } else {
                    let base = i * rows
                    let top = (0..<rows).reduce(-Double.infinity) { Swift.max($0, z[base + $1]) }
                    var sum = 0.0
                    for k in 0..<rows { z[base + k] = (z[base + k] - top); sum += exp(z[base + k]) }
                    loss += s * (log(sum) - z[base + y[i]])
                    for k in 0..<rows { z[base + k] = s * (exp(z[base + k]) / sum - (k == y[i] ? 1 : 0)) }
                }
            }
            // z now holds the residuals r (n × rows): ∇W = rᵀX + λW, ∇b = Σ r.
            var gradient = DenseAlgebra.product(z, x.values, rows: rows, inner: n, columns: p, transposeA: true)
            for j in 0..<(rows * p) {
                gradient[j] += lambda * w[j]
                loss += 0.5 * lambda * w[j] * w[j]
            }
            for k in 0..<rows {
                var g = 0.0
                if fitIntercept { for i in 0..<n { g += z[i * rows + k] } }
                gradient.append(g)
            }
            return (loss, gradient)
        }
        let solver = LBFGS(gradientTolerance: tolerance, maxIterations: maxIterations)
        let result = solver.minimize(objective, from: [Double](repeating: 0, count: rows * (p + 1)))
        self.weights = Array(result.x[0..<(rows * p)])
        intercepts = Array(result.x[(rows * p)...])
        iterations = result.iterations
        converged = result.converged
    }

    /// The decision values W x + b: samples × rows.
    public func decisionFunction(_ x: Samples) throws -> Samples {
        guard classes > 0 else { throw LearnError("LogisticRegression is not fitted") }
        guard x.columns == features else { throw LearnError("X has \(x.columns) features, but LogisticRegression is expecting \(features) features as input.") }
        var z = DenseAlgebra.product(x.values, weights, rows: x.rows, inner: features, columns: rows, transposeB: true)
        for i in 0..<x.rows { for k in 0..<rows { z[i * rows + k] += intercepts[k] } }
        return try Samples(rows: x.rows, columns: rows, values: z)
    }

    public func predictProbabilities(_ x: Samples) throws -> Samples {
        let z = try decisionFunction(x)
        var p: [Double] = []
        p.reserveCapacity(x.rows * classes)
        for i in 0..<x.rows {
            if rows == 1 {
                let one = sigmoid(z[i, 0])
                p += [1 - one, one]
            } else {
                let row = z.row(i)
                let top = row.max() ?? 0
                let e = row.map { exp($0 - top) }
                let sum = e.reduce(0, +)
                p += e.map { $0 / sum }
            }
        }
        return try Samples(rows: x.rows, columns: classes, values: p)
    }

    public var learnedArrays: [String: LearnedArray] {
        guard classes > 0 else { return [:] }
        return ["coef_": LearnedArray(shape: [rows, features], values: weights),
                "intercept_": LearnedArray(shape: [rows], values: intercepts),
                "n_iter_": LearnedArray(shape: [1], values: [Double(iterations)], isInteger: true)]
    }
}

/// log(1 + eᶻ) without overflow.
func softplus(_ z: Double) -> Double { z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)) }

/// 1 / (1 + e⁻ᶻ) without overflow.
func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }
