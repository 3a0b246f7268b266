/// Reductions: sum, mean, max, min and (biased) variance along axes or over every element,
/// argmax/argmin along one axis, and summing a broadcast result back to an operand's shape.
/// Reduced axes that are adjacent are read as one `[outer, reduced, inner]` view in place;
/// others are first transposed to the end. Sums accumulate in Float within blocks of rows
/// and in Double across blocks, so long reductions keep their precision.

/// How elements combine in a reduction.
protocol ReductionOperator {
    static var identity: Float { get }
    static func combine(_ a: Float, _ b: Float) -> Float
    /// `combine` lane by lane, eight elements at a time.
    static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    /// Folds one block's result into the running total.
    static func accumulate(_ total: Double, _ block: Float) -> Double
}

enum SumReduction: ReductionOperator {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    @inline(__always) static func accumulate(_ total: Double, _ block: Float) -> Double { total + Double(block) }
}

/// The largest element; NaN if any element is NaN (numpy's `max`).
enum MaxReduction: ReductionOperator {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a || b.isNaN ? b : a }
    @inline(__always) static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: (b .> a) .| (b .!= b))
    }
    @inline(__always) static func accumulate(_ total: Double, _ block: Float) -> Double {
        Double(block) > total || block.isNaN ? Double(block) : total
    }
}

/// The smallest element; NaN if any element is NaN (numpy's `min`).
enum MinReduction: ReductionOperator {
    static var identity: Float { .infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b < a || b.isNaN ? b : a }
    @inline(__always) static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: (b .< a) .| (b .!= b))
    }
    @inline(__always) static func accumulate(_ total: Double, _ block: Float) -> Double {
        Double(block) < total || block.isNaN ? Double(block) : total
    }
}

/// Rows combined in Float before they are folded into the Double total.
private let reductionBlock = 256

