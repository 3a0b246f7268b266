/// `kiln.search`: Kiln's own studies, in Optuna's words. `search.study(name, direction,
/// sampler='tpe', pruner='hyperband', seed)` opens a study — in a recorded session the store's
/// study of that name, so a notebook run again after a crash resumes it and `kiln worker NAME`
/// processes share it; `study.optimize(objective, n_trials)` runs the objective on a `Trial`
/// whose `suggest_float` / `suggest_int` / `suggest_categorical` calls define the space as they
/// run, whose `report(value, step)` / `should_prune()` / `prune()` (or a Keras
/// `search.PruningCallback`) stop bad trials early; then `best_params`, `best_value`,
/// `best_trial`, `trials`, `trials_table()` and `plot()` (the search trace as SVG). Sampler
/// `tpe` is Optuna 5.0's multivariate TPE; `hyperopt`'s `tpe.suggest` stays Hyperopt's; `gp` is
/// KilnSearch's Gaussian process (scikit-optimize's gp_minimize defaults).
///
/// `n_trials` is the study's budget, not a count for this call: a study reloaded from the store
/// runs only the trials it still lacks, and workers sharing it stop when it is reached.

import Foundation
import KilnLang
import KilnSearch
import KilnTensor

/// A store in which studies of their own name can be shared between processes and resumed.
public protocol SharedStudyStore: AnyObject {
    /// The notebook this session runs (where `kiln worker` finds the objective), if any.
    var notebookSource: String? { get }
    /// Opens the study `name`, creating it with `config` (JSON text) when it is new; returns
    /// its trials' storage, written and read with `coding`, and its stored configuration.
    func openStudy(_ name: String, direction: Direction, sampler: String, config: String, coding: TrialCoding) throws -> (storage: TrialStorage, config: String)
    /// Replaces the stored configuration of the study `name`.
    func saveConfig(_ config: String, study name: String) throws
}

/// How a shared study's trials are written as text and read back: parameters by the values the
/// objective saw, reports as [step, value] pairs.
public struct TrialCoding {
    public let parameters: (Assignment) -> String
    public let assignment: (String) -> Assignment
    public let reports: ([Report]) -> String
    public let decodeReports: (String) -> [Report]
}

/// The search state a session keeps for `kiln.search`: studies opened by name (so running a
/// cell again continues its study) and, in a worker process, the study it serves.
public final class StudySession {
    var store: SharedStudyStore?
    var open: [String: StudyValue] = [:]
    /// In `kiln worker NAME`: the study to work on; the run ends once its budget is reached.
    public var workerStudy: String?
    public private(set) var workerFinished = false
    /// Chosen models or tuners already evaluated on test data (search.final_evaluation).
    var evaluatedChoices: Set<ObjectIdentifier> = []
    /// 1: a line per finished trial (Optuna's INFO); 0: quiet.
    var verbosity = 1

    func finished(_ study: String) {
        if study == workerStudy { workerFinished = true }
    }
}

/// A study as the language sees it.
final class StudyValue: KObject {
    let name: String
    let samplerName: String
    let prunerName: String
    let seed: Int
    let study: Study
    private(set) var declared: [DeclaredParameter] = []
    private let store: SharedStudyStore?

