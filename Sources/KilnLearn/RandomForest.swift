/// Random forests and extra trees, as scikit-learn's `RandomForestClassifier` /
/// `RandomForestRegressor` / `ExtraTreesClassifier` / `ExtraTreesRegressor`: `nEstimators`
/// `DecisionTree`s, each on a bootstrap sample (sample i weighs the number of times it was
/// drawn) or on every sample, averaged: mean class fractions, or mean prediction. Trees are
/// built in parallel, each from a generator seeded by the forest's seed stream and its index,
/// so results do not depend on scheduling. The out-of-bag score rates each sample with the
/// trees that did not draw it; feature importances are the trees' normalised impurity
/// decreases, averaged and normalised.

import Foundation
import KilnTensor

/// How many features each split tries.
public enum MaxFeatures: Equatable, Sendable {
    case sqrt, log2, all
    case count(Int)
    case fraction(Double)

    /// The number for `features` features (at least 1).
    public func resolve(_ features: Int) -> Int {
        let n: Int
        switch self {
        case .sqrt: n = Int(Double(features).squareRoot())
        case .log2: n = Int(Foundation.log2(Double(features)))
        case .all: n = features
        case .count(let k): n = k
        case .fraction(let f): n = Int(f * Double(features))
        }
        return Swift.max(1, Swift.min(n, features))
    }
}

/// The forest shared by classifier and regressor.
public struct Forest: Sendable {
    public var nEstimators = 100
    public var tree = TreeSettings()
    public var maxFeatures = MaxFeatures.sqrt
    public var bootstrap = true
    public var oobScore = false
    public var randomState: Int?

    public private(set) var trees: [DecisionTree] = []
    /// Per sample: the summed out-of-bag predictions and how many trees gave one.
    public private(set) var outOfBag: (sums: [Double], counts: [Int])?
    public private(set) var featureImportances: [Double] = []

    public init() {}

    public func validate() throws {
        guard nEstimators >= 1 else { throw LearnError("The 'n_estimators' parameter must be an int in the range [1, inf). Got \(nEstimators) instead.") }
        guard tree.minSamplesSplit >= 2 else { throw LearnError("The 'min_samples_split' parameter must be an int in the range [2, inf). Got \(tree.minSamplesSplit) instead.") }
        guard tree.minSamplesLeaf >= 1 else { throw LearnError("The 'min_samples_leaf' parameter must be an int in the range [1, inf). Got \(tree.minSamplesLeaf) instead.") }
        if let d = tree.maxDepth, d < 1 { throw LearnError("The 'max_depth' parameter must be an int in the range [1, inf) or None. Got \(d) instead.") }
        if oobScore && !bootstrap { throw LearnError("Out of bag estimation only available if bootstrap=True") }
        switch maxFeatures {
        case .count(let k) where k < 1: throw LearnError("The 'max_features' parameter must be an int in the range [1, inf). Got \(k) instead.")
        case .fraction(let f) where !(f > 0 && f <= 1): throw LearnError("The 'max_features' parameter must be a float in the range (0.0, 1.0]. Got \(f) instead.")
        default: break
        }
    }

    public mutating func fit(_ x: Samples, _ target: TreeTarget, weights: [Double]?) throws {
        try validate()
        guard x.rows > 0 else { throw LearnError("Found array with 0 sample(s) (shape=(0, \(x.columns))) while a minimum of 1 is required.") }
        var columns = [Double](repeating: 0, count: x.rows * x.columns)
        for i in 0..<x.rows { for f in 0..<x.columns { columns[f * x.rows + i] = x.values[i * x.columns + f] } }
        var settings = tree
        settings.maxFeatures = maxFeatures.resolve(x.columns)
        let builder = DecisionTreeBuilder(columns: columns, rows: x.rows, features: x.columns, target: target, settings: settings)
        var seeds = RandomGenerator(seed: randomState ?? 0)
        let treeSeeds = (0..<nEstimators).map { _ in seeds.nextInt(below: Int(Int32.max)) }
        let n = x.rows, bootstrap = self.bootstrap

        var built = [(DecisionTree, [Double])](repeating: (DecisionTree(), []), count: nEstimators)
        built.fillInParallel(count: nEstimators, minimumChunk: 1) { indices, out in
            for t in indices {
                var generator = RandomGenerator(seed: treeSeeds[t])
                var drawn = weights ?? [Double](repeating: 1, count: n)
                if bootstrap {
                    var counts = [Double](repeating: 0, count: n)
                    for _ in 0..<n { counts[generator.nextInt(below: n)] += 1 }
                    drawn = zip(counts, drawn).map { $0 * $1 }
                }
                out[t] = (builder.build(weights: drawn, generator: &generator), drawn)
            }
        }
        trees = built.map(\.0)

        let k = target.outputs
        if oobScore {
            var sums = [Double](repeating: 0, count: n * k), counts = [Int](repeating: 0, count: n)
            for (tree, drawn) in built {
                for i in 0..<n where drawn[i] == 0 {
                    let p = tree.predict(x.row(i))
                    for c in 0..<k { sums[i * k + c] += p[p.startIndex + c] }
                    counts[i] += 1
                }
            }
            outOfBag = (sums, counts)
        }
        let informative = trees.filter { $0.left.count > 1 }
        var importances = [Double](repeating: 0, count: x.columns)
        for t in informative { for f in 0..<x.columns { importances[f] += t.importances[f] / Double(informative.count) } }
        let total = importances.reduce(0, +)
        featureImportances = total > 0 ? importances.map { $0 / total } : importances
    }

