/// `keras.metrics`: metric objects (AUC, Precision, Recall, the accuracies and mean errors)
/// with Keras 3's constructors, names and `update_state` / `result` / `reset_state`, which
/// `compile(metrics=[...])` takes beside metric names.

import KilnLang
import KilnNN
import KilnTensor

/// A Keras metric object: its kind, its name (the History key when compiled) and its own
/// running state for `update_state` / `result` (a compiled model keeps a state of its own).
public final class MetricValue: KObject {
    public let metric: Metric
    public let name: String
    let className: String
    /// The constructor's arguments (with the name given or made), for saved models.
    let arguments: [(String, Value)]
    private var state: MetricState

    init(_ metric: Metric, name: String, className: String, arguments: [(String, Value)] = []) {
        self.metric = metric
        self.name = name
        self.className = className
        self.arguments = arguments.map { $0.0 == "name" ? ($0.0, .string(name)) : $0 }
        state = MetricState(metric)
    }

    public override var typeName: String { className }
    public override func repr() -> String { "<\(className) name=\(name)>" }
    public override var isCallable: Bool { true }

    public override var attributeNames: [String] { ["name"] + MetricValue.methods.keys.sorted() }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        if name == "name" { return .string(self.name) }
        if name == "thresholds", case .auc(let settings) = metric { return .object(KList(settings.thresholds.map { .float($0) })) }
        return MetricValue.methods[name].map { .object($0.bound(to: .object(self))) }
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = MetricValue.methods[name] else {
            throw KilnError.attribute("'\(className)' object has no attribute '\(name)'")
        }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    /// `metric(y_true, y_pred)`: adds the batch and returns the result, as Keras' `__call__`.
    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try callMethod("update_state", args, interpreter)
        return .float(Double(state.result))
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("update_state", "y_true, y_pred, sample_weight=None", doc: "Add a batch of targets and predictions to the metric's state.") { a in
            let me = a.receiver(MetricValue.self)
            if !a.isNone(2) { throw KilnError("NotImplementedError", "not supported in Kiln yet: \(me.className).update_state(sample_weight=...)") }
            let target = try TensorArgument.tensor(a[0], a.interpreter), prediction = try TensorArgument.tensor(a[1], a.interpreter)
            try keras(me.name) { try me.state.update(target: target, prediction: prediction) }
            return .none
        },
        KBuiltin("result", "", doc: "The metric over every batch added since the last reset.") { a in
            .float(Double(a.receiver(MetricValue.self).state.result))
        },
        KBuiltin("reset_state", "", doc: "Forget every batch added.") { a in
            let me = a.receiver(MetricValue.self)
            me.state = MetricState(me.metric)
            return .none
        },
    ].map { ($0.name, $0) })
}

