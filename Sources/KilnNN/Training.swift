/// `compile` / `fit` / `evaluate`: mini-batch training with an optimizer, Keras' loss
/// averaging (means over samples, weighted by batch size) and metric states (Metrics.swift),
/// validation data or a validation split, shuffling from the session's seeded generator, and a NaN/inf loss stopping
/// the run with the epoch and batch named (TerminateOnNaN, which Kiln always applies).

import KilnTensor

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

/// The loss and metrics over the batches seen so far in an epoch or an evaluation: the loss as
/// a mean over samples (each batch weighted by its size), each metric as its state says.
struct EpochLogs {
    private var lossTotal = 0.0, samples = 0
    private var states: [(key: String, state: MetricState)]

    init(_ configuration: TrainingConfiguration) {
        states = configuration.metrics.map { ($0.key, MetricState($0.metric)) }
    }

    /// Adds one batch: its mean loss and, for the metrics, the first output's targets and predictions.
    mutating func add(loss: Float, rows: Int, target: Tensor, prediction: Tensor) throws {
        lossTotal += Double(loss) * Double(rows)
        samples += rows
        for i in states.indices { try states[i].state.update(target: target, prediction: prediction) }
    }

    var logs: [(String, Float)] {
        [("loss", Float(lossTotal / Double(max(samples, 1))))] + states.map { ($0.key, $0.state.result) }
    }
}

