import KilnSearch
import KilnTensor
import XCTest

/// Studies run trials in order, keep failures, and find the best value in their direction.
final class StudyTests: XCTestCase {
    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    func space() throws -> SearchSpace {
        try SearchSpace([Parameter(label: "x", distribution: .uniform(low: -5, high: 5))])
    }

    func testRandomSearchFindsAGoodPointAndKeepsEveryTrial() throws {
        let study = Study(name: "quadratic", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 1)
        var seen: [Int] = []
        study.optimize(trials: 200, { a in (a["x"]! - 1.5) * (a["x"]! - 1.5) }, finished: { seen.append($0.number) })
        XCTAssertEqual(seen, Array(0..<200))
        XCTAssertEqual(study.trials.count, 200)
        let best = try XCTUnwrap(study.bestTrial)
        XCTAssertEqual(best.assignment["x"]!, 1.5, accuracy: 0.1)
        XCTAssertEqual(best.value, study.trials.compactMap(\.value).min())
    }

    func testMaximizeTakesTheLargestValue() throws {
        let study = Study(name: "up", direction: .maximize, space: try space(), sampler: RandomSampler(), seed: 2)
        study.optimize(trials: 50) { $0["x"]! }
        XCTAssertEqual(study.bestTrial?.value, study.trials.compactMap(\.value).max())
    }

    func testFailingTrialsAreRecordedAndTheSearchGoesOn() throws {
        let study = Study(name: "flaky", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 3)
        var n = 0
        study.optimize(trials: 6) { a in
            n += 1
            if n == 2 { throw Boom() }
            if n == 4 { return .nan }
            return a["x"]!
        }
        XCTAssertEqual(study.trials.map(\.state), [.complete, .failed, .complete, .failed, .complete, .complete])
        XCTAssertEqual(study.trials[1].message, "boom")
        XCTAssertEqual(study.trials[3].message, "the objective returned nan")
        XCTAssertNotEqual(study.bestTrial?.number, 1)
    }

    func testTheSameSeedProposesTheSameTrials() throws {
        let a = Study(name: "a", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 9)
        let b = Study(name: "b", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 9)
        a.optimize(trials: 10) { $0["x"]! }
        b.optimize(trials: 10) { $0["x"]! }
        XCTAssertEqual(a.trials.map(\.assignment), b.trials.map(\.assignment))
    }
}
