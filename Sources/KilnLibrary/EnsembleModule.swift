/// `kiln.ensemble`: ensembles of trained classifiers of any kind — Keras models (their
/// `predict` gives probabilities; a single sigmoid column is read as the second class) and
/// scikit-learn learners (their `predict_proba`) alike. `ensemble.average(models)`,
/// `ensemble.weighted(models, x_val, y_val)` (weights on the simplex fitted by Nelder-Mead to
/// minimise the validation log loss), `ensemble.stack(models, x_val, y_val)` (a logistic
/// regression on the models' probabilities, with its out-of-fold accuracy) each return a
/// predictor with `predict_proba`, `predict`, `score`; `ensemble.diversity(models, x, y)`
/// prints and returns the pairwise disagreement and error correlation. Labels are class
/// indices 0..k-1, the columns of the probabilities.

import Foundation
import KilnLang
import KilnLearn

/// What a combined predictor does with its models' probabilities.
private enum Combination {
    case weights([Double])
    case stacked(LogisticRegression)
}

/// An ensemble of trained models.
final class EnsembleValue: KObject {
    let models: [Value]
    private let combination: Combination
    let kind: String
    /// Extra facts about the fit (the validation loss, the out-of-fold accuracy).
    let facts: [(String, Value)]

    fileprivate init(models: [Value], combination: Combination, kind: String, facts: [(String, Value)] = []) {
        self.models = models
        self.combination = combination
        self.kind = kind
        self.facts = facts
    }

    override var typeName: String { kind }
    override func repr() -> String {
        if case .weights(let w) = combination {
            return "<kiln.ensemble.\(kind) of \(models.count) models, weights \(Repr.repr(.object(KList(w.map { .float($0) }))))>"
        }
        return "<kiln.ensemble.\(kind) of \(models.count) models>"
    }

    override var attributeNames: [String] { ["models", "weights"] + facts.map(\.0) + EnsembleValue.methods.keys.sorted() }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "models": return .object(KList(models))
        case "weights":
            guard case .weights(let w) = combination else { return Value.none }
            return .object(NDArray(.float64, [w.count], doubles: w))
        default:
            if let fact = facts.first(where: { $0.0 == name }) { return fact.1 }
            return EnsembleValue.methods[name].map { .object($0.bound(to: .object(self))) }
        }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = EnsembleValue.methods[name] else { throw KilnError.attribute("'\(kind)' object has no attribute '\(name)'") }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    /// The ensemble's class probabilities for `x`.
    func probabilities(_ x: Value, _ interpreter: Interpreter) throws -> Samples {
        let each = try models.map { try EnsembleModule.probabilities($0, x, interpreter) }
        switch combination {
        case .weights(let w): return try learning { try Ensembles.weightedAverage(each, weights: w) }
        case .stacked(let meta): return try learning { try meta.predictProbabilities(try Ensembles.stacked(each)) }
        }
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("predict_proba", "x", doc: "The combined class probabilities, samples × classes.") { a in
            EnsembleModule.array(try a.receiver(EnsembleValue.self).probabilities(a[0], a.interpreter))
        },
        KBuiltin("predict", "x", doc: "The class index with the largest combined probability, per sample.") { a in
            let p = try a.receiver(EnsembleValue.self).probabilities(a[0], a.interpreter)
            return .object(NDArray(.int64, [p.rows], ints: (0..<p.rows).map { Ensembles.argmax(p.row($0)) }))
        },
        KBuiltin("score", "x, y", doc: "Accuracy of predict(x) against class indices y.") { a in
            let p = try a.receiver(EnsembleValue.self).probabilities(a[0], a.interpreter)
            let labels = try EnsembleModule.labels(a[1], rows: p.rows, classes: p.columns)
            let right = (0..<p.rows).filter { Ensembles.argmax(p.row($0)) == labels[$0] }.count
            return .float(Double(right) / Double(Swift.max(p.rows, 1)))
        },
    ].map { ($0.name, $0) })
}

