import KilnTensor
import XCTest
@testable import KilnLearn

/// Tree internals on data small enough to check by hand.
final class TreeLearnerTests: XCTestCase {
    /// Six samples of one feature, one per bin, gradients −2 −1 −1 1 2 1, hessians 1: the
    /// left sums at bins 0…4 are −2, −3, −4, −3, −1 over 1…5 samples, so the gains
    /// G_L²/H_L + G_R²/H_R − G²/H are 4.8, 6.75, 32/3, 6.75, 1.2: bin 2 wins.
    func testSplitGainOnSixPointsMatchesHandComputation() throws {
        let binned = BinnedSamples(rows: 6, columns: 1, bins: [0, 1, 2, 3, 4, 5])
        let g = [-2.0, -1, -1, 1, 2, 1]
        let histogram = NodeHistogram(binned: binned, samples: nil, gradients: g, hessians: nil)
        let rules = SplitRules(minSamplesLeaf: 1)
        let split = try XCTUnwrap(rules.bestSplit(histogram, nonMissingBins: [6], hasMissing: [false], gradients: 0, hessians: 6,
                                                  count: 6, hessiansAreCounts: true))
        XCTAssertEqual(split.bin, 2)
        XCTAssertEqual(split.gain, 32.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(rules.value(split.gradientsLeft, split.hessiansLeft), 4.0 / 3, accuracy: 1e-12)
        // With λ = 1 the same split gains 16/4 + 16/4 = 8.
        let ridge = SplitRules(minSamplesLeaf: 1, l2Regularization: 1)
        let regularised = try XCTUnwrap(ridge.bestSplit(histogram, nonMissingBins: [6], hasMissing: [false], gradients: 0, hessians: 6,
                                                        count: 6, hessiansAreCounts: true))
        XCTAssertEqual(regularised.gain, 8, accuracy: 1e-12)
    }

    func testMinSamplesLeafLimitsTheSplitPositions() throws {
        let binned = BinnedSamples(rows: 6, columns: 1, bins: [0, 1, 2, 3, 4, 5])
        let histogram = NodeHistogram(binned: binned, samples: nil, gradients: [-5.0, 1, 1, 1, 1, 1], hessians: nil)
        let split = try XCTUnwrap(SplitRules(minSamplesLeaf: 2).bestSplit(histogram, nonMissingBins: [6], hasMissing: [false],
                                                                           gradients: 0, hessians: 6, count: 6, hessiansAreCounts: true))
        XCTAssertEqual(split.bin, 1)
        XCTAssertEqual(split.countLeft, 2)
    }

    /// Missing values with negative gradients join the left (low) side: the right-to-left scan wins.
    func testMissingValuesGoToTheChildThatGainsMost() throws {
        let missing = FeatureBinner.missingBin
        let binned = BinnedSamples(rows: 6, columns: 1, bins: [0, 0, 1, 1, missing, missing])
        let g = [-1.0, -1, 1, 1, -1, -1]
        let histogram = NodeHistogram(binned: binned, samples: nil, gradients: g, hessians: nil)
        let split = try XCTUnwrap(SplitRules(minSamplesLeaf: 1).bestSplit(histogram, nonMissingBins: [2], hasMissing: [true],
                                                                           gradients: -2, hessians: 6, count: 6, hessiansAreCounts: true))
        XCTAssertTrue(split.missingGoLeft)
        XCTAssertEqual(split.bin, 0)
        XCTAssertEqual(split.countLeft, 4)
    }

    func testSubtractionEqualsTheDirectHistogram() {
        let binned = BinnedSamples(rows: 8, columns: 2, bins: [0, 1, 2, 0, 1, 2, 0, 1, 3, 3, 2, 2, 1, 1, 0, 0])
        let g = (0..<8).map { Double($0) - 3.5 }, h = (0..<8).map { 0.1 * Double($0 + 1) }
        let parent = NodeHistogram(binned: binned, samples: nil, gradients: g, hessians: h)
        let left = NodeHistogram(binned: binned, samples: [0, 2, 5], gradients: g, hessians: h)
        let right = NodeHistogram(binned: binned, samples: [1, 3, 4, 6, 7], gradients: g, hessians: h)
        let derived = parent.subtracting(left)
        for i in 0..<right.bins.count {
            XCTAssertEqual(derived.bins[i].count, right.bins[i].count)
            XCTAssertEqual(derived.bins[i].gradients, right.bins[i].gradients, accuracy: 1e-12)
            XCTAssertEqual(derived.bins[i].hessians, right.bins[i].hessians, accuracy: 1e-12)
        }
    }

    /// Against scikit-learn 1.9.1's `_find_binning_thresholds` (numpy "averaged_inverted_cdf"
    /// quantiles for many distinct values, midpoints for few).
    func testBinningThresholdsMatchScikitLearn() {
        let column = (0..<2000).map { Double(($0 * 37) % 1000) / 7 }
        let t = FeatureBinner.thresholds(column, maxBins: 255)
        XCTAssertEqual(t.count, 254)
        XCTAssertEqual(t[0], 0.42857142857142855)
        XCTAssertEqual(t[1], 1.0)
        XCTAssertEqual(t[100], 56.57142857142857)
        XCTAssertEqual(t[253], 142.28571428571428)
        let small = [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, .nan]
        XCTAssertEqual(FeatureBinner.thresholds(small, maxBins: 4), [2.0, 4.0, 5.0])
        XCTAssertEqual(FeatureBinner.thresholds(small, maxBins: 255), [1.5, 2.5, 3.5, 4.5, 5.5, 7.5])
        let binner = FeatureBinner(thresholds: [[1.5, 2.5]])
        XCTAssertEqual([1.0, 1.5, 2.0, 3.0, .nan].map { binner.bin($0, feature: 0) }, [0, 0, 1, 2, FeatureBinner.missingBin])
    }

    /// The grower stops at max_leaf_nodes, and leaf values are shrinkage · −G/H.
    func testGrowerRespectsMaxLeafNodesAndShrinks() {
        let binned = BinnedSamples(rows: 8, columns: 1, bins: [0, 1, 2, 3, 4, 5, 6, 7])
        let binner = FeatureBinner(thresholds: [(0..<7).map { Double($0) + 0.5 }])
        let g = [-4.0, -3, -2, -1, 1, 2, 3, 4]
        let grower = HistogramTreeGrower(rules: SplitRules(minSamplesLeaf: 1), maxLeafNodes: 2, maxDepth: nil, shrinkage: 0.5)
        let (tree, leafValues) = grower.grow(binned, binner: binner, hasMissing: [false], gradients: g, hessians: nil)
        XCTAssertEqual(tree.nodes.filter(\.isLeaf).count, 2)
        XCTAssertEqual(tree.nodes[0].threshold, 3.5)
        XCTAssertEqual(leafValues, [1.25, 1.25, 1.25, 1.25, -1.25, -1.25, -1.25, -1.25])
        XCTAssertEqual(tree.predict([2.0][...]), 1.25)
    }

    /// Exact splits: the threshold is the midpoint between the classes, and the feature carries
    /// all the importance.
    func testDecisionTreeSplitsAtTheMidpoint() throws {
        let x = try Samples(rows: 6, columns: 2, values: [1, 5, 2, 5, 3, 5, 10, 5, 11, 5, 12, 5])
        var forest = Forest()
        forest.nEstimators = 1
        forest.bootstrap = false
        forest.maxFeatures = .all
        try forest.fit(x, .classes([0, 0, 0, 1, 1, 1], count: 2), weights: nil)
        let tree = try XCTUnwrap(forest.trees.first)
        XCTAssertEqual(tree.feature[0], 0)
        XCTAssertEqual(tree.threshold[0], 6.5)
        XCTAssertEqual(forest.featureImportances, [1, 0])
        XCTAssertEqual(try forest.predict(x).values, [1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1])
    }

    /// Trees are built in parallel but seeded by index: two fits agree exactly.
    func testForestIsDeterministic() throws {
        var generator = RandomGenerator(seed: 3)
        let values = (0..<600).map { _ in generator.nextDouble() }
        let x = try Samples(rows: 200, columns: 3, values: values)
        let y = (0..<200).map { values[$0 * 3] + values[$0 * 3 + 1] > 1 ? 1 : 0 }
        var a = RandomForestClassifier(), b = RandomForestClassifier()
        a.forest.nEstimators = 8; b.forest.nEstimators = 8
        try a.fit(x, y, classes: 2, weights: nil)
        try b.fit(x, y, classes: 2, weights: nil)
        XCTAssertEqual(try a.predictProbabilities(x), try b.predictProbabilities(x))
    }

    func testBaselinesAreScikitLearns() {
        XCTAssertEqual(BoostingLoss.squaredError.baseline([1, 2, 6], nil), [3])
        XCTAssertEqual(BoostingLoss.binaryLogLoss.baseline([1, 0, 0, 0], nil)[0], log(1.0 / 3), accuracy: 1e-15)
        let multi = BoostingLoss.multinomial(classes: 3).baseline([0, 1, 1, 2], nil)
        let centre = (log(0.25) + log(0.5) + log(0.25)) / 3
        XCTAssertEqual(multi[1], log(0.5) - centre, accuracy: 1e-15)
    }
}
