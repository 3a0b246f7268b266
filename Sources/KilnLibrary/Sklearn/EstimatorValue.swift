/// scikit-learn estimators in the language: a class such as `LogisticRegression(C=0.5)` keeps
/// its constructor arguments (`get_params`, the repr), and `fit(X, y)` / `predict` /
/// `predict_proba` / `score` convert numpy arrays to KilnLearn's float64 samples, map labels to
/// class indices and back (`classes_`), and check what scikit-learn checks, in its words:
/// predicting before fitting, a feature count different from the fit's, NaN or infinite
/// inputs, a single class. Transformers (`StandardScaler`) add `transform`, `fit_transform` and
/// `inverse_transform`; a learner's fitted arrays (`coef_`, `mean_`, …) read as attributes.

import KilnLang
import KilnLearn

/// What an estimator class builds from its bound constructor arguments.
enum LearnerFactory {
    case classifier((BoundArguments) throws -> any Classifier)
    case regressor((BoundArguments) throws -> any Regressor)
    case transformer((BoundArguments) throws -> any Transformer)
}

/// What a class accepts and shows beyond the common estimator interface.
struct EstimatorOptions {
    /// Whether X may hold NaN (missing values the learner handles); infinities stay refused.
    var allowsNaN = false
}

/// A fitted learner with what it was fitted on.
private enum Fitted {
    case classifier(any Classifier, classes: [Value])
    case regressor(any Regressor)
    case transformer(any Transformer)

    /// The learner itself.
    var learner: Any {
        switch self {
        case .classifier(let l, _): l
        case .regressor(let l): l
        case .transformer(let l): l
        }
    }

    /// The fitted learner's named arrays, if it shows any.
    var learnedArrays: [String: LearnedArray] { (learner as? any Inspectable)?.learnedArrays ?? [:] }
}

/// An estimator object.
final class EstimatorValue: KObject {
    let className: String
    let arguments: BoundArguments
    /// The constructor's default for each argument (nil: none).
    let defaults: [Value?]
    let factory: LearnerFactory
    let options: EstimatorOptions
    private var fitted: Fitted?
    private(set) var featureCount = 0

    init(className: String, arguments: BoundArguments, defaults: [Value?], factory: LearnerFactory, options: EstimatorOptions = EstimatorOptions()) {
        self.className = className
        self.arguments = arguments
        self.defaults = defaults
        self.factory = factory
        self.options = options
    }

    override var typeName: String { className }

    /// scikit-learn's repr: the class with the arguments that differ from their defaults.
    override func repr() -> String {
        let given = zip(arguments.arguments, defaults + Array(repeating: nil, count: Swift.max(0, arguments.values.count - defaults.count)))
            .filter { argument, fallback in !(fallback.map { $0.equals(argument.1) && $0.typeName == argument.1.typeName } ?? false) }
            .map(\.0)
        return "\(className)(" + given.map { "\($0.0)=\(Repr.repr($0.1))" }.joined(separator: ", ") + ")"
    }

    /// A class of the module: `name(signature)` makes an estimator from its arguments.
    static func estimatorClass(_ name: String, _ signature: String, doc: String, options: EstimatorOptions = EstimatorOptions(),
                               _ factory: LearnerFactory) -> KBuiltin {
        let defaults = Signature(signature).defaults
        return KBuiltin(name, signature, doc: doc) { a in
            // Building once checks the arguments now, as scikit-learn's fit would later.
            switch factory {
            case .classifier(let make): _ = try learning { try make(a) }
            case .regressor(let make): _ = try learning { try make(a) }
            case .transformer(let make): _ = try learning { try make(a) }
            }
            return .object(EstimatorValue(className: name, arguments: a, defaults: defaults, factory: factory, options: options))
        }.classifying { $0.as(EstimatorValue.self)?.className == name }
    }

    /// A new unfitted estimator with the same arguments (scikit-learn's `clone`).
    func clone() -> EstimatorValue {
        EstimatorValue(className: className, arguments: arguments, defaults: defaults, factory: factory, options: options)
    }

    var isClassifier: Bool { if case .classifier = factory { true } else { false } }

    /// The methods this kind of estimator has.
    private var methodNames: [String] {
        if case .transformer = factory { return ["fit", "fit_transform", "get_params", "inverse_transform", "transform"] }
        return ["fit", "get_params", "predict", "score"] + (isClassifier ? ["predict_proba"] : [])
    }

