/// `keras_tuner` as keras-tuner users write it: a `build_model(hp)` function whose
/// `hp.Int` / `hp.Float` / `hp.Choice` / `hp.Boolean` / `hp.Fixed` calls define the search
/// space as they run, `kt.RandomSearch(build_model, objective='val_accuracy', max_trials=…,
/// seed=…)`, `tuner.search(x, y, epochs=…, validation_data=…)` (each trial builds a model and
/// fits it; its score is the objective's best epoch value), `search_space_summary()`,
/// `results_summary()`, `get_best_hyperparameters()` and `get_best_models()`. Values are drawn
/// from KilnSearch's priors; a parameter met for the first time takes its default, as
/// keras-tuner does. `kt.Hyperband(build_model, objective, max_epochs, factor)` runs
/// keras-tuner's brackets of successive halving. `kt.BayesianOptimization(build_model,
/// objective, max_trials, num_initial_points, alpha, beta)` proposes each trial with
/// KilnSearch's Gaussian-process sampler as keras-tuner's oracle does: `num_initial_points`
/// (default 3 per hyperparameter, at least 3) random trials, then the minimum of μ − beta·σ of
/// a Matérn 5/2 process fitted with noise alpha to the standardized scores. GridSearch is not in
/// Kiln yet and says so.

import Foundation
import KilnLang
import KilnSearch
import KilnTensor

/// One hyperparameter as keras-tuner declares it: its class, prior and default.
struct TunerParameter {
    let name: String
    let kind: String
    let distribution: Distribution
    /// The options of a Choice (or [False, True] for a Boolean).
    let choices: [Value]
    let defaultValue: Value
    /// How a drawn number becomes the value (an Int's step grid, a Choice's option).
    let value: (Double) -> Value
    /// The number a value is drawn as (the inverse of `value`), for samplers that learn from
    /// past trials; nil for a value that is not one of the parameter's.
    let number: (Value) -> Double?
    /// The fields search_space_summary prints, in keras-tuner's order.
    let summary: [(String, Value)]
}

/// keras-tuner's `HyperParameters`: the space discovered so far and this trial's values.
final class TunerHyperParameters: KObject {
    var parameters: [TunerParameter] = []
    var values: [String: Value] = [:]

    override var typeName: String { "HyperParameters" }
    override func repr() -> String { "<keras_tuner.HyperParameters \(Repr.repr(.object(valuesDict())))>" }

    override var attributeNames: [String] { ["values"] + TunerHyperParameters.methods.keys.sorted() }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        if name == "values" { return .object(valuesDict()) }
        return TunerHyperParameters.methods[name].map { .object($0.bound(to: .object(self))) }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = TunerHyperParameters.methods[name] else {
            throw KilnError.attribute("'HyperParameters' object has no attribute '\(name)'")
        }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    func valuesDict() -> KDict {
        let d = KDict()
        for parameter in parameters { try? d.set(.string(parameter.name), values[parameter.name] ?? parameter.defaultValue) }
        return d
    }

