/// `hyperopt` as Hyperopt users write it: `hp.*` nodes in nested dicts, lists and tuples
/// (conditional sub-spaces under `hp.choice`), `fmin(fn, space, algo=rand.suggest,
/// max_evals=…, trials=Trials(), rstate=…)` with `rand.suggest` or `tpe.suggest` (KilnSearch's
/// TPE, Hyperopt's algorithm and defaults) and `rstate` an int seed or
/// `np.random.default_rng(seed)`, `space_eval`, `STATUS_OK` / `STATUS_FAIL`, and `Trials` with
/// `trials`, `results`, `losses()`, `statuses()`, `best_trial`, `argmin`. The priors and the
/// search loop (`optimize`: trials kept in `Trials` and in the store) serve Hyperas too
/// (HyperasModule.swift).

import KilnLang
import KilnSearch

/// Where a recorded session keeps search trials (the store's studies and trials, through
/// KilnNotebook).
public protocol StudyStore: AnyObject {
    /// Records `trial` of the study `name`, created on first use.
    func record(_ trial: Trial, parameters: String, study name: String, direction: Direction, sampler: String)
}

/// The search state of one interpreter session: where trials are recorded, and how many
/// searches (`fmin` calls, tuners) it has started, each its own study.
public final class SearchSession {
    public var store: StudyStore?
    private var started: [String: Int] = [:]

    public init() {}

    /// "fmin 1", "fmin 2", "Hyperband 1", …: the next study name of that kind.
    func nextStudy(_ kind: String) -> String {
        started[kind, default: 0] += 1
        return "\(kind) \(started[kind] ?? 1)"
    }
}

/// An `hp.*` node: a labelled prior, and for `hp.choice` / `hp.pchoice` the options (values or
/// nested sub-spaces).
final class HyperparameterNode: KObject {
    let label: String
    let distribution: Distribution
    let options: [Value]
    let function: String

    init(_ function: String, label: String, distribution: Distribution, options: [Value] = []) {
        self.function = function
        self.label = label
        self.distribution = distribution
        self.options = options
    }

    /// False for a `hyperas.distributions` prior, which `optim.minimize` names.
    var isLabelled: Bool { !label.isEmpty }

    override var typeName: String { "Apply" }
    override func repr() -> String {
        isLabelled ? "<hyperopt.pyll.Apply hp.\(function)('\(label)')>" : "<hyperas prior \(function)(…)>"
    }
}

/// `rand.suggest`, `tpe.suggest`: which algorithm `fmin` runs.
final class SearchAlgorithm: KObject {
    let name: String

    init(_ name: String) { self.name = name }

    override var typeName: String { "function" }
    override func repr() -> String { "<function \(name).suggest>" }
}

/// Hyperopt's `Trials`: the trials of one or more `fmin` calls.
final class TrialsValue: KObject {
    var trials: [Trial] = []
    /// What each trial's objective returned, as a result dict.
    var results: [Value] = []
    /// The space the trials were drawn from (for `argmin`'s value types).
    var space: SearchSpace?

    override var typeName: String { "Trials" }
    override func repr() -> String { "<hyperopt.base.Trials object with \(trials.count) trials>" }
    override var count: Int? { trials.count }

    override var attributeNames: [String] { ["argmin", "best_trial", "losses", "results", "statuses", "trials"] }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "trials": return .object(KList(try trials.indices.map(trialDict)))
        case "results": return .object(KList(results))
        case "best_trial":
            guard let best = bestIndex else { throw KilnError.attribute("best_trial: no trial has status 'ok' and a loss") }
            return try trialDict(best)
        case "argmin":
            guard let best = bestIndex else { throw KilnError.value("argmin: no trial has status 'ok' and a loss") }
            return try HyperoptModule.values(trials[best].assignment, space)
        default:
            return TrialsValue.methods[name].map { .object($0.bound(to: .object(self))) }
        }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = TrialsValue.methods[name] else { throw KilnError.attribute("'Trials' object has no attribute '\(name)'") }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("losses", "bandit=None", doc: "Each trial's loss (None where it failed).") { a in
            .object(KList(a.receiver(TrialsValue.self).trials.map { $0.value.map { .float($0) } ?? .none }))
        },
        KBuiltin("statuses", "bandit=None", doc: "Each trial's status, 'ok' or 'fail'.") { a in
            .object(KList(a.receiver(TrialsValue.self).trials.map { .string($0.state == .complete ? "ok" : "fail") }))
        },
    ].map { ($0.name, $0) })

    /// The first complete trial with the lowest loss.
    var bestIndex: Int? {
        trials.indices.filter { trials[$0].state == .complete }.min { (trials[$0].value ?? .infinity) < (trials[$1].value ?? .infinity) }
    }

    /// Hyperopt's trial document: tid, state (2 done, 3 error), result, misc.vals.
    func trialDict(_ i: Int) throws -> Value {
        let trial = trials[i]
        let vals = KDict()
        for parameter in space?.parameters ?? [] {
            let value = trial.assignment[parameter.label].map { HyperoptModule.value($0, parameter.distribution) }
            try vals.set(.string(parameter.label), .object(KList(value.map { [$0] } ?? [])))
        }
        return try dictionary([("tid", .int(trial.number)), ("state", .int(trial.state == .complete ? 2 : 3)),
                               ("result", results[i]), ("misc", try dictionary([("tid", .int(trial.number)), ("vals", .object(vals))]))])
    }
}