enum EnsembleModule {
    /// A model's class probabilities for `x`: `predict_proba` where it has one, else `predict`
    /// (verbose=0 for Keras models); one column p becomes [1 − p, p].
    static func probabilities(_ model: Value, _ x: Value, _ interpreter: Interpreter) throws -> Samples {
        let output: Value
        if (try? interpreter.getAttribute(model, "predict_proba")) != nil {
            output = try interpreter.callMethod(model, "predict_proba", Arguments([x]))
        } else if model.as(ModelValue.self) != nil {
            output = try interpreter.callMethod(model, "predict", Arguments([x], keywords: [("verbose", .int(0))]))
        } else {
            throw KilnError.type("an ensemble member needs predict_proba (a scikit-learn classifier) or to be a Keras model, not \(model.typeName)")
        }
        let array = try NDArray.from(output)
        let values = array.elements
        switch array.shape.count {
        case 1:
            return try learning { try Samples(rows: values.count, columns: 2, values: values.flatMap { [1 - $0, $0] }) }
        case 2 where array.shape[1] == 1:
            return try learning { try Samples(rows: array.shape[0], columns: 2, values: values.flatMap { [1 - $0, $0] }) }
        case 2:
            return try learning { try Samples(rows: array.shape[0], columns: array.shape[1], values: values) }
        default:
            throw KilnError.value("\(model.typeName) gave predictions of shape \(Repr.repr(array.shapeValue)); an ensemble needs samples × classes probabilities")
        }
    }

    static func array(_ p: Samples) -> Value { .object(NDArray(.float64, [p.rows, p.columns], doubles: p.values)) }

    /// Class indices 0..<classes, one per sample.
    static func labels(_ value: Value, rows: Int, classes: Int) throws -> [Int] {
        let array = try NDArray.from(value)
        let values = array.elements
        guard values.count == rows else { throw KilnError.value("y has \(values.count) labels for \(rows) samples") }
        return try values.map { v in
            guard v.isFinite, v == v.rounded(), v >= 0, Int(v) < classes else {
                throw KilnError.value("y must hold class indices 0..\(classes - 1) (the probability columns), got \(Repr.float(v))")
            }
            return Int(v)
        }
    }

    /// The models argument: a non-empty list.
    static func models(_ value: Value, _ interpreter: Interpreter) throws -> [Value] {
        let models = try interpreter.iterate(value)
        guard !models.isEmpty else { throw KilnError.value("an ensemble needs at least one model") }
        return models
    }

