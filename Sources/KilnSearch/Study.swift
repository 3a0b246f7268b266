/// A study: one search over a space, its trials in order, the sampler that proposes the next
/// assignment and the pruner that stops unpromising trials early. Objectives are plain
/// closures; a trial whose objective throws, or returns NaN or an infinity, is recorded as
/// failed with the reason and the search goes on. Trials live in a `TrialStorage`: in memory,
/// or in a store several processes share, each claiming its next trial in a transaction.

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

/// A value the objective reported along the way: a validation loss after epoch `step`.
public struct Report: Equatable, Sendable {
    public var step: Int
    public var value: Double

    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }
}

/// One evaluation of the objective.
public struct Trial: Equatable, Sendable {
    public var number: Int
    public var assignment: Assignment
    public var state: TrialState
    /// The objective's value (nil unless complete; a pruned trial's last report).
    public var value: Double?
    /// Values the objective reported along the way, steps increasing, for pruners.
    public var reports: [Report]
    /// Why the trial failed or was pruned.
    public var message: String?
    public var started: Date?
    public var finished: Date?
    /// The process running it ("host:pid"), so a study can tell a trial whose process died.
    public var worker: String?

    public init(number: Int, assignment: Assignment, state: TrialState = .running, value: Double? = nil,
                reports: [Report] = [], message: String? = nil, started: Date? = nil, finished: Date? = nil, worker: String? = nil) {
        self.number = number
        self.assignment = assignment
        self.state = state
        self.value = value
        self.reports = reports
        self.message = message
        self.started = started
        self.finished = finished
        self.worker = worker
    }

    /// The reported values in step order.
    public var intermediate: [Double] { reports.map(\.value) }

    /// The first value reported at `step` or later (what a pruner's rung at `step` compares).
    public func reported(atOrAfter step: Int) -> Double? {
        reports.first { $0.step >= step }?.value
    }

    /// Whether the trial failed because its process ended (it does not use up the budget).
    public var wasInterrupted: Bool { state == .failed && (message?.hasPrefix(Trial.interruptedPrefix) ?? false) }

    public static let interruptedPrefix = "interrupted:"
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

/// Where a study's trials live. `claim` must be atomic: two processes claiming at once get
/// different trial numbers and each sees the other's claim.
public protocol TrialStorage: AnyObject {
    /// Every trial, by number.
    func trials() throws -> [Trial]
    /// Reads the trials, asks `next` for a new running trial given them (nil: none is wanted),
    /// and stores it, all in one transaction.
    func claim(_ next: ([Trial]) throws -> Trial?) throws -> Trial?
    /// Stores the trial's new state (a report, its end).
    func save(_ trial: Trial) throws
}

/// Trials kept in the process.
public final class MemoryTrialStorage: TrialStorage {
    private var list: [Trial]

    public init(_ trials: [Trial] = []) { list = trials }

    public func trials() -> [Trial] { list }

    public func claim(_ next: ([Trial]) throws -> Trial?) throws -> Trial? {
        guard let trial = try next(list) else { return nil }
        list.append(trial)
        return trial
    }

    public func save(_ trial: Trial) {
        if let index = list.firstIndex(where: { $0.number == trial.number }) { list[index] = trial } else { list.append(trial) }
    }
}

/// The trial an objective is running: its values, and reports that may prune it.
public final class TrialContext {
    public private(set) var trial: Trial
    private let study: Study

    init(_ trial: Trial, study: Study) {
        self.trial = trial
        self.study = study
    }

    /// Records `value` at `step` (the next step when nil); steps must increase.
    public func report(_ value: Double, step: Int? = nil) throws {
        let step = step ?? (trial.reports.last.map { $0.step + 1 } ?? 0)
        if let last = trial.reports.last, step <= last.step {
            throw SearchError("trial \(trial.number): step \(step) was reported after step \(last.step); steps must increase")
        }
        trial.reports.append(Report(step: step, value: value))
        try study.storage.save(trial)
    }

    /// Whether the study's pruner would stop this trial now, given every trial's reports.
    public func shouldPrune() throws -> Bool {
        guard let pruner = study.pruner, !trial.reports.isEmpty else { return false }
        let others = try study.storage.trials().filter { $0.number != trial.number }
        return pruner.shouldPrune(trial, among: others, direction: study.direction, study: study.name)
    }

    /// Updates the assignment (define-by-run spaces add parameters as the objective meets them).
    public func set(_ label: String, _ value: Double) {
        trial.assignment[label] = value
    }

    /// Drops a proposed parameter the objective did not use.
    public func remove(_ label: String) {
        trial.assignment[label] = nil
    }
}

/// Raised by an objective to end its trial as pruned.
public struct TrialPruned: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String = "pruned") { self.message = message }
    public var description: String { message }
}

/// A search in progress.
public final class Study {
    public let name: String
    public let direction: Direction
    public var space: SearchSpace
    public let storage: TrialStorage
    public let pruner: (any Pruner)?
    /// Identifies this process in the trials it claims.
    public let worker: String
    private var sampler: any Sampler
    private let seed: Int