    /// The value of `parameter` in this trial: the drawn one, or (met for the first time) its default.
    func use(_ parameter: TunerParameter) -> Value {
        if !parameters.contains(where: { $0.name == parameter.name }) { parameters.append(parameter) }
        if let value = values[parameter.name] { return value }
        values[parameter.name] = parameter.defaultValue
        return parameter.defaultValue
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("Int", "name, min_value, max_value, step=None, sampling='linear', default=None, parent_name=None, parent_values=None",
                 doc: "An integer from min_value to max_value (both included), on a grid of step.") { a in
            let low = try a.int(1), high = try a.int(2), step = try a.optionalInt(3) ?? 1
            guard low <= high, step > 0 else { throw KilnError.value("hp.Int('\(try a.string(0))'): needs min_value <= max_value and a positive step") }
            let count = (high - low) / step + 1
            let log = try a.string(4) == "log"
            let parameter = TunerParameter(
                name: try a.string(0), kind: "Int",
                distribution: log && low > 0 ? .qloguniform(low: Foundation.log(Double(low)), high: Foundation.log(Double(high)), q: Double(step))
                                             : .randint(low: 0, high: count),
                choices: [], defaultValue: a.isNone(5) ? .int(low) : a[5],
                value: { x in log && low > 0 ? .int(Swift.min(Swift.max(Int(x), low), high)) : .int(low + Int(x) * step) },
                number: { v in v.asDouble.map { log && low > 0 ? $0 : (($0 - Double(low)) / Double(step)).rounded() } },
                summary: [("default", a[5]), ("conditions", .object(KList())), ("min_value", .int(low)), ("max_value", .int(high)),
                          ("step", .int(step)), ("sampling", a[4])])
            return a.receiver(TunerHyperParameters.self).use(parameter)
        },
        KBuiltin("Float", "name, min_value, max_value, step=None, sampling='linear', default=None, parent_name=None, parent_values=None",
                 doc: "A float from min_value to max_value (sampling='log' for scales such as learning rates).") { a in
            let low = try a.double(1), high = try a.double(2)
            guard low <= high else { throw KilnError.value("hp.Float('\(try a.string(0))'): needs min_value <= max_value") }
            let log = try a.string(4) == "log"
            guard !log || low > 0 else { throw KilnError.value("hp.Float('\(try a.string(0))'): log sampling needs min_value > 0") }
            let step = try a.optionalDouble(3)
            let distribution: Distribution = log ? .loguniform(low: Foundation.log(low), high: Foundation.log(high))
                : step.map { .quniform(low: low, high: high, q: $0) } ?? .uniform(low: low, high: high)
            let parameter = TunerParameter(
                name: try a.string(0), kind: "Float", distribution: distribution, choices: [],
                defaultValue: a.isNone(5) ? .float(low) : a[5], value: { .float(Swift.min(Swift.max($0, low), high)) },
                number: { $0.asDouble },
                summary: [("default", a.isNone(5) ? .float(low) : a[5]), ("conditions", .object(KList())), ("min_value", .float(low)),
                          ("max_value", .float(high)), ("step", step.map { .float($0) } ?? .none), ("sampling", a[4])])
            return a.receiver(TunerHyperParameters.self).use(parameter)
        },
        KBuiltin("Choice", "name, values, ordered=None, default=None, parent_name=None, parent_values=None",
                 doc: "One of values.") { a in
            let options = try a.list(1)
            guard !options.isEmpty else { throw KilnError.value("hp.Choice('\(try a.string(0))'): values must not be empty") }
            let parameter = TunerParameter(
                name: try a.string(0), kind: "Choice", distribution: .choice(count: options.count), choices: options,
                defaultValue: a.isNone(3) ? options[0] : a[3], value: { options[Swift.min(Swift.max(Int($0), 0), options.count - 1)] },
                number: { v in options.firstIndex { $0.equals(v) }.map(Double.init) },
                summary: [("default", a.isNone(3) ? options[0] : a[3]), ("conditions", .object(KList())), ("values", .object(KList(options))),
                          ("ordered", a.isNone(2) ? .bool(options.allSatisfy { $0.asDouble != nil }) : a[2])])
            return a.receiver(TunerHyperParameters.self).use(parameter)
        },
        KBuiltin("Boolean", "name, default=False, parent_name=None, parent_values=None", doc: "True or False.") { a in
            let parameter = TunerParameter(
                name: try a.string(0), kind: "Boolean", distribution: .choice(count: 2), choices: [.bool(false), .bool(true)],
                defaultValue: .bool(a.bool(1)), value: { .bool($0 >= 1) }, number: { $0.isTruthy ? 1 : 0 },
                summary: [("default", .bool(a.bool(1))), ("conditions", .object(KList()))])
            return a.receiver(TunerHyperParameters.self).use(parameter)
        },
        KBuiltin("Fixed", "name, value, parent_name=None, parent_values=None", doc: "A value that does not change.") { a in
            let fixed = a[1]
            let parameter = TunerParameter(name: try a.string(0), kind: "Fixed", distribution: .choice(count: 1), choices: [fixed],
                                           defaultValue: fixed, value: { _ in fixed }, number: { _ in 0 },
                                           summary: [("conditions", .object(KList())), ("value", fixed)])
            return a.receiver(TunerHyperParameters.self).use(parameter)
        },
        KBuiltin("get", "name", doc: "This trial's value of the hyperparameter name.") { a in
            let me = a.receiver(TunerHyperParameters.self), name = try a.string(0)
            guard let value = me.values[name] else { throw KilnError("KeyError", "\(name) does not exist.") }
            return value
        },
    ].map { ($0.name, $0) })
}

