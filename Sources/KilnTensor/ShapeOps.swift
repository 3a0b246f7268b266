/// Shape operations: tensors rearranged, joined, cut or padded without arithmetic —
/// transpose, concatenate, row slices and row gathers (batches, Embedding lookups) and their
/// scatter-add (the Embedding gradient), slices along any axis and constant padding.

extension Tensor {
    /// The tensor with its axes permuted: axis `i` of the result is axis `permutation[i]` of
    /// this one (numpy's `transpose(a, axes)`). Negative entries count from the end. Throws
    /// unless `permutation` names each axis once.
    public func transposed(permutation: [Int]) throws -> Tensor {
        guard permutation.count == rank else {
            throw ShapeError("axes \(permutation) don't match the shape \(Tensor.describe(shape))")
        }
        let perm = try permutation.map { try Tensor.normalizedAxis($0, rank: rank) }
        guard Set(perm).count == rank else { throw ShapeError("repeated axis in transpose permutation \(permutation)") }
        if perm == Array(0..<rank) { return self }
        let outShape = perm.map { shape[$0] }
        var strides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        // Merged output axes, innermost first: (size, stride in the source).
        var dims: [(size: Int, stride: Int)] = []
        for i in stride(from: rank - 1, through: 0, by: -1) where outShape[i] != 1 {
            let s = strides[perm[i]]
            if let last = dims.last, s == last.stride * last.size {
                dims[dims.count - 1].size *= outShape[i]
            } else {
                dims.append((outShape[i], s))
            }
        }
        let n = count, source = pointer
        guard n > 0, let inner = dims.first else { return try reshaped(outShape) }
        let outer = Array(dims.dropFirst())
        return Tensor.filled(shape: outShape) { out in
            let shared = UncheckedSendable(out)
            Parallel.forEachChunk(count: n / inner.size, minimumChunk: Swift.max(1, elementwiseMinimumChunk / inner.size)) { range in
                for o in range {
                    var rest = o, offset = 0
                    for d in outer {
                        offset += (rest % d.size) * d.stride
                        rest /= d.size
                    }
                    let dst = shared.value + o * inner.size, src = source + offset
                    if inner.stride == 1 {
                        dst.update(from: src, count: inner.size)
                    } else {
                        for j in 0..<inner.size { dst[j] = src[j * inner.stride] }
                    }
                }
            }
        }
    }

    /// The tensor with its axes reversed (numpy's `a.T`; the matrix transpose for rank 2).
    public func transposed() -> Tensor {
        // A reversal of the axes is always a valid permutation.
        (try? transposed(permutation: Array((0..<rank).reversed()))) ?? self
    }

