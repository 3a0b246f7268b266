/// scikit-learn's `GradientBoostingClassifier` with its log loss: exact-split regression trees
/// (`DecisionTree`, squared error — the same splits as Friedman's MSE criterion) fitted, one
/// per raw-prediction column each iteration, to the negative gradient y − p at the current
/// probabilities; each leaf then takes one Newton step, Σ w(y − p) / Σ w·p(1 − p), times
/// (K − 1)/K for K > 2 classes as Friedman's and scikit-learn's multinomial update has it;
/// f ← f + learning_rate · tree(x). The start is the loss's baseline (the class priors).
/// `subsample` < 1 fits each iteration's trees on that fraction of the samples, drawn without
/// replacement (stochastic gradient boosting).

import Foundation
import KilnTensor

public struct GradientBoostingClassifier: Classifier, Sendable {
    public var nEstimators = 100
    public var learningRate = 0.1
    public var subsample = 1.0
    public var tree = TreeSettings()
    public var maxFeatures = MaxFeatures.all
    public var randomState: Int?

    /// Fitted: the baseline per raw column, and per iteration one tree per column.
    public private(set) var baseline: [Double] = []
    public private(set) var trees: [[DecisionTree]] = []

    public init() { tree.maxDepth = 3 }

    /// Checks the settings with scikit-learn's messages.
    public func validate() throws {
        guard nEstimators >= 1 else { throw LearnError("The 'n_estimators' parameter must be an int in the range [1, inf). Got \(nEstimators) instead.") }
        guard learningRate >= 0 else { throw LearnError("The 'learning_rate' parameter must be a float in the range [0.0, inf). Got \(learningRate) instead.") }
        guard subsample > 0, subsample <= 1 else { throw LearnError("The 'subsample' parameter must be a float in the range (0.0, 1.0]. Got \(subsample) instead.") }
        if let d = tree.maxDepth, d < 1 { throw LearnError("The 'max_depth' parameter must be an int in the range [1, inf) or None. Got \(d) instead.") }
        guard tree.minSamplesSplit >= 2 else { throw LearnError("The 'min_samples_split' parameter must be an int in the range [2, inf). Got \(tree.minSamplesSplit) instead.") }
        guard tree.minSamplesLeaf >= 1 else { throw LearnError("The 'min_samples_leaf' parameter must be an int in the range [1, inf). Got \(tree.minSamplesLeaf) instead.") }
    }

    public mutating func fit(_ x: Samples, _ y: [Int], classes: Int, weights: [Double]?) throws {
        try validate()
        guard x.rows > 0 else { throw LearnError("Found array with 0 sample(s) (shape=(0, \(x.columns))) while a minimum of 1 is required.") }
        let n = x.rows
        let loss: BoostingLoss = classes <= 2 ? .binaryLogLoss : .multinomial(classes: classes)
        let k = loss.columns, labels = y.map(Double.init), w = weights ?? [Double](repeating: 1, count: n)
        var columns = [Double](repeating: 0, count: n * x.columns)
        for i in 0..<n { for f in 0..<x.columns { columns[f * n + i] = x.values[i * x.columns + f] } }
        var settings = tree
        settings.maxFeatures = maxFeatures.resolve(x.columns)
        var builder = DecisionTreeBuilder(columns: columns, rows: n, features: x.columns, target: .values([]), settings: settings)
        var generator = RandomGenerator(seed: randomState ?? 0)

        baseline = loss.baseline(labels, weights)
        trees = []
        var raw = (0..<k).flatMap { c in [Double](repeating: baseline[c], count: n) }
        var g = [Double](repeating: 0, count: n * k), h = g
        // scikit-learn's factor (K − 1)/K on the multinomial Newton step.
        let factor = k > 1 ? Double(k - 1) / Double(k) : 1
        let inBag = Swift.max(1, Int(subsample * Double(n)))
        for _ in 0..<nEstimators {
            loss.gradients(labels, raw, nil, gradients: &g, hessians: &h)
            var sampleWeights = w
            if inBag < n {
                var order = Array(0..<n)
                generator.shuffle(&order)
                for i in order[inBag...] { sampleWeights[i] = 0 }
            }
            var iteration: [DecisionTree] = []
            for c in 0..<k {
                let column = c * n
                builder.target = .values((0..<n).map { -g[column + $0] })
                var tree = builder.build(weights: sampleWeights, generator: &generator)
                let leaves = (0..<n).map { tree.leaf(x.row($0)) }
                var numerator = [Double](repeating: 0, count: tree.left.count), denominator = numerator
                for i in 0..<n where sampleWeights[i] > 0 {
                    numerator[leaves[i]] -= sampleWeights[i] * g[column + i]
                    denominator[leaves[i]] += sampleWeights[i] * h[column + i]
                }
                for node in 0..<tree.left.count where tree.left[node] < 0 {
                    let step = factor * numerator[node]
                    tree.value[node] = step == 0 || Swift.abs(denominator[node]) < 1e-150 ? 0 : step / denominator[node]
                }
                for i in 0..<n { raw[column + i] += learningRate * tree.value[leaves[i]] }
                iteration.append(tree)
            }
            trees.append(iteration)
        }
    }

    /// Raw predictions of `x`, column-major (column c of sample i at c·rows + i).
    public func raw(_ x: Samples) throws -> [Double] {
        try BoostingLoss.raw(x, baseline: baseline, trees: trees) { tree, sample in learningRate * tree.value[tree.leaf(sample)] }
    }

    public func predictProbabilities(_ x: Samples) throws -> Samples {
        try BoostingLoss.probabilities(try raw(x), rows: x.rows, columns: baseline.count)
    }
}

extension GradientBoostingClassifier: Inspectable {
    /// `n_estimators_`: the iterations fitted.
    public var learnedArrays: [String: LearnedArray] {
        trees.isEmpty ? [:] : ["n_estimators_": LearnedArray(shape: [], values: [Double(trees.count)], isInteger: true)]
    }
}