    static func register(in registry: ModuleRegistry) {
        registry.register("kiln.ensemble") { _ in
            let m = KModule("kiln.ensemble", doc: "Ensembles of trained classifiers: average, weighted (Nelder-Mead), stack, diversity.")
            m.add([
                KBuiltin("average", "models", doc: "The plain average of the models' probabilities.") { a in
                    let models = try EnsembleModule.models(a[0], a.interpreter)
                    return .object(EnsembleValue(models: models, combination: .weights(Array(repeating: 1 / Double(models.count), count: models.count)), kind: "Average"))
                },
                KBuiltin("weighted", "models, x_val, y_val, method='nelder-mead', weights=None",
                         doc: "A weighted average whose weights (on the simplex) minimise the log loss on (x_val, y_val), fitted by Nelder-Mead; or the given weights.") { a in
                    let models = try EnsembleModule.models(a[0], a.interpreter)
                    if !a.isNone(4) {
                        let weights = try NDArray.from(a[4]).elements
                        guard weights.count == models.count else {
                            throw KilnError.value("\(weights.count) weights for \(models.count) models; give one weight per model")
                        }
                        return .object(EnsembleValue(models: models, combination: .weights(weights), kind: "WeightedAverage"))
                    }
                    guard try a.string(3).lowercased() == "nelder-mead" else { throw KilnError.value("method must be 'nelder-mead', not '\(try a.string(3))'") }
                    let each = try models.map { try probabilities($0, a[1], a.interpreter) }
                    let labels = try labels(a[2], rows: each[0].rows, classes: each[0].columns)
                    let fit = try learning { try Ensembles.fitWeights(each, labels: labels) }
                    return .object(EnsembleValue(models: models, combination: .weights(fit.weights), kind: "WeightedAverage",
                                                 facts: [("validation_log_loss", .float(fit.loss)), ("nfev", .int(fit.result.evaluations))]))
                },
                KBuiltin("stack", "models, x_val, y_val, cv=5, C=1.0",
                         doc: "A logistic regression on the models' probabilities for (x_val, y_val); cv_score is its out-of-fold accuracy there.") { a in
                    let models = try EnsembleModule.models(a[0], a.interpreter)
                    let each = try models.map { try probabilities($0, a[1], a.interpreter) }
                    let features = try learning { try Ensembles.stacked(each) }
                    let labels = try labels(a[2], rows: features.rows, classes: each[0].columns)
                    let classes = each[0].columns
                    var right = 0
                    for fold in try learning({ try CrossValidationFolds.stratifiedKFold(labels: labels, splits: try a.int(3), shuffle: nil) }) {
                        var meta = try learning { try LogisticRegression(c: try a.double(4), maxIterations: 1000) }
                        try learning { try meta.fit(features.rows(fold.train), fold.train.map { labels[$0] }, classes: classes, weights: nil) }
                        let p = try learning { try meta.predictProbabilities(features.rows(fold.test)) }
                        right += fold.test.indices.filter { Ensembles.argmax(p.row($0)) == labels[fold.test[$0]] }.count
                    }
                    var meta = try learning { try LogisticRegression(c: try a.double(4), maxIterations: 1000) }
                    try learning { try meta.fit(features, labels, classes: classes, weights: nil) }
                    return .object(EnsembleValue(models: models, combination: .stacked(meta), kind: "Stack",
                                                 facts: [("cv_score", .float(Double(right) / Double(features.rows)))]))
                },
                KBuiltin("diversity", "models, x, y, names=None",
                         doc: "Print and return the pairwise disagreement and error correlation of the models on (x, y), with each one's accuracy.") { a in
                    let models = try EnsembleModule.models(a[0], a.interpreter)
                    let each = try models.map { try probabilities($0, a[1], a.interpreter) }
                    let labels = try labels(a[2], rows: each[0].rows, classes: each[0].columns)
                    let names = try a.isNone(3) ? models.map(\.typeName) : a.list(3).map { Repr.str($0) }
                    guard names.count == models.count else { throw KilnError.value("\(names.count) names for \(models.count) models") }
                    let d = try learning { try Ensembles.diversity(each, labels: labels) }
                    a.interpreter.output(DiversityTable.text(names: names, accuracy: d.accuracy, disagreement: d.disagreement, correlation: d.errorCorrelation))
                    return try dictionary([("names", .object(KList(names.map { .string($0) }))),
                                           ("accuracy", .object(NDArray(.float64, [d.accuracy.count], doubles: d.accuracy))),
                                           ("disagreement", .object(NDArray(.float64, [models.count, models.count], doubles: d.disagreement.flatMap { $0 }))),
                                           ("error_correlation", .object(NDArray(.float64, [models.count, models.count], doubles: d.errorCorrelation.flatMap { $0 })))])
                },
            ])
            return m
        }
    }
}

/// The diversity report as text: each model's accuracy, then the two pairwise matrices.
enum DiversityTable {
    static func text(names: [String], accuracy: [Double], disagreement: [[Double]], correlation: [[Double]]) -> String {
        let width = Swift.max(names.map(\.count).max() ?? 0, 5) + 3
        func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
        func matrix(_ title: String, _ m: [[Double]]) -> String {
            var text = "\(title)\n" + pad("") + names.indices.map { String(format: "%8d", $0) }.joined() + "\n"
            for (i, row) in m.enumerated() { text += pad("\(i) " + names[i]) + row.map { String(format: "%8.3f", $0) }.joined() + "\n" }
            return text
        }
        var text = pad("model") + "  accuracy\n"
        for (name, a) in zip(names, accuracy) { text += pad(name) + String(format: "  %8.4f", a) + "\n" }
        return text + matrix("disagreement (share of samples predicted differently)", disagreement)
            + matrix("error correlation", correlation)
    }
}
