/// `sklearn.model_selection.KFold`, `StratifiedKFold` and `cross_val_score`: splitter objects
/// whose `split(X, y)` yields (train_index, test_index) arrays equal to scikit-learn's for the
/// same `random_state` (KilnLearn's fold rules, numpy's RandomState shuffles), and a score per
/// fold of a fresh clone of an estimator.

import KilnLang
import KilnLearn

/// A k-fold splitter: `KFold(n_splits=5, *, shuffle=False, random_state=None)` or its
/// stratified sibling.
final class FoldSplitter: KObject {
    let stratified: Bool
    let splits: Int
    let shuffle: Bool
    let randomState: Value
    let globalRandom: NumpyRandom

    init(_ a: BoundArguments, stratified: Bool, globalRandom: NumpyRandom) throws {
        self.stratified = stratified
        splits = try a.int(0)
        shuffle = a.bool(1)
        randomState = a[2]
        self.globalRandom = globalRandom
        guard splits >= 2 else {
            throw KilnError.value("k-fold cross-validation requires at least one train/test split by setting n_splits=2 or more, got n_splits=\(splits).")
        }
        if !shuffle, !a.isNone(2) {
            throw KilnError.value("Setting a random_state has no effect since shuffle is False. You should leave random_state to its default (None), or set shuffle=True.")
        }
    }

    override var typeName: String { stratified ? "StratifiedKFold" : "KFold" }

    override func repr() -> String {
        "\(typeName)(n_splits=\(splits), random_state=\(Repr.repr(randomState)), shuffle=\(shuffle ? "True" : "False"))"
    }

    override var attributeNames: [String] { ["get_n_splits", "n_splits", "random_state", "shuffle", "split"] }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "n_splits": .int(splits)
        case "shuffle": .bool(shuffle)
        case "random_state": randomState
        default: FoldSplitter.methods[name].map { .object($0.bound(to: .object(self))) }
        }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = FoldSplitter.methods[name] else { throw KilnError.attribute("'\(typeName)' object has no attribute '\(name)'") }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    /// The folds of `count` samples labelled `y` (needed when stratified).
    func folds(count: Int, y: Value) throws -> [CrossValidationFolds.Fold] {
        let rng = SklearnModules.randomState(randomState, globalRandom)
        let shuffler: CrossValidationFolds.Shuffle? = shuffle ? { order in
            for (i, j) in rng.swaps(order.count) { order.swapAt(i, j) }
        } : nil
        guard stratified else { return try learning { try CrossValidationFolds.kFold(samples: count, splits: splits, shuffle: shuffler) } }
        if case .none = y { throw KilnError.value("The 'y' parameter of StratifiedKFold.split must be an array-like. Got None instead.") }
        let labels = try ClassLabels.values(y)
        guard labels.count == count else {
            throw KilnError.value("Found input variables with inconsistent numbers of samples: [\(count), \(labels.count)]")
        }
        return try learning { try CrossValidationFolds.stratifiedKFold(labels: ClassLabels.encode(labels).indices, splits: splits, shuffle: shuffler) }
    }

    static func indexArray(_ indices: [Int]) -> Value { .object(NDArray(.int64, [indices.count], ints: indices)) }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("split", "X, y=None, groups=None", doc: "Yields (train_index, test_index) arrays, one pair per fold.") { a in
            let me = a.receiver(FoldSplitter.self)
            let pairs = try me.folds(count: try a.interpreter.length(a[0]), y: a[1]).map { fold in
                Value.object(KTuple([indexArray(fold.train), indexArray(fold.test)]))
            }
            return .object(FoldIterator(pairs))
        },
        KBuiltin("get_n_splits", "X=None, y=None, groups=None", doc: "The number of folds.") { a in
            .int(a.receiver(FoldSplitter.self).splits)
        },
    ].map { ($0.name, $0) })
}

/// What `split` returns: a generator of fold pairs (iterable once, `next()` works).
final class FoldIterator: KObject {
    private let iterator: ArrayIterator
    init(_ pairs: [Value]) { iterator = ArrayIterator(pairs) }
    override var typeName: String { "generator" }
    override func repr() -> String { "<generator object _BaseKFold.split>" }
    override func makeIterator() throws -> KIterator? { iterator }
}

