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

/// Budgets, storages shared by processes, reports and pruning.
final class SharedStudyTests: XCTestCase {
    func space() throws -> SearchSpace {
        try SearchSpace([Parameter(label: "x", distribution: .uniform(low: 0, high: 1))])
    }

    func testABudgetCountsTheTrialsAlreadyStoredSoAResumedStudyRunsOnlyWhatIsMissing() throws {
        let storage = MemoryTrialStorage()
        let first = Study(name: "s", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 5, storage: storage)
        var calls = 0
        XCTAssertEqual(try first.optimize(budget: 3) { calls += 1; return $0.trial.assignment["x"]! }, 3)
        let resumed = Study(name: "s", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 5, storage: storage)
        XCTAssertEqual(try resumed.optimize(budget: 5) { calls += 1; return $0.trial.assignment["x"]! }, 2)
        XCTAssertEqual(try resumed.optimize(budget: 5) { calls += 1; return $0.trial.assignment["x"]! }, 0)
        XCTAssertEqual(calls, 5)
        XCTAssertEqual(storage.trials().map(\.number), [0, 1, 2, 3, 4])
        // Trial n's proposal depends only on the seed and n: the same as one uninterrupted run.
        let whole = Study(name: "s", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 5)
        try whole.optimize(budget: 5) { $0.trial.assignment["x"]! }
        XCTAssertEqual(whole.trials.map(\.assignment), storage.trials().map(\.assignment))
    }

    func testATrialWhoseProcessDiedIsMarkedInterruptedAndDoesNotUseTheBudget() throws {
        let host = ProcessInfo.processInfo.hostName
        let storage = MemoryTrialStorage([
            Trial(number: 0, assignment: ["x": 0.5], state: .complete, value: 0.5, worker: "\(host):1"),
            Trial(number: 1, assignment: ["x": 0.7], state: .running, worker: "\(host):\(Int32.max - 7)"),
            Trial(number: 2, assignment: ["x": 0.9], state: .running, worker: "elsewhere:\(Int32.max - 7)"),
        ])
        let study = Study(name: "s", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 1, storage: storage)
        XCTAssertEqual(try study.optimize(budget: 3) { $0.trial.assignment["x"]! }, 1)
        let trials = storage.trials()
        XCTAssertEqual(trials.map(\.state), [.complete, .failed, .running, .complete])
        XCTAssertTrue(trials[1].wasInterrupted)
        XCTAssertEqual(trials[1].message, "interrupted: the process running it (\(host):\(Int32.max - 7)) ended")
        XCTAssertEqual(trials[3].number, 3)
    }

    func testReportsAreStoredAsTheyComeAndAPrunedTrialKeepsItsLastValue() throws {
        let storage = MemoryTrialStorage()
        let study = Study(name: "s", direction: .minimize, space: try space(), sampler: RandomSampler(), seed: 1, storage: storage)
        try study.optimize(budget: 1) { context in
            try context.report(0.9)
            try context.report(0.8)
            XCTAssertEqual(storage.trials()[0].reports, [Report(step: 0, value: 0.9), Report(step: 1, value: 0.8)])
            XCTAssertThrowsError(try context.report(0.7, step: 1)) { error in
                XCTAssertEqual("\(error)", "trial 0: step 1 was reported after step 1; steps must increase")
            }
            throw TrialPruned()
        }
        XCTAssertEqual(storage.trials()[0].state, .pruned)
        XCTAssertEqual(storage.trials()[0].value, 0.8)
    }
}
