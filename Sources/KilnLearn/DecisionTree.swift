/// CART decision trees as scikit-learn's `DecisionTreeClassifier` / `DecisionTreeRegressor`
/// build them inside forests: depth first, each node trying up to `maxFeatures` randomly drawn
/// features (more while every drawn one is constant in the node). The best splitter sorts the
/// node's values of a feature and tries every threshold between distinct neighbours (at their
/// midpoint); the random splitter (extra trees) draws one threshold uniformly between the
/// feature's minimum and maximum in the node. A split maximises the weighted impurity
/// decrease, Gini Σₖ pₖ(1 − pₖ) or the variance of y; a leaf predicts the weighted class
/// fractions or the weighted mean.

import KilnTensor

/// What a tree predicts and how impurity is measured.
public enum TreeTarget: Sendable {
    /// Class indices in 0..<classes, Gini impurity.
    case classes([Int], count: Int)
    /// Numbers, squared error.
    case values([Double])

    var outputs: Int {
        if case .classes(_, let k) = self { return k }
        return 1
    }
}

/// The settings of one tree.
public struct TreeSettings: Sendable {
    public var maxDepth: Int?
    public var minSamplesSplit = 2
    public var minSamplesLeaf = 1
    /// Features tried per node.
    public var maxFeatures = 1
    /// true: extra trees' random thresholds.
    public var randomSplits = false
    public init() {}
}

/// A fitted tree: node i sends x[feature] ≤ threshold left; leaves hold `outputs` numbers.
public struct DecisionTree: Sendable {
    public var feature: [Int] = []
    public var threshold: [Double] = []
    public var left: [Int] = []
    public var right: [Int] = []
    /// `outputs` numbers per node: class fractions or the mean.
    public var value: [Double] = []
    public var outputs = 1
    /// Per feature: the weighted impurity decrease of its splits (unnormalised).
    public var importances: [Double] = []

    /// The leaf that sample `x` falls in.
    @inline(__always)
    public func leaf(_ x: ArraySlice<Double>) -> Int {
        let start = x.startIndex
        var i = 0
        while left[i] >= 0 { i = x[start + feature[i]] <= threshold[i] ? left[i] : right[i] }
        return i
    }

    /// The leaf's outputs for sample `x`.
    public func predict(_ x: ArraySlice<Double>) -> ArraySlice<Double> {
        let i = leaf(x)
        return value[(i * outputs)..<((i + 1) * outputs)]
    }
}

/// Builds a `DecisionTree` on column-major features.
struct DecisionTreeBuilder {
    let columns: [Double]
    let rows: Int
    let features: Int
    let target: TreeTarget
    let settings: TreeSettings

