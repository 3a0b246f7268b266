/// `keras.losses`: loss objects with Keras 3's constructors (`SparseCategoricalCrossentropy(
/// from_logits=True)`, `Huber(delta=...)`, …), which `compile(loss=...)` takes beside loss names
/// and which give the batch's mean loss when called on (y_true, y_pred); and the loss functions
/// (`keras.losses.categorical_crossentropy(y_true, y_pred)`), which give one loss per sample.

import KilnLang
import KilnNN
import KilnTensor

/// A Keras loss object: the loss and its name.
public final class LossValue: KObject {
    public let loss: Loss
    public let name: String
    let className: String
    /// The constructor's arguments, for saved models.
    let arguments: [(String, Value)]

    init(_ loss: Loss, name: String, className: String, arguments: [(String, Value)] = []) {
        self.loss = loss
        self.name = name
        self.className = className
        self.arguments = arguments
    }

    public override var typeName: String { className }
    public override func repr() -> String { "<\(className) name=\(name)>" }
    public override var isCallable: Bool { true }
    public override var attributeNames: [String] { ["name"] }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        name == "name" ? .string(self.name) : nil
    }

    /// `loss(y_true, y_pred)`: the mean loss over the batch (Keras' "sum_over_batch_size").
    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        try LossValue.callSignature.invoke(receiver: .object(self), args, interpreter)
    }

    static let callSignature = KBuiltin("__call__", "y_true, y_pred, sample_weight=None", doc: "The mean loss over the batch.") { a in
        let me = a.receiver(LossValue.self)
        if !a.isNone(2) { throw KilnError("NotImplementedError", "not supported in Kiln yet: \(me.className)(...)(sample_weight=...)") }
        let target = try TensorArgument.tensor(a[0], a.interpreter), prediction = try TensorArgument.tensor(a[1], a.interpreter)
        return .float(Double(try keras(me.name) { try me.loss.compute(target: target, prediction: prediction).value }))
    }
}

extension KerasSession {
    /// The constructors of `keras.losses`' loss classes.
    static func lossClasses() -> [KBuiltin] {
        let reduction = "reduction='sum_over_batch_size'"
        /// A loss object after refusing, by name, the arguments Kiln does not take.
        func make(_ a: BoundArguments, _ className: String, _ loss: Loss) throws -> Value {
            try refuseUnsupportedLossArguments(a, className)
            // `name` comes just before `dtype` in every signature.
            return .object(LossValue(loss, name: try a.string(a.names.count - 2), className: className, arguments: a.arguments))
        }
        return [
            KBuiltin("CategoricalCrossentropy", "from_logits=False, label_smoothing=0.0, axis=-1, \(reduction), name='categorical_crossentropy', dtype=None",
                     doc: "Crossentropy between one-hot targets and predicted probabilities (or logits).") { a in
                try make(a, "CategoricalCrossentropy", .categoricalCrossentropy(fromLogits: a.bool(0)))
            },
            KBuiltin("SparseCategoricalCrossentropy", "from_logits=False, ignore_class=None, \(reduction), name='sparse_categorical_crossentropy', dtype=None",
                     doc: "Crossentropy between integer class targets and predicted probabilities (or logits).") { a in
                try make(a, "SparseCategoricalCrossentropy", .sparseCategoricalCrossentropy(fromLogits: a.bool(0)))
            },
            KBuiltin("BinaryCrossentropy", "from_logits=False, label_smoothing=0.0, axis=-1, \(reduction), name='binary_crossentropy', dtype=None",
                     doc: "Crossentropy between 0/1 targets and predicted probabilities (or logits).") { a in
                try make(a, "BinaryCrossentropy", .binaryCrossentropy(fromLogits: a.bool(0)))
            },
            KBuiltin("MeanSquaredError", "\(reduction), name='mean_squared_error', dtype=None", doc: "mean((y_true - y_pred)²).") { a in
                try make(a, "MeanSquaredError", .meanSquaredError)
            },
            KBuiltin("MeanAbsoluteError", "\(reduction), name='mean_absolute_error', dtype=None", doc: "mean(|y_true - y_pred|).") { a in
                try make(a, "MeanAbsoluteError", .meanAbsoluteError)
            },
            KBuiltin("Huber", "delta=1.0, \(reduction), name='huber_loss', dtype=None",
                     doc: "Quadratic for errors up to delta, linear beyond.") { a in
                try make(a, "Huber", .huber(delta: Float(try a.double(0))))
            },
        ]
    }

    /// The loss functions of `keras.losses`: one loss per sample, as an array.
    static func lossFunctions() -> [KBuiltin] {
        func function(_ name: String, _ extra: String, _ loss: @escaping (BoundArguments) throws -> Loss) -> KBuiltin {
            KBuiltin(name, "y_true, y_pred" + extra, doc: "The \(name) loss of each sample (over the last axis).") { a in
                try refuseUnsupportedLossArguments(a, name)
                let target = try TensorArgument.tensor(a[0], a.interpreter), prediction = try TensorArgument.tensor(a[1], a.interpreter)
                let chosen = try loss(a)
                return .object(NDArray(try keras(name) { try chosen.perSample(target: target, prediction: prediction) }))
            }
        }
        let crossentropy = ", from_logits=False, label_smoothing=0.0, axis=-1"
        return [
            function("categorical_crossentropy", crossentropy) { .categoricalCrossentropy(fromLogits: $0.bool(2)) },
            function("sparse_categorical_crossentropy", ", from_logits=False, ignore_class=None, axis=-1") { .sparseCategoricalCrossentropy(fromLogits: $0.bool(2)) },
            function("binary_crossentropy", crossentropy) { .binaryCrossentropy(fromLogits: $0.bool(2)) },
            function("mean_squared_error", "") { _ in .meanSquaredError },
            function("mse", "") { _ in .meanSquaredError },
            function("mean_absolute_error", "") { _ in .meanAbsoluteError },
            function("mae", "") { _ in .meanAbsoluteError },
            function("huber", ", delta=1.0") { .huber(delta: Float(try $0.double(2))) },
        ]
    }

    /// Refuses, by name, loss arguments other than Keras' defaults that Kiln does not implement.
    static func refuseUnsupportedLossArguments(_ a: BoundArguments, _ function: String) throws {
        let unsupported: [(String, (Value) -> Bool)] = [
            ("label_smoothing", { $0.asDouble != 0 }), ("ignore_class", { if case .none = $0 { return false } else { return true } }),
            ("axis", { $0.asInt != -1 }), ("reduction", { v in !["sum_over_batch_size", "auto"].contains(Repr.str(v)) }),
        ]
        for (name, isUnsupported) in unsupported {
            if let i = a.names.firstIndex(of: name), isUnsupported(a[i]) {
                throw KilnError("NotImplementedError", "not supported in Kiln yet: \(function)(\(name)=\(Repr.repr(a[i])))")
            }
        }
    }

    /// compile()'s loss: a name or a loss object.
    static func compiledLoss(_ v: Value) throws -> Loss {
        if let object = v.as(LossValue.self) { return object.loss }
        guard case .string(let s) = v, let loss = Loss(name: s) else {
            throw KilnError.value("Could not interpret loss identifier: \(Repr.str(v)). Kiln knows: \(Loss.names.joined(separator: ", ")) and keras.losses objects")
        }
        return loss
    }
}
