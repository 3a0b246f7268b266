/// `sklearn.metrics`: accuracy_score, log_loss and confusion_matrix with scikit-learn's
/// arguments, label handling and errors, over KilnLearn's `Metrics`.

import KilnLang
import KilnLearn

enum MetricsModule {
    static func register(in registry: ModuleRegistry) {
        registry.register("sklearn.metrics") { _ in
            let m = KModule("sklearn.metrics", doc: "Classification metrics: accuracy, log loss, confusion matrix.")
            m.add([accuracyScore, logLoss, confusionMatrix])
            return m
        }
    }

    /// Sample weights, or nil for None.
    static func weights(_ a: BoundArguments, _ i: Int, count: Int) throws -> [Double]? {
        guard !a.isNone(i) else { return nil }
        let w = try NDArray.from(a[i]).elements
        guard w.count == count else { throw KilnError.value("Found input variables with inconsistent numbers of samples: [\(count), \(w.count)]") }
        return w
    }

    static let accuracyScore = KBuiltin("accuracy_score", "y_true, y_pred, *, normalize=True, sample_weight=None",
                                        doc: "The fraction (normalize=False: the count) of predictions equal to the truth.") { a in
        let truth = try ClassLabels.values(a[0]), predicted = try ClassLabels.values(a[1])
        let classes = ClassLabels.sorted(truth + predicted)
        return .float(try learning {
            try Metrics.accuracy(ClassLabels.indices(truth, among: classes), ClassLabels.indices(predicted, among: classes),
                                 weights: try weights(a, 3, count: truth.count), normalize: a.bool(2))
        })
    }

    static let logLoss = KBuiltin("log_loss", "y_true, y_pred, *, normalize=True, sample_weight=None, labels=None",
                                  doc: "Mean cross-entropy of the true labels under the predicted probabilities (one column per sorted label; a 1-D y_pred is the positive class's), clipped to [eps, 1-eps].") { a in
        let truth = try ClassLabels.values(a[0])
        let classes = a.isNone(4) ? ClassLabels.sorted(truth) : ClassLabels.sorted(try ClassLabels.values(a[4]))
        guard classes.count >= 2 else {
            throw KilnError.value("y_true contains only one label (\(Repr.repr(classes.first ?? .none))). Please provide the true labels explicitly through the labels argument.")
        }
        let array = try NDArray.from(a[1])
        var p = array.elements
        if let top = p.max(), top > 1 { throw KilnError.value("y_prob contains values greater than 1: \(Repr.repr(.float(top)))") }
        if let bottom = p.min(), bottom < 0 { throw KilnError.value("y_prob contains values lower than 0: \(Repr.repr(.float(bottom)))") }
        var columns = array.shape.count == 2 ? array.shape[1] : 1
        if columns == 1 {
            p = p.flatMap { [1 - $0, $0] }
            columns = 2
        }
        guard columns == classes.count else {
            if a.isNone(4) {
                throw KilnError.value("y_true and y_prob contain different number of classes: \(classes.count) vs \(columns). Please provide the true labels explicitly through the labels argument. Classes found in y_true: \(Repr.repr(.object(KList(classes))))")
            }
            throw KilnError.value("The number of classes in labels is different from that in y_prob. Classes found in labels: \(Repr.repr(.object(KList(classes))))")
        }
        let indices = ClassLabels.indices(truth, in: classes)
        guard indices.allSatisfy({ $0 != nil }) else { throw KilnError.value("y_true contains values not belonging to the passed labels \(Repr.repr(.object(KList(classes)))).") }
        return .float(try learning {
            let samples = try Samples(rows: p.count / columns, columns: columns, values: p)
            return try Metrics.logLoss(indices.map { $0 ?? 0 }, samples, weights: try weights(a, 3, count: truth.count), normalize: a.bool(2))
        })
    }

    static let confusionMatrix = KBuiltin("confusion_matrix", "y_true, y_pred, *, labels=None, sample_weight=None, normalize=None",
                                          doc: "C[i, j]: samples of true label i predicted as j, labels sorted (or as given); normalize over 'true', 'pred' or 'all'.") { a in
        let truth = try ClassLabels.values(a[0]), predicted = try ClassLabels.values(a[1])
        let classes = a.isNone(2) ? ClassLabels.sorted(truth + predicted) : try ClassLabels.values(a[2])
        let missing = -1
        let counts = try learning {
            try Metrics.confusionMatrix(ClassLabels.indices(truth, in: classes).map { $0 ?? missing },
                                        ClassLabels.indices(predicted, in: classes).map { $0 ?? missing },
                                        classes: classes.count, weights: try weights(a, 3, count: truth.count))
        }
        let k = classes.count
        let normalize = try a.optionalString(4)
        guard let normalize else {
            let flat = counts.flatMap { $0 }
            return a.isNone(3) ? .object(NDArray(.int64, [k, k], ints: flat.map { Int($0) })) : .object(NDArray(.float64, [k, k], doubles: flat))
        }
        let divide: (Int, Int) -> Double
        switch normalize {
        case "true": divide = { i, _ in counts[i].reduce(0, +) }
        case "pred": divide = { _, j in counts.reduce(0) { $0 + $1[j] } }
        case "all": let total = counts.flatMap { $0 }.reduce(0, +); divide = { _, _ in total }
        default: throw KilnError.value("normalize must be one of {'true', 'pred', 'all', None}, got '\(normalize)'")
        }
        let values = (0..<k).flatMap { i in (0..<k).map { j in let d = divide(i, j); return d == 0 ? 0 : counts[i][j] / d } }
        return .object(NDArray(.float64, [k, k], doubles: values))
    }
}
