/// Feature binning for histogram gradient boosting, as scikit-learn's `_BinMapper`: each
/// feature's non-missing values are cut at ≤ `maxBins − 1` thresholds — the midpoints of its
/// distinct values when it has at most `maxBins` of them, else its quantiles at
/// `linspace(0, 100, maxBins + 1)[1:-1]` (numpy's "averaged_inverted_cdf") — and a value x goes
/// to bin b when thresholds[b − 1] < x ≤ thresholds[b]. NaN goes to the last bin,
/// `missingBin` = 255, whatever the feature.

import KilnTensor

/// The bin thresholds of every feature, learnt from training samples.
public struct FeatureBinner: Sendable {
    /// The bin that holds missing values (NaN), for every feature.
    public static let missingBin: UInt8 = 255
    /// Per feature: increasing thresholds, the upper bound of each bin but the last.
    public let thresholds: [[Double]]
    /// Per feature: the number of bins non-missing values use (thresholds + 1).
    public var nonMissingBins: [Int] { thresholds.map { $0.count + 1 } }

    public init(thresholds: [[Double]]) { self.thresholds = thresholds }

    /// Learns thresholds from `x` with at most `maxBins` (2…255) bins for non-missing values;
    /// quantiles come from `subsample` rows drawn with `generator` when there are more.
    public init(fitting x: Samples, maxBins: Int = 255, subsample: Int = 200_000, generator: inout RandomGenerator) {
        var rows = Array(0..<x.rows)
        if x.rows > subsample {
            rows = (0..<subsample).map { _ in generator.nextInt(below: x.rows) }
        }
        thresholds = (0..<x.columns).map { f in
            FeatureBinner.thresholds(rows.map { x[$0, f] }, maxBins: maxBins)
        }
    }

    /// One feature's thresholds (scikit-learn's `_find_binning_thresholds`).
    static func thresholds(_ column: [Double], maxBins: Int) -> [Double] {
        let sorted = column.filter { !$0.isNaN }.sorted()
        var distinct: [Double] = []
        for v in sorted where distinct.last != v { distinct.append(v) }
        guard distinct.count > 1 else { return [] }
        var result: [Double]
        if distinct.count <= maxBins {
            result = (1..<distinct.count).map { (distinct[$0 - 1] + distinct[$0]) / 2 }
        } else {
            let n = sorted.count
            let step = 100.0 / Double(maxBins)
            result = (1..<maxBins).map { i in
                // numpy: virtual index n·q − 1; a whole index averages its two neighbours.
                let virtual = Double(n) * ((Double(i) * step) / 100) - 1
                let previous = virtual.rounded(.down)
                let lower = Swift.min(Swift.max(Int(previous), 0), n - 1)
                let upper = Swift.min(Swift.max(Int(previous) + 1, 0), n - 1)
                if virtual < 0 { return sorted[0] }
                if virtual >= Double(n - 1) { return sorted[n - 1] }
                let a = sorted[lower], b = sorted[upper]
                return virtual - previous == 0 ? b - (b - a) * 0.5 : b
            }
            var unique: [Double] = []
            for v in result where unique.last != v { unique.append(v) }
            result = unique
        }
        return result.map { Swift.min($0, 1e300) }
    }

    /// The bin of value `v` of feature `feature`.
    @inline(__always)
    public func bin(_ v: Double, feature: Int) -> UInt8 {
        if v.isNaN { return FeatureBinner.missingBin }
        let t = thresholds[feature]
        var low = 0, high = t.count
        while low < high {
            let middle = low + (high - low - 1) / 2
            if v <= t[middle] { high = middle } else { low = middle + 1 }
        }
        return UInt8(truncatingIfNeeded: low)
    }

    /// `x` binned column by column: feature f of sample i at `f · rows + i`.
    public func transform(_ x: Samples) -> BinnedSamples {
        var bins = [UInt8](repeating: 0, count: x.rows * x.columns)
        bins.fillInParallel(count: x.columns, minimumChunk: 1) { features, out in
            for f in features {
                for i in 0..<x.rows { out[f * x.rows + i] = bin(x.values[i * x.columns + f], feature: f) }
            }
        }
        return BinnedSamples(rows: x.rows, columns: x.columns, bins: bins)
    }
}

/// Samples mapped to bins, stored column-major so that a feature's bins are contiguous.
public struct BinnedSamples: Sendable {
    public let rows: Int
    public let columns: Int
    public let bins: [UInt8]

    @inline(__always)
    public subscript(row: Int, column: Int) -> UInt8 { bins[column * rows + row] }

    /// The samples at `indices`, in that order.
    public func rows(_ indices: [Int]) -> BinnedSamples {
        var picked = [UInt8](repeating: 0, count: indices.count * columns)
        for f in 0..<columns {
            for (j, i) in indices.enumerated() { picked[f * indices.count + j] = bins[f * rows + i] }
        }
        return BinnedSamples(rows: indices.count, columns: columns, bins: picked)
    }
}