extension Model {
    /// Trains for `epochs` epochs; returns each epoch's logs (loss, metrics, val_ versions).
    /// `sampleWeights` (one per sample of `x`) weigh each sample's loss, as Keras' `sample_weight`
    /// (and `class_weight`, turned into one weight per sample) do; metrics are not weighted.
    public func fit(x: [Tensor], y: [Tensor], configuration: TrainingConfiguration, batchSize: Int, epochs: Int,
                    initialEpoch: Int = 0, shuffle: Bool, validationData: ([Tensor], [Tensor])?, validationSplit: Float,
                    sampleWeights: [Float]? = nil, backend: Backend, observer: TrainingObserver) throws -> [[(String, Float)]] {
        guard let n = x.first?.shape.first else { throw LayerError("fit needs at least one input array") }
        for array in x + y where array.shape.first != n {
            throw LayerError("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. 'x' sizes: \(x.map { $0.shape.first ?? 0 }), 'y' sizes: \(y.map { $0.shape.first ?? 0 })")
        }
        guard batchSize > 0, epochs >= 0 else { throw LayerError("batch_size must be positive and epochs non-negative (got \(batchSize), \(epochs))") }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw LayerError("`validation_split` must be in the range [0, 1). Received: validation_split=\(validationSplit)")
        }
        // Keras takes the validation split from the end of the data, before any shuffling.
        if let weights = sampleWeights, weights.count != n {
            throw LayerError("sample_weight has \(weights.count) values, but x has \(n) samples")
        }
        var trainX = x, trainY = y, trainWeights = sampleWeights
        var validation = validationData
        if validationSplit > 0, validation == nil {
            let cut = Int(Float(n) * (1 - validationSplit))
            trainX = try x.map { try $0.rows(0..<cut) }
            trainY = try y.map { try $0.rows(0..<cut) }
            trainWeights = sampleWeights.map { Array($0[0..<cut]) }
            validation = (try x.map { try $0.rows(cut..<n) }, try y.map { try $0.rows(cut..<n) })
        }
        let count = trainX.first?.shape.first ?? 0
        let batches = (count + batchSize - 1) / batchSize
        // A failing fit leaves the weights as they were before it started.
        let allWeights = layers.flatMap(\.weights)
        let snapshot = allWeights.map(\.value)
        do {
            return try train(trainX, trainY, trainWeights, configuration: configuration, batchSize: batchSize, batches: batches, epochs: epochs,
                             initialEpoch: initialEpoch, shuffle: shuffle, validation: validation, backend: backend, observer: observer)
        } catch {
            for (w, v) in zip(allWeights, snapshot) { w.value = v }
            throw error
        }
    }

    private func train(_ trainX: [Tensor], _ trainY: [Tensor], _ weights: [Float]?, configuration: TrainingConfiguration, batchSize: Int, batches: Int,
                       epochs: Int, initialEpoch: Int, shuffle: Bool, validation: ([Tensor], [Tensor])?, backend: Backend,
                       observer: TrainingObserver) throws -> [[(String, Float)]] {
        let count = trainX.first?.shape.first ?? 0
        var history: [[(String, Float)]] = []
        for epoch in initialEpoch..<epochs {
            observer.epochBegan(epoch, batches)
            let order = shuffle ? backend.random.permutation(count) : Array(0..<count)
            var epochLogs = EpochLogs(configuration)
            for b in 0..<batches {
                let rows = Array(order[(b * batchSize)..<min(count, (b + 1) * batchSize)])
                let bx = try trainX.map { try $0.gatherRows(rows) }, by = try trainY.map { try $0.gatherRows(rows) }
                let step = try trainStep(x: bx, y: by, configuration: configuration, sampleWeights: weights.map { w in rows.map { w[$0] } })
                guard step.loss.isFinite else {
                    observer.stoppedOnNaN(epoch, b)
                    return history
                }
                try epochLogs.add(loss: step.loss, rows: rows.count, target: by[0], prediction: step.outputs[0])
                observer.batchEnded(b, epochLogs.logs)
                if observer.shouldStop() {
                    observer.interrupted(epoch, b)
                    return history
                }
            }
            var logs = epochLogs.logs
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
    public func trainOnBatch(x: [Tensor], y: [Tensor], configuration: TrainingConfiguration, sampleWeights: [Float]? = nil) throws -> [(String, Float)] {
        let step = try trainStep(x: x, y: y, configuration: configuration, sampleWeights: sampleWeights)
        guard step.loss.isFinite else { return [("loss", step.loss)] }
        var logs = EpochLogs(configuration)
        try logs.add(loss: step.loss, rows: x.first?.shape.first ?? 1, target: y[0], prediction: step.outputs[0])
        return logs.logs
    }

    /// One optimizer step; the batch's loss and outputs before it (the weights are left alone
    /// when the loss is not finite).
    private func trainStep(x: [Tensor], y: [Tensor], configuration: TrainingConfiguration,
                           sampleWeights: [Float]?) throws -> (loss: Float, outputs: [Tensor]) {
        let step = try lossAndGradients(x, targets: y, losses: configuration.losses, sampleWeights: sampleWeights)
        guard step.loss.isFinite else { return (step.loss, step.outputs) }
        let trainable = layers.flatMap { $0.trainable ? $0.weights.filter(\.trainable) : [] }
        let pairs = trainable.compactMap { w in step.gradients[w].map { (w, $0) } }
        try configuration.optimizer.apply(pairs.map(\.1), to: pairs.map(\.0))
        return (step.loss, step.outputs)
    }

    /// The loss and metrics on `x`, `y` in inference mode, averaged over samples.
    public func evaluate(x: [Tensor], y: [Tensor], configuration: TrainingConfiguration, batchSize: Int,
                         sampleWeights: [Float]? = nil) throws -> [(String, Float)] {
        guard let n = x.first?.shape.first else { throw LayerError("evaluate needs at least one input array") }
        for array in y where array.shape.first != n {
            throw LayerError("Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. 'x' sizes: \(x.map { $0.shape.first ?? 0 }), 'y' sizes: \(y.map { $0.shape.first ?? 0 })")
        }
        if let weights = sampleWeights, weights.count != n {
            throw LayerError("sample_weight has \(weights.count) values, but x has \(n) samples")
        }
        var logs = EpochLogs(configuration)
        var start = 0
        while start < n {
            let end = min(n, start + max(1, batchSize))
            let bx = try x.map { try $0.rows(start..<end) }, by = try y.map { try $0.rows(start..<end) }
            let outputs = try run(bx, training: false)
            var total: Float = 0
            let weights = sampleWeights.map { Array($0[start..<end]) }
            for (i, loss) in configuration.losses.enumerated() {
                total += try loss.compute(target: by[i], prediction: outputs[i], sampleWeights: weights).value
            }
            total += regularizationLoss()
            try logs.add(loss: total, rows: end - start, target: by[0], prediction: outputs[0])
            start = end
        }
        return logs.logs
    }
}
