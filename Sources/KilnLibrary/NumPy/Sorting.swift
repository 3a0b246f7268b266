/// Sorting: `np.sort` / `a.sort()`, `np.argsort` (stable, NaN last as in numpy) along an axis,
/// and `np.unique` with its optional indices, inverse and counts.

import KilnLang

enum Sorting {
    /// numpy's order: NaN after every number.
    @inline(__always)
    private static func precedes(_ x: Double, _ y: Double) -> Bool { y.isNaN ? !x.isNaN : x < y }

    /// Positions that sort a lane (ties keep their order).
    private static func order(_ lane: ArraySlice<Double>) -> [Int] {
        let s = lane.startIndex
        return lane.indices.sorted { i, j in
            precedes(lane[i], lane[j]) || (!precedes(lane[j], lane[i]) && i < j)
        }.map { $0 - s }
    }

    private static func order(_ lane: ArraySlice<Int>) -> [Int] {
        let s = lane.startIndex
        return lane.indices.sorted { i, j in lane[i] < lane[j] || (lane[i] == lane[j] && i < j) }.map { $0 - s }
    }

    /// The shape and axis a lane operation works on: the flattened array for axis None.
    private static func lanesShape(_ a: NDArray, _ axis: Value) throws -> (shape: [Int], axis: Int) {
        if case .none = axis { return ([a.size], 0) }
        if a.ndim == 0 { throw KilnError("AxisError", "axis \(Repr.repr(axis)) is out of bounds for array of dimension 0") }
        return (a.shape, try Axes.single(axis, ndim: a.ndim))
    }

    /// `f` applied to each lane of `values` (of `shape`) along `axis`, results in place.
    private static func alongAxis<T, R>(_ values: [T], _ shape: [Int], _ axis: Int, _ f: (ArraySlice<T>) -> [R]) -> [R] {
        let length = shape[axis]
        guard length > 0 else { return [] }
        let order = shape.indices.filter { $0 != axis } + [axis]
        let moved = Shapes.transpose(values, shape, order)
        let results = stride(from: 0, to: moved.count, by: length).flatMap { f(moved[$0..<$0 + length]) }
        var inverse = [Int](repeating: 0, count: shape.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Shapes.transpose(results, order.map { shape[$0] }, inverse)
    }

    /// `np.sort(a, axis)`: a sorted copy.
    static func sorted(_ a: NDArray, axis: Value) throws -> NDArray {
        let (shape, k) = try lanesShape(a, axis)
        if a.dtype.isFloat {
            return NDArray(a.dtype, shape, doubles: alongAxis(a.storage.doubles, shape, k) { lane in
                order(lane).map { lane[lane.startIndex + $0] }
            })
        }
        return NDArray(a.dtype, shape, ints: alongAxis(a.storage.ints, shape, k) { $0.sorted() })
    }

    /// `np.argsort(a, axis)`: int64 positions that sort each lane.
    static func argsort(_ a: NDArray, axis: Value) throws -> NDArray {
        let (shape, k) = try lanesShape(a, axis)
        let positions = a.dtype.isFloat ? alongAxis(a.storage.doubles, shape, k, order) : alongAxis(a.storage.ints, shape, k, order)
        return NDArray(.int64, shape, ints: positions)
    }

    /// `np.unique(a, …)`: the sorted distinct elements (one NaN at most), and when asked, the
    /// index of each one's first occurrence, each element's position among them, and counts.
    static func unique(_ a: NDArray, returnIndex: Bool, returnInverse: Bool, returnCounts: Bool) -> Value {
        let flat = a.reshaped([a.size])
        let positions: [Int]
        let same: (Int, Int) -> Bool
        if a.dtype.isFloat {
            let v = flat.storage.doubles
            positions = order(v[...])
            same = { v[$0] == v[$1] || (v[$0].isNaN && v[$1].isNaN) }
        } else {
            let v = flat.storage.ints
            positions = order(v[...])
            same = { v[$0] == v[$1] }
        }
        var firsts: [Int] = [], counts: [Int] = []
        var inverse = [Int](repeating: 0, count: a.size)
        for p in positions {
            if let last = firsts.last, same(last, p) {
                counts[counts.count - 1] += 1
            } else {
                firsts.append(p)
                counts.append(1)
            }
            inverse[p] = firsts.count - 1
        }
        let values = NDArray(a.dtype, [firsts.count], a.storage.gather(firsts))
        guard returnIndex || returnInverse || returnCounts else { return .object(values) }
        var parts: [Value] = [.object(values)]
        if returnIndex { parts.append(.object(NDArray(.int64, [firsts.count], ints: firsts))) }
        if returnInverse { parts.append(.object(NDArray(.int64, a.shape, ints: inverse))) }
        if returnCounts { parts.append(.object(NDArray(.int64, [counts.count], ints: counts))) }
        return .object(KTuple(parts))
    }
}