    /// A tree on the samples with positive weight (bootstrap counts, or sample weights).
    func build(weights: [Double], generator: inout RandomGenerator) -> DecisionTree {
        var samples = (0..<rows).filter { weights[$0] > 0 }
        var tree = DecisionTree()
        tree.outputs = target.outputs
        tree.importances = [Double](repeating: 0, count: features)
        let k = target.outputs
        var order = Array(0..<features)
        var pairs: [(Double, Int)] = []
        pairs.reserveCapacity(samples.count)
        let totalWeight = samples.reduce(0.0) { $0 + weights[$1] }

        // Node statistics: weighted class counts (or weighted sum, sum of squares).
        func stats(_ range: Range<Int>) -> [Double] {
            var s = [Double](repeating: 0, count: k + 2)
            for j in range {
                let i = samples[j], w = weights[i]
                switch target {
                case .classes(let y, _): s[y[i]] += w
                case .values(let y): s[0] += w * y[i]; s[1] += w * y[i] * y[i]
                }
                s[k + 1] += w
            }
            return s
        }
        func impurity(_ s: [Double]) -> Double {
            let w = s[k + 1]
            guard w > 0 else { return 0 }
            switch target {
            case .classes: return 1 - (0..<k).reduce(0.0) { $0 + (s[$1] / w) * (s[$1] / w) }
            case .values: return s[1] / w - (s[0] / w) * (s[0] / w)
            }
        }

        struct Pending { var node: Int; var range: Range<Int>; var depth: Int }
        var stack: [Pending] = []
        func addNode(_ range: Range<Int>, depth: Int) {
            let node = tree.left.count
            tree.feature.append(-1); tree.threshold.append(0); tree.left.append(-1); tree.right.append(-1)
            let s = stats(range)
            let w = s[k + 1]
            switch target {
            case .classes: tree.value += (0..<k).map { w > 0 ? s[$0] / w : 0 }
            case .values: tree.value.append(w > 0 ? s[0] / w : 0)
            }
            stack.append(Pending(node: node, range: range, depth: depth))
        }
        addNode(0..<samples.count, depth: 0)

        var sums = [Double](repeating: 0, count: k)
        while let pending = stack.popLast() {
            let range = pending.range, count = range.count
            let s = stats(range)
            let nodeImpurity = impurity(s), nodeWeight = s[k + 1]
            if count < settings.minSamplesSplit || count < 2 * settings.minSamplesLeaf || nodeImpurity <= 1e-7
                || (settings.maxDepth.map { pending.depth >= $0 } ?? false) { continue }

            var bestProxy = -Double.infinity, bestFeature = -1, bestThreshold = 0.0
            var visited = 0, constants = 0, drawn = 0
            while drawn < features && (visited < settings.maxFeatures || visited <= constants) {
                let pick = drawn + generator.nextInt(below: features - drawn)
                order.swapAt(drawn, pick)
                let f = order[drawn]
                drawn += 1
                visited += 1
                let base = f * rows
                pairs.removeAll(keepingCapacity: true)
                for j in range { let i = samples[j]; pairs.append((columns[base + i], i)) }
                var lowest = Double.infinity, highest = -Double.infinity
                for p in pairs { lowest = Swift.min(lowest, p.0); highest = Swift.max(highest, p.0) }
                if highest <= lowest + 1e-7 { constants += 1; continue }

                if settings.randomSplits {
                    var t = lowest + (highest - lowest) * generator.nextDouble()
                    if t == highest { t = lowest }
                    for c in 0..<k { sums[c] = 0 }
                    var wl = 0.0, nl = 0
                    for p in pairs where p.0 <= t {
                        let w = weights[p.1]
                        nl += 1; wl += w
                        switch target {
                        case .classes(let y, _): sums[y[p.1]] += w
                        case .values(let y): sums[0] += w * y[p.1]
                        }
                    }
                    if nl < settings.minSamplesLeaf || count - nl < settings.minSamplesLeaf { continue }
                    let proxy = self.proxy(sums, s, wl, nodeWeight)
                    if proxy > bestProxy { bestProxy = proxy; bestFeature = f; bestThreshold = t }
                    continue
                }

                pairs.sort { $0.0 < $1.0 }
                for c in 0..<k { sums[c] = 0 }
                var wl = 0.0
                for p in 1..<count {
                    let i = pairs[p - 1].1, w = weights[i]
                    wl += w
                    switch target {
                    case .classes(let y, _): sums[y[i]] += w
                    case .values(let y): sums[0] += w * y[i]
                    }
                    if pairs[p].0 <= pairs[p - 1].0 + 1e-7 { continue }
                    if p < settings.minSamplesLeaf { continue }
                    if count - p < settings.minSamplesLeaf { break }
                    let proxy = self.proxy(sums, s, wl, nodeWeight)
                    if proxy > bestProxy {
                        bestProxy = proxy; bestFeature = f
                        let a = pairs[p - 1].0, b = pairs[p].0
                        var t = a / 2 + b / 2
                        if t == b || !t.isFinite { t = a }
                        bestThreshold = t
                    }
                }
            }
            guard bestFeature >= 0 else { continue }

            // Partition the node's samples.
            var l = range.lowerBound, r = range.upperBound - 1
            let base = bestFeature * rows
            while l <= r {
                if columns[base + samples[l]] <= bestThreshold { l += 1 } else { samples.swapAt(l, r); r -= 1 }
            }
            let leftRange = range.lowerBound..<l, rightRange = l..<range.upperBound
            let ls = stats(leftRange), rs = stats(rightRange)
            tree.importances[bestFeature] += nodeWeight * nodeImpurity - ls[k + 1] * impurity(ls) - rs[k + 1] * impurity(rs)
            tree.feature[pending.node] = bestFeature
            tree.threshold[pending.node] = bestThreshold
            tree.left[pending.node] = tree.left.count
            addNode(leftRange, depth: pending.depth + 1)
            tree.right[pending.node] = tree.left.count
            addNode(rightRange, depth: pending.depth + 1)
            // Depth first, left child first, as scikit-learn's stack.
            if let last = stack.popLast(), let before = stack.popLast() { stack += [last, before] }
        }
        let total = tree.importances.reduce(0, +)
        if total > 0, totalWeight > 0 { tree.importances = tree.importances.map { $0 / total } }
        return tree
    }

    /// The impurity improvement proxy of a split whose left side has class weights (or the
    /// weighted sum) `left` and weight `wl`: Σ left²/wl + Σ right²/wr.
    @inline(__always)
    func proxy(_ left: [Double], _ node: [Double], _ wl: Double, _ w: Double) -> Double {
        let wr = w - wl
        guard wl > 0, wr > 0 else { return -Double.infinity }
        var l = 0.0, r = 0.0
        for c in 0..<left.count {
            l += left[c] * left[c]
            let rc = node[c] - left[c]
            r += rc * rc
        }
        return l / wl + r / wr
    }
}