extension Tensor {
    /// `axis` as an index in `0..<rank` (negative counts from the end, as in numpy); throws
    /// numpy's `axis 2 is out of bounds for array of dimension 2` otherwise.
    public static func normalizedAxis(_ axis: Int, rank: Int) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else {
            throw ShapeError("axis \(axis) is out of bounds for array of dimension \(rank)")
        }
        return a
    }

    /// `axes` normalised and sorted; throws for an axis out of range or repeated.
    public static func normalizedAxes(_ axes: [Int], rank: Int) throws -> [Int] {
        let result = try axes.map { try normalizedAxis($0, rank: rank) }.sorted()
        for i in result.indices.dropFirst() where result[i] == result[i - 1] {
            throw ShapeError("repeated axis \(result[i]) in axes \(axes)")
        }
        return result
    }

    /// The sum along `axes` (negative axes count from the end). The reduced axes are removed,
    /// or kept with size 1 when `keepDims`. An empty `axes` reduces nothing.
    public func sum(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        try reduce(axes: axes, keepDims: keepDims, SumReduction.self)
    }

    /// The mean along `axes` (sum divided by the number of elements reduced; NaN over none).
    public func mean(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        let axes = try Tensor.normalizedAxes(axes, rank: rank)
        let n = axes.reduce(1) { $0 * shape[$1] }
        return try sum(axes: axes, keepDims: keepDims).multiplying(scalar: 1 / Float(n))
    }

    /// The largest element along `axes` (−∞ over no elements; NaN if any is NaN).
    public func max(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        try reduce(axes: axes, keepDims: keepDims, MaxReduction.self)
    }

    /// The smallest element along `axes` (+∞ over no elements; NaN if any is NaN).
    public func min(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        try reduce(axes: axes, keepDims: keepDims, MinReduction.self)
    }

    /// The biased variance along `axes`: the mean of `(x − mean)²` (numpy's `var`, ddof 0),
    /// computed in two passes.
    public func variance(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        let mean = try self.mean(axes: axes, keepDims: true)
        let deviations = try subtracting(mean).squared()
        return try deviations.mean(axes: axes, keepDims: keepDims)
    }

    /// The sum of all elements (0 for none).
    public func sum() -> Float { globalReduce(SumReduction.self) }

    /// The mean of all elements (NaN for none).
    public func mean() -> Float { sum() / Float(count) }

    /// The largest element (−∞ for none; NaN if any is NaN).
    public func max() -> Float { globalReduce(MaxReduction.self) }

    /// The smallest element (+∞ for none; NaN if any is NaN).
    public func min() -> Float { globalReduce(MinReduction.self) }

    /// The biased variance of all elements: the mean of `(x − mean)²`.
    public func variance() -> Float {
        let m = mean()
        return squared(subtracting: m).sum() / Float(count)
    }

    private func squared(subtracting m: Float) -> Tensor { subtracting(scalar: m).squared() }

    /// The index of the largest element along `axis`, for every position of the other axes, in
    /// row-major order of the result shape (this shape without `axis`). The first index wins
    /// ties, and a NaN counts as the largest, as in numpy. Throws for a bad axis or an empty axis.
    public func argmax(axis: Int) throws -> [Int] {
        try argReduce(axis: axis, name: "argmax") { $0 > $1 }
    }

    /// The index of the smallest element along `axis`, as `argmax(axis:)` (the first wins ties,
    /// a NaN counts as the smallest).
    public func argmin(axis: Int) throws -> [Int] {
        try argReduce(axis: axis, name: "argmin") { $0 < $1 }
    }

    /// This tensor (a broadcast result) summed back to `target`, a shape that broadcasts to
    /// this one: the gradient of broadcasting. Sums the leading axes `target` lacks and the
    /// axes where `target` has size 1.
    public func summed(toShape target: [Int]) throws -> Tensor {
        if target == shape { return self }
        guard target.count <= rank, (try? Tensor.broadcastShape(target, shape)) == shape else {
            throw ShapeError("cannot sum a tensor of shape \(Tensor.describe(shape)) to shape \(Tensor.describe(target)): it does not broadcast to it")
        }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return try sum(axes: axes, keepDims: true).reshaped(target)
    }

    // MARK: - Kernels

    private func argReduce(axis: Int, name: String, _ better: (Float, Float) -> Bool) throws -> [Int] {
        let a = try Tensor.normalizedAxis(axis, rank: rank)
        let r = shape[a]
        guard r > 0 else { throw ShapeError("attempt to get \(name) of an empty sequence (axis \(axis) of shape \(Tensor.describe(shape)))") }
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        var result = [Int](repeating: 0, count: outer * inner)
        let p = pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var best = p[o * r * inner + i], index = 0
                if !best.isNaN {
                    for k in 1..<r {
                        let v = p[(o * r + k) * inner + i]
                        if v.isNaN { index = k; break }
                        if better(v, best) { best = v; index = k }
                    }
                }
                result[o * inner + i] = index
            }
        }
        return result
    }

    private func globalReduce<Op: ReductionOperator>(_: Op.Type) -> Float {
        var out: Float = 0
        Tensor.reduceView(pointer, outer: 1, reduced: count, inner: 1, into: &out, Op.self)
        return out
    }

    func reduce<Op: ReductionOperator>(axes: [Int], keepDims: Bool, _: Op.Type) throws -> Tensor {
        let axes = try Tensor.normalizedAxes(axes, rank: rank)
        if axes.isEmpty { return self }
        var outShape = shape
        for a in axes { outShape[a] = 1 }
        let finalShape = keepDims ? outShape : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        // Adjacent axes: an [outer, reduced, inner] view of the data as it is.
        var source = self
        var lo = axes[0], hi = axes[axes.count - 1]
        if hi - lo + 1 != axes.count {
            let kept = (0..<rank).filter { !axes.contains($0) }
            source = try transposed(permutation: kept + axes)
            lo = kept.count
            hi = rank - 1
        }
        let s = source.shape
        let outer = s[..<lo].reduce(1, *), reduced = s[lo...hi].reduce(1, *), inner = s[(hi + 1)...].reduce(1, *)
        return Tensor.filled(shape: finalShape) { out in
            Tensor.reduceView(source.pointer, outer: outer, reduced: reduced, inner: inner, into: out, Op.self)
        }
    }

    /// `out[o·inner + i] = Op over r of src[(o·reduced + r)·inner + i]`. Splits the outer
    /// positions across cores, or, when there are few of them, the reduced range into fixed
    /// chunks whose partial results are combined in order.
    static func reduceView<Op: ReductionOperator>(
        _ src: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
        into out: UnsafeMutablePointer<Float>, _: Op.Type
    ) {
        let n = outer * inner
        guard n > 0 else { return }
        let work = reduced * inner
        if outer >= Parallel.coreCount || work < 2 * elementwiseMinimumChunk {
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, elementwiseMinimumChunk / Swift.max(1, work))) { range in
                var totals = [Double](repeating: Double(Op.identity), count: inner)
                for o in range {
                    reduceRange(src + o * reduced * inner, rows: 0..<reduced, inner: inner, totals: &totals, Op.self)
                    for i in 0..<inner { shared.value[o * inner + i] = Float(totals[i]) }
                }
            }
            return
        }
        // Few outer positions: split the reduced rows, then combine partial totals in order.
        let chunks = Parallel.chunks(count: reduced, minimumChunk: Swift.max(1, elementwiseMinimumChunk / inner))
        var partials = [[Double]](repeating: [], count: chunks.count * outer)
        partials.withUnsafeMutableBufferPointer { buffer in
            let shared = UncheckedSendable(buffer)
            Parallel.forEachChunk(count: chunks.count * outer, minimumChunk: 1) { range in
                for item in range {
                    let o = item / chunks.count, c = item % chunks.count
                    var totals = [Double](repeating: Double(Op.identity), count: inner)
                    reduceRange(src + o * reduced * inner, rows: chunks[c], inner: inner, totals: &totals, Op.self)
                    shared.value[item] = totals
                }
            }
        }
        for o in 0..<outer {
            for i in 0..<inner {
                var total = Double(Op.identity)
                for c in 0..<chunks.count { total = Op.accumulate(total, Float(partials[o * chunks.count + c][i])) }
                out[o * inner + i] = Float(total)
            }
        }
    }

    /// Folds rows `rows` of a `[reduced, inner]` block into `totals` (length `inner`).
    @inline(__always)
    private static func reduceRange<Op: ReductionOperator>(
        _ src: UnsafePointer<Float>, rows: Range<Int>, inner: Int, totals: inout [Double], _: Op.Type
    ) {
        for i in 0..<inner { totals[i] = Double(Op.identity) }
        if inner == 1 {
            // Eight accumulators over blocks of contiguous elements.
            var start = rows.lowerBound
            while start < rows.upperBound {
                let end = Swift.min(start + reductionBlock * 8, rows.upperBound)
                var acc = SIMD8<Float>(repeating: Op.identity)
                var j = start
                while j + 8 <= end {
                    for l in 0..<8 { acc[l] = Op.combine(acc[l], src[j + l]) }
                    j += 8
                }
                var block = Op.identity
                for l in 0..<8 { block = Op.combine(block, acc[l]) }
                while j < end { block = Op.combine(block, src[j]); j += 1 }
                totals[0] = Op.accumulate(totals[0], block)
                start = end
            }
            return
        }
        var partial = [Float](repeating: Op.identity, count: inner)
        partial.withUnsafeMutableBufferPointer { partial in
            guard let acc = partial.baseAddress else { return }
            var start = rows.lowerBound
            while start < rows.upperBound {
                let end = Swift.min(start + reductionBlock, rows.upperBound)
                for i in 0..<inner { acc[i] = Op.identity }
                for r in start..<end {
                    let row = src + r * inner
                    // Eight lanes at a time (the plain loop does not vectorise: `acc` might
                    // overlap `row` as far as the compiler knows), then the rest.
                    var i = 0
                    while i + 8 <= inner {
                        let a = UnsafeMutableRawPointer(acc + i), b = UnsafeRawPointer(row + i)
                        a.storeBytes(of: Op.combine(a.loadUnaligned(as: SIMD8<Float>.self), b.loadUnaligned(as: SIMD8<Float>.self)),
                                     as: SIMD8<Float>.self)
                        i += 8
                    }
                    while i < inner {
                        acc[i] = Op.combine(acc[i], row[i])
                        i += 1
                    }
                }
                for i in 0..<inner { totals[i] = Op.accumulate(totals[i], acc[i]) }
                start = end
            }
        }
    }
}