/// Runs `body`, turning KilnSearch's errors into the language's ValueError.
func searching<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SearchError {
        throw KilnError.value(error.message)
    }
}

enum HyperoptModule {
    static func register(in registry: ModuleRegistry, keras: KerasSession, search: SearchSession) {
        registry.register("hyperopt.hp") { _ in
            let m = KModule("hyperopt.hp", doc: "Priors of hyperparameters: uniform, loguniform, choice, …")
            m.add(priors(labelled: true))
            return m
        }
        for name in ["rand", "tpe"] {
            registry.register("hyperopt." + name) { _ in
                KModule("hyperopt." + name, members: ["suggest": .object(SearchAlgorithm(name))],
                        doc: name == "rand" ? "Random search." : "Tree-structured Parzen estimators (Hyperopt's TPE).")
            }
        }
        registry.register("hyperopt") { interpreter in
            let m = KModule("hyperopt", doc: "Hyperopt's fmin over hp search spaces, on Kiln's studies.")
            for sub in ["hp", "rand", "tpe"] { m.set(sub, .object(try interpreter.importModule(["hyperopt", sub]))) }
            m.set("STATUS_OK", .string("ok"))
            m.set("STATUS_FAIL", .string("fail"))
            m.add([fmin(keras, search), spaceEval,
                   KBuiltin("Trials", "exp_key=None, refresh=True", doc: "A record of the trials of fmin calls.") { _ in .object(TrialsValue()) }])
            return m
        }
    }

