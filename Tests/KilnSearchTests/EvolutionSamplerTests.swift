import Foundation
@testable import KilnSearch
import KilnTensor
import XCTest

/// Regularized evolution: random until the population is full, then a mutated copy of a
/// tournament winner among the newest complete trials.
final class EvolutionSamplerTests: XCTestCase {
    func flatSpace() throws -> SearchSpace {
        try SearchSpace((1...4).map { Parameter(label: "x\($0)", distribution: .uniform(low: -2, high: 2)) })
    }

    func sphere(_ a: Assignment) -> Double { (1...4).reduce(0) { $0 + pow((a["x\($1)"] ?? 0) - 0.5, 2) } }

    func testDrawsFromThePriorsUntilThePopulationIsFull() throws {
        let space = try flatSpace()
        var sampler = EvolutionSampler(populationSize: 5)
        let trials = (0..<4).map { Trial(number: $0, assignment: ["x1": 0, "x2": 0, "x3": 0, "x4": 0], state: .complete, value: 1) }
        var a = RandomGenerator(seed: 4), b = RandomGenerator(seed: 4)
        XCTAssertEqual(sampler.suggest(space, trials: trials, direction: .minimize, rng: &a), space.sample(&b))
    }

    func testAChildDiffersFromTheTournamentWinnerInOneParameter() throws {
        let space = try flatSpace()
        var sampler = EvolutionSampler(populationSize: 3, tournamentSize: 3)
        // With the tournament as large as the population, the winner is the best member unless
        // it is never drawn; trial 1 is best by far.
        let trials = [-1.0, 0.0, 1.0].enumerated().map { n, shift in
            Trial(number: n, assignment: ["x1": shift, "x2": shift, "x3": shift, "x4": shift], state: .complete, value: n == 1 ? -10 : Double(n))
        }
        var rng = RandomGenerator(seed: 1)
        for _ in 0..<20 {
            let child = sampler.suggest(space, trials: trials, direction: .minimize, rng: &rng)
            let changes = trials.map { parent in parent.assignment.keys.filter { child[$0] != parent.assignment[$0] }.count }
            XCTAssertEqual(changes.min(), 1, "\(child)")
            XCTAssertTrue(child.values.allSatisfy { $0 >= -2 && $0 <= 2 })
        }
    }

    func testAMutatedChoiceDrawsTheParametersOfItsNewOption() throws {
        let space = try SearchSpace([
            Parameter(label: "kind", distribution: .choice(count: 2)),
            Parameter(label: "a", distribution: .uniform(low: 0, high: 1), condition: Condition(parent: "kind", option: 0)),
            Parameter(label: "b", distribution: .randint(low: 1, high: 9), condition: Condition(parent: "kind", option: 1)),
        ])
        let sampler = EvolutionSampler()
        var rng = RandomGenerator(seed: 2)
        var switched = 0
        for _ in 0..<40 {
            let child = sampler.mutate(["kind": 0, "a": 0.25], space, &rng)
            if child["kind"] == 1 {
                switched += 1
                XCTAssertNil(child["a"])
                XCTAssertNotNil(child["b"])
            } else {
                XCTAssertNotEqual(child["a"], 0.25)
                XCTAssertNil(child["b"])
            }
        }
        XCTAssertGreaterThan(switched, 5)
    }

    func testEvolutionBeatsRandomSearchOnASphere() throws {
        var evolved: [Double] = [], random: [Double] = []
        for seed in 0..<5 {
            let e = Study(name: "e", direction: .minimize, space: try flatSpace(), sampler: EvolutionSampler(), seed: seed)
            e.optimize(trials: 200, sphere)
            let r = Study(name: "r", direction: .minimize, space: try flatSpace(), sampler: RandomSampler(), seed: seed)
            r.optimize(trials: 200, sphere)
            evolved.append(e.bestTrial?.value ?? .infinity)
            random.append(r.bestTrial?.value ?? .infinity)
        }
        XCTAssertLessThan(evolved.sorted()[2] * 5, random.sorted()[2], "evolution \(evolved), random \(random)")
    }

    func testMaximizingPicksTheLargestValues() throws {
        let study = Study(name: "up", direction: .maximize, space: try flatSpace(), sampler: EvolutionSampler(), seed: 3)
        study.optimize(trials: 150) { -self.sphere($0) }
        XCTAssertGreaterThan(study.bestTrial?.value ?? -.infinity, -0.3)
    }
}
