/// `model.compile`, `model.fit`, `model.evaluate` and the History they return, with Keras'
/// arguments; progress is printed as Keras prints it: a live bar per epoch on a terminal
/// (`45/57 [=====>....] - ETA: 1s - loss: 0.3121 - accuracy: 0.9052`), one line per epoch
/// otherwise.

import Foundation
import KilnLang
import KilnNN
import KilnTensor

/// `History.history`: a dict that also answers to Keras 2's key names (`acc`, `val_acc`,
/// `mean_absolute_error`, …), printing a one-line note with today's name the first time.
final class HistoryDict: KDict {
    static let keras2Names = ["acc": "accuracy", "val_acc": "val_accuracy",
                              "mean_absolute_error": "mae", "val_mean_absolute_error": "val_mae",
                              "mean_squared_error": "mse", "val_mean_squared_error": "val_mse"]
    var output: (String) -> Void = { _ in }
    private var noted: Set<String> = []

    private func resolved(_ key: Value) -> Value {
        guard case .string(let k) = key, !has(key), let today = HistoryDict.keras2Names[k], has(.string(today)) else { return key }
        if !noted.contains(k) {
            noted.insert(k)
            output("Note: '\(k)' is Keras 2's name for this history key; Keras 3 calls it '\(today)'.\n")
        }
        return .string(today)
    }

    override func getItem(_ key: Value) throws -> Value { try super.getItem(resolved(key)) }
    override func contains(_ value: Value) throws -> Bool? { try super.contains(resolved(value)) }
}

/// `model.fit(...)`'s result: `.history` (metric name → per-epoch values), `.epoch`, `.params`.
public final class HistoryValue: KObject {
    let history: KDict
    let epochs: [Int]
    let params: KDict

    init(logs: [[(String, Float)]], epochs: [Int], params: KDict, output: @escaping (String) -> Void) throws {
        let dict = HistoryDict()
        dict.output = output
        history = dict
        for epochLogs in logs {
            for (key, value) in epochLogs {
                let list = try history.get(.string(key))?.as(KList.self) ?? KList()
                list.items.append(.float(Double(value)))
                try history.set(.string(key), .object(list))
            }
        }
        self.epochs = epochs
        self.params = params
    }

    public override var typeName: String { "History" }
    public override func repr() -> String { "<keras.callbacks.History object>" }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "history": return .object(history)
        case "epoch": return .object(KList(epochs.map { .int($0) }))
        case "params": return .object(params)
        default: return nil
        }
    }
}

