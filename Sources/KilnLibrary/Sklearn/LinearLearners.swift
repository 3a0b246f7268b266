/// `sklearn.linear_model` (LogisticRegression, Ridge), `sklearn.neighbors`
/// (KNeighborsClassifier, KNeighborsRegressor) and `sklearn.preprocessing` (StandardScaler):
/// scikit-learn's constructors, argument names and defaults over KilnLearn's learners.

import KilnLang
import KilnLearn

enum LinearLearners {
    static func register(in registry: ModuleRegistry) {
        registry.register("sklearn.linear_model") { _ in
            let m = KModule("sklearn.linear_model", doc: "Linear models: logistic regression, ridge regression.")
            m.add([logisticRegression, ridge])
            return m
        }
        registry.register("sklearn.neighbors") { _ in
            let m = KModule("sklearn.neighbors", doc: "k-nearest-neighbour classification and regression.")
            m.add([neighbors("KNeighborsClassifier", classifier: true), neighbors("KNeighborsRegressor", classifier: false)])
            return m
        }
        registry.register("sklearn.preprocessing") { _ in
            let m = KModule("sklearn.preprocessing", doc: "Feature scaling.")
            m.add([standardScaler])
            return m
        }
    }

    /// The submodules this file adds to the `sklearn` package.
    static let submodules = ["linear_model", "neighbors", "preprocessing"]

    /// A string argument that must be one of `allowed`, in scikit-learn's parameter-validation words.
    static func choice(_ a: BoundArguments, _ i: Int, _ allowed: [String]) throws -> String {
        let given = try a.string(i)
        guard allowed.contains(given) else {
            throw KilnError("InvalidParameterError", "The '\(a.names[i])' parameter of \(a.function) must be a str among {\(allowed.map { "'\($0)'" }.joined(separator: ", "))}. Got \(Repr.repr(a[i])) instead.")
        }
        return given
    }

    /// An argument Kiln accepts only at its default (`expected`), with what to do instead.
    static func onlyDefault(_ a: BoundArguments, _ i: Int, _ expected: Value) throws {
        guard a[i].equals(expected) else {
            throw KilnError.value("\(a.function): \(a.names[i])=\(Repr.repr(a[i])) is not supported in Kiln (only \(Repr.repr(expected)))")
        }
    }

    static let logisticRegression = EstimatorValue.estimatorClass(
        "LogisticRegression",
        "penalty='deprecated', *, C=1.0, l1_ratio=0.0, dual=False, tol=0.0001, fit_intercept=True, intercept_scaling=1, class_weight=None, random_state=None, solver='lbfgs', max_iter=100, verbose=0, warm_start=False, n_jobs=None",
        doc: "Multinomial (binary: logistic) regression with an L2 penalty of strength 1/C, fitted by L-BFGS; the intercept is not penalized.",
        .classifier { a in
            if !a.isNone(0) { _ = try choice(a, 0, ["deprecated", "l2"]) }
            try onlyDefault(a, 2, .float(0))
            try onlyDefault(a, 3, .bool(false))
            try onlyDefault(a, 6, .int(1))
            try onlyDefault(a, 7, .none)
            _ = try choice(a, 9, ["lbfgs", "newton-cg", "newton-cholesky"])
            // penalty=None means no penalty: an infinite C.
            let c = a.isNone(0) ? Double.infinity : try a.double(1)
            return try LogisticRegression(c: c, fitIntercept: a.bool(5), maxIterations: try a.int(10), tolerance: try a.double(4))
        })

    static let ridge = EstimatorValue.estimatorClass(
        "Ridge", "alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None, tol=0.0001, solver='auto', positive=False, random_state=None",
        doc: "Least squares with an L2 penalty alpha·‖w‖², solved in closed form (Cholesky).",
        .regressor { a in
            _ = try choice(a, 5, ["auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"])
            try onlyDefault(a, 6, .bool(false))
            return try RidgeRegression(alpha: try a.double(0), fitIntercept: a.bool(1))
        })

    static func neighbors(_ name: String, classifier: Bool) -> KBuiltin {
        let signature = "n_neighbors=5, *, weights='uniform', algorithm='auto', leaf_size=30, p=2, metric='minkowski', metric_params=None, n_jobs=None"
        func settings(_ a: BoundArguments) throws -> (Int, NearestNeighbors.Weighting) {
            let weighting = NearestNeighbors.Weighting(rawValue: try choice(a, 1, ["uniform", "distance"])) ?? .uniform
            _ = try choice(a, 2, ["auto", "ball_tree", "kd_tree", "brute"])
            let metric = try a.string(5)
            guard metric == "euclidean" || (metric == "minkowski" && a[4].asDouble == 2) else {
                throw KilnError.value("\(name): only the Euclidean metric (metric='minkowski' with p=2, or 'euclidean') is supported in Kiln")
            }
            return (try a.int(0), weighting)
        }
        if classifier {
            return EstimatorValue.estimatorClass(name, signature, doc: "Predicts the class most of the n_neighbors nearest training samples have (Euclidean distance).",
                                                 .classifier { a in let (k, w) = try settings(a); return try NeighborsClassifier(neighbors: k, weighting: w) })
        }
        return EstimatorValue.estimatorClass(name, signature, doc: "Predicts the mean target of the n_neighbors nearest training samples (Euclidean distance).",
                                             .regressor { a in let (k, w) = try settings(a); return try NeighborsRegressor(neighbors: k, weighting: w) })
    }

    static let standardScaler = EstimatorValue.estimatorClass(
        "StandardScaler", "*, copy=True, with_mean=True, with_std=True",
        doc: "Standardizes features: (x - mean_) / scale_, with the mean and the population standard deviation of the fit.",
        .transformer { a in StandardScaler(withMean: a.bool(1), withStd: a.bool(2)) })
}
