/// Histogram gradient boosting, as scikit-learn's `HistGradientBoostingClassifier` and
/// `HistGradientBoostingRegressor`: features are binned once (`FeatureBinner`), then each
/// iteration fits one tree per raw-prediction column (`HistogramTreeGrower`) to the loss's
/// gradients and hessians at the current predictions, f ← f + tree(x), starting from the loss's
/// baseline. Early stopping holds out `validationFraction` of the samples (stratified for
/// classification) and stops when the validation loss has not improved by more than `tol` over
/// the last `nIterNoChange` iterations.

import Foundation
import KilnTensor

/// The settings and fitted trees shared by the classifier and the regressor.
public struct HistGradientBoosting: Sendable {
    public var learningRate = 0.1
    public var maxIter = 100
    public var maxLeafNodes: Int? = 31
    public var maxDepth: Int?
    public var minSamplesLeaf = 20
    public var l2Regularization = 0.0
    public var maxBins = 255
    /// nil: "auto", on when there are more than 10 000 samples.
    public var earlyStopping: Bool?
    public var validationFraction: Double? = 0.1
    public var nIterNoChange = 10
    public var tol = 1e-7
    public var randomState: Int?

    /// Fitted: the baseline per column, and per iteration one tree per column.
    public private(set) var baseline: [Double] = []
    public private(set) var trees: [[BoostedTree]] = []
    /// The iterations fitted (scikit-learn's n_iter_).
    public var iterations: Int { trees.count }
    /// The training (and validation) loss before each iteration and after the last.
    public private(set) var trainLosses: [Double] = []
    public private(set) var validationLosses: [Double] = []

    public init() {}

    /// Checks the settings with scikit-learn's messages.
    public func validate() throws {
        guard learningRate > 0 else { throw LearnError("The 'learning_rate' parameter must be a float in the range (0.0, inf). Got \(learningRate) instead.") }
        guard maxIter >= 1 else { throw LearnError("The 'max_iter' parameter must be an int in the range [1, inf). Got \(maxIter) instead.") }
        if let maxLeafNodes, maxLeafNodes < 2 {
            throw LearnError("The 'max_leaf_nodes' parameter must be an int in the range [2, inf) or None. Got \(maxLeafNodes) instead.")
        }
        if let maxDepth, maxDepth < 1 { throw LearnError("The 'max_depth' parameter must be an int in the range [1, inf) or None. Got \(maxDepth) instead.") }
        guard minSamplesLeaf >= 1 else { throw LearnError("The 'min_samples_leaf' parameter must be an int in the range [1, inf). Got \(minSamplesLeaf) instead.") }
        guard l2Regularization >= 0 else { throw LearnError("The 'l2_regularization' parameter must be a float in the range [0.0, inf). Got \(l2Regularization) instead.") }
        guard (2...255).contains(maxBins) else { throw LearnError("The 'max_bins' parameter must be an int in the range [2, 255]. Got \(maxBins) instead.") }
        if let validationFraction, !(validationFraction > 0 && validationFraction < 1) {
            throw LearnError("The 'validation_fraction' parameter must be a float in the range (0.0, 1.0) or None. Got \(validationFraction) instead.")
        }
        guard nIterNoChange >= 1 else { throw LearnError("The 'n_iter_no_change' parameter must be an int in the range [1, inf). Got \(nIterNoChange) instead.") }
    }

    /// Fits to targets `y` (class indices as numbers for classification) under `loss`.
    public mutating func fit(_ x: Samples, _ y: [Double], weights: [Double]?, loss: BoostingLoss, stratify: Int? = nil) throws {
        try validate()
        guard x.rows > 0 else { throw LearnError("Found array with 0 sample(s) (shape=(0, \(x.columns))) while a minimum of 1 is required.") }
        var generator = RandomGenerator(seed: randomState ?? 0)
        let stopping = earlyStopping ?? (x.rows > 10_000)
        var trainX = x, trainY = y, trainW = weights
        var validation: (x: BinnedSamples, y: [Double], w: [Double]?)?
        var validationRows: [Int] = []
        if stopping, let validationFraction {
            let (train, held) = HistGradientBoosting.split(y, fraction: validationFraction, classes: stratify, &generator)
            validationRows = held
            trainX = x.rows(train)
            trainY = train.map { y[$0] }
            trainW = weights.map { w in train.map { w[$0] } }
        }
        let binner = FeatureBinner(fitting: trainX, maxBins: maxBins, generator: &generator)
        let binned = binner.transform(trainX)
        if !validationRows.isEmpty {
            validation = (binner.transform(x.rows(validationRows)), validationRows.map { y[$0] }, weights.map { w in validationRows.map { w[$0] } })
        }
        let hasMissing = (0..<binned.columns).map { f in
            binned.bins[(f * binned.rows)..<((f + 1) * binned.rows)].contains(FeatureBinner.missingBin)
        }

        let n = binned.rows, k = loss.columns
        baseline = loss.baseline(trainY, trainW)
        trees = []
        var raw = (0..<k).flatMap { c in [Double](repeating: baseline[c], count: n) }
        var validationRaw = validation.map { v in (0..<k).flatMap { c in [Double](repeating: baseline[c], count: v.x.rows) } } ?? []
        var g = [Double](repeating: 0, count: n * k), h = [Double](repeating: 1, count: n * k)
        let grower = HistogramTreeGrower(rules: SplitRules(minSamplesLeaf: minSamplesLeaf, l2Regularization: l2Regularization),
                                         maxLeafNodes: maxLeafNodes, maxDepth: maxDepth, shrinkage: learningRate)
        let constant = loss.constantHessian && trainW == nil
        trainLosses = stopping ? [loss.loss(trainY, raw, trainW)] : []
        validationLosses = validation.map { [loss.loss($0.y, validationRaw, $0.w)] } ?? []

        for _ in 0..<maxIter {
            loss.gradients(trainY, raw, trainW, gradients: &g, hessians: &h)
            var iteration: [BoostedTree] = []
            for c in 0..<k {
                let (tree, leafValues) = grower.grow(binned, binner: binner, hasMissing: hasMissing,
                                                     gradients: Array(g[(c * n)..<((c + 1) * n)]),
                                                     hessians: constant ? nil : Array(h[(c * n)..<((c + 1) * n)]))
                for i in 0..<n { raw[c * n + i] += leafValues[i] }
                if let validation {
                    let m = validation.x.rows
                    for i in 0..<m { validationRaw[c * m + i] += tree.predict(validation.x, row: i) }
                }
                iteration.append(tree)
            }
            trees.append(iteration)
            guard stopping else { continue }
            if let validation {
                validationLosses.append(loss.loss(validation.y, validationRaw, validation.w))
                if shouldStop(validationLosses) { break }
            } else {
                trainLosses.append(loss.loss(trainY, raw, trainW))
                if shouldStop(trainLosses) { break }
            }
        }
    }