    /// Opens the study: in `store` (created there with this seed and pruner when new, else
    /// with the stored seed and space), or in memory.
    init(name: String, direction: Direction, samplerName: String, prunerName: String, seed: Int, store: SharedStudyStore?) throws {
        self.name = name
        self.samplerName = samplerName
        self.prunerName = prunerName
        self.store = store
        var seed = seed
        var storage: TrialStorage = MemoryTrialStorage()
        var restored: [DeclaredParameter] = []
        let proxy = CodingProxy()
        if let store {
            let config = try StudyValue.configText(seed: seed, pruner: prunerName, declared: [], store: store)
            let opened = try store.openStudy(name, direction: direction, sampler: samplerName, config: config, coding: proxy.coding)
            storage = opened.storage
            if let saved = try JSONReader.parse(Array(opened.config.utf8), filename: "study '\(name)'").as(KDict.self) {
                seed = try saved.get(.string("seed"))?.asInt ?? seed
                if let space = try saved.get(.string("space"))?.as(KDict.self) {
                    restored = try space.table.entries.map { try DeclaredParameter.make($0.key.asString ?? "", from: $0.value) }
                }
            }
        }
        self.seed = seed
        declared = restored
        study = Study(name: name, direction: direction,
                      space: try searching { try SearchSpace(restored.map { Parameter(label: $0.label, distribution: $0.distribution) }) },
                      sampler: try StudyValue.sampler(samplerName), seed: seed, storage: storage, pruner: try StudyValue.pruner(prunerName))
        super.init()
        proxy.target = self
    }

    /// What the store keeps of a study: seed, pruner, space, and where its notebook runs.
    static func configText(seed: Int, pruner: String, declared: [DeclaredParameter], store: SharedStudyStore) throws -> String {
        let space = KDict()
        for p in declared { try space.set(.string(p.label), p.config) }
        return try JSONWriter.text(try dictionary([("seed", .int(seed)), ("pruner", .string(pruner)), ("space", .object(space)),
                                                    ("source", store.notebookSource.map { .string($0) } ?? .none),
                                                    ("cwd", .string(FileManager.default.currentDirectoryPath))]))
    }

    /// Forwards the coding to the study value once it exists (the store needs the coding to
    /// open the study the value is made from).
    private final class CodingProxy {
        weak var target: StudyValue?
        var coding: TrialCoding {
            TrialCoding(parameters: { self.target?.encode($0) ?? "{}" },
                        assignment: { self.target?.decode($0) ?? [:] },
                        reports: StudyValue.encodeReports, decodeReports: StudyValue.decodeReports)
        }
    }

    static func sampler(_ name: String) throws -> any Sampler {
        switch name {
        case "tpe": return MultivariateTPESampler()
        case "random": return RandomSampler()
        case "evolution": return EvolutionSampler()
        case "gp": return GaussianProcessSampler()
        default: throw KilnError.value("sampler must be 'tpe', 'random', 'evolution' or 'gp', not '\(name)'")
        }
    }

    static func pruner(_ name: String) throws -> (any Pruner)? {
        switch name {
        case "none": return nil
        case "hyperband": return HyperbandPruner()
        case "asha", "successive_halving": return SuccessiveHalvingPruner()
        case "median": return MedianPruner()
        default: throw KilnError.value("pruner must be None, 'hyperband', 'asha' (successive halving) or 'median', not '\(name)'")
        }
    }

    override var typeName: String { "Study" }
    override func repr() -> String { "<kiln.search.Study '\(name)' direction=\(study.direction.rawValue) sampler=\(samplerName) pruner=\(prunerName)>" }

    // MARK: The space

    /// The parameter `label` as `parameter` declares it; the same declaration every time.
    func declare(_ parameter: DeclaredParameter) throws -> DeclaredParameter {
        if let known = declared.first(where: { $0.label == parameter.label }) {
            guard known.sameDeclaration(as: parameter) else {
                throw KilnError.value("hyperparameter '\(parameter.label)' was declared as \(Repr.repr(known.config)) and now as \(Repr.repr(parameter.config)); a hyperparameter keeps one range for the whole study")
            }
            return known
        }
        declared.append(parameter)
        study.space = try searching { try SearchSpace(declared.map { Parameter(label: $0.label, distribution: $0.distribution) }) }
        if let store { try store.saveConfig(try StudyValue.configText(seed: seed, pruner: prunerName, declared: declared, store: store), study: name) }
        return parameter
    }

    /// The values of `assignment`'s declared parameters, by label.
    func values(_ assignment: Assignment) throws -> KDict {
        let d = KDict()
        for parameter in declared {
            if let x = assignment[parameter.label] { try d.set(.string(parameter.label), parameter.value(x)) }
        }
        return d
    }

