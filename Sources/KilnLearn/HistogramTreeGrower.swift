/// Leaf-wise growth of one gradient-boosting tree on binned samples, as scikit-learn's
/// `TreeGrower`: the splittable leaf with the largest gain is split next until `maxLeafNodes`
/// leaves exist (or none can be split); the smaller child's histogram is built from its samples
/// and the larger's is the parent's minus it. A leaf's value is `shrinkage · −G/(H+λ)`.

import KilnTensor

/// A fitted tree: internal nodes send bins ≤ `bin` (values ≤ `threshold`) left.
public struct BoostedTree: Sendable {
    public struct Node: Sendable {
        public var feature = 0
        public var bin = 0
        public var threshold = 0.0
        public var missingGoLeft = false
        public var left = -1, right = -1
        public var value = 0.0
        public var isLeaf: Bool { left < 0 }
    }
    public var nodes: [Node]

    /// The leaf value for a sample given as raw features.
    @inline(__always)
    public func predict(_ x: ArraySlice<Double>) -> Double {
        let start = x.startIndex
        var i = 0
        while !nodes[i].isLeaf {
            let node = nodes[i], v = x[start + node.feature]
            i = v.isNaN ? (node.missingGoLeft ? node.left : node.right) : (v <= node.threshold ? node.left : node.right)
        }
        return nodes[i].value
    }

    /// The leaf value for sample `row` of binned samples.
    @inline(__always)
    public func predict(_ binned: BinnedSamples, row: Int) -> Double {
        var i = 0
        while !nodes[i].isLeaf {
            let node = nodes[i], b = binned[row, node.feature]
            i = b == FeatureBinner.missingBin ? (node.missingGoLeft ? node.left : node.right) : (Int(b) <= node.bin ? node.left : node.right)
        }
        return nodes[i].value
    }
}

/// Grows one tree to the gradients and hessians of the training samples.
public struct HistogramTreeGrower {
    public var rules: SplitRules
    public var maxLeafNodes: Int? = 31
    public var maxDepth: Int?
    public var shrinkage = 0.1

    public init(rules: SplitRules, maxLeafNodes: Int?, maxDepth: Int?, shrinkage: Double) {
        self.rules = rules
        self.maxLeafNodes = maxLeafNodes
        self.maxDepth = maxDepth
        self.shrinkage = shrinkage
    }

    /// A node being grown: its samples are `partition[start..<stop]`.
    private struct Growing {
        var node: Int
        var start: Int, stop: Int
        var depth: Int
        var gradients: Double, hessians: Double
        var histogram: NodeHistogram?
        var split: SplitInfo?
    }

    /// The tree, and for each training sample the value of the leaf it falls in.
    /// `hessians` nil: every hessian is 1.
    public func grow(_ binned: BinnedSamples, binner: FeatureBinner, hasMissing: [Bool],
                     gradients: [Double], hessians: [Double]?) -> (BoostedTree, leafValues: [Double]) {
        let n = binned.rows
        let nonMissingBins = binner.nonMissingBins
        var partition = (0..<n).map { Int32($0) }
        var scratch = partition
        var nodes = [BoostedTree.Node()]
        let sumG = gradients.reduce(0, +), sumH = hessians?.reduce(0, +) ?? Double(n)
        var root = Growing(node: 0, start: 0, stop: n, depth: 0, gradients: sumG, hessians: sumH)
        var splittable: [Growing] = []
        var leaves: [Growing] = []
        var leafCount = 1

        let minimum = 2 * rules.minSamplesLeaf
        func sums(_ g: Growing) -> NodeSums { NodeSums(gradients: g.gradients, hessians: g.hessians, count: g.stop - g.start) }
        if n >= minimum, sumH >= rules.minHessianToSplit {
            var none: NodeHistogram?
            (root.histogram, (root.split, _)) = histogramsAndSplits(binned, HistogramInputs(samples: nil, gradients: gradients, hessians: hessians),
                                                                    derived: &none, splitting: (sums(root), nil), nonMissingBins: nonMissingBins, hasMissing: hasMissing)
            if root.split != nil { splittable.append(root) } else { leaves.append(root) }
        } else {
            leaves.append(root)
        }

        while !splittable.isEmpty {
            var pick = 0
            for i in 1..<splittable.count where (splittable[i].split?.gain ?? 0) > (splittable[pick].split?.gain ?? 0) { pick = i }
            var parent = splittable.remove(at: pick)
            guard let split = parent.split else { leaves.append(parent); continue }
            // Taken out so that the larger child's histogram reuses its storage.
            var parentHistogram = parent.histogram
            parent.histogram = nil
            // Partition the parent's samples, keeping their order on each side.
            let l = HistogramTreeGrower.partition(&partition[parent.start..<parent.stop], scratch: &scratch,
                                                  column: binned.bins[(split.feature * n)..<((split.feature + 1) * n)], split) + parent.start

            var node = nodes[parent.node]
            node.feature = split.feature
            node.bin = split.bin
            let thresholds = binner.thresholds[split.feature]
            node.threshold = split.bin < thresholds.count ? thresholds[split.bin] : .infinity
            node.missingGoLeft = hasMissing[split.feature] ? split.missingGoLeft : split.countLeft > split.countRight
            node.left = nodes.count
            node.right = nodes.count + 1
            nodes[parent.node] = node
            nodes.append(BoostedTree.Node(value: rules.value(split.gradientsLeft, split.hessiansLeft)))
            nodes.append(BoostedTree.Node(value: rules.value(split.gradientsRight, split.hessiansRight)))
            leafCount += 1

            var left = Growing(node: node.left, start: parent.start, stop: l, depth: parent.depth + 1,
                               gradients: split.gradientsLeft, hessians: split.hessiansLeft)
            var right = Growing(node: node.right, start: l, stop: parent.stop, depth: parent.depth + 1,
                                gradients: split.gradientsRight, hessians: split.hessiansRight)
            if let maxLeafNodes, leafCount >= maxLeafNodes {
                leaves += [left, right] + splittable
                splittable = []
                break
            }
            if let maxDepth, left.depth >= maxDepth {
                leaves += [left, right]
                continue
            }
            let splitLeft = left.stop - left.start >= minimum, splitRight = right.stop - right.start >= minimum
            if splitLeft || splitRight, parentHistogram != nil {
                let leftSmaller = left.stop - left.start < right.stop - right.start
                var (small, large) = leftSmaller ? (left, right) : (right, left)
                let canSplitSmall = leftSmaller ? splitLeft : splitRight, canSplitLarge = leftSmaller ? splitRight : splitLeft
                let inputs = HistogramInputs(samples: Array(partition[small.start..<small.stop]), gradients: gradients, hessians: hessians)
                (small.histogram, (small.split, large.split)) = histogramsAndSplits(
                    binned, inputs, derived: &parentHistogram, splitting: (canSplitSmall ? sums(small) : nil, canSplitLarge ? sums(large) : nil),
                    nonMissingBins: nonMissingBins, hasMissing: hasMissing)
                large.histogram = parentHistogram
                (left, right) = leftSmaller ? (small, large) : (large, small)
            }
            for var child in [left, right] {
                if child.split != nil {
                    splittable.append(child)
                } else {
                    child.histogram = nil
                    leaves.append(child)
                }
            }
        }

        var leafValues = [Double](repeating: 0, count: n)
        for leaf in leaves {
            nodes[leaf.node].value *= shrinkage
            nodes[leaf.node].left = -1
            nodes[leaf.node].right = -1
            let value = nodes[leaf.node].value
            for i in leaf.start..<leaf.stop { leafValues[Int(partition[i])] = value }
        }
        return (BoostedTree(nodes: nodes), leafValues)
    }

