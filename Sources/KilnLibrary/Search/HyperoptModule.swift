/// `hyperopt` as Hyperopt users write it: `hp.*` nodes in nested dicts, lists and tuples
/// (conditional sub-spaces under `hp.choice`), `fmin(fn, space, algo=rand.suggest,
/// max_evals=…, trials=Trials(), rstate=…)` with `rand.suggest` or `tpe.suggest` (KilnSearch's
/// TPE, Hyperopt's algorithm and defaults), `space_eval`, `STATUS_OK` / `STATUS_FAIL`, and
/// `Trials` with `trials`, `results`, `losses()`, `statuses()`, `best_trial`, `argmin`.

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

    override var typeName: String { "Apply" }
    override func repr() -> String { "<hyperopt.pyll.Apply hp.\(function)('\(label)')>" }
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
            m.add(priors())
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

    /// Hyperopt's `hp.*` functions.
    static func priors() -> [KBuiltin] {
        func node(_ name: String, _ signature: String, _ doc: String, _ make: @escaping (BoundArguments) throws -> Distribution) -> KBuiltin {
            KBuiltin(name, "label, " + signature, doc: doc) { a in
                let label = try a.string(0)
                let distribution = try make(a)
                try searching { try distribution.validate(label: label) }
                return .object(HyperparameterNode(name, label: label, distribution: distribution))
            }
        }
        return [
            node("uniform", "low, high", "Uniform in [low, high).") { .uniform(low: try $0.double(1), high: try $0.double(2)) },
            node("quniform", "low, high, q", "round(uniform(low, high) / q) * q.") {
                .quniform(low: try $0.double(1), high: try $0.double(2), q: try $0.double(3))
            },
            node("loguniform", "low, high", "exp(uniform(low, high)): low and high are logs.") {
                .loguniform(low: try $0.double(1), high: try $0.double(2))
            },
            node("qloguniform", "low, high, q", "round(exp(uniform(low, high)) / q) * q.") {
                .qloguniform(low: try $0.double(1), high: try $0.double(2), q: try $0.double(3))
            },
            node("normal", "mu, sigma", "Normal with mean mu and standard deviation sigma.") { .normal(mu: try $0.double(1), sigma: try $0.double(2)) },
            node("qnormal", "mu, sigma, q", "round(normal(mu, sigma) / q) * q.") {
                .qnormal(mu: try $0.double(1), sigma: try $0.double(2), q: try $0.double(3))
            },
            node("lognormal", "mu, sigma", "exp(normal(mu, sigma)).") { .lognormal(mu: try $0.double(1), sigma: try $0.double(2)) },
            node("qlognormal", "mu, sigma, q", "round(exp(normal(mu, sigma)) / q) * q.") {
                .qlognormal(mu: try $0.double(1), sigma: try $0.double(2), q: try $0.double(3))
            },
            node("randint", "upper, high=None", "An integer in [0, upper), or in [upper, high) when high is given.") { a in
                a.isNone(2) ? .randint(low: 0, high: try a.int(1)) : .randint(low: try a.int(1), high: try a.int(2))
            },
            node("uniformint", "low, high, q=1.0", "An integer round(uniform(low, high) / q) * q.") {
                .uniformint(low: try $0.double(1), high: try $0.double(2), q: try $0.double(3))
            },
            KBuiltin("choice", "label, options", doc: "One of the options (values or nested spaces); fmin reports its index.") { a in
                let options = try a.list(1)
                let distribution = Distribution.choice(count: options.count)
                try searching { try distribution.validate(label: try a.string(0)) }
                return .object(HyperparameterNode("choice", label: try a.string(0), distribution: distribution, options: options))
            },
            KBuiltin("pchoice", "label, p_options", doc: "One of the options, drawn with the given probabilities: [(p, option), …].") { a in
                var probabilities: [Double] = [], options: [Value] = []
                for pair in try a.list(1) {
                    let items = try a.interpreter.iterate(pair)
                    guard items.count == 2, let p = items[0].asDouble else {
                        throw KilnError.type("pchoice options must be (probability, option) pairs, got \(Repr.repr(pair))")
                    }
                    probabilities.append(p)
                    options.append(items[1])
                }
                let distribution = Distribution.pchoice(probabilities: probabilities)
                try searching { try distribution.validate(label: try a.string(0)) }
                return .object(HyperparameterNode("pchoice", label: try a.string(0), distribution: distribution, options: options))
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
            guard let algorithm = a[2].as(SearchAlgorithm.self) else {
                throw KilnError.type("fmin needs algo=tpe.suggest or rand.suggest (got \(Repr.repr(a[2])))")
            }
            guard let maxEvals = try a.optionalInt(3) else { throw KilnError.value("fmin needs max_evals") }
            for (index, name) in [(4, "timeout"), (5, "loss_threshold"), (13, "points_to_evaluate"), (16, "early_stop_fn")] where !a.isNone(index) {
                throw KilnError("NotImplementedError", "not supported in Kiln yet: fmin(\(name)=...)")
            }
            let record = a.isNone(6) ? TrialsValue() : try trialsArgument(a[6])
            let space = try searchSpace(a[1], a.interpreter)
            record.space = space
            let seed = try seedArgument(a[7], keras: keras, offset: record.trials.count)
            let name = session.nextStudy("fmin"), store = session.store
            let keep = { (trial: Trial) in
                let parameters = (try? JSONWriter.text(try values(trial.assignment, space))) ?? "{}"
                store?.record(trial, parameters: parameters, study: name, direction: .minimize, sampler: algorithm.name)
            }
            let best: Assignment
            switch algorithm.name {
            case "tpe": best = try search(TPESampler(), a, space: space, seed: seed, record: record, maxEvals: maxEvals, keep: keep)
            default: best = try search(RandomSampler(), a, space: space, seed: seed, record: record, maxEvals: maxEvals, keep: keep)
            }
            if a.bool(12) { return try values(best, space) }
            return try evaluate(a[1], best, a.interpreter)
        }
    }

    /// Runs fmin's trials with `sampler` until `record` holds `maxEvals`; the best assignment.
    private static func search<S: Sampler>(_ sampler: S, _ a: BoundArguments, space: SearchSpace, seed: Int, record: TrialsValue,
                                           maxEvals: Int, keep: (Trial) -> Void) throws -> Assignment {
        let study = Study(name: "fmin", direction: .minimize, space: space, sampler: sampler, seed: seed, trials: record.trials)
        // One trial at a time: an error raised by the objective ends fmin, as in Hyperopt
        // (catch_eval_exceptions=False), with the trial kept as failed.
        var failure: Error?, document: Value?
        while study.trials.count < maxEvals && failure == nil {
            document = nil
            study.optimize(trials: 1, { assignment in
                do {
                    let result = try a.interpreter.call(a[0], Arguments([try evaluate(a[1], assignment, a.interpreter)]))
                    let (loss, kept) = try lossAndResult(result)
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

    private static func trialsArgument(_ value: Value) throws -> TrialsValue {
        guard let trials = value.as(TrialsValue.self) else { throw KilnError.type("trials must be a hyperopt Trials object, not \(value.typeName)") }
        return trials
    }

    /// The study's seed: from `rstate` (an int seed), else from the session's generator (which
    /// `keras.utils.set_random_seed` fixes); shifted by the trials already run, so a resumed
    /// search does not repeat them.
    private static func seedArgument(_ value: Value, keras: KerasSession, offset: Int) throws -> Int {
        switch value {
        case .none: return keras.backend.random.nextInt(below: Int(Int32.max)) &+ offset
        case .int(let n): return n &+ offset
        default:
            throw KilnError("NotImplementedError", "not supported in Kiln yet: rstate=\(value.typeName) (numpy Generator); pass an int seed, or call keras.utils.set_random_seed")
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