    func encode(_ assignment: Assignment) -> String {
        (try? JSONWriter.text(.object(try values(assignment)))) ?? "{}"
    }

    func decode(_ text: String) -> Assignment {
        guard let d = (try? JSONReader.parse(Array(text.utf8), filename: "trial parameters"))?.as(KDict.self) else { return [:] }
        var assignment: Assignment = [:]
        for (key, value) in d.table.entries {
            guard let label = key.asString, let parameter = declared.first(where: { $0.label == label }), let x = parameter.number(value) else { continue }
            assignment[label] = x
        }
        return assignment
    }

    static func encodeReports(_ reports: [Report]) -> String {
        "[" + reports.map { "[\($0.step), \($0.value.isFinite ? Repr.float($0.value) : "null")]" }.joined(separator: ", ") + "]"
    }

    static func decodeReports(_ text: String) -> [Report] {
        guard let list = (try? JSONReader.parse(Array(text.utf8), filename: "trial reports"))?.as(KList.self) else { return [] }
        return list.items.compactMap { item in
            guard let pair = item.as(KList.self), pair.items.count == 2, let step = pair.items[0].asInt else { return nil }
            return Report(step: step, value: pair.items[1].asDouble ?? .nan)
        }
    }

    // MARK: Results

    var bestTrial: Trial? { study.bestTrial }

    override var attributeNames: [String] {
        ["best_params", "best_trial", "best_value", "direction", "study_name", "trials"] + StudyValue.methods.keys.sorted()
    }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "study_name": return .string(self.name)
        case "direction": return .string(study.direction.rawValue)
        case "trials": return .object(KList(try study.storage.trials().map { .object(try FrozenTrialValue($0, study: self)) }))
        case "best_trial", "best_params", "best_value":
            guard let best = bestTrial else { throw KilnError.value("study '\(self.name)' has no complete trial yet") }
            switch name {
            case "best_params": return .object(try values(best.assignment))
            case "best_value": return .float(best.value ?? .nan)
            default: return .object(try FrozenTrialValue(best, study: self))
            }
        default:
            return StudyValue.methods[name].map { .object($0.bound(to: .object(self))) }
        }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = StudyValue.methods[name] else { throw KilnError.attribute("'Study' object has no attribute '\(name)'") }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("optimize", "func, n_trials=None, timeout=None, catch=(), callbacks=None, gc_after_trial=False, show_progress_bar=False",
                 doc: "Run func(trial) until the study holds n_trials trials (its budget: a resumed study runs only what it lacks).") { a in
            guard let budget = try a.optionalInt(1) else {
                throw KilnError.value("optimize needs n_trials: the study's budget of trials (Kiln runs no open-ended searches)")
            }
            try a.receiver(StudyValue.self).optimize(a[0], budget: budget, timeout: try a.optionalDouble(2), a.interpreter)
            return .none
        },
        KBuiltin("trials_table", "", doc: "The trials as a table: number, state, value, each hyperparameter, duration.") { a in
            .object(try TrialsTable(a.receiver(StudyValue.self)))
        },
        KBuiltin("plot", "", doc: "Show the search trace: each trial's value and the best so far, by trial number (SVG).") { a in
            let study = a.receiver(StudyValue.self)
            // Trials by number; only complete ones have a value to plot.
            let values = study.study.trials.sorted { $0.number < $1.number }.map { $0.state == .complete ? $0.value ?? .nan : .nan }
            PlotModule.show(PlotModule.traceChart(values, maximize: study.study.direction == .maximize, title: "\(study.name): value by trial"),
                            a.interpreter)
            return .none
        },
    ].map { ($0.name, $0) })

    // MARK: Running

    /// Runs the objective until the study's budget is reached. Every trial's end is printed as
    /// Optuna logs it. An interrupt or a timeout ends the search (the trial is kept as failed)
    /// and is raised again; any other error fails only its trial.
    func optimize(_ objective: Value, budget: Int, timeout: Double?, _ interpreter: Interpreter) throws {
        var fatal: Error?
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        study.stopOnFailure = { _ in fatal != nil }
        defer { study.stopOnFailure = { _ in false } }
        let session = interpreter.attachments["studies"] as? StudySession
        _ = try searching {
            try study.optimize(budget: budget, { context in
                let trial = TrialValue(context, study: self)
                defer { trial.close() }
                do {
                    let result = try interpreter.call(objective, Arguments([.object(trial)]))
                    if trial.prunedByCallback { throw TrialPruned(trial.pruneMessage) }
                    guard let value = result.asDouble, !isBool(result) else {
                        throw KilnError.type("the objective must return a number, not \(result.typeName)")
                    }
                    return value
                } catch let error as KilnError where error.type == "TrialPruned" {
                    throw TrialPruned(error.message.isEmpty ? trial.pruneMessage : error.message)
                } catch let error as KilnError where ["KeyboardInterrupt", "TimeoutError"].contains(error.type) {
                    fatal = error
                    throw error
                }
            }, finished: { trial in self.log(trial, interpreter) }, shouldStop: { deadline.map { Date() >= $0 } ?? false })
        }
        session?.finished(name)
        if let fatal { throw fatal }
    }

    /// Optuna's log line for a finished trial.
    private func log(_ trial: Trial, _ interpreter: Interpreter) {
        guard ((interpreter.attachments["studies"] as? StudySession)?.verbosity ?? 1) > 0 else { return }
        let parameters = (try? values(trial.assignment)).map { Repr.repr(.object($0)) } ?? "{}"
        let line: String
        switch trial.state {
        case .complete:
            let best = bestTrial
            line = "Trial \(trial.number) finished with value: \(Repr.float(trial.value ?? .nan)) and parameters: \(parameters)."
                + (best.map { " Best is trial \($0.number) with value: \(Repr.float($0.value ?? .nan))." } ?? "")
        case .pruned: line = "Trial \(trial.number) pruned. \(trial.message ?? "")"
        case .failed: line = "Trial \(trial.number) failed with parameters: \(parameters) because of the following error: \(trial.message ?? "")."
        case .running: return
        }
        interpreter.output(line + "\n")
    }
}