    /// scikit-learn's `_should_stop` on losses: none of the last `nIterNoChange` beat the one
    /// before them by more than `tol`.
    func shouldStop(_ losses: [Double]) -> Bool {
        guard losses.count > nIterNoChange else { return false }
        let reference = losses[losses.count - nIterNoChange - 1]
        return !losses.suffix(nIterNoChange).contains { -$0 > -reference + tol }
    }

    /// Raw predictions of `x`, column-major (column c of sample i at c·rows + i).
    public func raw(_ x: Samples) throws -> [Double] {
        try BoostingLoss.raw(x, baseline: baseline, trees: trees) { tree, sample in tree.predict(sample) }
    }

    /// Indices of the training and validation samples; stratified by class when `classes` is given.
    static func split(_ y: [Double], fraction: Double, classes: Int?, _ generator: inout RandomGenerator) -> ([Int], [Int]) {
        let n = y.count
        let held = Swift.max(1, Swift.min(n - 1, Int((fraction * Double(n)).rounded(.up))))
        var validation: [Int] = []
        if let classes {
            let groups = (0..<classes).map { c in (0..<n).filter { y[$0] == Double(c) } }
            var quota = groups.map { Int(Double(held) * Double($0.count) / Double(n)) }
            var left = held - quota.reduce(0, +)
            for c in groups.indices.sorted(by: { groups[$0].count > groups[$1].count }) where left > 0 && quota[c] < groups[c].count {
                quota[c] += 1; left -= 1
            }
            for (c, var members) in groups.enumerated() {
                generator.shuffle(&members)
                validation += members.prefix(quota[c])
            }
        } else {
            validation = Array(generator.permutation(n).prefix(held))
        }
        validation.sort()
        var isHeld = [Bool](repeating: false, count: n)
        for i in validation { isHeld[i] = true }
        return ((0..<n).filter { !isHeld[$0] }, validation)
    }
}

/// scikit-learn's `HistGradientBoostingClassifier`: binary log loss (one tree per iteration)
/// for two classes, multinomial log loss (one tree per class per iteration) for more;
/// probabilities σ(f) or softmax(f).
public struct HistGradientBoostingClassifier: Classifier, Sendable {
    public var booster: HistGradientBoosting
    public init(booster: HistGradientBoosting = HistGradientBoosting()) { self.booster = booster }

    public mutating func fit(_ x: Samples, _ y: [Int], classes: Int, weights: [Double]?) throws {
        let loss: BoostingLoss = classes <= 2 ? .binaryLogLoss : .multinomial(classes: classes)
        try booster.fit(x, y.map(Double.init), weights: weights, loss: loss, stratify: classes)
    }

    public func predictProbabilities(_ x: Samples) throws -> Samples {
        try BoostingLoss.probabilities(try booster.raw(x), rows: x.rows, columns: booster.baseline.count)
    }
}

/// scikit-learn's `HistGradientBoostingRegressor` with the squared error loss.
public struct HistGradientBoostingRegressor: Regressor, Sendable {
    public var booster: HistGradientBoosting
    public init(booster: HistGradientBoosting = HistGradientBoosting()) { self.booster = booster }

    public mutating func fit(_ x: Samples, _ y: [Double], weights: [Double]?) throws {
        try booster.fit(x, y, weights: weights, loss: .squaredError)
    }

    public func predict(_ x: Samples) throws -> [Double] { try booster.raw(x) }
}

extension HistGradientBoosting {
    /// scikit-learn's fitted attributes: `n_iter_`, `n_trees_per_iteration_`, and the scores
    /// (negative losses) early stopping tracked, `train_score_` and `validation_score_`.
    public var learnedArrays: [String: LearnedArray] {
        guard !trees.isEmpty else { return [:] }
        return ["n_iter_": LearnedArray(shape: [], values: [Double(iterations)], isInteger: true),
                "n_trees_per_iteration_": LearnedArray(shape: [], values: [Double(baseline.count)], isInteger: true),
                "train_score_": LearnedArray(shape: [trainLosses.count], values: trainLosses.map { -$0 }),
                "validation_score_": LearnedArray(shape: [validationLosses.count], values: validationLosses.map { -$0 })]
    }
}

extension HistGradientBoostingClassifier: Inspectable {
    public var learnedArrays: [String: LearnedArray] { booster.learnedArrays }
}

extension HistGradientBoostingRegressor: Inspectable {
    public var learnedArrays: [String: LearnedArray] { booster.learnedArrays }
}
