@testable import KilnLearn
import XCTest

/// Linear models, neighbours, scaling, folds and metrics on small inputs with known answers
/// (scikit-learn's numbers from Fixtures/linear_references.py).
final class LinearLearnerTests: XCTestCase {
    var x: Samples { get throws { try Samples(rows: 5, columns: 2, values: [1, 2, 2, 0.5, 3, 4, 4, 3, 5, 7]) } }
    let y = [3.0, 2.5, 7.5, 7.0, 12.5]

    func testRidgeMatchesScikitLearn() throws {
        var ridge = try RidgeRegression()
        try ridge.fit(x, y, weights: nil)
        XCTAssertEqual(ridge.coefficients[0], 0.8712998712998719, accuracy: 1e-12)
        XCTAssertEqual(ridge.coefficients[1], 1.113256113256113, accuracy: 1e-12)
        XCTAssertEqual(ridge.intercept, 0.21235521235521215, accuracy: 1e-12)
    }

    func testRidgeWithUnitWeightsEqualsUnweighted() throws {
        var a = try RidgeRegression(alpha: 0.3), b = try RidgeRegression(alpha: 0.3)
        try a.fit(x, y, weights: nil)
        try b.fit(x, y, weights: [1, 1, 1, 1, 1])
        XCTAssertEqual(a.coefficients, b.coefficients)
    }

    func testLogisticRegressionSeparatesAndReportsProbabilities() throws {
        var model = try LogisticRegression(c: 1, maxIterations: 100, tolerance: 1e-8)
        try model.fit(x, [0, 0, 1, 1, 1], classes: 2, weights: nil)
        XCTAssertTrue(model.converged)
        XCTAssertEqual(model.learnedArrays["coef_"]?.shape, [1, 2])
        let p = try model.predictProbabilities(x)
        for r in 0..<5 { XCTAssertEqual(p[r, 0] + p[r, 1], 1, accuracy: 1e-12) }
        XCTAssertLessThan(p[0, 1], 0.5)
        XCTAssertGreaterThan(p[4, 1], 0.5)
    }

    func testLogisticRegressionGradientVanishesAtSolution() throws {
        // At the optimum of the penalized multinomial loss, the class-summed residuals are zero
        // (the unpenalized intercepts' gradient): Σᵢ (pᵢₖ − [yᵢ = k]) = 0 for every class.
        let labels = [0, 1, 2, 2, 1]
        var model = try LogisticRegression(c: 10, maxIterations: 500, tolerance: 1e-10)
        try model.fit(x, labels, classes: 3, weights: nil)
        let p = try model.predictProbabilities(x)
        for k in 0..<3 {
            let residual = (0..<5).reduce(0.0) { $0 + p[$1, k] - (labels[$1] == k ? 1 : 0) }
            XCTAssertEqual(residual, 0, accuracy: 1e-8)
        }
    }

    func testNeighborsTiesGoToTrainingOrder() throws {
        var knn = try NeighborsRegressor(neighbors: 1)
        try knn.fit(try Samples(rows: 2, columns: 1, values: [0, 2]), [10, 20], weights: nil)
        XCTAssertEqual(try knn.predict(try Samples(rows: 1, columns: 1, values: [1])), [10])
    }

    func testStandardScalerUsesPopulationDeviation() throws {
        var scaler = StandardScaler()
        try scaler.fit(try Samples(rows: 2, columns: 1, values: [1, 3]), weights: nil)
        XCTAssertEqual(scaler.mean, [2])
        XCTAssertEqual(scaler.scale, [1])
        XCTAssertEqual(try scaler.transform(try Samples(rows: 1, columns: 1, values: [5])).values, [3])
    }

    func testKFoldSizesAndStratifiedRoundRobin() throws {
        let folds = try CrossValidationFolds.kFold(samples: 10, splits: 3, shuffle: nil)
        XCTAssertEqual(folds.map(\.test.count), [4, 3, 3])
        let strat = try CrossValidationFolds.stratifiedKFold(labels: [0, 0, 0, 1, 1, 1, 1, 0, 1, 1], splits: 3, shuffle: nil)
        XCTAssertEqual(strat.map(\.test), [[0, 1, 3, 4], [2, 5, 6], [7, 8, 9]])
        XCTAssertThrowsError(try CrossValidationFolds.kFold(samples: 2, splits: 3, shuffle: nil))
    }

    func testMetrics() throws {
        XCTAssertEqual(try Metrics.accuracy([0, 1, 2], [0, 2, 2], weights: nil, normalize: true), 2.0 / 3, accuracy: 1e-15)
        let p = try Samples(rows: 2, columns: 2, values: [0, 1, 0.5, 0.5])
        XCTAssertEqual(try Metrics.logLoss([0, 1], p, weights: nil, normalize: false), -log(Double.ulpOfOne) + log(2), accuracy: 1e-12)
        XCTAssertEqual(try Metrics.confusionMatrix([0, 1, 1], [1, 1, 0], classes: 2, weights: nil), [[0, 1], [1, 1]])
    }
}
