/// Pruners stop unpromising trials early from the values they report along the way (a
/// validation loss per epoch), with Optuna's rules: asynchronous successive halving (Li et al.
/// 2018, "ASHA") keeps a trial past a rung only if it is in the best 1/η of the values any trial
/// reported at that rung; Hyperband (Li et al. 2017) runs several such halvings with different
/// first rungs and gives each trial to one of them; the median rule stops a trial worse than
/// the median of the others at the same step. Pruners are stateless: everything they compare is
/// read from the trials' reports, so processes sharing a study agree.

import Foundation

/// Decides from reports whether a running trial should stop.
public protocol Pruner {
    /// Whether `trial` (running, its newest report last) should stop, given the study's other
    /// trials in any state.
    func shouldPrune(_ trial: Trial, among others: [Trial], direction: Direction, study: String) -> Bool
}

/// A reported value as a pruner compares it: NaN is the worst possible.
func comparable(_ value: Double, _ direction: Direction) -> Double {
    guard value.isNaN else { return value }
    return direction == .minimize ? .infinity : -.infinity
}

/// Optuna's `SuccessiveHalvingPruner`: rung k sits at step `minResource · η^(rate + k)`; a trial
/// that reaches a rung's step is compared by its value there (the first reported at or after
/// it) with every trial's value at that rung, and continues only if it is among the best
/// `⌊n/η⌋` (the best one when fewer than η have reached the rung).
public struct SuccessiveHalvingPruner: Pruner {
    public var minResource: Int
    public var reductionFactor: Int
    public var minEarlyStoppingRate: Int

    /// Optuna's defaults: minimum resource 1, reduction factor 4, early-stopping rate 0.
    public init(minResource: Int = 1, reductionFactor: Int = 4, minEarlyStoppingRate: Int = 0) {
        self.minResource = Swift.max(minResource, 1)
        self.reductionFactor = Swift.max(reductionFactor, 2)
        self.minEarlyStoppingRate = Swift.max(minEarlyStoppingRate, 0)
    }

    /// The step of rung `k`.
    public func rungStep(_ k: Int) -> Int {
        var step = minResource
        for _ in 0..<(minEarlyStoppingRate + k) {
            let (next, overflow) = step.multipliedReportingOverflow(by: reductionFactor)
            if overflow { return Int.max }
            step = next
        }
        return step
    }

    public func shouldPrune(_ trial: Trial, among others: [Trial], direction: Direction, study: String) -> Bool {
        guard let last = trial.reports.last else { return false }
        var rung = 0
        while case let step = rungStep(rung), last.step >= step {
            guard let value = trial.reported(atOrAfter: step) else { return false }
            let competing = others.compactMap { $0.reported(atOrAfter: step) }.map { comparable($0, direction) } + [comparable(value, direction)]
            if !isPromotable(comparable(value, direction), competing, direction) { return true }
            rung += 1
        }
        return false
    }

    private func isPromotable(_ value: Double, _ competing: [Double], _ direction: Direction) -> Bool {
        let index = Swift.max(competing.count / reductionFactor - 1, 0)
        let sorted = competing.sorted()
        return direction == .minimize ? value <= sorted[index] : value >= sorted[sorted.count - 1 - index]
    }
}

/// Optuna's `HyperbandPruner`: `⌊log_η(max/min)⌋ + 1` successive-halving brackets, bracket b
/// starting at early-stopping rate b; each trial goes to a bracket by a hash of the study name
/// and its number, in proportion to the brackets' budgets, and is compared only with trials of
/// its bracket. With `maxResource` nil the largest last step of the complete trials plus one is
/// used, and nothing is pruned before a trial completes.
public struct HyperbandPruner: Pruner {
    public var minResource: Int
    public var maxResource: Int?
    public var reductionFactor: Int

    /// Optuna's defaults: minimum resource 1, maximum from the first complete trials, factor 3.
    public init(minResource: Int = 1, maxResource: Int? = nil, reductionFactor: Int = 3) {
        self.minResource = Swift.max(minResource, 1)
        self.maxResource = maxResource.map { Swift.max($0, 1) }
        self.reductionFactor = Swift.max(reductionFactor, 2)
    }

    /// The number of brackets for a maximum resource.
    public func bracketCount(maxResource: Int) -> Int {
        var count = 1, resource = minResource
        while resource * reductionFactor <= maxResource {
            resource *= reductionFactor
            count += 1
        }
        return count
    }

    /// The bracket of trial `number` of `study` among `count` brackets.
    public func bracket(of number: Int, study: String, count: Int) -> Int {
        let budgets = (0..<count).map { b -> Int in
            let s = Double(count - 1 - b)
            return Int((Double(count) * pow(Double(reductionFactor), s) / (s + 1)).rounded(.up))
        }
        var hash = Int(crc32(Array("\(study)_\(number)".utf8))) % Swift.max(budgets.reduce(0, +), 1)
        for (b, budget) in budgets.enumerated() {
            hash -= budget
            if hash < 0 { return b }
        }
        return count - 1
    }

    public func shouldPrune(_ trial: Trial, among others: [Trial], direction: Direction, study: String) -> Bool {
        let complete = others.filter { $0.state == .complete }
        guard let maxResource = maxResource ?? complete.compactMap({ $0.reports.last?.step }).max().map({ $0 + 1 }) else { return false }
        let count = bracketCount(maxResource: maxResource)
        let mine = bracket(of: trial.number, study: study, count: count)
        let halving = SuccessiveHalvingPruner(minResource: minResource, reductionFactor: reductionFactor, minEarlyStoppingRate: mine)
        // With the maximum found from complete trials, trials that ran before the first one
        // completed were never compared (Optuna records rung values only once it is set up).
        let setUp = self.maxResource == nil ? complete.compactMap(\.finished).min() : nil
        let peers = others.filter { other in
            guard bracket(of: other.number, study: study, count: count) == mine else { return false }
            guard let setUp, let started = other.started else { return true }
            return started >= setUp
        }
        return halving.shouldPrune(trial, among: peers, direction: direction, study: study)
    }
}

/// Optuna's `MedianPruner`: after `startupTrials` complete trials and `warmupSteps` steps, a
/// trial stops when the best value it has reported is worse than the median of the complete
/// trials' values at its newest step.
public struct MedianPruner: Pruner {
    public var startupTrials: Int
    public var warmupSteps: Int

    /// Optuna's defaults: 5 start-up trials, no warm-up steps.
    public init(startupTrials: Int = 5, warmupSteps: Int = 0) {
        self.startupTrials = startupTrials
        self.warmupSteps = warmupSteps
    }

    public func shouldPrune(_ trial: Trial, among others: [Trial], direction: Direction, study: String) -> Bool {
        let complete = others.filter { $0.state == .complete }
        guard let last = trial.reports.last, last.step >= warmupSteps, complete.count >= startupTrials else { return false }
        let values = trial.reports.map { comparable($0.value, direction) }
        guard let best = direction == .minimize ? values.min() : values.max() else { return false }
        let peers = complete.compactMap { other in other.reports.first { $0.step == last.step }?.value }
            .map { comparable($0, direction) }.sorted()
        guard !peers.isEmpty else { return false }
        let n = peers.count
        let median = n % 2 == 1 ? peers[n / 2] : (peers[n / 2 - 1] + peers[n / 2]) / 2
        return direction == .minimize ? best > median : best < median
    }
}

/// CRC-32 (the zlib / `binascii.crc32` polynomial), which Optuna hashes trials to brackets with.
public func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
