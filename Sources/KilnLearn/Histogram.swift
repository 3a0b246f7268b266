/// Gradient/hessian histograms and the best split they allow, as scikit-learn's
/// `HistogramBuilder` and `Splitter`. A node's histogram holds, per feature and bin, the sums
/// of the gradients g and hessians h of its samples and their count. A split at bin b sends
/// bins ≤ b left; its gain is G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), and the node's value
/// is −G/(H+λ). Features with missing values are also scanned right to left, sending the
/// missing bin left; the better direction wins.

import KilnTensor

/// One bin's sums.
public struct HistogramBin: Equatable, Sendable {
    public var gradients: Double = 0
    public var hessians: Double = 0
    public var count: Int = 0
}

/// The histograms of one node: `features × binsPerFeature` bins.
public struct NodeHistogram: Sendable {
    public static let binsPerFeature = 256
    public var bins: [HistogramBin]

    public init(features: Int) {
        bins = [HistogramBin](repeating: HistogramBin(), count: features * NodeHistogram.binsPerFeature)
    }

    /// A histogram whose bins the caller sets, feature by feature (`clear(feature:of:)`),
    /// before anything reads them: zeroing is left to the threads that fill each feature.
    init(unsetFeatures features: Int) {
        bins = [HistogramBin](unsafeUninitializedCapacity: features * NodeHistogram.binsPerFeature) { _, count in
            count = features * NodeHistogram.binsPerFeature
        }
    }

    /// Sets feature `f`'s bins of a histogram's storage to zero.
    @inline(__always)
    static func clear(feature f: Int, of bins: UnsafeMutableBufferPointer<HistogramBin>) {
        feature(f, of: bins).initialize(repeating: HistogramBin())
    }

    /// The histogram of `samples` (all of them when nil). `hessians` nil means every hessian
    /// is 1 and only counts are kept.
    public init(binned: BinnedSamples, samples: [Int32]?, gradients: [Double], hessians: [Double]?) {
        self.init(features: binned.columns)
        let gathered = HistogramInputs(samples: samples, gradients: gradients, hessians: hessians)
        bins.withUnsafeMutableBufferPointer { out in
            gathered.withPointers(binned) { inputs in
                for f in 0..<binned.columns { inputs.accumulate(feature: f, into: out, binned.rows) }
            }
        }
    }

    /// The bins of feature `f` in a histogram's storage.
    @inline(__always)
    static func feature(_ f: Int, of bins: UnsafeMutableBufferPointer<HistogramBin>) -> UnsafeMutableBufferPointer<HistogramBin> {
        UnsafeMutableBufferPointer(rebasing: bins[(f * binsPerFeature)..<((f + 1) * binsPerFeature)])
    }

    /// The bins of feature `f`, read only.
    @inline(__always)
    static func feature(_ f: Int, of bins: UnsafeBufferPointer<HistogramBin>) -> UnsafeBufferPointer<HistogramBin> {
        UnsafeBufferPointer(rebasing: bins[(f * binsPerFeature)..<((f + 1) * binsPerFeature)])
    }

    /// The histogram of a parent's other child: parent − sibling, bin by bin.
    public func subtracting(_ sibling: NodeHistogram) -> NodeHistogram {
        var result = self
        result.bins.withUnsafeMutableBufferPointer { bins in
            sibling.bins.withUnsafeBufferPointer { other in NodeHistogram.subtract(other, from: bins) }
        }
        return result
    }

    /// `bins` − `other`, bin by bin, in place.
    @inline(__always)
    static func subtract(_ other: UnsafeBufferPointer<HistogramBin>, from bins: UnsafeMutableBufferPointer<HistogramBin>) {
        for i in 0..<Swift.min(bins.count, other.count) {
            bins[i].gradients -= other[i].gradients
            bins[i].hessians -= other[i].hessians
            bins[i].count -= other[i].count
        }
    }
}

/// What a node's histogram is built from: its samples (nil: all) with their gradients and
/// hessians gathered in that order, so each feature's pass reads them contiguously.
struct HistogramInputs {
    let samples: [Int32]?
    let gradients: [Double]
    let hessians: [Double]?

