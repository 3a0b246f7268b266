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

    /// The histogram of `samples` (all of them when nil), one feature per task, on all cores.
    /// `hessians` nil means every hessian is 1 and only counts are kept.
    public init(binned: BinnedSamples, samples: [Int32]?, gradients: [Double], hessians: [Double]?) {
        self.init(features: binned.columns)
        let n = samples?.count ?? binned.rows
        // Gathered once so that each feature's pass reads them contiguously.
        var ordered = gradients, orderedH = hessians ?? []
        if let samples {
            ordered = samples.map { gradients[Int($0)] }
            if let hessians { orderedH = samples.map { hessians[Int($0)] } }
        }
        let width = NodeHistogram.binsPerFeature, rows = binned.rows
        bins.withUnsafeMutableBufferPointer { out in
            let out = UncheckedPointer(out)
            binned.bins.withUnsafeBufferPointer { columns in
                ordered.withUnsafeBufferPointer { g in
                    orderedH.withUnsafeBufferPointer { h in
                        guard let histograms = out.buffer.baseAddress, let all = columns.baseAddress else { return }
                        Parallel.forEachChunk(count: binned.columns, minimumChunk: 1) { features in
                            for f in features {
                                NodeHistogram.accumulate(histograms + f * width, all + f * rows, samples, n, g, hessians == nil ? nil : h)
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func accumulate(_ hist: UnsafeMutablePointer<HistogramBin>, _ column: UnsafePointer<UInt8>, _ samples: [Int32]?,
                                   _ n: Int, _ g: UnsafeBufferPointer<Double>, _ h: UnsafeBufferPointer<Double>?) {
        if let samples {
            samples.withUnsafeBufferPointer { s in
                if let h {
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
            }
        } else if let h {
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

    /// The histogram of a parent's other child: parent − sibling, bin by bin.
    public func subtracting(_ sibling: NodeHistogram) -> NodeHistogram {
        var result = self
        for i in 0..<bins.count {
            result.bins[i].gradients -= sibling.bins[i].gradients
            result.bins[i].hessians -= sibling.bins[i].hessians
            result.bins[i].count -= sibling.bins[i].count
        }
        return result
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

    /// The best split of a node with these sums, searched over every feature in parallel;
    /// nil when no split has positive gain. `hessiansAreCounts`: every hessian is 1, so a
    /// bin's hessian sum is its count.
    public func bestSplit(_ histogram: NodeHistogram, nonMissingBins: [Int], hasMissing: [Bool],
                          gradients: Double, hessians: Double, count: Int, hessiansAreCounts: Bool) -> SplitInfo? {
        let features = nonMissingBins.count
        var best = [SplitInfo?](repeating: nil, count: features)
        best.fillInParallel(count: features, minimumChunk: 4) { range, out in
            for f in range {
                out[f] = bestSplit(histogram, feature: f, nonMissingBins: nonMissingBins[f], hasMissing: hasMissing[f],
                                   gradients: gradients, hessians: hessians, count: count, hessiansAreCounts: hessiansAreCounts)
            }
        }
        var result: SplitInfo?
        for case let split? in best where split.gain > (result?.gain ?? -1) { result = split }
        return result
    }

    /// The best split on one feature.
    func bestSplit(_ histogram: NodeHistogram, feature: Int, nonMissingBins: Int, hasMissing: Bool,
                   gradients: Double, hessians: Double, count: Int, hessiansAreCounts: Bool) -> SplitInfo? {
        let base = feature * NodeHistogram.binsPerFeature
        let current = loss(gradients, hessians)
        var best: SplitInfo?
        func consider(_ gl: Double, _ hl: Double, _ nl: Int, bin: Int, missingGoLeft: Bool) -> Bool {
            let nr = count - nl, hr = hessians - hl, gr = gradients - gl
            if nl < minSamplesLeaf || hl < minHessianToSplit { return true }
            if nr < minSamplesLeaf || hr < minHessianToSplit { return false }
            let gain = current - loss(gl, hl) - loss(gr, hr)
            if gain > (best?.gain ?? -1), gain > minGainToSplit {
                best = SplitInfo(gain: gain, feature: feature, bin: bin, missingGoLeft: missingGoLeft, gradientsLeft: gl, hessiansLeft: hl,
                                 countLeft: nl, gradientsRight: gr, hessiansRight: hr, countRight: nr)
            }
            return true
        }
        histogram.bins.withUnsafeBufferPointer { bins in
            // Left to right: missing values (if any) go right.
            var gl = 0.0, hl = 0.0, nl = 0
            for b in 0..<(nonMissingBins - 1 + (hasMissing ? 1 : 0)) {
                let bin = bins[base + b]
                nl += bin.count; gl += bin.gradients; hl += hessiansAreCounts ? Double(bin.count) : bin.hessians
                if !consider(gl, hl, nl, bin: b, missingGoLeft: false) { break }
            }
            guard hasMissing else { return }
            // Right to left: missing values go left.
            var gr = 0.0, hr = 0.0, nr = 0
            for b in stride(from: nonMissingBins - 2, through: 0, by: -1) {
                let bin = bins[base + b + 1]
                nr += bin.count; gr += bin.gradients; hr += hessiansAreCounts ? Double(bin.count) : bin.hessians
                let nl = count - nr
                if nr < minSamplesLeaf || hr < minHessianToSplit { continue }
                if nl < minSamplesLeaf || hessians - hr < minHessianToSplit { break }
                _ = consider(gradients - gr, hessians - hr, nl, bin: b, missingGoLeft: true)
            }
        }
        return best
    }
}