/// A finished tuner trial: its hyperparameters, score and trained model.
struct TunerTrial {
    let number: Int
    let hyperparameters: TunerHyperParameters
    let score: Double?
    let model: Value
}

/// How a tuner spends its budget.
enum TunerStrategy {
    /// `max_trials` models, each fitted as `search` says.
    case trials(maxTrials: Int)
    /// Hyperband (Li et al. 2017) as keras-tuner runs it: brackets of successive halving, each
    /// round continuing the best models of the last for more epochs.
    case hyperband(maxEpochs: Int, factor: Int, iterations: Int)
}

/// keras-tuner's BayesianOptimizationOracle on KilnSearch's Gaussian process: until
/// `initialPoints` trials are complete (by default three per hyperparameter known so far, at
/// least 3) a random draw, then the minimum of μ − beta·σ of the process fitted with noise
/// `alpha`. keras-tuner's process has one length scale, a fixed signal variance, and maps a
/// Choice to one ordinal column; Kiln's has a length scale per column, fits the signal variance,
/// and gives a Choice one-hot columns.
struct BayesianOracle: Sampler {
    let initialPoints: Int?
    var process: GaussianProcessSampler

    init(initialPoints: Int?, alpha: Double, beta: Double) {
        self.initialPoints = initialPoints
        process = GaussianProcessSampler(acquisition: .confidenceBound(beta: beta), noise: alpha)
    }

    mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment {
        process.startupTrials = initialPoints ?? Swift.max(3 * space.parameters.count, 3)
        return process.suggest(space, trials: trials, direction: direction, rng: &rng)
    }
}

/// `kt.RandomSearch(...)`, `kt.Hyperband(...)`, `kt.BayesianOptimization(...)`: the tuner and
/// its trials.
final class TunerValue: KObject {
    let hypermodel: Value
    let objective: String
    let maximize: Bool
    let strategy: TunerStrategy
    let className: String
    /// What proposes each new model's hyperparameters.
    var sampler: any Sampler
    var rng: RandomGenerator
    /// Where the trials are recorded (a recorded session's store), under `studyName`.
    let session: SearchSession
    let studyName: String
    let space = TunerHyperParameters()
    var trials: [TunerTrial] = []
    /// Seconds spent in search so far.
    var elapsed = 0.0
    /// The arguments of the last `search` (the data the hyperparameters were chosen on).
    var searchArguments: (positional: [Value], keywords: [(name: String, value: Value)])?