extension KerasSession {
    /// The constructors of `keras.metrics`.
    func metricClasses() -> [KBuiltin] {
        let session = self
        /// A metric named `name`, or the next of Keras' automatic names for its class.
        func make(_ metric: Metric, _ className: String, _ name: Value, _ a: BoundArguments) throws -> Value {
            let given: String
            switch name {
            case .none: given = session.backend.uniqueName(metric.defaultName)
            case .string(let s): given = s
            case let v: throw KilnError.type("\(className)() argument 'name' must be str, not \(v.typeName)")
            }
            return .object(MetricValue(metric, name: given, className: className, arguments: a.arguments))
        }
        func simple(_ className: String, _ metric: Metric) -> KBuiltin {
            KBuiltin(className, "name='\(metric.defaultName)', dtype=None", doc: "Keras' \(className) metric, a mean over samples.") { a in
                try make(metric, className, a[0], a)
            }
        }
        return [
            KBuiltin("AUC", "num_thresholds=200, curve='ROC', summation_method='interpolation', name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False",
                     doc: "Area under the ROC (or precision-recall) curve, from true/false positive counts at num_thresholds thresholds accumulated over every batch.") { a in
                for (index, name) in [(6, "multi_label"), (8, "label_weights")] where a[index].isTruthy {
                    throw KilnError("NotImplementedError", "not supported in Kiln yet: AUC(\(name)=...)")
                }
                guard let curve = AUCSettings.Curve(rawValue: try a.string(1).uppercased()) else {
                    throw KilnError.value("Invalid AUC curve value: \(Repr.repr(a[1])). Expected values are ['ROC', 'PR']")
                }
                guard let summation = AUCSettings.Summation(rawValue: try a.string(2).lowercased()) else {
                    throw KilnError.value("Invalid AUC summation method value: \(Repr.repr(a[2])). Expected values are ['interpolation', 'majoring', 'minoring']")
                }
                let thresholds = a.isNone(5) ? nil : try a.list(5).map { v -> Double in
                    guard let d = v.asDouble, d >= 0, d <= 1 else { throw KilnError.value("AUC thresholds must be numbers in [0, 1], got \(Repr.repr(v))") }
                    return d
                }
                let settings = try keras("AUC") {
                    try AUCSettings(thresholdCount: try a.int(0), thresholds: thresholds, curve: curve, summation: summation, fromLogits: a.bool(9))
                }
                return try make(.auc(settings), "AUC", a[3], a)
            },
            KBuiltin("Precision", "thresholds=None, top_k=None, class_id=None, name=None, dtype=None",
                     doc: "tp / (tp + fp) over every batch, a prediction counting as positive above the threshold (0.5).") { a in
                try make(.precision(threshold: try KerasSession.confusionThreshold(a, "Precision")), "Precision", a[3], a)
            },
            KBuiltin("Recall", "thresholds=None, top_k=None, class_id=None, name=None, dtype=None",
                     doc: "tp / (tp + fn) over every batch, a prediction counting as positive above the threshold (0.5).") { a in
                try make(.recall(threshold: try KerasSession.confusionThreshold(a, "Recall")), "Recall", a[3], a)
            },
            KBuiltin("BinaryAccuracy", "name='binary_accuracy', dtype=None, threshold=0.5",
                     doc: "The share of predictions on the same side of the threshold as their targets.") { a in
                try make(.binaryAccuracy(threshold: Float(try a.double(2))), "BinaryAccuracy", a[0], a)
            },
            simple("CategoricalAccuracy", .categoricalAccuracy),
            simple("SparseCategoricalAccuracy", .sparseCategoricalAccuracy),
            simple("MeanAbsoluteError", .meanAbsoluteError),
            simple("MeanSquaredError", .meanSquaredError),
        ]
    }

    /// Precision's and Recall's one threshold (Keras also takes several, giving one result each).
    static func confusionThreshold(_ a: BoundArguments, _ className: String) throws -> Float {
        for (index, name) in [(1, "top_k"), (2, "class_id")] where !a.isNone(index) {
            throw KilnError("NotImplementedError", "not supported in Kiln yet: \(className)(\(name)=...)")
        }
        if a.isNone(0) { return 0.5 }
        if let d = a[0].asDouble { return Float(d) }
        let list = try a.list(0)
        guard list.count == 1, let d = list[0].asDouble else {
            throw KilnError("NotImplementedError", "not supported in Kiln yet: \(className)(thresholds=...) with other than one threshold")
        }
        return Float(d)
    }

    /// compile()'s metrics: names (Keras picks the accuracy from the loss) or metric objects,
    /// each with its History key.
    func compiledMetrics(_ values: [Value], loss: Loss, outputShape: [Int]) throws -> [(key: String, metric: Metric)] {
        try values.map { v in
            if let object = v.as(MetricValue.self) { return (object.name, object.metric) }
            guard case .string(let s) = v, let metric = Metric(name: s, loss: loss, outputShape: outputShape) else {
                throw KilnError.value("Unknown metric: \(Repr.str(v)). Kiln knows: \(Metric.names.joined(separator: ", ")) and keras.metrics objects")
            }
            return (metric.key(askedAs: s), metric)
        }
    }
}
