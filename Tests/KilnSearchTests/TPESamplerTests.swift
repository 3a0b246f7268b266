import Foundation
@testable import KilnSearch
import KilnTensor
import XCTest

/// TPE's pieces against Hyperopt 0.2.7's own functions, and TPE against random search.
final class TPESamplerTests: XCTestCase {
    func testForgettingWeightsAreHyperopts() {
        XCTAssertEqual(forgettingWeights(3, 25), [1, 1, 1])
        let weights = forgettingWeights(30, 25)
        XCTAssertEqual(weights.count, 30)
        for (w, expected) in zip(weights.prefix(5), [0.03333333, 0.275, 0.51666667, 0.75833333, 1.0]) {
            XCTAssertEqual(w, expected, accuracy: 1e-7)
        }
        XCTAssertTrue(weights.suffix(25).allSatisfy { $0 == 1 })
    }

    /// hyperopt.tpe.adaptive_parzen_normal(mus, 1.0, prior_mu, prior_sigma) on the same values.
    func testParzenEstimatorIsHyperoptsAdaptiveParzenNormal() throws {
        let model = try XCTUnwrap(ContinuousModel(.normal(mu: 0, sigma: 10)))
        let three = ParzenEstimator([1, 3, 2.5], model, priorWeight: 1, forgetting: 25)
        XCTAssertEqual(three.mus, [0, 1, 2.5, 3])
        XCTAssertEqual(three.sigmas, [10, 2, 2, 2])
        XCTAssertEqual(three.weights, [0.25, 0.25, 0.25, 0.25])
        let one = ParzenEstimator([4], model, priorWeight: 1, forgetting: 25)
        XCTAssertEqual(one.mus, [0, 4])
        XCTAssertEqual(one.sigmas, [10, 5])
        let uniform = try XCTUnwrap(ContinuousModel(.uniform(low: 0, high: 29)))
        let thirty = ParzenEstimator((0..<30).map(Double.init), uniform, priorWeight: 1, forgetting: 25)
        for (w, expected) in zip(thirty.weights.prefix(4), [0.00116618, 0.00962099, 0.0180758, 0.02653061]) {
            XCTAssertEqual(w, expected, accuracy: 1e-7)
        }
        XCTAssertEqual(Array(thirty.sigmas.prefix(4)), [1, 1, 1, 1])
    }

    func best<S: Sampler>(_ sampler: S, seed: Int, evaluations: Int) throws -> Double {
        let branin = SearchProblem.branin
        return try XCTUnwrap(Study.best(of: branin.run(sampler, seed: seed, trials: evaluations), .minimize)?.value)
    }

    /// Median best value over 20 seeds after 100 evaluations.
    func testTPEBeatsRandomSearchOnBranin() throws {
        let seeds = Array(0..<20)
        let tpe = try seeds.map { try best(TPESampler(), seed: $0, evaluations: 100) }.sorted()
        let random = try seeds.map { try best(RandomSampler(), seed: $0, evaluations: 100) }.sorted()
        // Hyperopt 0.2.7 on the same problem, 20 seeds: TPE median regret 0.268, rand 0.360
        // (Kiln: TPE 0.199, random 0.360).
        XCTAssertLessThan(tpe[10], random[10], "median best: TPE \(tpe[10]) vs random \(random[10])")
        XCTAssertLessThan(tpe[10] - 0.397887, 0.268)
    }

    func testTPEHandlesChoicesIntegersLogAndConditionalParameters() throws {
        let space = try SearchSpace([
            Parameter(label: "kind", distribution: .choice(count: 2)),
            Parameter(label: "lr", distribution: .loguniform(low: log(1e-4), high: log(1)), condition: Condition(parent: "kind", option: 0)),
            Parameter(label: "units", distribution: .qloguniform(low: log(8), high: log(512), q: 8), condition: Condition(parent: "kind", option: 0)),
            Parameter(label: "depth", distribution: .randint(low: 1, high: 8), condition: Condition(parent: "kind", option: 1)),
            Parameter(label: "p", distribution: .pchoice(probabilities: [0.5, 0.5])),
        ])
        // Option 0 with lr near 1e-2 and 64 units is best.
        let objective = { (a: Assignment) -> Double in
            if a["kind"] == 1 { return 5 + Double(a["depth"] ?? 0) }
            return abs(log10(a["lr"] ?? 1) + 2) + abs(log2(a["units"] ?? 1) - 6) + (a["p"] == 1 ? 0.5 : 0)
        }
        let study = Study(name: "mixed", direction: .minimize, space: space, sampler: TPESampler(), seed: 4)
        study.optimize(trials: 80, objective)
        for trial in study.trials {
            XCTAssertEqual(trial.assignment["lr"] == nil, trial.assignment["kind"] == 1)
            XCTAssertEqual(trial.assignment["depth"] == nil, trial.assignment["kind"] == 0)
            if let units = trial.assignment["units"] { XCTAssertEqual(units.truncatingRemainder(dividingBy: 8), 0) }
            if let depth = trial.assignment["depth"] { XCTAssertTrue((1..<8).contains(Int(depth))) }
        }
        // After the random start the search keeps to the better option.
        let late = study.trials.suffix(40)
        XCTAssertGreaterThan(late.filter { $0.assignment["kind"] == 0 }.count, 30)
        XCTAssertLessThan(try XCTUnwrap(study.bestTrial?.value), 1.5)
    }

    func testTheSameSeedGivesTheSameSearch() throws {
        XCTAssertEqual(try best(TPESampler(), seed: 11, evaluations: 40), try best(TPESampler(), seed: 11, evaluations: 40))
    }
}
