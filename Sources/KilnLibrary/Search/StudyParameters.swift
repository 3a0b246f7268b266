/// The hyperparameters of a define-by-run study (`trial.suggest_float`, `suggest_int`,
/// `suggest_categorical`, as Optuna declares them): each one's KilnSearch prior, how a drawn
/// number becomes the value the objective sees and back, and the description a study keeps in
/// the store so another process can rebuild the space.

import Foundation
import KilnLang
import KilnSearch

/// One declared hyperparameter.
struct DeclaredParameter {
    let label: String
    let distribution: Distribution
    /// Its description: {"kind": "float"|"int"|"categorical", "low", "high", "step", "log", "choices"}.
    let config: Value
    /// The value the objective sees for a drawn number.
    let value: (Double) -> Value
    /// The drawn number of a value (nil: not one of this parameter's values).
    let number: (Value) -> Double?

    /// A float in [low, high]: uniform, log-uniform (`log`), or on the grid low + k·step.
    static func float(_ label: String, low: Double, high: Double, step: Double?, log: Bool) throws -> DeclaredParameter {
        guard low.isFinite, high.isFinite, low <= high else {
            throw KilnError.value("suggest_float('\(label)'): low must not exceed high (got \(Repr.float(low)), \(Repr.float(high)))")
        }
        let config = try dictionary([("kind", .string("float")), ("low", .float(low)), ("high", .float(high)),
                                     ("step", step.map { .float($0) } ?? .none), ("log", .bool(log))])
        if log {
            guard low > 0, step == nil else { throw KilnError.value("suggest_float('\(label)'): log=True needs low > 0 and no step") }
            return DeclaredParameter(label: label, distribution: .loguniform(low: Foundation.log(low), high: Foundation.log(high)), config: config,
                                     value: { .float(Swift.min(Swift.max($0, low), high)) }, number: { $0.asDouble })
        }
        if let step {
            guard step > 0 else { throw KilnError.value("suggest_float('\(label)'): step must be positive (got \(Repr.float(step)))") }
            let count = Int(((high - low) / step + 1e-9).rounded(.down)) + 1
            return DeclaredParameter(label: label, distribution: .uniformint(low: 0, high: Double(count - 1), q: 1), config: config,
                                     value: { .float(low + $0 * step) }, number: { $0.asDouble.map { (($0 - low) / step).rounded() } })
        }
        return DeclaredParameter(label: label, distribution: .uniform(low: low, high: high), config: config,
                                 value: { .float($0) }, number: { $0.asDouble })
    }

    /// An integer in [low, high] on the grid low + k·step, or log-uniform (`log`, step 1).
    static func int(_ label: String, low: Int, high: Int, step: Int, log: Bool) throws -> DeclaredParameter {
        guard low <= high, step > 0 else {
            throw KilnError.value("suggest_int('\(label)'): needs low <= high and a positive step (got \(low), \(high), step \(step))")
        }
        let config = try dictionary([("kind", .string("int")), ("low", .int(low)), ("high", .int(high)), ("step", .int(step)), ("log", .bool(log))])
        if log {
            guard low > 0, step == 1 else { throw KilnError.value("suggest_int('\(label)'): log=True needs low > 0 and step 1") }
            // Optuna's rule: log-uniform over [low − ½, high + ½], rounded.
            return DeclaredParameter(label: label, distribution: .loguniform(low: Foundation.log(Double(low) - 0.5), high: Foundation.log(Double(high) + 0.5)),
                                     config: config, value: { .int(Swift.min(Swift.max(Int($0.rounded()), low), high)) },
                                     number: { $0.asDouble })
        }
        let count = (high - low) / step + 1
        return DeclaredParameter(label: label, distribution: .uniformint(low: 0, high: Double(count - 1), q: 1), config: config,
                                 value: { .int(low + Int($0) * step) }, number: { $0.asInt.map { Double(($0 - low) / step) } })
    }

    /// One of `choices` (None, bools, numbers and strings, as Optuna allows).
    static func categorical(_ label: String, choices: [Value]) throws -> DeclaredParameter {
        guard !choices.isEmpty else { throw KilnError.value("suggest_categorical('\(label)'): choices must not be empty") }
        for choice in choices {
            switch choice {
            case .none, .bool, .int, .float, .string: continue
            default: throw KilnError.type("suggest_categorical('\(label)'): choices must be None, bool, int, float or str, not \(choice.typeName)")
            }
        }
        let config = try dictionary([("kind", .string("categorical")), ("choices", .object(KList(choices)))])
        return DeclaredParameter(label: label, distribution: .choice(count: choices.count), config: config,
                                 value: { choices[Swift.min(Swift.max(Int($0), 0), choices.count - 1)] },
                                 number: { value in choices.firstIndex { $0.equals(value) && $0.typeName == value.typeName }.map(Double.init) })
    }

    /// The parameter a stored description declares.
    static func make(_ label: String, from config: Value) throws -> DeclaredParameter {
        guard let d = config.as(KDict.self), let kind = try d.get(.string("kind"))?.asString else {
            throw KilnError.value("the stored description of hyperparameter '\(label)' is not readable")
        }
        func field(_ name: String) throws -> Value { try d.get(.string(name)) ?? .none }
        switch kind {
        case "float":
            return try float(label, low: try field("low").asDouble ?? 0, high: try field("high").asDouble ?? 0,
                             step: try field("step").asDouble, log: try field("log").isTruthy)
        case "int":
            return try int(label, low: try field("low").asInt ?? 0, high: try field("high").asInt ?? 0,
                           step: try field("step").asInt ?? 1, log: try field("log").isTruthy)
        case "categorical":
            guard let choices = try field("choices").as(KList.self) else { throw KilnError.value("hyperparameter '\(label)': stored choices are not a list") }
            return try categorical(label, choices: choices.items)
        default:
            throw KilnError.value("hyperparameter '\(label)': unknown stored kind '\(kind)'")
        }
    }

    /// Whether `other` declares the same prior (a parameter keeps its range for a whole study).
    func sameDeclaration(as other: DeclaredParameter) -> Bool {
        Repr.repr(config) == Repr.repr(other.config)
    }
}
