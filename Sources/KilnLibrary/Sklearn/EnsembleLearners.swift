/// `sklearn.ensemble` in the language: HistGradientBoostingClassifier / Regressor,
/// GradientBoostingClassifier, RandomForestClassifier / Regressor and ExtraTreesClassifier /
/// Regressor with scikit-learn's
/// constructor signatures and defaults, fitted by KilnLearn. Options Kiln does not implement
/// are refused when given a value other than their default, rather than ignored.

import KilnLang
import KilnLearn

enum EnsembleLearners {
    static func register(in registry: ModuleRegistry) {
        registry.register("sklearn.ensemble") { _ in
            let m = KModule("sklearn.ensemble", doc: "Gradient-boosted trees, random forests and extra trees.")
            m.add([histGradientBoosting(classifier: true), histGradientBoosting(classifier: false), gradientBoosting(),
                   forest("RandomForestClassifier", classifier: true, extra: false), forest("RandomForestRegressor", classifier: false, extra: false),
                   forest("ExtraTreesClassifier", classifier: true, extra: true), forest("ExtraTreesRegressor", classifier: false, extra: true)])
            return m
        }
    }

    /// Named access to bound constructor arguments, with the checks every class shares.
    struct Parameters {
        let a: BoundArguments
        let className: String

        /// The position of parameter `name` (a name the class's signature has).
        func index(_ name: String) throws -> Int {
            guard let i = a.names.firstIndex(of: name) else { throw KilnError.type("\(className) has no parameter '\(name)'") }
            return i
        }
        subscript(_ name: String) -> Value { a.names.firstIndex(of: name).map { a[$0] } ?? .none }
        func int(_ name: String) throws -> Int { try a.int(index(name)) }
        func optionalInt(_ name: String) throws -> Int? { try a.optionalInt(index(name)) }
        func double(_ name: String) throws -> Double { try a.double(index(name)) }
        func bool(_ name: String) -> Bool { self[name].isTruthy }

        /// `max_features`: 'sqrt', 'log2', None (all), a count or a fraction.
        func maxFeatures() throws -> MaxFeatures {
            switch self["max_features"] {
            case .string("sqrt"): return .sqrt
            case .string("log2"): return .log2
            case .none: return .all
            case .int(let k): return .count(k)
            case .float(let x): return x == 1 ? .all : .fraction(x)
            default: throw KilnError.value("The 'max_features' parameter of \(className) must be an int, a float in (0.0, 1.0], a str among {'sqrt', 'log2'} or None. Got \(Repr.repr(self["max_features"])) instead.")
            }
        }

        /// Refuses a value other than the default for an option Kiln does not implement.
        func unsupported(_ names: [String], defaults: [Value?]) throws {
            for name in names {
                guard let i = a.names.firstIndex(of: name), i < defaults.count, let fallback = defaults[i] else { continue }
                if !(fallback.equals(a[i]) && fallback.typeName == a[i].typeName) {
                    throw KilnError.value("\(className)(\(name)=\(Repr.repr(a[i]))) is not supported by Kiln; leave \(name) at its default \(Repr.repr(fallback)).")
                }
            }
        }

        /// A string option that must be one of `allowed`.
        func choice(_ name: String, _ allowed: [String]) throws -> String {
            guard case .string(let s) = self[name], allowed.contains(s) else {
                throw KilnError.value("The '\(name)' parameter of \(className) must be a str among {\(allowed.map { "'\($0)'" }.joined(separator: ", "))}. Got \(Repr.repr(self[name])) instead.")
            }
            return s
        }
    }

    // MARK: Gradient boosting

    static let boostingSignature = "*, learning_rate=0.1, max_iter=100, max_leaf_nodes=31, max_depth=None, min_samples_leaf=20, l2_regularization=0.0, max_features=1.0, max_bins=255, categorical_features='from_dtype', monotonic_cst=None, interaction_cst=None, warm_start=False, early_stopping='auto', scoring='loss', validation_fraction=0.1, n_iter_no_change=10, tol=1e-07, verbose=0, random_state=None"

    static func histGradientBoosting(classifier: Bool) -> KBuiltin {
        let name = classifier ? "HistGradientBoostingClassifier" : "HistGradientBoostingRegressor"
        let signature = classifier ? "loss='log_loss', " + boostingSignature + ", class_weight=None"
                                   : "loss='squared_error', *, quantile=None, " + boostingSignature.dropFirst(3)
        let defaults = Signature(signature).defaults
        func booster(_ a: BoundArguments) throws -> HistGradientBoosting {
            let p = Parameters(a: a, className: name)
            _ = try p.choice("loss", [classifier ? "log_loss" : "squared_error"])
            try p.unsupported(["max_features", "categorical_features", "monotonic_cst", "interaction_cst", "warm_start", "class_weight", "quantile"],
                              defaults: defaults)
            if case .string(let s) = p["scoring"], s != "loss" {
                throw KilnError.value("\(name)(scoring=\(Repr.repr(p["scoring"]))) is not supported by Kiln; use scoring='loss'.")
            }
            var b = HistGradientBoosting()
            b.learningRate = try p.double("learning_rate")
            b.maxIter = try p.int("max_iter")
            b.maxLeafNodes = try p.optionalInt("max_leaf_nodes")
            b.maxDepth = try p.optionalInt("max_depth")
            b.minSamplesLeaf = try p.int("min_samples_leaf")
            b.l2Regularization = try p.double("l2_regularization")
            b.maxBins = try p.int("max_bins")
            switch p["early_stopping"] {
            case .string("auto"): b.earlyStopping = nil
            case .bool(let on): b.earlyStopping = on
            default: throw KilnError.value("The 'early_stopping' parameter of \(name) must be a str among {'auto'} or an instance of 'bool'. Got \(Repr.repr(p["early_stopping"])) instead.")
            }
            b.validationFraction = p["validation_fraction"].asDouble
            if case .int(let count) = p["validation_fraction"] {
                throw KilnError.value("\(name)(validation_fraction=\(count)): Kiln takes validation_fraction as a float in (0, 1) or None.")
            }
            b.nIterNoChange = try p.int("n_iter_no_change")
            b.tol = try p.double("tol")
            b.randomState = try p.optionalInt("random_state")
            try learning { try b.validate() }
            return b
        }
        let doc = classifier
            ? "Histogram-based gradient boosting classifier (log loss; one tree per class per iteration for more than two classes); NaN allowed in X."
            : "Histogram-based gradient boosting regressor (squared error); NaN allowed in X."
        return EstimatorValue.estimatorClass(name, signature, doc: doc, options: EstimatorOptions(allowsNaN: true), classifier
            ? .classifier { HistGradientBoostingClassifier(booster: try booster($0)) }
            : .regressor { HistGradientBoostingRegressor(booster: try booster($0)) })
    }