    /// The priors, as `hp` has them (labelled: `hp.uniform(label, low, high)`) or as
    /// `hyperas.distributions` has them (unlabelled: `uniform(low, high)`, named by
    /// `optim.minimize` after where its template is written). `first` is the index of the
    /// first argument after the label.
    static func priors(labelled: Bool) -> [KBuiltin] {
        let first = labelled ? 1 : 0
        func prior(_ name: String, _ signature: String, _ doc: String,
                   _ make: @escaping (BoundArguments, Int) throws -> (Distribution, [Value])) -> KBuiltin {
            KBuiltin(name, (labelled ? "label, " : "") + signature, doc: doc) { a in
                let label = labelled ? try a.string(0) : ""
                let (distribution, options) = try make(a, first)
                if labelled { try searching { try distribution.validate(label: label) } }
                return .object(HyperparameterNode(name, label: label, distribution: distribution, options: options))
            }
        }
        func node(_ name: String, _ signature: String, _ doc: String, _ make: @escaping (BoundArguments, Int) throws -> Distribution) -> KBuiltin {
            prior(name, signature, doc) { a, i in (try make(a, i), []) }
        }
        return [
            node("uniform", "low, high", "Uniform in [low, high).") { a, i in .uniform(low: try a.double(i), high: try a.double(i + 1)) },
            node("quniform", "low, high, q", "round(uniform(low, high) / q) * q.") { a, i in
                .quniform(low: try a.double(i), high: try a.double(i + 1), q: try a.double(i + 2))
            },
            node("loguniform", "low, high", "exp(uniform(low, high)): low and high are logs.") { a, i in
                .loguniform(low: try a.double(i), high: try a.double(i + 1))
            },
            node("qloguniform", "low, high, q", "round(exp(uniform(low, high)) / q) * q.") { a, i in
                .qloguniform(low: try a.double(i), high: try a.double(i + 1), q: try a.double(i + 2))
            },
            node("normal", "mu, sigma", "Normal with mean mu and standard deviation sigma.") { a, i in
                .normal(mu: try a.double(i), sigma: try a.double(i + 1))
            },
            node("qnormal", "mu, sigma, q", "round(normal(mu, sigma) / q) * q.") { a, i in
                .qnormal(mu: try a.double(i), sigma: try a.double(i + 1), q: try a.double(i + 2))
            },
            node("lognormal", "mu, sigma", "exp(normal(mu, sigma)).") { a, i in .lognormal(mu: try a.double(i), sigma: try a.double(i + 1)) },
            node("qlognormal", "mu, sigma, q", "round(exp(normal(mu, sigma)) / q) * q.") { a, i in
                .qlognormal(mu: try a.double(i), sigma: try a.double(i + 1), q: try a.double(i + 2))
            },
            node("randint", "upper, high=None", "An integer in [0, upper), or in [upper, high) when high is given.") { a, i in
                a.isNone(i + 1) ? .randint(low: 0, high: try a.int(i)) : .randint(low: try a.int(i), high: try a.int(i + 1))
            },
            node("uniformint", "low, high, q=1.0", "An integer round(uniform(low, high) / q) * q.") { a, i in
                .uniformint(low: try a.double(i), high: try a.double(i + 1), q: try a.double(i + 2))
            },
            prior("choice", "options", "One of the options (values or nested spaces); fmin reports its index.") { a, i in
                let options = try a.list(i)
                return (.choice(count: options.count), options)
            },
            prior("pchoice", "p_options", "One of the options, drawn with the given probabilities: [(p, option), …].") { a, i in
                var probabilities: [Double] = [], options: [Value] = []
                for pair in try a.list(i) {
                    let items = try a.interpreter.iterate(pair)
                    guard items.count == 2, let p = items[0].asDouble else {
                        throw KilnError.type("pchoice options must be (probability, option) pairs, got \(Repr.repr(pair))")
                    }
                    probabilities.append(p)
                    options.append(items[1])
                }
                return (.pchoice(probabilities: probabilities), options)
            },
        ]
    }

    /// The parameters of a space: every `hp` node inside nested dicts, lists and tuples, in the
    /// order met, those inside a choice's option active only under that option.
    static func searchSpace(_ space: Value, _ interpreter: Interpreter) throws -> SearchSpace {
        var parameters: [KilnSearch.Parameter] = []
        var labels: Set<String> = []
        func walk(_ value: Value, _ condition: Condition?) throws {
            if let node = value.as(HyperparameterNode.self) {
                guard node.isLabelled else {
                    throw KilnError.value("\(node.repr()) has no label: fmin takes hp.\(node.function)(label, …); hyperas.distributions priors go in {{ }} templates")
                }
                guard labels.insert(node.label).inserted else {
                    throw KilnError("DuplicateLabel", node.label)
                }
                parameters.append(KilnSearch.Parameter(label: node.label, distribution: node.distribution, condition: condition))
                for (i, option) in node.options.enumerated() { try walk(option, Condition(parent: node.label, option: i)) }
            } else if let dict = value.as(KDict.self) {
                for (_, item) in dict.table.entries { try walk(item, condition) }
            } else if value.as(KList.self) != nil || value.as(KTuple.self) != nil {
                for item in try interpreter.iterate(value) { try walk(item, condition) }
            }
        }
        try walk(space, nil)
        return try searching { try SearchSpace(parameters) }
    }

    /// The space with each `hp` node replaced by its value in `assignment` (a choice by the
    /// option it chose, evaluated in turn).
    static func evaluate(_ space: Value, _ assignment: Assignment, _ interpreter: Interpreter) throws -> Value {
        if let node = space.as(HyperparameterNode.self) {
            guard let value = assignment[node.label] else {
                throw KilnError("KeyError", Repr.repr(.string(node.label)))
            }
            if node.options.isEmpty { return self.value(value, node.distribution) }
            let index = Int(value)
            guard index >= 0 && index < node.options.count else {
                throw KilnError.value("'\(node.label)' has \(node.options.count) options, not an option \(index)")
            }
            return try evaluate(node.options[index], assignment, interpreter)
        }
        if let dict = space.as(KDict.self) {
            let result = KDict()
            for (key, item) in dict.table.entries { try result.set(key, try evaluate(item, assignment, interpreter)) }
            return .object(result)
        }
        if let list = space.as(KList.self) { return .object(KList(try list.items.map { try evaluate($0, assignment, interpreter) })) }
        if let tuple = space.as(KTuple.self) { return .object(KTuple(try tuple.items.map { try evaluate($0, assignment, interpreter) })) }
        return space
    }