    override var attributeNames: [String] {
        (isClassifier ? ["classes_"] : []) + ["n_features_in_"] + (fitted?.learnedArrays.keys.sorted() ?? []) + methodNames
    }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "classes_":
            guard case .classifier(_, let classes)? = fitted else { return fitted == nil ? try notFitted() : nil }
            return .object(try NDArray.from(.object(KList(classes))))
        case "n_features_in_":
            guard fitted != nil else { return try notFitted() }
            return .int(featureCount)
        default:
            if let array = fitted?.learnedArrays[name] { return EstimatorValue.value(array) }
            guard methodNames.contains(name) else { return nil }
            return EstimatorValue.methods[name].map { .object($0.bound(to: .object(self))) }
        }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard methodNames.contains(name), let method = EstimatorValue.methods[name] else {
            throw KilnError.attribute("'\(className)' object has no attribute '\(name)'")
        }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    private func notFitted() throws -> Value {
        throw KilnError("NotFittedError", "This \(className) instance is not fitted yet. Call 'fit' with appropriate arguments before using this estimator.")
    }

    /// A learned array as numpy would hold it; a 0-d array as a number.
    static func value(_ array: LearnedArray) -> Value {
        if array.shape.isEmpty, let v = array.values.first { return array.isInteger ? .int(Int(v)) : .float(v) }
        return array.isInteger ? .object(NDArray(.int64, array.shape, ints: array.values.map { Int($0) }))
            : .object(NDArray(.float64, array.shape, doubles: array.values))
    }

    // MARK: Data

    /// X as samples: a 2-D array of finite numbers (scikit-learn's check_array).
    func samples(_ value: Value, fitting: Bool) throws -> Samples {
        let array = try NDArray.from(value)
        guard array.shape.count == 2 else {
            throw KilnError.value("Expected 2D array, got \(array.shape.count == 1 ? "1D" : "\(array.shape.count)D") array instead: reshape your data with array.reshape(-1, 1) if it has a single feature or array.reshape(1, -1) if it contains a single sample.")
        }
        let values = array.elements
        if let bad = values.first(where: { !$0.isFinite && !(options.allowsNaN && $0.isNaN) }) {
            throw KilnError.value("Input X contains \(bad.isNaN ? "NaN" : "infinity or a value too large for dtype('float64')").")
        }
        if !fitting, array.shape[1] != featureCount {
            throw KilnError.value("X has \(array.shape[1]) features, but \(className) is expecting \(featureCount) features as input.")
        }
        return try learning { try Samples(rows: array.shape[0], columns: array.shape[1], values: values) }
    }

    /// y as labels, one per sample.
    private func targets(_ value: Value, count: Int) throws -> [Value] {
        let items = try ClassLabels.values(value)
        guard items.count == count else {
            throw KilnError.value("Found input variables with inconsistent numbers of samples: [\(count), \(items.count)]")
        }
        if items.contains(where: { ($0.asDouble.map { !$0.isFinite }) ?? false }) { throw KilnError.value("Input y contains NaN.") }
        return items
    }

    func fit(_ x: Value, _ y: Value, sampleWeight: Value) throws {
        let samples = try self.samples(x, fitting: true)
        let weights: [Double]? = if case .none = sampleWeight { nil } else { try NDArray.from(sampleWeight).elements }
        if let weights, weights.count != samples.rows {
            throw KilnError.value("sample_weight.shape == (\(weights.count),), expected (\(samples.rows),)!")
        }
        if case .transformer(let make) = factory {
            var learner = try learning { try make(arguments) }
            try learning { try learner.fit(samples, weights: weights) }
            fitted = .transformer(learner)
            featureCount = samples.columns
            return
        }
        if case .none = y { throw KilnError.value("\(className) requires y to be passed, but the target y is None.") }
        let labels = try targets(y, count: samples.rows)
        switch factory {
        case .classifier(let make):
            let (classes, indices) = ClassLabels.encode(labels)
            guard classes.count >= 2 else {
                throw KilnError.value("This solver needs samples of at least 2 classes in the data, but the data contains only one class: \(Repr.repr(classes.first ?? .none))")
            }
            var learner = try learning { try make(arguments) }
            try learning { try learner.fit(samples, indices, classes: classes.count, weights: weights) }
            fitted = .classifier(learner, classes: classes)
        case .regressor(let make):
            var learner = try learning { try make(arguments) }
            let numbers = try labels.map { label -> Double in
                guard let d = label.asDouble else { throw KilnError.value("could not convert y to float: \(Repr.repr(label))") }
                return d
            }
            try learning { try learner.fit(samples, numbers, weights: weights) }
            fitted = .regressor(learner)
        case .transformer:
            break
        }
        featureCount = samples.columns
    }

    /// Class probabilities (rows × classes) of a fitted classifier.
    func probabilities(_ x: Value) throws -> (Samples, [Value]) {
        guard let fitted else { _ = try notFitted(); return (try Samples(rows: 0, columns: 0, values: []), []) }
        guard case .classifier(let learner, let classes) = fitted else {
            throw KilnError.attribute("'\(className)' object has no attribute 'predict_proba'")
        }
        let samples = try self.samples(x, fitting: false)
        return (try learning { try learner.predictProbabilities(samples) }, classes)
    }

    func predict(_ x: Value) throws -> Value {
        guard let fitted else { return try notFitted() }
        switch fitted {
        case .classifier:
            let (p, classes) = try probabilities(x)
            let labels = (0..<p.rows).map { r -> Value in
                var best = 0
                for c in 1..<p.columns where p[r, c] > p[r, best] { best = c }
                return classes[best]
            }
            return .object(try NDArray.from(.object(KList(labels))))
        case .regressor(let learner):
            let samples = try self.samples(x, fitting: false)
            return .object(NDArray(.float64, [samples.rows], doubles: try learning { try learner.predict(samples) }))
        case .transformer:
            throw KilnError.attribute("'\(className)' object has no attribute 'predict'")
        }
    }

    /// `transform(X)` or, `inverse`, `inverse_transform(X)` of a fitted transformer.
    func transform(_ x: Value, inverse: Bool) throws -> Value {
        guard let fitted else { return try notFitted() }
        guard case .transformer(let learner) = fitted else {
            throw KilnError.attribute("'\(className)' object has no attribute '\(inverse ? "inverse_transform" : "transform")'")
        }
        let samples = try self.samples(x, fitting: false)
        let out = try learning { try inverse ? learner.inverseTransform(samples) : learner.transform(samples) }
        return .object(NDArray(.float64, [out.rows, out.columns], doubles: out.values))
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("fit", "X, y=None, sample_weight=None", doc: "Fit the estimator to samples X (n_samples, n_features) and targets y; returns the estimator.") { a in
            try a.receiver(EstimatorValue.self).fit(a[0], a[1], sampleWeight: a[2])
            return a.receiver
        },
        KBuiltin("predict", "X", doc: "The predicted class labels (classifiers) or values (regressors) of X.") { a in
            try a.receiver(EstimatorValue.self).predict(a[0])
        },
        KBuiltin("predict_proba", "X", doc: "Each sample's class probabilities, one column per class in classes_ order.") { a in
            let p = try a.receiver(EstimatorValue.self).probabilities(a[0]).0
            return .object(NDArray(.float64, [p.rows, p.columns], doubles: p.values))
        },
        KBuiltin("score", "X, y, sample_weight=None", doc: "Mean accuracy (classifiers) or R² (regressors) on X and y.") { a in
            let me = a.receiver(EstimatorValue.self)
            let predictedArray = try NDArray.from(try me.predict(a[0]))
            let predicted = (0..<predictedArray.shape[0]).map { predictedArray.scalar(at: $0) }, truth = try me.targets(a[1], count: try a.interpreter.length(a[0]))
            let weights = try a.isNone(2) ? [Double](repeating: 1, count: truth.count) : NDArray.from(a[2]).elements
            if case .regressor? = me.fitted {
                let y = truth.compactMap(\.asDouble), f = predicted.compactMap(\.asDouble)
                let total = weights.reduce(0, +)
                let mean = zip(y, weights).map { $0 * $1 }.reduce(0, +) / total
                let residual = zip(zip(y, f), weights).map { pair, w in w * (pair.0 - pair.1) * (pair.0 - pair.1) }.reduce(0, +)
                let spread = zip(y, weights).map { w in w.1 * (w.0 - mean) * (w.0 - mean) }.reduce(0, +)
                return .float(spread == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / spread)
            }
            let right = zip(zip(predicted, truth), weights).map { pair, w in pair.0.equals(pair.1) ? w : 0 }.reduce(0, +)
            return .float(right / weights.reduce(0, +))
        },
        KBuiltin("transform", "X", doc: "X transformed by the fitted transformer.") { a in
            try a.receiver(EstimatorValue.self).transform(a[0], inverse: false)
        },
        KBuiltin("inverse_transform", "X", doc: "X mapped back from the transformed space.") { a in
            try a.receiver(EstimatorValue.self).transform(a[0], inverse: true)
        },
        KBuiltin("fit_transform", "X, y=None, sample_weight=None", doc: "Fit to X, then transform X.") { a in
            let me = a.receiver(EstimatorValue.self)
            try me.fit(a[0], .none, sampleWeight: a[2])
            return try me.transform(a[0], inverse: false)
        },
        KBuiltin("get_params", "deep=True", doc: "The constructor arguments, by name.") { a in
            let d = KDict()
            for (name, value) in a.receiver(EstimatorValue.self).arguments.arguments { try d.set(.string(name), value) }
            return .object(d)
        },
    ].map { ($0.name, $0) })
}

/// Runs `body`, turning KilnLearn's errors into the language's ValueError.
func learning<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as LearnError {
        throw KilnError.value(error.message)
    }
}