    // MARK: Gradient boosting with exact splits

    static func gradientBoosting() -> KBuiltin {
        let name = "GradientBoostingClassifier"
        let signature = "*, loss='log_loss', learning_rate=0.1, n_estimators=100, subsample=1.0, criterion='friedman_mse', min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_depth=3, min_impurity_decrease=0.0, init=None, random_state=None, max_features=None, verbose=0, max_leaf_nodes=None, warm_start=False, validation_fraction=0.1, n_iter_no_change=None, tol=0.0001, ccp_alpha=0.0"
        let defaults = Signature(signature).defaults
        func learner(_ a: BoundArguments) throws -> GradientBoostingClassifier {
            let p = Parameters(a: a, className: name)
            _ = try p.choice("loss", ["log_loss"])
            _ = try p.choice("criterion", ["friedman_mse", "squared_error"])
            try p.unsupported(["min_weight_fraction_leaf", "min_impurity_decrease", "init", "max_leaf_nodes", "warm_start",
                               "n_iter_no_change", "ccp_alpha"], defaults: defaults)
            var g = GradientBoostingClassifier()
            g.learningRate = try p.double("learning_rate")
            g.nEstimators = try p.int("n_estimators")
            g.subsample = try p.double("subsample")
            g.tree.minSamplesSplit = try p.int("min_samples_split")
            g.tree.minSamplesLeaf = try p.int("min_samples_leaf")
            g.tree.maxDepth = try p.optionalInt("max_depth")
            g.maxFeatures = try p.maxFeatures()
            g.randomState = try p.optionalInt("random_state")
            try learning { try g.validate() }
            return g
        }
        return EstimatorValue.estimatorClass(name, signature, doc: "Gradient boosting with exact-split regression trees (depth 3 by default) and a Newton step per leaf, on the log loss.",
                                             .classifier { try learner($0) })
    }

    // MARK: Forests

    static func forest(_ name: String, classifier: Bool, extra: Bool) -> KBuiltin {
        let signature = "n_estimators=100, *, criterion='\(classifier ? "gini" : "squared_error")', max_depth=None, min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_features=\(classifier ? "'sqrt'" : "1.0"), max_leaf_nodes=None, min_impurity_decrease=0.0, bootstrap=\(extra ? "False" : "True"), oob_score=False, n_jobs=None, random_state=None, verbose=0, warm_start=False"
            + (classifier ? ", class_weight=None" : "") + ", ccp_alpha=0.0, max_samples=None, monotonic_cst=None"
        let defaults = Signature(signature).defaults
        func forest(_ a: BoundArguments) throws -> Forest {
            let p = Parameters(a: a, className: name)
            _ = try p.choice("criterion", [classifier ? "gini" : "squared_error"])
            try p.unsupported(["min_weight_fraction_leaf", "max_leaf_nodes", "min_impurity_decrease", "warm_start", "class_weight",
                               "ccp_alpha", "max_samples", "monotonic_cst"], defaults: defaults)
            var f = Forest()
            f.nEstimators = try p.int("n_estimators")
            f.tree.maxDepth = try p.optionalInt("max_depth")
            f.tree.minSamplesSplit = try p.int("min_samples_split")
            f.tree.minSamplesLeaf = try p.int("min_samples_leaf")
            f.tree.randomSplits = extra
            f.maxFeatures = try p.maxFeatures()
            f.bootstrap = p.bool("bootstrap")
            f.oobScore = p.bool("oob_score")
            f.randomState = try p.optionalInt("random_state")
            try learning { try f.validate() }
            return f
        }
        let kind = extra ? "extremely randomized trees (random thresholds)" : "decision trees on bootstrap samples"
        let doc = classifier ? "A forest of \(kind): the mean of the trees' class probabilities."
                             : "A forest of \(kind): the mean of the trees' predictions."
        return EstimatorValue.estimatorClass(name, signature, doc: doc, classifier
            ? .classifier { RandomForestClassifier(forest: try forest($0)) }
            : .regressor { RandomForestRegressor(forest: try forest($0)) })
    }
}