    init(samples: [Int32]?, gradients: [Double], hessians: [Double]?) {
        self.samples = samples
        self.gradients = samples.map { s in s.map { gradients[Int($0)] } } ?? gradients
        self.hessians = hessians.map { h in samples.map { s in s.map { h[Int($0)] } } ?? h }
    }

    /// Runs `body` with the inputs and `binned`'s columns as pointers.
    func withPointers<R>(_ binned: BinnedSamples, _ body: (Pointers) -> R) -> R {
        binned.bins.withUnsafeBufferPointer { columns in
            (samples ?? []).withUnsafeBufferPointer { s in
                gradients.withUnsafeBufferPointer { g in
                    (hessians ?? []).withUnsafeBufferPointer { h in
                        body(Pointers(columns: columns, samples: samples == nil ? nil : s, gradients: g, hessians: hessians == nil ? nil : h))
                    }
                }
            }
        }
    }

    /// The inputs as pointers, for loops on several cores.
    struct Pointers: @unchecked Sendable {
        let columns: UnsafeBufferPointer<UInt8>
        let samples: UnsafeBufferPointer<Int32>?
        let gradients: UnsafeBufferPointer<Double>
        let hessians: UnsafeBufferPointer<Double>?

        /// Adds feature `f` of every sample into that feature's bins of `histogram`
        /// (`rows`: the binned column length).
        @inline(__always)
        func accumulate(feature f: Int, into histogram: UnsafeMutableBufferPointer<HistogramBin>, _ rows: Int) {
            let hist = NodeHistogram.feature(f, of: histogram)
            let column = UnsafeBufferPointer(rebasing: columns[(f * rows)..<((f + 1) * rows)])
            let g = gradients, n = g.count
            if let s = samples {
                if let h = hessians {
                    for i in 0..<n {
                        let b = Int(column[Int(s[i])])
                        hist[b].gradients += g[i]; hist[b].hessians += h[i]; hist[b].count += 1
                    }
                } else {
                    for i in 0..<n {
                        let b = Int(column[Int(s[i])])
                        hist[b].gradients += g[i]; hist[b].count += 1
                    }
                }
            } else if let h = hessians {
                for i in 0..<n {
                    let b = Int(column[i])
                    hist[b].gradients += g[i]; hist[b].hessians += h[i]; hist[b].count += 1
                }
            } else {
                for i in 0..<n {
                    let b = Int(column[i])
                    hist[b].gradients += g[i]; hist[b].count += 1
                }
            }
        }
    }
}

/// The best split of a node.
public struct SplitInfo: Equatable, Sendable {
    public var gain: Double = -1
    public var feature = 0
    /// Bins ≤ `bin` go left.
    public var bin = 0
    public var missingGoLeft = false
    public var gradientsLeft = 0.0, hessiansLeft = 0.0, countLeft = 0
    public var gradientsRight = 0.0, hessiansRight = 0.0, countRight = 0

    /// The split of largest gain among `splits`, the first of equals (nil when none).
    static func best(_ splits: some Sequence<SplitInfo?>) -> SplitInfo? {
        var result: SplitInfo?
        for case let split? in splits where split.gain > (result?.gain ?? -1) { result = split }
        return result
    }
}

/// A node's sums: gradients, hessians, samples.
public struct NodeSums: Sendable {
    public var gradients: Double, hessians: Double, count: Int
}

/// What a split must respect.
public struct SplitRules: Sendable {
    public var minSamplesLeaf = 20
    public var minHessianToSplit = 1e-3
    public var l2Regularization = 0.0
    public var minGainToSplit = 0.0

    public init(minSamplesLeaf: Int = 20, l2Regularization: Double = 0) {
        self.minSamplesLeaf = minSamplesLeaf
        self.l2Regularization = l2Regularization
    }

    /// −G/(H+λ): the node value that minimises the second-order loss.
    @inline(__always)
    public func value(_ gradients: Double, _ hessians: Double) -> Double { -gradients / (hessians + l2Regularization) }

    /// G·value = −G²/(H+λ): the node's loss at that value (up to a constant and a factor ½).
    @inline(__always)
    func loss(_ gradients: Double, _ hessians: Double) -> Double { gradients * value(gradients, hessians) }