enum CrossValidation {
    static func functions(_ numpyRandom: NumpyRandom) -> [KBuiltin] {
        [
            KBuiltin("KFold", "n_splits=5, *, shuffle=False, random_state=None",
                     doc: "K-fold splitter: consecutive folds of the (optionally shuffled) samples.") { a in
                .object(try FoldSplitter(a, stratified: false, globalRandom: numpyRandom))
            },
            KBuiltin("StratifiedKFold", "n_splits=5, *, shuffle=False, random_state=None",
                     doc: "K-fold splitter whose folds keep each class's share of the samples.") { a in
                .object(try FoldSplitter(a, stratified: true, globalRandom: numpyRandom))
            },
            KBuiltin("cross_val_score", "estimator, X, y=None, *, groups=None, scoring=None, cv=None, n_jobs=None, verbose=0, params=None, pre_dispatch='2*n_jobs', error_score=nan",
                     doc: "The score of a fresh clone of the estimator on each fold of cv (5: stratified for classifiers), as an array.") { a in
                try crossValScore(a, numpyRandom)
            },
        ]
    }

    static func crossValScore(_ a: BoundArguments, _ numpyRandom: NumpyRandom) throws -> Value {
        guard let estimator = a[0].as(EstimatorValue.self) else {
            throw KilnError.type("Cannot clone object '\(Repr.repr(a[0]))' (type \(a[0].typeName)): it does not seem to be a scikit-learn estimator as it does not implement a 'get_params' method.")
        }
        let x = a[1], y = a[2], interpreter = a.interpreter
        let splitter: FoldSplitter
        if let given = a[5].as(FoldSplitter.self) {
            splitter = given
        } else {
            let splits = a.isNone(5) ? 5 : try a.int(5)
            let bound = BoundArguments(function: "KFold", names: ["n_splits", "shuffle", "random_state"],
                                       values: [.int(splits), .bool(false), .none], receiver: .none, interpreter: interpreter)
            splitter = try FoldSplitter(bound, stratified: estimator.isClassifier && !a.isNone(2), globalRandom: numpyRandom)
        }
        let scorer = try Scorer(a[4], className: estimator.className)
        var scores: [Double] = []
        for fold in try splitter.folds(count: try interpreter.length(x), y: y) {
            let model = estimator.clone()
            let train = fold.train, test = fold.test
            let yTrain: Value = if case .none = y { .none } else { try SklearnModules.take(y, train, interpreter) }
            try model.fit(try SklearnModules.take(x, train, interpreter), yTrain, sampleWeight: .none)
            let yTest: Value = if case .none = y { .none } else { try SklearnModules.take(y, test, interpreter) }
            scores.append(try scorer.score(model, try SklearnModules.take(x, test, interpreter), yTest, interpreter))
        }
        return .object(NDArray(.float64, [scores.count], doubles: scores))
    }
}

/// A `scoring=` argument: None (the estimator's own score), a scikit-learn scorer name, or a
/// callable `scorer(estimator, X, y)`.
struct Scorer {
    enum Kind { case own, negLogLoss, negMeanSquaredError, callable(Value) }
    let kind: Kind

    init(_ value: Value, className: String) throws {
        switch value {
        case .none: kind = .own
        case .string(let name):
            switch name {
            case "accuracy", "r2": kind = .own
            case "neg_log_loss": kind = .negLogLoss
            case "neg_mean_squared_error": kind = .negMeanSquaredError
            default:
                throw KilnError.value("'\(name)' is not a valid scoring value in Kiln: use None, 'accuracy', 'r2', 'neg_log_loss', 'neg_mean_squared_error' or a callable")
            }
        default: kind = .callable(value)
        }
    }

    func score(_ model: EstimatorValue, _ x: Value, _ y: Value, _ interpreter: Interpreter) throws -> Double {
        let result: Value
        switch kind {
        case .own:
            result = try interpreter.callMethod(.object(model), "score", Arguments([x, y]))
        case .negLogLoss:
            let (p, classes) = try model.probabilities(x)
            let truth = ClassLabels.indices(try ClassLabels.values(y), in: classes)
            guard truth.allSatisfy({ $0 != nil }) else { throw KilnError.value("y_true contains values not belonging to the classes the estimator was fitted on") }
            return -(try learning { try Metrics.logLoss(truth.map { $0 ?? 0 }, p, weights: nil, normalize: true) })
        case .negMeanSquaredError:
            let predicted = try NDArray.from(try model.predict(x)).elements, truth = try NDArray.from(y).elements
            return -zip(predicted, truth).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(Swift.max(truth.count, 1))
        case .callable(let function):
            result = try interpreter.call(function, Arguments([.object(model), x, y]))
        }
        guard let number = result.asDouble else { throw KilnError.value("scoring must return a number, got \(Repr.repr(result))") }
        return number
    }
}