    /// The trees' mean outputs: rows × outputs.
    public func predict(_ x: Samples) throws -> Samples {
        guard let first = trees.first else { throw LearnError("This estimator is not fitted yet.") }
        let k = first.outputs, n = x.rows, count = Double(trees.count)
        var values = [Double](repeating: 0, count: n * k)
        values.fillInParallel(count: n, minimumChunk: 64) { rows, out in
            for i in rows {
                let sample = x.row(i)
                for tree in trees {
                    let p = tree.predict(sample)
                    for c in 0..<k { out[i * k + c] += p[p.startIndex + c] }
                }
                for c in 0..<k { out[i * k + c] /= count }
            }
        }
        return try Samples(rows: n, columns: k, values: values)
    }
}

/// scikit-learn's `RandomForestClassifier` (and `ExtraTreesClassifier` with random splits and
/// no bootstrap): the mean of the trees' class fractions.
public struct RandomForestClassifier: Classifier, Sendable {
    public var forest: Forest
    public init(forest: Forest = Forest()) { self.forest = forest }

    public mutating func fit(_ x: Samples, _ y: [Int], classes: Int, weights: [Double]?) throws {
        try forest.fit(x, .classes(y, count: classes), weights: weights)
        if let oob = forest.outOfBag {
            var right = 0, rated = 0
            for i in 0..<x.rows where oob.counts[i] > 0 {
                var best = 0
                for c in 1..<classes where oob.sums[i * classes + c] > oob.sums[i * classes + best] { best = c }
                rated += 1
                if best == y[i] { right += 1 }
            }
            oobScore = rated > 0 ? Double(right) / Double(rated) : nil
        }
    }

    /// The accuracy of the out-of-bag predictions (nil unless fitted with `oobScore`).
    public private(set) var oobScore: Double?

    public func predictProbabilities(_ x: Samples) throws -> Samples { try forest.predict(x) }
}

/// scikit-learn's `RandomForestRegressor` (and `ExtraTreesRegressor`): the trees' mean prediction.
public struct RandomForestRegressor: Regressor, Sendable {
    public var forest: Forest
    /// A forest that tries every feature at each split unless told otherwise.
    public init(forest: Forest? = nil) {
        self.forest = forest ?? {
            var f = Forest()
            f.maxFeatures = .all
            return f
        }()
    }

    public mutating func fit(_ x: Samples, _ y: [Double], weights: [Double]?) throws {
        try forest.fit(x, .values(y), weights: weights)
        if let oob = forest.outOfBag {
            let rated = (0..<x.rows).filter { oob.counts[$0] > 0 }
            let mean = rated.reduce(0.0) { $0 + y[$1] } / Double(Swift.max(rated.count, 1))
            var residual = 0.0, spread = 0.0
            for i in rated {
                let f = oob.sums[i] / Double(oob.counts[i])
                residual += (y[i] - f) * (y[i] - f)
                spread += (y[i] - mean) * (y[i] - mean)
            }
            oobScore = rated.isEmpty ? nil : (spread > 0 ? 1 - residual / spread : 0)
        }
    }

    /// R² of the out-of-bag predictions (nil unless fitted with `oobScore`).
    public private(set) var oobScore: Double?

    public func predict(_ x: Samples) throws -> [Double] { try forest.predict(x).values }
}

extension Forest {
    /// `feature_importances_`, and `oob_score_` when it was asked for.
    func learnedArrays(oobScore: Double?) -> [String: LearnedArray] {
        guard !trees.isEmpty else { return [:] }
        var arrays = ["feature_importances_": LearnedArray(shape: [featureImportances.count], values: featureImportances)]
        if let oobScore { arrays["oob_score_"] = LearnedArray(shape: [], values: [oobScore]) }
        return arrays
    }
}

extension RandomForestClassifier: Inspectable {
    public var learnedArrays: [String: LearnedArray] { forest.learnedArrays(oobScore: oobScore) }
}

extension RandomForestRegressor: Inspectable {
    public var learnedArrays: [String: LearnedArray] { forest.learnedArrays(oobScore: oobScore) }
}