    /// `tensors` joined along `axis` (negative counts from the end). They must have one rank
    /// and equal sizes on every other axis; throws `ShapeError` naming the shapes otherwise.
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else { throw ShapeError("need at least one tensor to concatenate") }
        guard first.rank > 0 else { throw ShapeError("zero-dimensional tensors cannot be concatenated") }
        let a = try normalizedAxis(axis, rank: first.rank)
        var outShape = first.shape
        outShape[a] = 0
        for (k, t) in tensors.enumerated() {
            var expected = first.shape, given = t.shape
            if given.count == expected.count {
                expected[a] = 0
                given[a] = 0
            }
            guard given == expected else {
                throw ShapeError("cannot concatenate along axis \(axis): tensor 0 has shape \(describe(first.shape)) but tensor \(k) has shape \(describe(t.shape)); all sizes but the concatenation axis must match")
            }
            outShape[a] += t.shape[a]
        }
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        let rowLength = outShape[a] * inner
        return Tensor.filled(shape: outShape) { out in
            var column = 0
            for t in tensors {
                let block = t.shape[a] * inner, src = t.pointer
                for o in 0..<outer {
                    (out + o * rowLength + column).update(from: src + o * block, count: block)
                }
                column += block
            }
        }
    }

    /// Rows `range` of the first axis (a copy): `x[range]`. Throws if the range is outside
    /// `0..<shape[0]` or the tensor is a scalar.
    public func rows(_ range: Range<Int>) throws -> Tensor {
        try sliced(axis: 0, range)
    }

    /// The elements at `range` along `axis` (a copy), like `x[:, range]` for axis 1.
    public func sliced(axis: Int, _ range: Range<Int>) throws -> Tensor {
        guard rank > 0 else { throw ShapeError("cannot slice a scalar") }
        let a = try Tensor.normalizedAxis(axis, rank: rank)
        guard range.lowerBound >= 0, range.upperBound <= shape[a] else {
            throw ShapeError("slice \(range.lowerBound)..<\(range.upperBound) is out of bounds for axis \(a) with size \(shape[a]) (shape \(Tensor.describe(shape)))")
        }
        var outShape = shape
        outShape[a] = range.count
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        let source = pointer, block = range.count * inner, row = shape[a] * inner
        return Tensor.filled(shape: outShape) { out in
            for o in 0..<outer {
                (out + o * block).update(from: source + o * row + range.lowerBound * inner, count: block)
            }
        }
    }

    /// The rows `indices` of the first axis, in that order (repeats allowed): `x[indices]`,
    /// the Embedding lookup and minibatch gather. Shape `[indices.count] + shape[1...]`.
    /// Throws for an index outside `0..<shape[0]`.
    public func gatherRows(_ indices: [Int]) throws -> Tensor {
        guard rank > 0 else { throw ShapeError("cannot gather rows of a scalar") }
        let n = shape[0]
        if let bad = indices.first(where: { $0 < 0 || $0 >= n }) {
            throw ShapeError("index \(bad) is out of bounds for axis 0 with size \(n)")
        }
        let rowLength = shape.dropFirst().reduce(1, *), source = pointer
        return Tensor.filled(shape: [indices.count] + shape.dropFirst()) { out in
            for (i, index) in indices.enumerated() {
                (out + i * rowLength).update(from: source + index * rowLength, count: rowLength)
            }
        }
    }

    /// The gradient of `gatherRows`: a tensor of shape `[rowCount] + values.shape[1...]` of
    /// zeros with `values[i]` added to row `indices[i]` for each i (repeats accumulate).
    public static func scatterAddingRows(_ values: Tensor, indices: [Int], rowCount: Int) throws -> Tensor {
        guard values.rank > 0, values.shape[0] == indices.count else {
            throw ShapeError("scatter of values of shape \(describe(values.shape)) needs one index per row, got \(indices.count)")
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= rowCount }) {
            throw ShapeError("index \(bad) is out of bounds for axis 0 with size \(rowCount)")
        }
        let rowLength = values.shape.dropFirst().reduce(1, *), source = values.pointer
        let result = Tensor(shape: [rowCount] + values.shape.dropFirst())
        let out = result.pointer
        for (i, index) in indices.enumerated() {
            let dst = out + index * rowLength, src = source + i * rowLength
            for j in 0..<rowLength { dst[j] += src[j] }
        }
        return result
    }

    /// One row per index with a 1 in that column and 0 elsewhere: shape `[indices.count,
    /// depth]` (Keras' `to_categorical`). Throws for an index outside `0..<depth`.
    public static func oneHot(_ indices: [Int], depth: Int) throws -> Tensor {
        if let bad = indices.first(where: { $0 < 0 || $0 >= depth }) {
            throw ShapeError("index \(bad) is out of range for one-hot vectors of depth \(depth)")
        }
        let result = Tensor(shape: [indices.count, Swift.max(depth, 0)])
        for (row, index) in indices.enumerated() { result.pointer[row * depth + index] = 1 }
        return result
    }

    /// The tensor padded with `value`: `padding[i] = (before, after)` elements added on each
    /// side of axis `i` (numpy's `pad` with a constant; ZeroPadding layers). Throws unless
    /// there is one non-negative pair per axis.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) throws -> Tensor {
        guard padding.count == rank, padding.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            throw ShapeError("padding \(padding.map { "(\($0.before), \($0.after))" }.joined(separator: ", ")) needs one non-negative (before, after) pair per axis of shape \(Tensor.describe(shape))")
        }
        let outShape = zip(shape, padding).map { $0 + $1.before + $1.after }
        let result = Tensor(shape: outShape, repeating: value)
        guard rank > 0, count > 0 else { return result }
        let out = result.pointer, source = pointer
        var outStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { outStrides[i] = outStrides[i + 1] * outShape[i + 1] }
        let inner = shape[rank - 1], rowCount = count / inner
        for r in 0..<rowCount {
            var rest = r, offset = padding[rank - 1].before
            for i in stride(from: rank - 2, through: 0, by: -1) {
                offset += (rest % shape[i] + padding[i].before) * outStrides[i]
                rest /= shape[i]
            }
            (out + offset).update(from: source + r * inner, count: inner)
        }
        return result
    }
}