extension KerasSession {
    func trainingMethods() -> [KBuiltin] {
        [
            KBuiltin("compile", "optimizer='rmsprop', loss=None, loss_weights=None, metrics=None, weighted_metrics=None, run_eagerly=False, steps_per_execution=1, jit_compile='auto', auto_scale_loss=True",
                     doc: "Configure the model for training: optimizer, loss and metrics, each a name or a keras object.") { a in
                let me = a.receiver(ModelValue.self)
                let optimizer = try self.optimizer(from: a[0], a.interpreter).optimizer
                guard !a.isNone(1) else { throw KilnError.value("Kiln needs a loss to train with: pass loss='categorical_crossentropy' (or another loss name) to compile()") }
                let lossNames: [Value]
                if case .object(let o) = a[1], o is KList || o is KTuple { lossNames = try a.list(1) } else { lossNames = [a[1]] }
                let losses = try lossNames.map(KerasSession.compiledLoss)
                let outputs = (me.model as? Functional)?.outputs.count ?? 1
                let allLosses = losses.count == 1 ? Array(repeating: losses[0], count: outputs) : losses
                guard allLosses.count == outputs else {
                    throw KilnError.value("Model \"\(me.model.name)\" has \(outputs) outputs but \(losses.count) losses were given")
                }
                let metrics = a.isNone(3) ? [] : try self.compiledMetrics(try a.list(3), loss: allLosses[0],
                                                                          outputShape: me.model.outputShape?.dims.compactMap { $0 } ?? [])
                me.model.trainingConfiguration = TrainingConfiguration(optimizer: optimizer, losses: allLosses, metrics: metrics)
                me.model.origin = CompileOrigin(arguments: a.arguments)
                return .none
            },
            KBuiltin("fit", "x=None, y=None, batch_size=None, epochs=1, verbose='auto', callbacks=None, validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1",
                     doc: "Train the model for a number of epochs on arrays x and y; returns a History.") { a in
                let me = a.receiver(ModelValue.self)
                let configuration = try KerasSession.compiled(me.model)
                // Refused by name rather than silently ignored.
                for (index, name) in [(12, "steps_per_epoch"), (13, "validation_steps")] where !a.isNone(index) {
                    throw KilnError("NotImplementedError", "not supported in Kiln yet: fit(\(name)=...)")
                }
                if try a.int(15) != 1 { throw KilnError("NotImplementedError", "not supported in Kiln yet: fit(validation_freq=...) other than 1") }
                let x = try self.arrays(a[0], me.model, a.interpreter, what: "x")
                let y = try self.arrays(a[1], me.model, a.interpreter, what: "y", outputs: true)
                var validation: ([Tensor], [Tensor])?
                if !a.isNone(7) {
                    let pair = try a.list(7)
                    guard pair.count >= 2 else { throw KilnError.value("validation_data must be a tuple (x_val, y_val)") }
                    validation = (try self.arrays(pair[0], me.model, a.interpreter, what: "validation x"),
                                  try self.arrays(pair[1], me.model, a.interpreter, what: "validation y", outputs: true))
                }
                let weights = try KerasSession.sampleWeights(a, sampleWeight: 10, classWeight: 9, y: y, interpreter: a.interpreter)
                let batchSize = try a.optionalInt(2) ?? 32
                let epochs = try a.int(3)
                let verbose: Int
                if case .string = a[4] { verbose = 1 } else { verbose = try a.int(4) }
                let display = ProgressDisplay(verbose: verbose, epochs: epochs, output: a.interpreter.output)
                var observer = display.observer
                if !a.isNone(5) {
                    for item in try a.list(5) {
                        guard let callback = item.as(CallbackValue.self) else {
                            throw KilnError.type("callbacks must be keras.callbacks objects, got \(item.typeName)")
                        }
                        callback.install(into: &observer, model: me.model, optimizer: configuration.optimizer,
                                         output: a.interpreter.output, interpreter: a.interpreter)
                    }
                }
                let logs = try keras(me.model.name) {
                    try me.model.fit(x: x, y: y, configuration: configuration, batchSize: batchSize, epochs: epochs,
                                     initialEpoch: try a.int(11), shuffle: a.bool(8), validationData: validation,
                                     validationSplit: Float(try a.double(6)), sampleWeights: weights, backend: self.backend, observer: observer)
                }
                let params = KDict()
                try params.set(.string("verbose"), .int(verbose))
                try params.set(.string("epochs"), .int(epochs))
                try params.set(.string("steps"), .int(display.steps))
                let first = try a.int(11)
                return .object(try HistoryValue(logs: logs, epochs: Array(first..<(first + logs.count)), params: params,
                                                output: a.interpreter.output))
            },
            KBuiltin("train_on_batch", "x, y=None, sample_weight=None, class_weight=None, return_dict=False",
                     doc: "One gradient step on one batch; returns the loss (and metrics) before the step.") { a in
                let me = a.receiver(ModelValue.self)
                let configuration = try KerasSession.compiled(me.model)
                let x = try self.arrays(a[0], me.model, a.interpreter, what: "x")
                let y = try self.arrays(a[1], me.model, a.interpreter, what: "y", outputs: true)
                let weights = try KerasSession.sampleWeights(a, sampleWeight: 2, classWeight: 3, y: y, interpreter: a.interpreter)
                let logs = try keras(me.model.name) { try me.model.trainOnBatch(x: x, y: y, configuration: configuration, sampleWeights: weights) }
                return try KerasSession.logsValue(logs, asDict: a.bool(4))
            },
            KBuiltin("predict_classes", "x, batch_size=32, verbose=0",
                     doc: "Keras 2's class predictions (removed in Keras 2.6): np.argmax(model.predict(x), axis=-1), or (p > 0.5) for one sigmoid unit.") { a in
                let me = a.receiver(ModelValue.self)
                a.interpreter.output("Note: predict_classes is Keras 2; today write np.argmax(model.predict(x), axis=-1) (or (model.predict(x) > 0.5).astype('int32') for one sigmoid output).\n")
                let x = try self.arrays(a[0], me.model, a.interpreter, what: "x")
                guard let p = try keras(me.model.name, { try me.model.predict(x, batchSize: try a.int(1)) }).first else { return .none }
                if p.shape.last == 1 {
                    return .object(NDArray(p.map { $0 > 0.5 ? 1 : 0 }))
                }
                let classes = try keras(me.model.name) { try p.argmax(axis: -1) }
                return .object(KList(classes.map { .int($0) }))
            },
            KBuiltin("fit_generator", "generator, *args, **kwargs", doc: "Keras 2's training from a generator.") { _ in
                throw KilnError("NotImplementedError", "not supported in Kiln: fit_generator (Kiln has no generators); call model.fit(x, y, ...) with arrays")
            },
            KBuiltin("evaluate", "x=None, y=None, batch_size=None, verbose='auto', sample_weight=None, steps=None, callbacks=None, return_dict=False",
                     doc: "The loss (and metrics) of the model on x and y, in inference mode.") { a in
                let me = a.receiver(ModelValue.self)
                let configuration = try KerasSession.compiled(me.model)
                let x = try self.arrays(a[0], me.model, a.interpreter, what: "x")
                let y = try self.arrays(a[1], me.model, a.interpreter, what: "y", outputs: true)
                let weights = try KerasSession.sampleWeights(a, sampleWeight: 4, classWeight: nil, y: y, interpreter: a.interpreter)
                let batchSize = try a.optionalInt(2) ?? 32
                let bar = try ProgressDisplay.finalBar(verbose: a[3], samples: x.first?.shape.first ?? 0, batchSize: batchSize)
                let logs = try keras(me.model.name) {
                    try me.model.evaluate(x: x, y: y, configuration: configuration, batchSize: batchSize, sampleWeights: weights)
                }
                if let text = bar?.update(bar?.target ?? 0, logs, finalize: true) { a.interpreter.output(text) }
                return try KerasSession.logsValue(logs, asDict: a.bool(7))
            },
        ]
    }

