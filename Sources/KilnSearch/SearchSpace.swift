/// A search space: labelled hyperparameters, some active only under an option of a choice
/// (Hyperopt's nested `hp.choice` spaces, keras-tuner's conditional scopes), and random
/// assignments of values to them.

import KilnTensor

/// A hyperparameter: its label, prior, and the choice option under which it exists (nil: always).
public struct Parameter: Equatable, Sendable {
    public var label: String
    public var distribution: Distribution
    public var condition: Condition?

    public init(label: String, distribution: Distribution, condition: Condition? = nil) {
        self.label = label
        self.distribution = distribution
        self.condition = condition
    }
}

/// "Parameter `parent` (a choice) took option `option`".
public struct Condition: Equatable, Hashable, Sendable {
    public var parent: String
    public var option: Int

    public init(parent: String, option: Int) {
        self.parent = parent
        self.option = option
    }
}

/// Values of the active parameters of one trial, by label (indices for choices).
public typealias Assignment = [String: Double]

/// Every hyperparameter of a search, in the order they were declared (a parameter after the
/// choice it depends on).
public struct SearchSpace: Equatable, Sendable {
    public private(set) var parameters: [Parameter]

    /// Checks labels are unique, priors valid, and each condition names an earlier choice and
    /// one of its options.
    public init(_ parameters: [Parameter]) throws {
        var seen: [String: Parameter] = [:]
        for parameter in parameters {
            guard seen[parameter.label] == nil else {
                throw SearchError("hyperparameter label '\(parameter.label)' is used twice; labels must be unique")
            }
            try parameter.distribution.validate(label: parameter.label)
            if let condition = parameter.condition {
                guard let parent = seen[condition.parent] else {
                    throw SearchError("hyperparameter '\(parameter.label)' depends on '\(condition.parent)', which is not declared before it")
                }
                let options: Int
                switch parent.distribution {
                case .choice(let count): options = count
                case .pchoice(let probabilities): options = probabilities.count
                default: throw SearchError("hyperparameter '\(parameter.label)' depends on '\(condition.parent)', which is not a choice")
                }
                guard condition.option >= 0 && condition.option < options else {
                    throw SearchError("hyperparameter '\(parameter.label)' depends on option \(condition.option) of '\(condition.parent)', which has \(options)")
                }
            }
            seen[parameter.label] = parameter
        }
        self.parameters = parameters
    }

    /// Whether `parameter` is active under `assignment` (its chain of conditions holds).
    public func isActive(_ parameter: Parameter, in assignment: Assignment) -> Bool {
        guard let condition = parameter.condition else { return true }
        return assignment[condition.parent] == Double(condition.option)
    }

    /// A random assignment: each active parameter drawn from its prior, in declaration order.
    public func sample(_ rng: inout RandomGenerator) -> Assignment {
        var assignment: Assignment = [:]
        for parameter in parameters where isActive(parameter, in: assignment) {
            assignment[parameter.label] = parameter.distribution.sample(&rng)
        }
        return assignment
    }
}