    /// A drawn value as the language sees it: an int for indices and integer priors.
    static func value(_ x: Double, _ distribution: Distribution) -> Value {
        distribution.isInteger && x.isFinite && abs(x) < 1e15 ? .int(Int(x)) : .float(x)
    }

    /// `{label: value}` of the active parameters, as fmin returns them.
    static func values(_ assignment: Assignment, _ space: SearchSpace?) throws -> Value {
        let result = KDict()
        for parameter in space?.parameters ?? [] {
            if let x = assignment[parameter.label] { try result.set(.string(parameter.label), value(x, parameter.distribution)) }
        }
        return .object(result)
    }

    static let spaceEval = KBuiltin("space_eval", "space, hp_assignment", doc: "The space with each hp node replaced by its value in hp_assignment (choices by index).") { a in
        guard let given = a[1].as(KDict.self) else { throw KilnError.type("hp_assignment must be a dict, not \(a[1].typeName)") }
        var assignment: Assignment = [:]
        for (key, value) in given.table.entries {
            guard case .string(let label) = key, let x = value.asDouble else { continue }
            assignment[label] = x
        }
        return try evaluate(a[0], assignment, a.interpreter)
    }

    /// `fmin`: runs the objective on `max_evals` trials in all (counting those already in
    /// `trials`) and returns the best trial's values.
    static func fmin(_ keras: KerasSession, _ session: SearchSession) -> KBuiltin {
        KBuiltin("fmin", "fn, space, algo=None, max_evals=None, timeout=None, loss_threshold=None, trials=None, rstate=None, allow_trials_fmin=True, pass_expr_memo_ctrl=None, catch_eval_exceptions=False, verbose=True, return_argmin=True, points_to_evaluate=None, max_queue_len=1, show_progressbar=True, early_stop_fn=None, trials_save_file=''",
                 doc: "Minimize fn over space: max_evals trials proposed by algo (tpe.suggest or rand.suggest), kept in trials; returns the best trial's {label: value}.") { a in
            let algorithm = try algorithmArgument(a[2], of: "fmin")
            guard let maxEvals = try a.optionalInt(3) else { throw KilnError.value("fmin needs max_evals") }
            for (index, name) in [(4, "timeout"), (5, "loss_threshold"), (13, "points_to_evaluate"), (16, "early_stop_fn")] where !a.isNone(index) {
                throw KilnError("NotImplementedError", "not supported in Kiln yet: fmin(\(name)=...)")
            }
            let record = a.isNone(6) ? TrialsValue() : try trialsArgument(a[6])
            let space = try searchSpace(a[1], a.interpreter)
            let seed = try seedArgument(a[7], keras: keras, offset: record.trials.count)
            let best = try optimize(space: space, algorithm: algorithm, seed: seed, record: record, maxEvals: maxEvals,
                                    study: session.nextStudy("fmin"), session: session) { assignment in
                try a.interpreter.call(a[0], Arguments([try evaluate(a[1], assignment, a.interpreter)]))
            }
            if a.bool(12) { return try values(best, space) }
            return try evaluate(a[1], best, a.interpreter)
        }
    }

    /// `tpe.suggest` or `rand.suggest`, as the `algo` argument of `function`.
    static func algorithmArgument(_ value: Value, of function: String) throws -> SearchAlgorithm {
        guard let algorithm = value.as(SearchAlgorithm.self) else {
            throw KilnError.type("\(function) needs algo=tpe.suggest or rand.suggest (got \(Repr.repr(value)))")
        }
        return algorithm
    }

