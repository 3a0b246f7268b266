/// `keras.callbacks`: EarlyStopping (with restore_best_weights), ReduceLROnPlateau,
/// ModelCheckpoint, TerminateOnNaN and LambdaCallback, with Keras 3's rules for improvement, patience and
/// cooldown, and its messages.

import KilnLang
import KilnNN
import KilnTensor

/// A Keras callback object passed to `fit(callbacks=[...])`.
public final class CallbackValue: KObject {
    enum Kind {
        case earlyStopping(monitor: String, minDelta: Float, patience: Int, verbose: Int, maximize: Bool, restoreBest: Bool, startFromEpoch: Int)
        case reduceLROnPlateau(monitor: String, factor: Float, patience: Int, verbose: Int, maximize: Bool, minDelta: Float, cooldown: Int, minLR: Float)
        case terminateOnNaN
        case lambda(onEpochBegin: Value, onEpochEnd: Value, onTrainBegin: Value, onTrainEnd: Value)
        case checkpoint(path: String, monitor: String, verbose: Int, bestOnly: Bool, maximize: Bool, weightsOnly: Bool, threshold: Float?)
        /// kiln.search's PruningCallback: `report(epoch, value)` says whether to stop.
        case pruning(monitor: String, report: (Int, Float) throws -> Bool)
    }

    let kind: Kind
    let className: String

    init(_ kind: Kind, className: String) {
        self.kind = kind
        self.className = className
    }

    public override var typeName: String { className }
    public override func repr() -> String { "<keras.callbacks.\(className) object>" }

    /// Keras' "auto" mode: maximise the metrics whose direction is up (accuracies, AUC,
    /// precision, recall), minimise everything else.
    static func maximizes(_ monitor: String, mode: String) throws -> Bool {
        switch mode {
        case "max": return true
        case "min": return false
        case "auto": return ["acc", "accuracy", "auc", "precision", "recall"].contains { monitor.lowercased().hasSuffix($0) }
        default: throw KilnError.value("mode must be one of 'auto', 'min', 'max', got '\(mode)'")
        }
    }