    /// keras-tuner's `00h 00m 05s`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%02dh %02dm %02ds", s / 3600, (s % 3600) / 60, s % 60)
    }

    init(hypermodel: Value, objective: String, maximize: Bool, strategy: TunerStrategy, sampler: any Sampler, className: String,
         seed: Int, session: SearchSession) {
        self.hypermodel = hypermodel
        self.objective = objective
        self.maximize = maximize
        self.strategy = strategy
        self.sampler = sampler
        self.className = className
        rng = RandomGenerator(seed: seed)
        self.session = session
        studyName = session.nextStudy(className)
    }

    override var typeName: String { className }
    override func repr() -> String { "<keras_tuner.\(className) objective=\(objective)>" }
    override var attributeNames: [String] { TunerValue.methods.keys.sorted() }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        TunerValue.methods[name].map { .object($0.bound(to: .object(self))) }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = TunerValue.methods[name] else { throw KilnError.attribute("'\(className)' object has no attribute '\(name)'") }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    /// Trials by score, best first (unscored ones last).
    var ranked: [TunerTrial] { TunerValue.rank(trials, maximize: maximize) }

    /// Hyperparameters for a new model: the known ones proposed by the sampler from the trials
    /// so far (all at their defaults for the very first model, as keras-tuner starts).
    func newHyperParameters() throws -> TunerHyperParameters {
        let hp = TunerHyperParameters()
        hp.parameters = space.parameters
        guard !trials.isEmpty else { return hp }
        let searchSpace = try searching { try SearchSpace(space.parameters.map { Parameter(label: $0.name, distribution: $0.distribution) }) }
        let assignment = sampler.suggest(searchSpace, trials: trials.map(searchTrial), direction: maximize ? .maximize : .minimize, rng: &rng)
        for parameter in space.parameters {
            if let x = assignment[parameter.name] { hp.values[parameter.name] = parameter.value(x) }
        }
        return hp
    }

    /// A trial as KilnSearch sees it: its hyperparameters as the numbers they are drawn as (one
    /// it did not meet at its default, as keras-tuner fills them in) and its score.
    func searchTrial(_ trial: TunerTrial) -> Trial {
        var assignment: Assignment = [:]
        for parameter in space.parameters {
            assignment[parameter.name] = parameter.number(trial.hyperparameters.values[parameter.name] ?? parameter.defaultValue)
        }
        return Trial(number: trial.number, assignment: assignment, state: trial.score == nil ? .failed : .complete, value: trial.score)
    }

    /// Fits `model` (for epochs `initial..<epochs` when given, replacing the search's own), scores
    /// it by the objective's best epoch, and keeps the trial.
    @discardableResult
    func run(_ model: Value, _ hp: TunerHyperParameters, _ positional: [Value], _ keywords: [(name: String, value: Value)],
             epochs: (initial: Int, last: Int)?, _ interpreter: Interpreter) throws -> TunerTrial {
        let started = Date()
        var fitKeywords = keywords
        if let epochs {
            fitKeywords.removeAll { $0.name == "epochs" || $0.name == "initial_epoch" }
            fitKeywords += [("epochs", .int(epochs.last)), ("initial_epoch", .int(epochs.initial))]
        }
        let history = try interpreter.callMethod(model, "fit", Arguments(positional, keywords: fitKeywords))
        for parameter in hp.parameters where !space.parameters.contains(where: { $0.name == parameter.name }) {
            space.parameters.append(parameter)
        }
        let series = try interpreter.getItem(try interpreter.getAttribute(history, "history"), .string(objective))
        let scores = try interpreter.iterate(series).compactMap(\.asDouble).filter { $0.isFinite }
        let trial = TunerTrial(number: trials.count, hyperparameters: hp, score: maximize ? scores.max() : scores.min(), model: model)
        trials.append(trial)
        if let store = session.store {
            let record = Trial(number: trial.number, assignment: [:], state: trial.score == nil ? .failed : .complete, value: trial.score,
                               message: trial.score == nil ? "no finite \(objective) in the history" : nil, started: started, finished: Date())
            store.record(record, parameters: (try? JSONWriter.text(.object(hp.valuesDict()))) ?? "{}", study: studyName,
                         direction: maximize ? .maximize : .minimize, sampler: className)
        }
        elapsed += Date().timeIntervalSince(started)
        let best = ranked.first?.score
        // search(verbose=0) is quiet, as keras-tuner's display is.
        if let verbose = keywords.first(where: { $0.name == "verbose" })?.value.asInt, verbose == 0 { return trial }
        interpreter.output("Trial \(trials.count) Complete [\(TunerValue.clock(Date().timeIntervalSince(started)))]\n"
                           + "\(objective): \(trial.score.map { Repr.float($0) } ?? "None")\n\n"
                           + "Best \(objective) So Far: \(best.map { Repr.float($0) } ?? "None")\n"
                           + "Total elapsed time: \(TunerValue.clock(elapsed))\n\n")
        return trial
    }

    /// keras-tuner's Hyperband: brackets from the most aggressive down to plain random search;
    /// bracket b starts `size(b, 0)` new models for `epochs(b, 0)` epochs, and each later round
    /// continues the best `size(b, r)` of the last round up to `epochs(b, r)` epochs.
    func hyperband(maxEpochs: Int, factor: Int, iterations: Int, _ positional: [Value], _ keywords: [(name: String, value: Value)],
                   _ interpreter: Interpreter) throws {
        let f = Double(factor)
        var brackets = 0, epochs = Double(maxEpochs)
        while epochs >= 1 {
            epochs /= f
            brackets += 1
        }
        let endSize = (1 + log(Double(maxEpochs)) / log(f)).rounded(.up)
        func size(_ bracket: Int, _ round: Int) -> Int {
            Int((endSize / Double(bracket + 1) * pow(f, Double(bracket - round))).rounded(.up))
        }
        func epochsOf(_ bracket: Int, _ round: Int) -> Int {
            Int((Double(maxEpochs) / pow(f, Double(bracket - round))).rounded(.up))
        }
        for _ in 0..<Swift.max(iterations, 1) {
            for bracket in stride(from: brackets - 1, through: 0, by: -1) {
                var round: [TunerTrial] = []
                for _ in 0..<size(bracket, 0) {
                    let hp = try newHyperParameters()
                    let model = try interpreter.call(hypermodel, Arguments([.object(hp)]))
                    round.append(try run(model, hp, positional, keywords, epochs: (0, epochsOf(bracket, 0)), interpreter))
                }
                for r in stride(from: 1, through: bracket, by: 1) {
                    let survivors = TunerValue.rank(round, maximize: maximize).prefix(size(bracket, r))
                    round = try survivors.map { trial in
                        try run(trial.model, trial.hyperparameters, positional, keywords,
                                epochs: (epochsOf(bracket, r - 1), epochsOf(bracket, r)), interpreter)
                    }
                }
            }
        }
    }

    /// Trials by score, best first (unscored ones last, then by number).
    static func rank(_ trials: [TunerTrial], maximize: Bool) -> [TunerTrial] {
        trials.sorted { a, b in
            switch (a.score, b.score) {
            case let (x?, y?): return x != y ? (maximize ? x > y : x < y) : a.number < b.number
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.number < b.number
            }
        }
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("search", "*fit_args, **fit_kwargs", doc: "Run the trials: build a model with new hyperparameters, fit it with these arguments, score it.") { a in
            let me = a.receiver(TunerValue.self)
            let positional = try a.list(0)
            let keywords = (a[1].as(KDict.self)?.table.entries ?? []).compactMap { key, value -> (name: String, value: Value)? in
                guard case .string(let k) = key else { return nil }
                return (k, value)
            }
            me.searchArguments = (positional, keywords)
            switch me.strategy {
            case .trials(let maxTrials):
                while me.trials.count < maxTrials {
                    let hp = try me.newHyperParameters()
                    let model = try a.interpreter.call(me.hypermodel, Arguments([.object(hp)]))
                    try me.run(model, hp, positional, keywords, epochs: nil, a.interpreter)
                }
            case let .hyperband(maxEpochs, factor, iterations):
                try me.hyperband(maxEpochs: maxEpochs, factor: factor, iterations: iterations, positional, keywords, a.interpreter)
            }
            return .none
        },
        KBuiltin("get_best_hyperparameters", "num_trials=1", doc: "The hyperparameters of the best trials, best first.") { a in
            .object(KList(a.receiver(TunerValue.self).ranked.prefix(Swift.max(try a.int(0), 0)).map { .object($0.hyperparameters) }))
        },
        KBuiltin("get_best_models", "num_models=1", doc: "The trained models of the best trials, best first.") { a in
            .object(KList(a.receiver(TunerValue.self).ranked.prefix(Swift.max(try a.int(0), 0)).map(\.model)))
        },
        KBuiltin("search_space_summary", "extended=False", doc: "Print the search space: each hyperparameter with its settings.") { a in
            let me = a.receiver(TunerValue.self)
            var text = "Search space summary\nDefault search space size: \(me.space.parameters.count)\n"
            for parameter in me.space.parameters {
                text += "\(parameter.name) (\(parameter.kind))\n" + Repr.repr(try dictionary(parameter.summary)) + "\n"
            }
            a.interpreter.output(text)
            return .none
        },
        KBuiltin("results_summary", "num_trials=10", doc: "Print the best trials with their hyperparameters and scores.") { a in
            let me = a.receiver(TunerValue.self)
            var text = "Results summary\nShowing \(try a.int(0)) best trials\nObjective(name=\"\(me.objective)\", direction=\"\(me.maximize ? "max" : "min")\")\n"
            if let held = try? HeldOutData(tuner: me, a.interpreter) { text += "Chosen on: \(held.description)\n" }
            for trial in me.ranked.prefix(Swift.max(try a.int(0), 0)) {
                text += "\nTrial \(String(format: "%02d", trial.number)) summary\nHyperparameters:\n"
                for parameter in trial.hyperparameters.parameters {
                    text += "\(parameter.name): \(Repr.str(trial.hyperparameters.values[parameter.name] ?? parameter.defaultValue))\n"
                }
                text += "Score: \(trial.score.map { Repr.float($0) } ?? "None")\n"
            }
            a.interpreter.output(text)
            return .none
        },
    ].map { ($0.name, $0) })
}

