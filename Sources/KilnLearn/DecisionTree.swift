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
    /// Per feature, each sample's rank among the feature's distinct values (column-major).
    let ranks: [UInt32]
    /// Per feature: the bits its largest rank needs.
    let rankBits: [Int]
    let rows: Int
    let features: Int
    /// What the next tree fits (gradient boosting changes it every tree, keeping the ranks).
    var target: TreeTarget
    let settings: TreeSettings

    /// `columns` with ranks computed once for every tree.
    init(columns: [Double], rows: Int, features: Int, target: TreeTarget, settings: TreeSettings) {
        self.columns = columns
        self.rows = rows
        self.features = features
        self.target = target
        self.settings = settings
        var ranks = [UInt32](repeating: 0, count: columns.count)
        ranks.fillInParallel(count: features, minimumChunk: 1) { range, out in
            for f in range {
                let order = (0..<rows).sorted { columns[f * rows + $0] < columns[f * rows + $1] }
                var rank: UInt32 = 0
                for (j, i) in order.enumerated() {
                    if j > 0, columns[f * rows + i] > columns[f * rows + order[j - 1]] { rank += 1 }
                    out[f * rows + i] = rank
                }
            }
        }
        self.ranks = ranks
        rankBits = (0..<features).map { f in
            let top = (0..<rows).reduce(UInt32(0)) { Swift.max($0, ranks[f * rows + $1]) }
            return UInt32.bitWidth - top.leadingZeroBitCount
        }
    }

    /// A tree on the samples with positive weight (bootstrap counts, or sample weights).
    func build(weights: [Double], generator: inout RandomGenerator) -> DecisionTree {
        var samples = (0..<rows).filter { weights[$0] > 0 }
        var tree = DecisionTree()
        tree.outputs = target.outputs
        tree.importances = [Double](repeating: 0, count: features)
        let k = target.outputs
        var order = Array(0..<features)
        var keys: [UInt64] = [], scratch: [UInt64] = [], sorted: [Double] = []
        keys.reserveCapacity(samples.count)
        sorted.reserveCapacity(samples.count)
        let totalWeight = samples.reduce(0.0) { $0 + weights[$1] }
        // Sample i adds `amount[i]` to sum `slot[i]`: its weight to its class, or w·y to the one sum.
        let slot: [Int], amount: [Double], squares: [Double]
        switch target {
        case .classes(let y, _): (slot, amount, squares) = (y, weights, [])
        case .values(let y):
            slot = [Int](repeating: 0, count: rows)
            amount = (0..<rows).map { weights[$0] * y[$0] }
            squares = (0..<rows).map { weights[$0] * y[$0] * y[$0] }
        }

        // Node statistics: the k sums, the weighted sum of squares (regression), the weight.
        func stats(_ range: Range<Int>) -> [Double] {
            var s = [Double](repeating: 0, count: k + 2)
            for j in range {
                let i = samples[j]
                s[slot[i]] += amount[i]
                if !squares.isEmpty { s[k] += squares[i] }
                s[k + 1] += weights[i]
            }
            return s
        }
        func impurity(_ s: [Double]) -> Double {
            let w = s[k + 1]
            guard w > 0 else { return 0 }
            switch target {
            case .classes: return 1 - (0..<k).reduce(0.0) { $0 + (s[$1] / w) * (s[$1] / w) }
            case .values: return s[k] / w - (s[0] / w) * (s[0] / w)
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
                if settings.randomSplits {
                    var lowest = Double.infinity, highest = -Double.infinity
                    for j in range { let v = columns[base + samples[j]]; lowest = Swift.min(lowest, v); highest = Swift.max(highest, v) }
                    if highest <= lowest + 1e-7 { constants += 1; continue }
                    var t = lowest + (highest - lowest) * generator.nextDouble()
                    if t == highest { t = lowest }
                    for c in 0..<k { sums[c] = 0 }
                    var wl = 0.0, nl = 0
                    for j in range where columns[base + samples[j]] <= t {
                        let i = samples[j]
                        nl += 1; wl += weights[i]
                        sums[slot[i]] += amount[i]
                    }
                    if nl < settings.minSamplesLeaf || count - nl < settings.minSamplesLeaf { continue }
                    let proxy = self.proxy(sums, s, wl, nodeWeight)
                    if proxy > bestProxy { bestProxy = proxy; bestFeature = f; bestThreshold = t }
                    continue
                }

                // Sort by the feature's precomputed rank (ties share one), sample index in the low bits.
                keys.removeAll(keepingCapacity: true)
                for j in range { let i = samples[j]; keys.append(UInt64(ranks[base + i]) << 32 | UInt64(i)) }
                RankSort.sort(&keys, scratch: &scratch, rankBits: rankBits[f])
                sorted.removeAll(keepingCapacity: true)
                for key in keys { sorted.append(columns[base + Int(key & 0xffff_ffff)]) }
                guard let lowest = sorted.first, let highest = sorted.last, highest > lowest + 1e-7 else { constants += 1; continue }
                let found = scan(keys, sorted, slot: slot, amount: amount, weights: weights, node: s, nodeWeight: nodeWeight, sums: &sums)
                if let found, found.proxy > bestProxy {
                    bestProxy = found.proxy; bestFeature = f; bestThreshold = found.threshold
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

    /// The best split position along one sorted feature: its improvement proxy and threshold.
    func scan(_ keys: [UInt64], _ sorted: [Double], slot: [Int], amount: [Double], weights: [Double],
              node: [Double], nodeWeight: Double, sums: inout [Double]) -> (proxy: Double, threshold: Double)? {
        let k = sums.count, count = keys.count, minLeaf = settings.minSamplesLeaf
        var best: (proxy: Double, threshold: Double)?
        for c in 0..<k { sums[c] = 0 }
        keys.withUnsafeBufferPointer { keys in
        sorted.withUnsafeBufferPointer { sorted in
        slot.withUnsafeBufferPointer { slot in
        amount.withUnsafeBufferPointer { amount in
        weights.withUnsafeBufferPointer { weights in
        node.withUnsafeBufferPointer { node in
        sums.withUnsafeMutableBufferPointer { sums in
            var wl = 0.0
            for p in 1..<count {
                let i = Int(keys[p - 1] & 0xffff_ffff)
                wl += weights[i]
                sums[slot[i]] += amount[i]
                if sorted[p] <= sorted[p - 1] + 1e-7 || p < minLeaf { continue }
                if count - p < minLeaf { break }
                let wr = nodeWeight - wl
                guard wl > 0, wr > 0 else { continue }
                var l = 0.0, r = 0.0
                for c in 0..<k {
                    l += sums[c] * sums[c]
                    let rc = node[c] - sums[c]
                    r += rc * rc
                }
                let proxy = l / wl + r / wr
                if proxy > (best?.proxy ?? -Double.infinity) {
                    let a = sorted[p - 1], b = sorted[p]
                    var t = a / 2 + b / 2
                    if t == b || !t.isFinite { t = a }
                    best = (proxy, t)
                }
            }
        }}}}}}}
        return best
    }

    /// The impurity improvement proxy of a split whose left side has class weights (or the
    /// weighted sum) `left` and weight `wl`: Σ left²/wl + Σ right²/wr.
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

/// Sorts keys whose high 32 bits are a rank below 2^rankBits: least-significant-digit radix
/// sort on the rank's bytes for large inputs, the standard sort for small ones.
enum RankSort {
    static func sort(_ keys: inout [UInt64], scratch: inout [UInt64], rankBits: Int) {
        let n = keys.count
        guard n > 256 else { keys.sort(); return }
        if scratch.count < n { scratch = [UInt64](repeating: 0, count: n) }
        var shift = 32
        var counts = [Int](repeating: 0, count: 257)
        while shift < 32 + rankBits {
            for c in 0..<257 { counts[c] = 0 }
            keys.withUnsafeBufferPointer { source in
                scratch.withUnsafeMutableBufferPointer { target in
                    counts.withUnsafeMutableBufferPointer { counts in
                        for key in source { counts[Int((key >> UInt64(shift)) & 0xff) + 1] += 1 }
                        for c in 1..<257 { counts[c] += counts[c - 1] }
                        for key in source {
                            let d = Int((key >> UInt64(shift)) & 0xff)
                            target[counts[d]] = key
                            counts[d] += 1
                        }
                    }
                }
            }
            for i in 0..<n { keys[i] = scratch[i] }
            shift += 8
        }
    }
}
