import Foundation
import KilnSearch
import KilnTensor
import XCTest

/// Priors with Hyperopt's meanings, conditional parameters, and seeded random assignments.
final class SearchSpaceTests: XCTestCase {
    func draws(_ distribution: Distribution, _ n: Int = 4000, seed: Int = 1) -> [Double] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in distribution.sample(&rng) }
    }

    func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

    func testUniformAndItsQuantizedAndLogForms() {
        let u = draws(.uniform(low: -2, high: 3))
        XCTAssertTrue(u.allSatisfy { $0 >= -2 && $0 < 3 })
        XCTAssertEqual(mean(u), 0.5, accuracy: 0.1)
        let q = draws(.quniform(low: 0, high: 10, q: 2.5))
        XCTAssertEqual(Set(q), [0, 2.5, 5, 7.5, 10])
        let logDraws = draws(.loguniform(low: Foundation.log(1e-4), high: Foundation.log(1e-1)))
        XCTAssertTrue(logDraws.allSatisfy { $0 >= 1e-4 * 0.999999 && $0 < 1e-1 })
        // Uniform in log space: a third of the draws in each decade.
        let firstDecade = Double(logDraws.filter { $0 < 1e-3 }.count) / Double(logDraws.count)
        XCTAssertEqual(firstDecade, 1.0 / 3, accuracy: 0.03)
        let qlog = draws(.qloguniform(low: Foundation.log(8.0), high: Foundation.log(512.0), q: 8))
        for value in qlog {
            XCTAssertEqual(value.truncatingRemainder(dividingBy: 8), 0)
            XCTAssertTrue(value >= 8 && value <= 512, "\(value)")
        }
    }

    func testNormalFamilies() {
        let n = draws(.normal(mu: 3, sigma: 2), 20000)
        XCTAssertEqual(mean(n), 3, accuracy: 0.05)
        let variance = n.map { ($0 - 3) * ($0 - 3) }.reduce(0, +) / Double(n.count)
        XCTAssertEqual(variance.squareRoot(), 2, accuracy: 0.05)
        XCTAssertTrue(draws(.qnormal(mu: 0, sigma: 5, q: 0.5)).allSatisfy { ($0 * 2).rounded() == $0 * 2 })
        let logNormal = draws(.lognormal(mu: 0, sigma: 1), 20000).map { Foundation.log($0) }
        XCTAssertEqual(mean(logNormal), 0, accuracy: 0.03)
        XCTAssertTrue(draws(.qlognormal(mu: 2, sigma: 1, q: 1)).allSatisfy { $0 == $0.rounded() && $0 >= 0 })
    }

    func testIntegersAndChoices() {
        XCTAssertEqual(Set(draws(.randint(low: 3, high: 7))), [3, 4, 5, 6])
        XCTAssertEqual(Set(draws(.uniformint(low: 1, high: 4, q: 1))), [1, 2, 3, 4])
        XCTAssertEqual(Set(draws(.choice(count: 3))), [0, 1, 2])
        let p = draws(.pchoice(probabilities: [0.1, 0.6, 0.3]), 20000)
        XCTAssertEqual(Double(p.filter { $0 == 1 }.count) / Double(p.count), 0.6, accuracy: 0.02)
        XCTAssertEqual(Double(p.filter { $0 == 0 }.count) / Double(p.count), 0.1, accuracy: 0.01)
    }

    func testConditionalParametersAppearOnlyUnderTheirOption() throws {
        let space = try SearchSpace([
            Parameter(label: "model", distribution: .choice(count: 2)),
            Parameter(label: "C", distribution: .loguniform(low: -3, high: 3), condition: Condition(parent: "model", option: 0)),
            Parameter(label: "depth", distribution: .randint(low: 1, high: 10), condition: Condition(parent: "model", option: 1)),
            Parameter(label: "lr", distribution: .uniform(low: 0, high: 1)),
        ])
        var rng = RandomGenerator(seed: 7)
        var seen = Set<String>()
        for _ in 0..<200 {
            let a = space.sample(&rng)
            XCTAssertNotNil(a["lr"])
            if a["model"] == 0 {
                XCTAssertNotNil(a["C"]); XCTAssertNil(a["depth"]); seen.insert("svm")
            } else {
                XCTAssertNil(a["C"]); XCTAssertNotNil(a["depth"]); seen.insert("tree")
            }
        }
        XCTAssertEqual(seen, ["svm", "tree"])
    }

    func testTheSameSeedGivesTheSameAssignments() throws {
        let space = try SearchSpace([Parameter(label: "x", distribution: .normal(mu: 0, sigma: 1)),
                                     Parameter(label: "k", distribution: .choice(count: 4))])
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        XCTAssertEqual((0..<20).map { _ in space.sample(&a) }, (0..<20).map { _ in space.sample(&b) })
    }

    func testMistakesNameTheParameter() {
        XCTAssertThrowsError(try SearchSpace([Parameter(label: "lr", distribution: .uniform(low: 1, high: 0))])) {
            XCTAssertEqual("\($0)", "hyperparameter 'lr': low must not exceed high (got 1.0, 0.0)")
        }
        XCTAssertThrowsError(try SearchSpace([Parameter(label: "a", distribution: .choice(count: 2)),
                                              Parameter(label: "a", distribution: .choice(count: 2))])) {
            XCTAssertTrue("\($0)".contains("used twice"))
        }
        XCTAssertThrowsError(try SearchSpace([Parameter(label: "b", distribution: .randint(low: 0, high: 3),
                                                        condition: Condition(parent: "a", option: 0))])) {
            XCTAssertTrue("\($0)".contains("not declared before it"))
        }
        XCTAssertThrowsError(try SearchSpace([Parameter(label: "a", distribution: .choice(count: 2)),
                                              Parameter(label: "b", distribution: .randint(low: 0, high: 3), condition: Condition(parent: "a", option: 2))])) {
            XCTAssertTrue("\($0)".contains("option 2 of 'a', which has 2"))
        }
        XCTAssertThrowsError(try Distribution.pchoice(probabilities: [0.5, 0.6]).validate(label: "p")) {
            XCTAssertTrue("\($0)".contains("sum to 1"))
        }
        XCTAssertThrowsError(try Distribution.quniform(low: 0, high: 1, q: 0).validate(label: "q"))
    }
}