    /// One weight per sample from `sample_weight` (an array of one value per sample) or
    /// `class_weight` (a dict from class index to weight; a sample's class is its integer label,
    /// or the argmax of a one-hot row, and a class missing from the dict weighs 1), as Keras 3
    /// turns one into the other; nil when neither is given.
    static func sampleWeights(_ a: BoundArguments, sampleWeight: Int, classWeight: Int?, y: [Tensor],
                              interpreter: Interpreter) throws -> [Float]? {
        let givenClassWeight = classWeight.map { !a.isNone($0) } ?? false
        if !a.isNone(sampleWeight) {
            if givenClassWeight {
                throw KilnError.value("You cannot `class_weight` and `sample_weight` at the same time.")
            }
            let weights = try TensorArgument.tensor(a[sampleWeight], interpreter)
            guard weights.rank <= 2, weights.rank == 0 || weights.count == weights.shape[0] else {
                throw KilnError.value("sample_weight must be one value per sample, got shape \(Tensor.describe(weights.shape))")
            }
            return weights.scalars
        }
        guard let classWeight, givenClassWeight else { return nil }
        guard y.count == 1, let labels = y.first else {
            throw KilnError.value("`class_weight` is only supported for Models with a single output.")
        }
        guard let table = a[classWeight].as(KDict.self) else {
            throw KilnError.type("class_weight must be a dict mapping class indices to weights, not \(a[classWeight].typeName)")
        }
        var weightOf: [Int: Float] = [:]
        for (key, value) in table.table.entries {
            guard let index = key.asInt, let weight = value.asDouble else {
                throw KilnError.type("class_weight must map integer class indices to numbers, got \(Repr.repr(key)): \(Repr.repr(value))")
            }
            weightOf[index] = Float(weight)
        }
        let classes: [Int]
        if labels.rank > 1, labels.shape.last != 1 {
            classes = try keras("class_weight") { try labels.argmax(axis: -1) }
        } else {
            // A label that is not a finite whole number matches no class (weight 1).
            classes = labels.scalars.map { $0.isFinite && abs($0) < 1e9 ? Int($0.rounded()) : -1 }
        }
        return classes.map { weightOf[$0] ?? 1 }
    }