    /// The best split of a node with these sums, over every feature; nil when no split has
    /// positive gain. `hessiansAreCounts`: every hessian is 1, so a bin's hessian sum is its
    /// count.
    public func bestSplit(_ histogram: NodeHistogram, nonMissingBins: [Int], hasMissing: [Bool],
                          gradients: Double, hessians: Double, count: Int, hessiansAreCounts: Bool) -> SplitInfo? {
        let node = NodeSums(gradients: gradients, hessians: hessians, count: count)
        return histogram.bins.withUnsafeBufferPointer { bins in
            SplitInfo.best(nonMissingBins.indices.map { f in
                bestSplit(NodeHistogram.feature(f, of: bins), feature: f, nonMissingBins: nonMissingBins[f], hasMissing: hasMissing[f], node: node, hessiansAreCounts: hessiansAreCounts)
            })
        }
    }

    /// The gain of sending (gl, hl, nl) left and the rest right, or −∞ when the right side is
    /// too small (the left side is checked by the caller, whose scan direction decides).
    @inline(__always)
    private func gain(_ gl: Double, _ hl: Double, _ nl: Int, _ gradients: Double, _ hessians: Double, _ count: Int, _ current: Double) -> Double {
        let nr = count - nl, hr = hessians - hl, gr = gradients - gl
        if nr < minSamplesLeaf || hr < minHessianToSplit { return -.infinity }
        return current - loss(gl, hl) - loss(gr, hr)
    }

    /// The best split on one feature, from its bins.
    func bestSplit(_ bins: UnsafeBufferPointer<HistogramBin>, feature: Int, nonMissingBins: Int, hasMissing: Bool,
                   node: NodeSums, hessiansAreCounts: Bool) -> SplitInfo? {
        let (gradients, hessians, count) = (node.gradients, node.hessians, node.count)
        let current = loss(gradients, hessians)
        var bestGain = Swift.max(-1, minGainToSplit), bestBin = -1, bestMissingLeft = false
        var best = (g: 0.0, h: 0.0, n: 0)
        do {
            // Left to right: missing values (if any) go right.
            var gl = 0.0, hl = 0.0, nl = 0
            for b in 0..<(nonMissingBins - 1 + (hasMissing ? 1 : 0)) {
                let bin = bins[b]
                // An empty bin splits the samples as the bin before it did.
                if bin.count == 0 { continue }
                nl += bin.count; gl += bin.gradients; hl += hessiansAreCounts ? Double(bin.count) : bin.hessians
                if nl < minSamplesLeaf || hl < minHessianToSplit { continue }
                let gain = self.gain(gl, hl, nl, gradients, hessians, count, current)
                if gain == -.infinity { break }
                if gain > bestGain { (bestGain, bestBin, bestMissingLeft, best) = (gain, b, false, (gl, hl, nl)) }
            }
        }
        if hasMissing {
            // Right to left: missing values go left.
            var gr = 0.0, hr = 0.0, nr = 0
            for b in stride(from: nonMissingBins - 2, through: 0, by: -1) {
                let bin = bins[b + 1]
                if bin.count == 0 { continue }
                nr += bin.count; gr += bin.gradients; hr += hessiansAreCounts ? Double(bin.count) : bin.hessians
                let nl = count - nr
                if nr < minSamplesLeaf || hr < minHessianToSplit { continue }
                if nl < minSamplesLeaf || hessians - hr < minHessianToSplit { break }
                let gl = gradients - gr, hl = hessians - hr
                let gain = self.gain(gl, hl, nl, gradients, hessians, count, current)
                if gain > bestGain { (bestGain, bestBin, bestMissingLeft, best) = (gain, b, true, (gl, hl, nl)) }
            }
        }
        guard bestBin >= 0 else { return nil }
        return SplitInfo(gain: bestGain, feature: feature, bin: bestBin, missingGoLeft: bestMissingLeft,
                         gradientsLeft: best.g, hessiansLeft: best.h, countLeft: best.n,
                         gradientsRight: gradients - best.g, hessiansRight: hessians - best.h, countRight: count - best.n)
    }
}