enum KerasTunerModule {
    static func register(in registry: ModuleRegistry, keras: KerasSession, search: SearchSession) {
        registry.register("keras_tuner") { _ in
            let m = KModule("keras_tuner", doc: "keras-tuner: define-by-run search spaces and tuners (RandomSearch, Hyperband, BayesianOptimization).")
            m.add([
                KBuiltin("HyperParameters", "", doc: "An empty set of hyperparameters.") { _ in .object(TunerHyperParameters()) },
                KBuiltin("Objective", "name, direction", doc: "What a tuner optimizes: a History key and 'min' or 'max'.") { a in
                    try dictionary([("name", .string(try a.string(0))), ("direction", .string(try a.string(1)))])
                },
                KBuiltin("RandomSearch", "hypermodel=None, objective=None, max_trials=10, seed=None, hyperparameters=None, tune_new_entries=True, allow_new_entries=True, max_retries_per_trial=0, max_consecutive_failed_trials=3, executions_per_trial=1, overwrite=False, directory=None, project_name=None, **kwargs",
                         doc: "Random search: max_trials models with hyperparameters drawn at random (the first with their defaults).") { a in
                    try tuner(a, "RandomSearch", seed: 3, executions: 9, strategy: .trials(maxTrials: try a.int(2)), sampler: RandomSampler(), keras, search)
                },
                KBuiltin("Hyperband", "hypermodel=None, objective=None, max_epochs=100, factor=3, hyperband_iterations=1, seed=None, hyperparameters=None, tune_new_entries=True, allow_new_entries=True, max_retries_per_trial=0, max_consecutive_failed_trials=3, executions_per_trial=1, overwrite=False, directory=None, project_name=None, **kwargs",
                         doc: "Hyperband: brackets of successive halving, each round continuing the best models for factor times more epochs (search's own epochs are replaced).") { a in
                    let maxEpochs = try a.int(2), factor = try a.int(3)
                    guard maxEpochs >= 1, factor >= 2 else { throw KilnError.value("Hyperband needs max_epochs >= 1 and factor >= 2 (got \(maxEpochs), \(factor))") }
                    return try tuner(a, "Hyperband", seed: 5, executions: 11,
                                     strategy: .hyperband(maxEpochs: maxEpochs, factor: factor, iterations: try a.int(4)), sampler: RandomSampler(), keras, search)
                },
                KBuiltin("BayesianOptimization", "hypermodel=None, objective=None, max_trials=10, num_initial_points=None, alpha=0.0001, beta=2.6, seed=None, hyperparameters=None, tune_new_entries=True, allow_new_entries=True, max_retries_per_trial=0, max_consecutive_failed_trials=3, executions_per_trial=1, overwrite=False, directory=None, project_name=None, **kwargs",
                         doc: "Bayesian optimization: num_initial_points random models (default 3 per hyperparameter), then each where a Gaussian process fitted to the scores (noise alpha) has the best mean + beta · standard deviation.") { a in
                    let initialPoints = try a.optionalInt(3), alpha = try a.double(4), beta = try a.double(5)
                    guard alpha > 0, beta >= 0, (initialPoints ?? 1) >= 1 else {
                        throw KilnError.value("BayesianOptimization needs alpha > 0, beta >= 0 and num_initial_points >= 1")
                    }
                    return try tuner(a, "BayesianOptimization", seed: 6, executions: 12, strategy: .trials(maxTrials: try a.int(2)),
                                     sampler: BayesianOracle(initialPoints: initialPoints, alpha: alpha, beta: beta), keras, search)
                },
                refused("GridSearch"),
            ])
            return m
        }
    }

