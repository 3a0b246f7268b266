/// `compile` / `fit` / `evaluate`: mini-batch training with an optimizer, Keras' loss and
/// metric averaging (means over samples, weighted by batch size), validation data or a
/// validation split, shuffling from the session's seeded generator, and a NaN/inf loss stopping
/// the run with the epoch and batch named (TerminateOnNaN, which Kiln always applies).

import KilnTensor

/// A metric Keras reports beside the loss.
public enum Metric: Equatable {
    case binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, meanAbsoluteError, meanSquaredError

    /// The metric `name` asks for, given the loss (Keras picks the accuracy from it).
    public init?(name: String, loss: Loss, outputShape: [Int]) {
        switch name {
        case "accuracy", "acc":
            switch loss {
            case .sparseCategoricalCrossentropy: self = .sparseCategoricalAccuracy
            case .categoricalCrossentropy: self = .categoricalAccuracy
            case .binaryCrossentropy: self = .binaryAccuracy
            default: self = (outputShape.last ?? 1) == 1 ? .binaryAccuracy : .categoricalAccuracy
            }
        case "binary_accuracy": self = .binaryAccuracy
        case "categorical_accuracy": self = .categoricalAccuracy
        case "sparse_categorical_accuracy": self = .sparseCategoricalAccuracy
        case "mae", "mean_absolute_error": self = .meanAbsoluteError
        case "mse", "mean_squared_error": self = .meanSquaredError
        default: return nil
        }
    }

    /// The History key: "accuracy" for every accuracy asked for as "accuracy", else Keras' name.
    public func key(askedAs name: String) -> String {
        switch (self, name) {
        case (_, "acc"), (_, "accuracy"): return "accuracy"
        case (.meanAbsoluteError, _): return name == "mean_absolute_error" ? name : "mae"
        case (.meanSquaredError, _): return name == "mean_squared_error" ? name : "mse"
        default: return name
        }
    }

    /// The mean of the metric over the rows of one batch.
    public func value(target: Tensor, prediction: Tensor) throws -> Float {
        let k = prediction.shape.last ?? 1
        let rows = max(1, prediction.count / max(k, 1))
        let p = prediction.scalars, t = target.scalars
        var total: Float = 0
        switch self {
        case .categoricalAccuracy, .sparseCategoricalAccuracy:
            let predicted = try prediction.argmax(axis: -1)
            let truth = self == .sparseCategoricalAccuracy ? t.map { Int($0) } : try target.argmax(axis: -1)
            guard predicted.count == truth.count else {
                throw LayerError("Accuracy needs one label per prediction: got \(truth.count) labels for \(predicted.count) predictions")
            }
            total = Float(zip(predicted, truth).filter { $0 == $1 }.count)
            return total / Float(predicted.count)
        case .binaryAccuracy:
            guard p.count == t.count else { throw LayerError("binary_accuracy: targets of shape \(Tensor.describe(target.shape)) for predictions of shape \(Tensor.describe(prediction.shape))") }
            for (a, b) in zip(p, t) where (a > 0.5 ? 1 : 0) == (b > 0.5 ? 1 : 0) { total += 1 }
            return total / Float(p.count)
        case .meanAbsoluteError, .meanSquaredError:
            guard p.count == t.count else { throw LayerError("\(self): targets of shape \(Tensor.describe(target.shape)) for predictions of shape \(Tensor.describe(prediction.shape))") }
            for (a, b) in zip(p, t) { total += self == .meanAbsoluteError ? abs(a - b) : (a - b) * (a - b) }
            return total / Float(rows * k)
        }
    }
}

/// What `compile` fixed: optimizer, one loss per output, metrics with their History keys.
public final class TrainingConfiguration {
    public let optimizer: Optimizer
    public let losses: [Loss]
    public let metrics: [(key: String, metric: Metric)]