    /// Builds the histogram of a node from `inputs`, turns `derived` (its parent's, when given)
    /// into its sibling's by subtracting it, and finds the best split of the node and of the
    /// sibling where `splitting` gives their sums (nil: not to be split). One pass over the
    /// features, split across the cores by `WorkerTeam` (whose helpers wait spinning, so even a
    /// small node repays it).
    private func histogramsAndSplits(_ binned: BinnedSamples, _ inputs: HistogramInputs, derived: inout NodeHistogram?,
                                     splitting: (NodeSums?, NodeSums?), nonMissingBins: [Int], hasMissing: [Bool])
        -> (NodeHistogram, (SplitInfo?, SplitInfo?)) {
        let features = binned.columns, rows = binned.rows
        var built = NodeHistogram(unsetFeatures: features)
        var sibling = derived ?? NodeHistogram(features: 0)
        let hasSibling = derived != nil
        derived = nil
        var found = [SplitInfo?](repeating: nil, count: 2 * features)
        let hessiansAreCounts = inputs.hessians == nil, rules = self.rules
        built.bins.withUnsafeMutableBufferPointer { builtBins in
            sibling.bins.withUnsafeMutableBufferPointer { siblingBins in
                found.withUnsafeMutableBufferPointer { found in
                    inputs.withPointers(binned) { inputs in
                        let shared = UncheckedPointer(builtBins), other = UncheckedPointer(siblingBins), out = UncheckedPointer(found)
                        WorkerTeam.shared.forEachChunk(count: features, minimumChunk: 1) { range in
                            for f in range {
                                NodeHistogram.clear(feature: f, of: shared.buffer)
                                inputs.accumulate(feature: f, into: shared.buffer, rows)
                                let mine = UnsafeBufferPointer(NodeHistogram.feature(f, of: shared.buffer))
                                if let node = splitting.0 {
                                    out.buffer[f] = rules.bestSplit(mine, feature: f, nonMissingBins: nonMissingBins[f], hasMissing: hasMissing[f],
                                                                    node: node, hessiansAreCounts: hessiansAreCounts)
                                }
                                guard hasSibling else { continue }
                                let theirs = NodeHistogram.feature(f, of: other.buffer)
                                NodeHistogram.subtract(mine, from: theirs)
                                if let node = splitting.1 {
                                    out.buffer[features + f] = rules.bestSplit(UnsafeBufferPointer(theirs), feature: f, nonMissingBins: nonMissingBins[f],
                                                                                hasMissing: hasMissing[f], node: node, hessiansAreCounts: hessiansAreCounts)
                                }
                            }
                        }
                    }
                }
            }
        }
        if hasSibling { derived = sibling }
        return (built, (SplitInfo.best(found[0..<features]), SplitInfo.best(found[features...])))
    }

    /// Reorders `samples` so that those the split sends left come first, each side in its
    /// original order; returns how many go left.
    private static func partition(_ samples: inout ArraySlice<Int32>, scratch: inout [Int32], column: ArraySlice<UInt8>, _ split: SplitInfo) -> Int {
        let bin = UInt8(clamping: split.bin), missingLeft = split.missingGoLeft
        return samples.withUnsafeMutableBufferPointer { samples in
            scratch.withUnsafeMutableBufferPointer { right in
                column.withUnsafeBufferPointer { column in
                    var l = 0, r = 0
                    for i in 0..<samples.count {
                        let s = samples[i], b = column[Int(s)]
                        if b == FeatureBinner.missingBin ? missingLeft : b <= bin { samples[l] = s; l += 1 } else { right[r] = s; r += 1 }
                    }
                    for i in 0..<r { samples[l + i] = right[i] }
                    return l
                }
            }
        }
    }
}