    /// A study over `storage` (in memory with `trials` when nil). Trial n's proposal is drawn
    /// with a generator seeded by `seed` and n, so a resumed or shared study proposes what an
    /// uninterrupted one would have, given the same finished trials.
    public init(name: String, direction: Direction, space: SearchSpace, sampler: any Sampler, seed: Int, trials: [Trial] = [],
                storage: TrialStorage? = nil, pruner: (any Pruner)? = nil, worker: String = Study.thisProcess) {
        self.name = name
        self.direction = direction
        self.space = space
        self.sampler = sampler
        self.seed = seed
        self.storage = storage ?? MemoryTrialStorage(trials)
        self.pruner = pruner
        self.worker = worker
    }

    /// "host:pid" of this process.
    public static let thisProcess = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    /// The trials so far (empty when the storage cannot be read).
    public var trials: [Trial] { (try? storage.trials()) ?? [] }

    /// Runs `count` more trials. `objective` gets the trial's assignment and returns its value;
    /// `finished` sees each trial as it ends.
    public func optimize(trials count: Int, _ objective: (Assignment) throws -> Double, finished: (Trial) -> Void = { _ in }) {
        let target = trials.count + Swift.max(count, 0)
        _ = try? optimize(budget: target, { context in try objective(context.trial.assignment) }, finished: finished)
    }

    /// Runs trials until the study holds `budget` of them (trials whose process died do not
    /// count), claiming each in the storage so other processes sharing it run others. Returns
    /// the number this call ran. Errors come only from the storage; the objective's errors and
    /// `TrialPruned` end their trial as failed or pruned.
    @discardableResult
    public func optimize(budget: Int, _ objective: (TrialContext) throws -> Double, finished: (Trial) -> Void = { _ in },
                         shouldStop: () -> Bool = { false }) throws -> Int {
        var ran = 0
        while !shouldStop(), let claimed = try claim(budget: budget) {
            let context = TrialContext(claimed, study: self)
            var trial: Trial
            do {
                let value = try objective(context)
                trial = context.trial
                if value.isFinite {
                    trial.state = .complete
                    trial.value = value
                } else {
                    trial.state = .failed
                    trial.message = "the objective returned \(value)"
                }
            } catch let pruned as TrialPruned {
                trial = context.trial
                trial.state = .pruned
                trial.value = trial.reports.last?.value
                trial.message = pruned.message
            } catch {
                trial = context.trial
                trial.state = .failed
                trial.message = "\(error)"
            }
            trial.finished = Date()
            try storage.save(trial)
            ran += 1
            finished(trial)
            if trial.state == .failed, stopOnFailure(trial) { break }
        }
        return ran
    }

    /// Whether a failure should end the search rather than only the trial (never, by default;
    /// the language decides for errors it must re-raise).
    public var stopOnFailure: (Trial) -> Bool = { _ in false }

    /// Claims the next trial, marking trials of dead processes on this host as interrupted first.
    private func claim(budget: Int) throws -> Trial? {
        try storage.claim { existing in
            for orphan in existing where orphan.state == .running && Study.isDead(orphan.worker) {
                var ended = orphan
                ended.state = .failed
                ended.message = "\(Trial.interruptedPrefix) the process running it (\(orphan.worker ?? "?")) ended"
                ended.finished = Date()
                try storage.save(ended)
            }
            let current = try storage.trials()
            guard current.filter({ !$0.wasInterrupted }).count < budget else { return nil }
            let number = (current.map(\.number).max() ?? -1) + 1
            var rng = RandomGenerator(seed: Study.trialSeed(seed, number))
            let assignment = sampler.suggest(space, trials: current, direction: direction, rng: &rng)
            return Trial(number: number, assignment: assignment, started: Date(), worker: worker)
        }
    }

    /// Whether `worker` names a process on this host that no longer runs.
    static func isDead(_ worker: String?) -> Bool {
        guard let worker, let colon = worker.lastIndex(of: ":"), let pid = Int32(worker[worker.index(after: colon)...]) else { return false }
        guard worker[..<colon] == ProcessInfo.processInfo.hostName, pid != ProcessInfo.processInfo.processIdentifier else { return false }
        if kill(pid, 0) != 0 { return errno == ESRCH }
        // A killed process nobody has reaped yet (a zombie) still answers kill(pid, 0).
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[close...].dropFirst().trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// A seed for trial `number`'s proposal (SplitMix64 of the pair, kept non-negative).
    public static func trialSeed(_ seed: Int, _ number: Int) -> Int {
        var z = UInt64(bitPattern: Int64(seed)) &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(number + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 2)
    }

    /// The complete trial with the best value (the first of equals), or nil.
    public var bestTrial: Trial? {
        Study.best(of: trials, direction)
    }

    /// The complete trial of `trials` with the best value in `direction` (the first of equals).
    public static func best(of trials: [Trial], _ direction: Direction) -> Trial? {
        trials.filter { $0.state == .complete }.min { a, b in
            guard let x = a.value, let y = b.value else { return false }
            return direction == .minimize ? x < y : x > y
        }
    }
}
