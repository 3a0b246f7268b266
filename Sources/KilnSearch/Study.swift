/// A study: one search over a space, its trials in order, and the sampler that proposes the
/// next assignment. Objectives are plain closures; a trial whose objective throws, or returns
/// NaN or an infinity, is recorded as failed with the reason and the search goes on.

import Foundation
import KilnTensor

/// How a trial ended (or that it has not).
public enum TrialState: String, Sendable, CaseIterable {
    case running, complete, pruned, failed
}

/// Whether a study looks for the smallest or the largest value.
public enum Direction: String, Sendable, CaseIterable {
    case minimize, maximize
}

/// One evaluation of the objective.
public struct Trial: Equatable, Sendable {
    public var number: Int
    public var assignment: Assignment
    public var state: TrialState
    /// The objective's value (nil unless complete).
    public var value: Double?
    /// Values the objective reported along the way (a validation loss per epoch), for pruners.
    public var intermediate: [Double]
    /// Why the trial failed.
    public var message: String?
    public var started: Date?
    public var finished: Date?

    public init(number: Int, assignment: Assignment, state: TrialState = .running, value: Double? = nil,
                intermediate: [Double] = [], message: String? = nil, started: Date? = nil, finished: Date? = nil) {
        self.number = number
        self.assignment = assignment
        self.state = state
        self.value = value
        self.intermediate = intermediate
        self.message = message
        self.started = started
        self.finished = finished
    }
}

/// Proposes the next assignment from the space and the trials so far.
public protocol Sampler {
    mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment
}

/// Every assignment drawn from the priors, independent of the trials (Hyperopt's `rand.suggest`).
public struct RandomSampler: Sampler {
    public init() {}

    public mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment {
        space.sample(&rng)
    }
}

/// A search in progress.
public final class Study<S: Sampler> {
    public let name: String
    public let direction: Direction
    public let space: SearchSpace
    public private(set) var trials: [Trial]
    private var sampler: S
    private var rng: RandomGenerator

    /// A study that continues `trials` (a resumed study) with a generator seeded by `seed`.
    public init(name: String, direction: Direction, space: SearchSpace, sampler: S, seed: Int, trials: [Trial] = []) {
        self.name = name
        self.direction = direction
        self.space = space
        self.sampler = sampler
        self.trials = trials
        rng = RandomGenerator(seed: seed)
    }

    /// Runs `count` more trials. `objective` gets the trial's assignment and returns its value;
    /// `finished` sees each trial as it ends (to store it).
    public func optimize(trials count: Int, _ objective: (Assignment) throws -> Double, finished: (Trial) -> Void = { _ in }) {
        for _ in 0..<Swift.max(count, 0) {
            var trial = Trial(number: trials.count, assignment: sampler.suggest(space, trials: trials, direction: direction, rng: &rng),
                              started: Date())
            do {
                let value = try objective(trial.assignment)
                if value.isFinite {
                    trial.state = .complete
                    trial.value = value
                } else {
                    trial.state = .failed
                    trial.message = "the objective returned \(value)"
                }
            } catch {
                trial.state = .failed
                trial.message = "\(error)"
            }
            trial.finished = Date()
            trials.append(trial)
            finished(trial)
        }
    }

    /// The complete trial with the best value (the first of equals), or nil.
    public var bestTrial: Trial? {
        trials.filter { $0.state == .complete }.min { a, b in
            guard let x = a.value, let y = b.value else { return false }
            return direction == .minimize ? x < y : x > y
        }
    }
}