    private static func refused(_ name: String) -> KBuiltin {
        KBuiltin(name, "*args, **kwargs", doc: "Not in Kiln yet.") { _ in
            throw KilnError("NotImplementedError", "not supported in Kiln yet: keras_tuner.\(name) (RandomSearch, Hyperband and BayesianOptimization work)")
        }
    }

    /// A tuner from its constructor's arguments: the hypermodel (argument 0), the objective (1),
    /// and `seed` and `executions_per_trial` at the given positions (the seed defaults to one
    /// drawn from the session's generator).
    private static func tuner(_ a: BoundArguments, _ className: String, seed: Int, executions: Int, strategy: TunerStrategy,
                              sampler: any Sampler, _ keras: KerasSession, _ search: SearchSession) throws -> Value {
        guard !a.isNone(0) else { throw KilnError.value("\(className) needs a hypermodel: a function build_model(hp) returning a compiled model") }
        if try a.int(executions) != 1 { throw KilnError("NotImplementedError", "not supported in Kiln yet: executions_per_trial other than 1") }
        let (objective, maximize) = try objectiveArgument(a[1], a.interpreter)
        let seed = try a.optionalInt(seed) ?? keras.backend.random.nextInt(below: Int(Int32.max))
        return .object(TunerValue(hypermodel: a[0], objective: objective, maximize: maximize, strategy: strategy, sampler: sampler,
                                  className: className, seed: seed, session: search))
    }

    /// A History key and whether it is maximized: keras-tuner's rule for a name is max unless it
    /// is a loss or an error; an Objective gives both.
    private static func objectiveArgument(_ value: Value, _ interpreter: Interpreter) throws -> (String, Bool) {
        if case .string(let name) = value {
            let minimized = name.hasSuffix("loss") || name.hasSuffix("error") || name.hasSuffix("mae") || name.hasSuffix("mse")
            return (name, !minimized)
        }
        if let d = value.as(KDict.self), let name = (try d.get(.string("name")))?.asString, let direction = (try d.get(.string("direction")))?.asString {
            guard direction == "min" || direction == "max" else { throw KilnError.value("Objective direction must be 'min' or 'max', got '\(direction)'") }
            return (name, direction == "max")
        }
        throw KilnError.value("objective must be a History key such as 'val_accuracy' or a kt.Objective, not \(Repr.repr(value))")
    }
}