    /// Runs trials of `objective` (an assignment → what the user's function returned: a loss
    /// or a result dict) proposed by `algorithm` over `space` until `record` holds `maxEvals`;
    /// every trial is kept in `record` and, in a recorded session, in the store as a trial of
    /// the study `study`. Returns the best assignment.
    static func optimize(space: SearchSpace, algorithm: SearchAlgorithm, seed: Int, record: TrialsValue, maxEvals: Int,
                         study: String, session: SearchSession, _ objective: (Assignment) throws -> Value) throws -> Assignment {
        record.space = space
        let store = session.store
        let keep = { (trial: Trial) in
            let parameters = (try? JSONWriter.text(try values(trial.assignment, space))) ?? "{}"
            store?.record(trial, parameters: parameters, study: study, direction: .minimize, sampler: algorithm.name)
        }
        switch algorithm.name {
        case "tpe": return try search(TPESampler(), objective, space: space, seed: seed, record: record, maxEvals: maxEvals, keep: keep)
        default: return try search(RandomSampler(), objective, space: space, seed: seed, record: record, maxEvals: maxEvals, keep: keep)
        }
    }

    /// Runs the trials with `sampler` until `record` holds `maxEvals`; the best assignment.
    private static func search<S: Sampler>(_ sampler: S, _ objective: (Assignment) throws -> Value, space: SearchSpace, seed: Int,
                                           record: TrialsValue, maxEvals: Int, keep: (Trial) -> Void) throws -> Assignment {
        let study = Study(name: "fmin", direction: .minimize, space: space, sampler: sampler, seed: seed, trials: record.trials)
        // One trial at a time: an error raised by the objective ends the search, as in Hyperopt
        // (catch_eval_exceptions=False), with the trial kept as failed.
        var failure: Error?, document: Value?
        while study.trials.count < maxEvals && failure == nil {
            document = nil
            study.optimize(trials: 1, { assignment in
                do {
                    let (loss, kept) = try lossAndResult(try objective(assignment))
                    document = kept
                    guard let loss else { throw StatusFail() }
                    return loss
                } catch let error as StatusFail {
                    throw error
                } catch {
                    failure = error
                    throw error
                }
            }, finished: { trial in
                record.results.append(document ?? (try? dictionary([("status", .string("fail")), ("error", .string(trial.message ?? ""))])) ?? .none)
                keep(trial)
            })
        }
        record.trials = study.trials
        if let failure { throw failure }
        return study.bestTrial?.assignment ?? [:]
    }

    /// A trial whose objective returned status 'fail': failed, and the search goes on.
    private struct StatusFail: Error, CustomStringConvertible {
        var description: String { "the objective reported status 'fail'" }
    }

    static func trialsArgument(_ value: Value) throws -> TrialsValue {
        guard let trials = value.as(TrialsValue.self) else { throw KilnError.type("trials must be a hyperopt Trials object, not \(value.typeName)") }
        return trials
    }

    /// The study's seed: from `rstate` (an int seed or a numpy Generator), else from the session's generator (which
    /// `keras.utils.set_random_seed` fixes); shifted by the trials already run, so a resumed
    /// search does not repeat them.
    static func seedArgument(_ value: Value, keras: KerasSession, offset: Int) throws -> Int {
        switch value {
        case .none: return keras.backend.random.nextInt(below: Int(Int32.max)) &+ offset
        case .int(let n): return n &+ offset
        default:
            // Hyperopt draws each trial's seed as rstate.integers(2**31 - 1); Kiln's study takes
            // one seed, drawn the same way (so the Generator moves on, as in Hyperopt).
            guard let generator = value.as(NumpyGenerator.self) else {
                throw KilnError.type("rstate must be an int seed or np.random.default_rng(seed), not \(value.typeName)")
            }
            return Int(generator.bounded(UInt64(Int32.max) - 1)) &+ offset
        }
    }

    /// The loss (nil for status 'fail') and the result document Hyperopt keeps.
    private static func lossAndResult(_ result: Value) throws -> (Double?, Value) {
        if let loss = result.asDouble, !isBool(result) {
            return (loss, try dictionary([("loss", .float(loss)), ("status", .string("ok"))]))
        }
        guard let dict = result.as(KDict.self) else {
            throw KilnError.type("the objective must return a number or a dict with 'loss' and 'status', not \(result.typeName)")
        }
        let status = (try dict.get(.string("status")))?.asString
        switch status {
        case "ok":
            guard let loss = (try dict.get(.string("loss")))?.asDouble else {
                throw KilnError.value("the objective's result has status 'ok' but no numeric 'loss': \(Repr.repr(result))")
            }
            return (loss, result)
        case "fail":
            return (nil, result)
        default:
            throw KilnError.value("the objective's result needs a 'status' of STATUS_OK or STATUS_FAIL: \(Repr.repr(result))")
        }
    }
}