    public init(optimizer: Optimizer, losses: [Loss], metrics: [(key: String, metric: Metric)]) {
        self.optimizer = optimizer
        self.losses = losses
        self.metrics = metrics
    }
}

/// Hooks a caller (the notebook's progress display, callbacks) gets during `fit`.
public struct TrainingObserver {
    public var epochBegan: (_ epoch: Int, _ batches: Int) -> Void = { _, _ in }
    public var batchEnded: (_ batch: Int, _ logs: [(String, Float)]) -> Void = { _, _ in }
    /// May add to the logs (ReduceLROnPlateau records the learning rate); returns true to stop
    /// training (EarlyStopping and the like).
    public var epochEnded: (_ epoch: Int, _ logs: inout [(String, Float)]) throws -> Bool = { _, _ in false }
    public var trainingEnded: () throws -> Void = {}
    public var stoppedOnNaN: (_ epoch: Int, _ batch: Int) -> Void = { _, _ in }
    /// Asked after every batch: true stops training there, keeping the weights reached (Ctrl-C).
    public var shouldStop: () -> Bool = { false }
    public var interrupted: (_ epoch: Int, _ batch: Int) -> Void = { _, _ in }
    public init() {}
}

/// Sums of per-batch values weighted by batch size, for Keras' running means.
struct RunningMeans {
    private(set) var keys: [String] = []
    private var sums: [String: Double] = [:]
    private var count = 0

    mutating func add(_ values: [(String, Float)], weight: Int) {
        for (k, v) in values {
            if sums[k] == nil { keys.append(k) }
            sums[k, default: 0] += Double(v) * Double(weight)
        }
        count += weight
    }

    var means: [(String, Float)] { keys.map { ($0, Float((sums[$0] ?? 0) / Double(max(count, 1)))) } }
}

