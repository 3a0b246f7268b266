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
        let w = Ensembles.simplex([0, log(3)])
        XCTAssertEqual(w[0], 0.25, accuracy: 1e-12)
        XCTAssertEqual(w[1], 0.75, accuracy: 1e-12)
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
