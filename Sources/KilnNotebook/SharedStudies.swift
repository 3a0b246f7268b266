/// Studies that processes share through the store (`kiln.search` studies by name): each
/// process opens the study by name, claims its next trial in a transaction, and writes every
/// report and end as it happens, so another process — a `kiln worker`, or the same notebook
/// run again after a crash — sees them.

import Foundation
import KilnLibrary
import KilnSearch
import KilnStore

extension RecordedStudies: SharedStudyStore {
    public var notebookSource: String? { recorder.source }

    public func openStudy(_ name: String, direction: Direction, sampler: String, config: String,
                          coding: TrialCoding) throws -> (storage: TrialStorage, config: String) {
        let id = try store.study(named: name, session: recorder.sessionID, direction: direction.rawValue, sampler: sampler)
        guard let summary = try store.study(named: name) else { throw StoreError("study '\(name)' vanished from the store") }
        guard summary.direction == direction.rawValue else {
            throw StoreError("study '\(name)' in the store minimizes or maximizes the other way (\(summary.direction)); open it with direction='\(summary.direction)' or choose another name")
        }
        var stored = summary.config
        if stored == "{}" {
            try store.setConfig(config, study: id)
            stored = config
        }
        return (StoredTrialStorage(store: store, study: id, coding: coding), stored)
    }

    public func saveConfig(_ config: String, study name: String) throws {
        guard let summary = try store.study(named: name) else { return }
        try store.setConfig(config, study: summary.id)
    }
}

/// The trials of one study in the store.
final class StoredTrialStorage: TrialStorage {
    private let store: Store
    private let study: Int64
    private let coding: TrialCoding

    init(store: Store, study: Int64, coding: TrialCoding) {
        self.store = store
        self.study = study
        self.coding = coding
    }

    func trials() throws -> [Trial] {
        try store.trials(ofStudy: study).map(trial)
    }

    func claim(_ next: ([Trial]) throws -> Trial?) throws -> Trial? {
        var claimed: Trial?
        _ = try store.claimTrial(study: study) { stored in
            guard let trial = try next(stored.map(self.trial)) else { return nil }
            claimed = trial
            return self.stored(trial)
        }
        return claimed
    }

    func save(_ trial: Trial) throws {
        try store.record(stored(trial), study: study)
    }

    private func trial(_ s: StoredTrial) -> Trial {
        Trial(number: s.number, assignment: coding.assignment(s.params), state: TrialState(rawValue: s.state) ?? .failed,
              value: s.value, reports: coding.decodeReports(s.intermediate), message: s.message, started: s.started,
              finished: s.finished, worker: s.worker)
    }

    private func stored(_ t: Trial) -> StoredTrial {
        StoredTrial(number: t.number, state: t.state.rawValue, params: coding.parameters(t.assignment), value: t.value,
                    intermediate: coding.reports(t.reports), started: t.started, finished: t.finished, worker: t.worker, message: t.message)
    }
}

/// What `kiln worker STUDY` runs: the notebook that created the study, in the directory it ran in.
public struct WorkerPlan: Equatable {
    public var notebook: String
    public var directory: String

    /// The plan for the study `name` in `store`; a clear error when there is no such study or
    /// it was not made by a notebook's `search.study`.
    public init(study name: String, store: Store) throws {
        guard let summary = try store.study(named: name) else {
            let names = try store.studies().map(\.name).filter { !$0.hasPrefix("session ") }
            throw StoreError("there is no study '\(name)' in the store" + (names.isEmpty ? "" : " (studies: \(names.joined(separator: ", ")))"))
        }
        let config = try? JSONParser.parse(summary.config)
        guard case .string(let notebook)? = config?["source"], case .string(let directory)? = config?["cwd"] else {
            throw StoreError("study '\(name)' was not opened by a notebook's search.study (it has no notebook to run); kiln worker runs notebooks")
        }
        self.notebook = notebook
        self.directory = directory
    }
}
