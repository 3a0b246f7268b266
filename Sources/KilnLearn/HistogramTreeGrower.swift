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

        func findSplit(_ g: inout Growing) -> Bool {
            guard let histogram = g.histogram else { return false }
            g.split = rules.bestSplit(histogram, nonMissingBins: nonMissingBins, hasMissing: hasMissing, gradients: g.gradients,
                                      hessians: g.hessians, count: g.stop - g.start, hessiansAreCounts: hessians == nil)
            return g.split != nil
        }
        if n >= 2 * rules.minSamplesLeaf, sumH >= rules.minHessianToSplit {
            root.histogram = NodeHistogram(binned: binned, samples: nil, gradients: gradients, hessians: hessians)
            if findSplit(&root) { splittable.append(root) } else { leaves.append(root) }
        } else {
            leaves.append(root)
        }

        while !splittable.isEmpty {
            var pick = 0
            for i in 1..<splittable.count where (splittable[i].split?.gain ?? 0) > (splittable[pick].split?.gain ?? 0) { pick = i }
            let parent = splittable.remove(at: pick)
            guard let split = parent.split else { leaves.append(parent); continue }
            // Partition the parent's samples, keeping their order on each side.
            var l = parent.start, r = 0
            let column = split.feature * n
            for i in parent.start..<parent.stop {
                let s = partition[i], b = binned.bins[column + Int(s)]
                let goLeft = b == FeatureBinner.missingBin ? split.missingGoLeft : Int(b) <= split.bin
                if goLeft { partition[l] = s; l += 1 } else { scratch[r] = s; r += 1 }
            }
            for i in 0..<r { partition[l + i] = scratch[i] }

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
            let splitLeft = left.stop - left.start >= 2 * rules.minSamplesLeaf
            let splitRight = right.stop - right.start >= 2 * rules.minSamplesLeaf
            if splitLeft || splitRight, let parentHistogram = parent.histogram {
                let leftSmaller = left.stop - left.start < right.stop - right.start
                let small = leftSmaller ? left : right
                let smallHistogram = NodeHistogram(binned: binned, samples: Array(partition[small.start..<small.stop]),
                                                   gradients: gradients, hessians: hessians)
                let largeHistogram = parentHistogram.subtracting(smallHistogram)
                left.histogram = leftSmaller ? smallHistogram : largeHistogram
                right.histogram = leftSmaller ? largeHistogram : smallHistogram
            }
            for var child in [left, right] {
                if child.stop - child.start >= 2 * rules.minSamplesLeaf, findSplit(&child) {
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
}