    /// The observer hooks of this callback for one `fit` call on `model`.
    func install(into observer: inout TrainingObserver, model: Model, optimizer: Optimizer, output: @escaping (String) -> Void,
                 interpreter: Interpreter) {
        let previousEnd = observer.epochEnded, previousTrainingEnd = observer.trainingEnded
        switch kind {
        case let .earlyStopping(monitor, minDelta, patience, verbose, maximize, restoreBest, startFromEpoch):
            var best: Float = maximize ? -.infinity : .infinity, wait = 0, stopped = 0, bestEpoch = 0
            var bestWeights: [Tensor]?
            let monitored = CallbackValue.lookup(monitor, output: output) {
                "Early stopping conditioned on metric `\(monitor)` which is not available. Available metrics are: \($0)"
            }
            observer.epochEnded = { epoch, logs in
                var stop = try previousEnd(epoch, &logs)
                guard epoch >= startFromEpoch, let current = monitored(logs) else { return stop }
                if restoreBest && bestWeights == nil { bestWeights = model.layers.flatMap(\.weights).map(\.value) }
                wait += 1
                let improved = maximize ? current - minDelta > best : current + minDelta < best
                if improved {
                    best = current
                    bestEpoch = epoch
                    if restoreBest { bestWeights = model.layers.flatMap(\.weights).map(\.value) }
                    wait = 0
                } else if wait >= patience && epoch > 0 {
                    stopped = epoch
                    stop = true
                }
                return stop
            }
            observer.trainingEnded = {
                try previousTrainingEnd()
                if stopped > 0 && verbose > 0 { output("Epoch \(stopped + 1): early stopping\n") }
                if restoreBest, let weights = bestWeights {
                    if verbose > 0 { output("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).\n") }
                    for (w, v) in zip(model.layers.flatMap(\.weights), weights) { w.value = v }
                }
            }
        case let .reduceLROnPlateau(monitor, factor, patience, verbose, maximize, minDelta, cooldown, minLR):
            var best: Float = maximize ? -.infinity : .infinity, wait = 0, cooldownCounter = 0
            let monitored = CallbackValue.lookup(monitor, output: output) {
                "Learning rate reduction is conditioned on metric `\(monitor)` which is not available. Available metrics are: \($0)."
            }
            observer.epochEnded = { epoch, logs in
                let stop = try previousEnd(epoch, &logs)
                logs.append(("learning_rate", optimizer.currentLearningRate()))
                guard let current = monitored(logs) else { return stop }
                if cooldownCounter > 0 {
                    cooldownCounter -= 1
                    wait = 0
                }
                if maximize ? current > best + minDelta : current < best - minDelta {
                    best = current
                    wait = 0
                } else if cooldownCounter == 0 {
                    wait += 1
                    if wait >= patience {
                        let old = optimizer.currentLearningRate()
                        if old > minLR {
                            let new = max(old * factor, minLR)
                            try optimizer.setLearningRate(new)
                            if verbose > 0 { output("\nEpoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(Repr.float(Double(new))).\n") }
                            cooldownCounter = cooldown
                            wait = 0
                        }
                    }
                }
                return stop
            }
        case .terminateOnNaN:
            break  // Kiln always stops on a NaN or infinite loss.
        case let .checkpoint(path, monitor, verbose, bestOnly, maximize, weightsOnly, threshold):
            // `initial_value_threshold`: a saved model must beat it to be replaced.
            var best: Float = threshold ?? (maximize ? -.infinity : .infinity)
            let monitored = CallbackValue.lookup(monitor, output: output) { _ in "Can save best model only with \(monitor) available." }
            observer.epochEnded = { epoch, logs in
                let stop = try previousEnd(epoch, &logs)
                if bestOnly {
                    guard let value = monitored(logs), maximize ? value > best : value < best else { return stop }
                    best = value
                }
                let file = try CallbackValue.format(path, epoch: epoch + 1, logs: logs, interpreter)
                if weightsOnly {
                    try KerasSession.saveWeights(model, to: file)
                } else if let session = interpreter.attachments["keras"] as? KerasSession {
                    try session.saveModel(model, to: file, interpreter)
                }
                if verbose > 0 { output("\nEpoch \(epoch + 1): saving model to \(file)\n") }
                return stop
            }
        case let .pruning(monitor, report):
            let monitored = CallbackValue.lookup(monitor, output: output) {
                "The metric '\(monitor)' is not in the result of the epoch; PruningCallback cannot report it. Available metrics are: \($0)"
            }
            observer.epochEnded = { epoch, logs in
                let stop = try previousEnd(epoch, &logs)
                guard let value = monitored(logs) else { return stop }
                return try report(epoch, value) || stop
            }
        case let .lambda(onEpochBegin, onEpochEnd, onTrainBegin, onTrainEnd):
            let previousBegin = observer.epochBegan
            if case .none = onTrainBegin {} else { _ = try? interpreter.call(onTrainBegin, Arguments([.none])) }
            observer.epochBegan = { epoch, batches in
                previousBegin(epoch, batches)
                if case .none = onEpochBegin { return }
                _ = try? interpreter.call(onEpochBegin, Arguments([.int(epoch), .none]))
            }
            observer.epochEnded = { epoch, logs in
                let stop = try previousEnd(epoch, &logs)
                if case .none = onEpochEnd { return stop }
                let d = KDict()
                for (k, v) in logs { try d.set(.string(k), .float(Double(v))) }
                _ = try interpreter.call(onEpochEnd, Arguments([.int(epoch), .object(d)]))
                return stop
            }
            observer.trainingEnded = {
                try previousTrainingEnd()
                if case .none = onTrainEnd { return }
                _ = try interpreter.call(onTrainEnd, Arguments([.none]))
            }
        }
    }
}