/// The trial an objective receives.
final class TrialValue: KObject {
    let context: TrialContext
    let study: StudyValue
    private var used: [String] = []
    private(set) var prunedByCallback = false
    private(set) var pruneMessage = "pruned"
    private var closed = false

    init(_ context: TrialContext, study: StudyValue) {
        self.context = context
        self.study = study
    }

    /// Keeps only the parameters the objective asked for in the trial's record.
    func close() {
        closed = true
        for label in context.trial.assignment.keys where !used.contains(label) { context.remove(label) }
    }

    override var typeName: String { "Trial" }
    override func repr() -> String { "<kiln.search.Trial number=\(context.trial.number)>" }

    override var attributeNames: [String] { ["number", "params"] + TrialValue.methods.keys.sorted() }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "number": return .int(context.trial.number)
        case "params": return .object(try study.values(context.trial.assignment.filter { used.contains($0.key) }))
        default: return TrialValue.methods[name].map { .object($0.bound(to: .object(self))) }
        }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = TrialValue.methods[name] else { throw KilnError.attribute("'Trial' object has no attribute '\(name)'") }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    /// The value of `parameter` in this trial: the sampler's proposal, or (a parameter met for
    /// the first time) a draw from its prior seeded by the trial and the label.
    func suggest(_ parameter: DeclaredParameter) throws -> Value {
        guard !closed else { throw KilnError.value("trial \(context.trial.number) has finished; suggest values only inside the objective") }
        let parameter = try study.declare(parameter)
        if !used.contains(parameter.label) { used.append(parameter.label) }
        if let x = context.trial.assignment[parameter.label] { return parameter.value(x) }
        var rng = RandomGenerator(seed: Study.trialSeed(study.seed ^ Int(crc32(Array(parameter.label.utf8))), context.trial.number))
        let x = parameter.distribution.sample(&rng)
        context.set(parameter.label, x)
        return parameter.value(x)
    }

    /// Reports `value` at `step`; true when the study's pruner would stop the trial now.
    func report(_ value: Double, step: Int?) throws -> Bool {
        try searching { try context.report(value, step: step) }
        return try searching { try context.shouldPrune() }
    }

    /// A PruningCallback decided to stop training: the trial ends as pruned.
    func prunedAt(_ step: Int) {
        prunedByCallback = true
        pruneMessage = "pruned at step \(step)"
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("suggest_float", "name, low, high, *, step=None, log=False",
                 doc: "A float in [low, high]: uniform, log-uniform (log=True), or on a grid of step.") { a in
            try a.receiver(TrialValue.self).suggest(try .float(try a.string(0), low: try a.double(1), high: try a.double(2),
                                                                 step: try a.optionalDouble(3), log: a.bool(4)))
        },
        KBuiltin("suggest_int", "name, low, high, step=1, log=False", doc: "An integer in [low, high] (both included) on a grid of step, or log-uniform.") { a in
            try a.receiver(TrialValue.self).suggest(try .int(try a.string(0), low: try a.int(1), high: try a.int(2), step: try a.int(3), log: a.bool(4)))
        },
        KBuiltin("suggest_categorical", "name, choices", doc: "One of choices (None, bool, int, float or str values).") { a in
            try a.receiver(TrialValue.self).suggest(try .categorical(try a.string(0), choices: try a.list(1)))
        },
        KBuiltin("suggest_uniform", "name, low, high", doc: "Optuna's older name for suggest_float(name, low, high).") { a in
            try a.receiver(TrialValue.self).suggest(try .float(try a.string(0), low: try a.double(1), high: try a.double(2), step: nil, log: false))
        },
        KBuiltin("suggest_loguniform", "name, low, high", doc: "Optuna's older name for suggest_float(name, low, high, log=True).") { a in
            try a.receiver(TrialValue.self).suggest(try .float(try a.string(0), low: try a.double(1), high: try a.double(2), step: nil, log: true))
        },
        KBuiltin("suggest_discrete_uniform", "name, low, high, q", doc: "Optuna's older name for suggest_float(name, low, high, step=q).") { a in
            try a.receiver(TrialValue.self).suggest(try .float(try a.string(0), low: try a.double(1), high: try a.double(2), step: try a.double(3), log: false))
        },
        KBuiltin("report", "value, step=None", doc: "Record an intermediate value (e.g. the validation loss after an epoch) at step (the next one when None).") { a in
            _ = try a.receiver(TrialValue.self).report(try a.double(0), step: try a.optionalInt(1))
            return .none
        },
        KBuiltin("should_prune", "", doc: "Whether the study's pruner would stop this trial now, from every trial's reports.") { a in
            .bool(try searching { try a.receiver(TrialValue.self).context.shouldPrune() })
        },
        KBuiltin("prune", "message=None", doc: "End this trial as pruned (Optuna's `raise optuna.TrialPruned()`).") { a in
            throw KilnError("TrialPruned", try a.optionalString(0) ?? "pruned at step \(a.receiver(TrialValue.self).context.trial.reports.last?.step ?? 0)")
        },
    ].map { ($0.name, $0) })
}

