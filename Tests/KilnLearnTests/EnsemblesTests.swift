import Foundation
import KilnLearn
import XCTest

/// Ensembles from class probabilities, checked by hand.
final class EnsemblesTests: XCTestCase {
    let a = try! Samples(rows: 3, columns: 2, values: [0.9, 0.1, 0.2, 0.8, 0.6, 0.4])
    let b = try! Samples(rows: 3, columns: 2, values: [0.5, 0.5, 0.4, 0.6, 0.1, 0.9])

    func testWeightedAverageAndItsChecks() throws {
        let mixed = try Ensembles.weightedAverage([a, b], weights: [0.75, 0.25])
        for (x, y) in zip(mixed.values, [0.8, 0.2, 0.25, 0.75, 0.475, 0.525]) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        XCTAssertEqual(try Ensembles.average([a, b]).values[0], 0.7, accuracy: 1e-12)
        XCTAssertThrowsError(try Ensembles.weightedAverage([a, b], weights: [1])) { error in
            XCTAssertEqual("\(error)", "1 weights for 2 models; give one weight per model")
        }
        let short = try Samples(rows: 2, columns: 2, values: [1, 0, 0, 1])
        XCTAssertThrowsError(try Ensembles.average([a, short])) { error in
            XCTAssertEqual("\(error)", "model 1 gives 2 × 2 probabilities, model 0 3 × 2; every model must predict the same samples and classes")
        }
    }

    func testSimplexWeightsSumToOne() {
        let w = Ensembles.simplex([1, -3])
        XCTAssertEqual(w[0], 0.25, accuracy: 1e-12)
        XCTAssertEqual(w[1], 0.75, accuracy: 1e-12)
        XCTAssertEqual(Ensembles.simplex([0, 0, 0]), [1 / 3.0, 1 / 3.0, 1 / 3.0])
    }

    /// Labels [0, 1, 1]: model a is right on the first two, b on the last two. The log loss of
    /// w·a + (1 − w)·b is −[log(0.5 + 0.4w) + log(0.6 + 0.2w) + log(0.9 − 0.5w)] / 3, whose
    /// minimum on [0, 1] solves 0.4/(0.5+0.4w) + 0.2/(0.6+0.2w) = 0.5/(0.9−0.5w).
    func testFittedWeightsMinimiseTheLogLoss() throws {
        let fit = try Ensembles.fitWeights([a, b], labels: [0, 1, 1])
        func loss(_ w: Double) -> Double { -(log(0.5 + 0.4 * w) + log(0.6 + 0.2 * w) + log(0.9 - 0.5 * w)) / 3 }
        // The stationary point by bisection on the derivative.
        var low = 0.0, high = 1.0
        for _ in 0..<60 {
            let mid = (low + high) / 2
            let slope = 0.4 / (0.5 + 0.4 * mid) + 0.2 / (0.6 + 0.2 * mid) - 0.5 / (0.9 - 0.5 * mid)
            if slope > 0 { low = mid } else { high = mid }
        }
        XCTAssertEqual(fit.weights[0], low, accuracy: 1e-3)
        XCTAssertEqual(fit.weights.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(fit.loss, loss(low), accuracy: 1e-6)
        XCTAssertLessThan(fit.loss, loss(0.5))
        XCTAssertLessThan(fit.loss, Swift.min(loss(0), loss(1)))
    }

    /// Five models, one far better than the rest but not best alone (the case of a convnet
    /// beside weaker shallow models): the fitted loss equals the minimum that exponentiated
    /// gradient descent — an independent method for this convex problem — finds on the simplex.
    func testFittedWeightsReachTheOptimumWhenOneModelDominates() throws {
        var state: UInt64 = 7
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let rows = 120, classes = 4
        let labels = (0..<rows).map { $0 % classes }
        // Model 0 is sharp and right except on every fortieth sample, where it is sharply wrong
        // (the softmax parametrisation Nelder-Mead used before stopped at its corner here).
        let sharpness = [8.0, 2.0, 1.8, 1.6, 1.4]
        let models = try sharpness.enumerated().map { m, s in
            var values: [Double] = []
            for r in 0..<rows {
                let favoured = m == 0 && r % 40 == 0 ? (labels[r] + 1) % classes : labels[r]
                let scores = (0..<classes).map { c in exp(s * ((c == favoured ? 1 : 0) + 1.2 * uniform())) }
                let total = scores.reduce(0, +)
                values += scores.map { $0 / total }
            }
            return try Samples(rows: rows, columns: classes, values: values)
        }
        func loss(_ w: [Double]) throws -> Double {
            let p = try Ensembles.weightedAverage(models, weights: w)
            return -(0..<rows).map { log(p[$0, labels[$0]]) }.reduce(0, +) / Double(rows)
        }
        var w = [Double](repeating: 0.2, count: 5)
        for _ in 0..<3000 {
            let p = try Ensembles.weightedAverage(models, weights: w)
            let gradient = (0..<5).map { m in -(0..<rows).map { models[m][$0, labels[$0]] / p[$0, labels[$0]] }.reduce(0, +) / Double(rows) }
            let scaled = zip(w, gradient).map { $0 * exp(-0.5 * $1) }
            w = scaled.map { $0 / scaled.reduce(0, +) }
        }
        let best = try loss(w)
        let fit = try Ensembles.fitWeights(models, labels: labels)
        XCTAssertGreaterThan(w[0], 0.5)
        XCTAssertLessThan(w[0], 0.99)
        XCTAssertLessThan(best, try loss([1, 0, 0, 0, 0]) - 1e-3)
        XCTAssertEqual(fit.loss, best, accuracy: 1e-6)
        XCTAssertEqual(try loss(fit.weights), fit.loss, accuracy: 1e-12)
    }

    func testDiversity() throws {
        // Predictions a: [0, 1, 0], b: [0, 1, 1]; labels [0, 1, 1]: errors a [0, 0, 1], b [0, 0, 0].
        let d = try Ensembles.diversity([a, b], labels: [0, 1, 1])
        XCTAssertEqual(d.disagreement, [[0, 1.0 / 3], [1.0 / 3, 0]])
        XCTAssertEqual(d.accuracy[0], 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(d.accuracy[1], 1)
        // b makes no error: its correlation with anything is 0 by convention; a's with itself 1.
        XCTAssertEqual(d.errorCorrelation, [[1, 0], [0, 0]])
        let c = try Samples(rows: 3, columns: 2, values: [0.4, 0.6, 0.3, 0.7, 0.7, 0.3])
        // Errors a [0, 0, 1], c [1, 0, 1]: Pearson r = 0.5.
        XCTAssertEqual(try Ensembles.diversity([a, c], labels: [0, 1, 1]).errorCorrelation[0][1], 0.5, accuracy: 1e-12)
    }
}