extension CallbackValue {
    /// A lookup of `monitor` in an epoch's logs. The first time the value is missing it writes
    /// Keras' UserWarning (`message` given the names that are there, comma-separated), once per
    /// fit as Python shows a warning from one place once.
    static func lookup(_ monitor: String, output: @escaping (String) -> Void,
                       message: @escaping (String) -> String) -> ([(String, Float)]) -> Float? {
        var warned = false
        return { logs in
            if let value = logs.first(where: { $0.0 == monitor })?.1 { return value }
            if !warned {
                warned = true
                output("UserWarning: " + message(logs.map(\.0).joined(separator: ",")) + "\n")
            }
            return nil
        }
    }

    /// `filepath` with Keras' fields filled in, as Keras does it: `filepath.format(epoch=epoch,
    /// **logs)` (`w.{epoch:02d}.npz`, `{val_loss:.2f}`). A field that is not in the logs is a
    /// KeyError that names the filepath.
    static func format(_ path: String, epoch: Int, logs: [(String, Float)], _ interpreter: Interpreter) throws -> String {
        let fields = [(name: "epoch", value: Value.int(epoch))] + logs.map { (name: $0.0, value: Value.float(Double($0.1))) }
        do {
            return try Format.strFormat(path, Arguments([], keywords: fields), interpreter)
        } catch var error as KilnError where error.type == "KeyError" {
            error.message += " (a ModelCheckpoint filepath field that is not in the logs: \(path))"
            throw error
        }
    }
}

extension KerasSession {
    /// The `keras.callbacks` classes.
    static func callbackClasses() -> [KBuiltin] {
        [
            KBuiltin("EarlyStopping", "monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto', baseline=None, restore_best_weights=False, start_from_epoch=0",
                     doc: "Stop training when `monitor` has not improved by min_delta for `patience` epochs.") { a in
                let monitor = try a.string(0)
                return .object(CallbackValue(.earlyStopping(monitor: monitor, minDelta: abs(Float(try a.double(1))), patience: try a.int(2),
                                                            verbose: try a.int(3), maximize: try CallbackValue.maximizes(monitor, mode: try a.string(4)),
                                                            restoreBest: a.bool(6), startFromEpoch: try a.int(7)), className: "EarlyStopping"))
            },
            KBuiltin("ReduceLROnPlateau", "monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto', min_delta=0.0001, cooldown=0, min_lr=0.0",
                     doc: "Multiply the learning rate by `factor` when `monitor` has stopped improving for `patience` epochs.") { a in
                let monitor = try a.string(0)
                let factor = Float(try a.double(1))
                guard factor < 1 else { throw KilnError.value("ReduceLROnPlateau does not support a factor >= 1.0. Received factor=\(factor)") }
                return .object(CallbackValue(.reduceLROnPlateau(monitor: monitor, factor: factor, patience: try a.int(2), verbose: try a.int(3),
                                                                maximize: try CallbackValue.maximizes(monitor, mode: try a.string(4)),
                                                                minDelta: Float(try a.double(5)), cooldown: try a.int(6), minLR: Float(try a.double(7))),
                                             className: "ReduceLROnPlateau"))
            },
            CallbackValue.modelCheckpoint(),
            KBuiltin("TerminateOnNaN", "", doc: "Stop training when a loss is NaN or infinite (Kiln always does).") { _ in
                .object(CallbackValue(.terminateOnNaN, className: "TerminateOnNaN"))
            },
            KBuiltin("LambdaCallback", "on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None, on_batch_begin=None, on_batch_end=None",
                     doc: "Call the given functions at the start and end of epochs and of training.") { a in
                .object(CallbackValue(.lambda(onEpochBegin: a[0], onEpochEnd: a[1], onTrainBegin: a[2], onTrainEnd: a[3]), className: "LambdaCallback"))
            },
        ]
    }
}