/// A finished (or running) trial as `study.trials` and `study.best_trial` show it.
final class FrozenTrialValue: KObject {
    let trial: Trial
    let params: KDict

    init(_ trial: Trial, study: StudyValue) throws {
        self.trial = trial
        params = try study.values(trial.assignment)
    }

    override var typeName: String { "FrozenTrial" }
    override func repr() -> String {
        "FrozenTrial(number=\(trial.number), state=\(trial.state.rawValue), value=\(trial.value.map { Repr.float($0) } ?? "None"), params=\(Repr.repr(.object(params))))"
    }

    override var attributeNames: [String] { ["duration", "intermediate_values", "number", "params", "state", "value"] }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "number": return .int(trial.number)
        case "state": return .string(trial.state.rawValue)
        case "value": return trial.value.map { .float($0) } ?? Value.none
        case "params": return .object(params)
        case "intermediate_values":
            let d = KDict()
            for report in trial.reports { try d.set(.int(report.step), .float(report.value)) }
            return .object(d)
        case "duration":
            guard let started = trial.started, let finished = trial.finished else { return Value.none }
            return .float(finished.timeIntervalSince(started))
        default: return nil
        }
    }
}

enum StudyModule {
    static func register(in registry: ModuleRegistry, keras: KerasSession, session: StudySession) {
        registry.register("kiln.search") { _ in
            let m = KModule("kiln.search", doc: "Kiln's studies: search.study(name, direction, sampler, pruner) and study.optimize(objective, n_trials).")
            m.add([
                KBuiltin("study", "name=None, direction='minimize', sampler='tpe', pruner=None, seed=None, load_if_exists=True",
                         doc: "Open the study `name` (resumed from the store when it exists, unless load_if_exists=False): sampler 'tpe', 'random' or 'evolution'; pruner None, 'hyperband', 'asha' or 'median'.") { a in
                    let direction = try a.string(1)
                    guard let parsed = Direction(rawValue: direction) else {
                        throw KilnError.value("direction must be 'minimize' or 'maximize', not '\(direction)'")
                    }
                    let given = try a.optionalString(0)
                    let name = given ?? "study \(session.open.count + 1)"
                    let sampler = try a.string(2), pruner = try a.optionalString(3) ?? "none"
                    if let open = session.open[name] {
                        guard open.study.direction == parsed, open.samplerName == sampler, open.prunerName == pruner else {
                            throw KilnError.value("study '\(name)' is open with direction '\(open.study.direction.rawValue)', sampler '\(open.samplerName)' and pruner '\(open.prunerName)'; give another name for other settings")
                        }
                        return .object(open)
                    }
                    let seed = try a.optionalInt(4) ?? keras.backend.random.nextInt(below: Int(Int32.max))
                    let study = try StudyValue(name: name, direction: parsed, samplerName: sampler, prunerName: pruner, seed: seed,
                                               store: given == nil ? nil : session.store)
                    let stored = try study.study.storage.trials().count
                    if stored > 0 {
                        guard a.bool(5) else {
                            throw KilnError.value("study '\(name)' already exists in the store with \(stored) trials; choose another name, or pass load_if_exists=True to continue it")
                        }
                        if session.verbosity > 0 {
                            a.interpreter.output("Using an existing study with name '\(name)' instead of creating a new one (\(stored) trials in the store).\n")
                        }
                    }
                    session.open[name] = study
                    return .object(study)
                },
                FinalEvaluation.function(session),
                KBuiltin("set_verbosity", "level", doc: "1 (the default): print a line as each trial ends, as Optuna logs; 0: quiet.") { a in
                    session.verbosity = try a.int(0)
                    return .none
                },
                KBuiltin("PruningCallback", "trial, monitor='val_loss'",
                         doc: "A Keras callback that reports `monitor` after every epoch and stops training (the trial ends pruned) when the study's pruner says so.") { a in
                    guard let trial = a[0].as(TrialValue.self) else { throw KilnError.type("PruningCallback needs the objective's trial, not \(a[0].typeName)") }
                    let monitor = try a.string(1)
                    return .object(CallbackValue(.pruning(monitor: monitor, report: { epoch, value in
                        guard try trial.report(Double(value), step: epoch) else { return false }
                        trial.prunedAt(epoch)
                        return true
                    }), className: "PruningCallback"))
                },
            ])
            return m
        }

    }
}