    /// The model's compile() settings, or Keras' error when it was not compiled.
    static func compiled(_ model: Model) throws -> TrainingConfiguration {
        guard let configuration = model.trainingConfiguration else {
            throw KilnError("RuntimeError", "You must call `compile()` before using the model.")
        }
        return configuration
    }

    /// evaluate's and train_on_batch's result: the loss alone, a list [loss, metrics…], or a dict.
    static func logsValue(_ logs: [(String, Float)], asDict: Bool) throws -> Value {
        if asDict {
            let d = KDict()
            for (k, v) in logs { try d.set(.string(k), .float(Double(v))) }
            return .object(d)
        }
        return logs.count == 1 ? .float(Double(logs[0].1)) : .object(KList(logs.map { .float(Double($0.1)) }))
    }

    /// The input (or target) arrays of a call: one array, or a list of arrays for a model with
    /// several inputs (outputs).
    func arrays(_ value: Value, _ model: Model, _ interpreter: Interpreter, what: String, outputs: Bool = false) throws -> [Tensor] {
        if case .none = value { throw KilnError.value("`\(what)` is required") }
        let count = outputs ? ((model as? Functional)?.outputs.count ?? 1) : (model.inputCount ?? 1)
        if count > 1, case .object(let o) = value, o is KList || o is KTuple {
            return try interpreter.iterate(value).map { try TensorArgument.tensor($0, interpreter) }
        }
        return [try TensorArgument.tensor(value, interpreter)]
    }
}

/// Keras' progress output for `fit`: "Epoch 3/10" when there are several epochs, then a
/// `Progbar` per epoch, live (verbose 1) on a terminal, one line per epoch otherwise.
final class ProgressDisplay {
    let verbose: Int
    let epochs: Int
    let output: (String) -> Void
    let live: Bool
    private(set) var steps = 0
    private var bar: Progbar?

    init(verbose: Int, epochs: Int, output: @escaping (String) -> Void) {
        self.verbose = verbose
        self.epochs = epochs
        self.output = output
        live = verbose == 1 && isatty(STDOUT_FILENO) != 0
    }

    /// The bar `evaluate` and `predict` show with verbose 1 (and 'auto'), as Keras does: one
    /// line when they finish, `4/4 [==============================] - 0s 2ms/step - loss: …`.
    static func finalBar(verbose: Value, samples: Int, batchSize: Int) throws -> Progbar? {
        let level: Int
        if case .string = verbose { level = 1 } else if let n = verbose.asInt { level = n } else {
            throw KilnError.type("verbose must be 'auto', 0, 1 or 2, not \(verbose.typeName)")
        }
        guard level > 0 else { return nil }
        let steps = (samples + Swift.max(batchSize, 1) - 1) / Swift.max(batchSize, 1)
        return Progbar(target: steps, verbose: level == 1 ? 1 : 2, dynamic: isatty(STDOUT_FILENO) != 0)
    }

    var observer: TrainingObserver {
        var o = TrainingObserver()
        o.epochBegan = { [self] epoch, batches in
            steps = batches
            guard verbose > 0 else { return }
            if epochs > 1 { output("Epoch \(epoch + 1)/\(epochs)\n") }
            bar = Progbar(target: batches, verbose: live ? 1 : 2)
        }
        o.batchEnded = { [self] batch, logs in
            if live, let text = bar?.update(batch + 1, logs, finalize: false) { output(text) }
        }
        o.epochEnded = { [self] _, logs in
            if let text = bar?.update(steps, logs, finalize: true) { output(text) }
            return false
        }
        o.shouldStop = { Interpreter.interruptRequested }
        o.interrupted = { [self] epoch, batch in
            guard Interpreter.timeoutMessage == nil else {
                // A cell timeout: the flag stays set so the cell itself stops with TimeoutError.
                output("\nTraining stopped by the cell's timeout in epoch \(epoch + 1), batch \(batch + 1).\n")
                return
            }
            Interpreter.interruptRequested = false
            output("\nTraining interrupted (Ctrl-C) in epoch \(epoch + 1), batch \(batch + 1); the weights reached are kept.\n")
        }
        o.stoppedOnNaN = { [self] epoch, batch in
            output("Epoch \(epoch + 1), batch \(batch): invalid loss (NaN or infinite), terminating training\n")
        }
        return o
    }
}