extension Model {
    /// Trains for `epochs` epochs; returns each epoch's logs (loss, metrics, val_ versions).
    public func fit(x: [Tensor], y: [Tensor], configuration: TrainingConfiguration, batchSize: Int, epochs: Int,
                    initialEpoch: Int = 0, shuffle: Bool, validationData: ([Tensor], [Tensor])?, validationSplit: Float,
                    backend: Backend, observer: TrainingObserver) throws -> [[(String, Float)]] {
        guard let n = x.first?.shape.first else { throw LayerError("fit needs at least one input array") }
        for array in x + y where array.shape.first != n {
            throw LayerError("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. 'x' sizes: \(x.map { $0.shape.first ?? 0 }), 'y' sizes: \(y.map { $0.shape.first ?? 0 })")
        }
        guard batchSize > 0, epochs >= 0 else { throw LayerError("batch_size must be positive and epochs non-negative (got \(batchSize), \(epochs))") }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw LayerError("`validation_split` must be in the range [0, 1). Received: validation_split=\(validationSplit)")
        }
        // Keras takes the validation split from the end of the data, before any shuffling.
        var trainX = x, trainY = y
        var validation = validationData
        if validationSplit > 0, validation == nil {
            let cut = Int(Float(n) * (1 - validationSplit))
            trainX = try x.map { try $0.rows(0..<cut) }
            trainY = try y.map { try $0.rows(0..<cut) }
            validation = (try x.map { try $0.rows(cut..<n) }, try y.map { try $0.rows(cut..<n) })
        }
        let count = trainX.first?.shape.first ?? 0
        let batches = (count + batchSize - 1) / batchSize
        // A failing fit leaves the weights as they were before it started.
        let allWeights = layers.flatMap(\.weights)
        let snapshot = allWeights.map(\.value)
        do {
            return try train(trainX, trainY, configuration: configuration, batchSize: batchSize, batches: batches, epochs: epochs,
                             initialEpoch: initialEpoch, shuffle: shuffle, validation: validation, backend: backend, observer: observer)
        } catch {
            for (w, v) in zip(allWeights, snapshot) { w.value = v }
            throw error
        }
    }

    private func train(_ trainX: [Tensor], _ trainY: [Tensor], configuration: TrainingConfiguration, batchSize: Int, batches: Int,
                       epochs: Int, initialEpoch: Int, shuffle: Bool, validation: ([Tensor], [Tensor])?, backend: Backend,
                       observer: TrainingObserver) throws -> [[(String, Float)]] {
        let count = trainX.first?.shape.first ?? 0
        var history: [[(String, Float)]] = []
        for epoch in initialEpoch..<epochs {
            observer.epochBegan(epoch, batches)
            let order = shuffle ? backend.random.permutation(count) : Array(0..<count)
            var means = RunningMeans()
            for b in 0..<batches {
                let rows = Array(order[(b * batchSize)..<min(count, (b + 1) * batchSize)])
                let bx = try trainX.map { try $0.gatherRows(rows) }, by = try trainY.map { try $0.gatherRows(rows) }
                let logs = try trainOnBatch(x: bx, y: by, configuration: configuration)
                guard logs[0].1.isFinite else {
                    observer.stoppedOnNaN(epoch, b)
                    return history
                }
                means.add(logs, weight: rows.count)
                observer.batchEnded(b, means.means)
                if observer.shouldStop() {
                    observer.interrupted(epoch, b)
                    return history
                }
            }
            var logs = means.means
            if let (vx, vy) = validation {
                logs += try evaluate(x: vx, y: vy, configuration: configuration, batchSize: batchSize).map { ("val_" + $0.0, $0.1) }
            }
            let stop = try observer.epochEnded(epoch, &logs)
            history.append(logs)
            if stop { break }
        }
        try observer.trainingEnded()
        return history
    }

    /// One optimizer step on one batch; the loss and metrics of that batch before the step.
    /// A NaN or infinite loss is returned without touching the weights.
    public func trainOnBatch(x: [Tensor], y: [Tensor], configuration: TrainingConfiguration) throws -> [(String, Float)] {
        let step = try lossAndGradients(x, targets: y, losses: configuration.losses)
        guard step.loss.isFinite else { return [("loss", step.loss)] }
        let trainable = layers.flatMap { $0.trainable ? $0.weights.filter(\.trainable) : [] }
        let pairs = trainable.compactMap { w in step.gradients[w].map { (w, $0) } }
        try configuration.optimizer.apply(pairs.map(\.1), to: pairs.map(\.0))
        var logs: [(String, Float)] = [("loss", step.loss)]
        for (key, metric) in configuration.metrics { logs.append((key, try metric.value(target: y[0], prediction: step.outputs[0]))) }
        return logs
    }

    /// The loss and metrics on `x`, `y` in inference mode, averaged over samples.
    public func evaluate(x: [Tensor], y: [Tensor], configuration: TrainingConfiguration, batchSize: Int) throws -> [(String, Float)] {
        guard let n = x.first?.shape.first else { throw LayerError("evaluate needs at least one input array") }
        for array in y where array.shape.first != n {
            throw LayerError("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. 'x' sizes: \(x.map { $0.shape.first ?? 0 }), 'y' sizes: \(y.map { $0.shape.first ?? 0 })")
        }
        var means = RunningMeans()
        var start = 0
        while start < n {
            let end = min(n, start + max(1, batchSize))
            let bx = try x.map { try $0.rows(start..<end) }, by = try y.map { try $0.rows(start..<end) }
            let outputs = try run(bx, training: false)
            var logs: [(String, Float)] = []
            var total: Float = 0
            for (i, loss) in configuration.losses.enumerated() { total += try loss.compute(target: by[i], prediction: outputs[i]).value }
            total += regularizationLoss()
            logs.append(("loss", total))
            for (key, metric) in configuration.metrics { logs.append((key, try metric.value(target: by[0], prediction: outputs[0]))) }
            means.add(logs, weight: end - start)
            start = end
        }
        return means.means
    }
}
