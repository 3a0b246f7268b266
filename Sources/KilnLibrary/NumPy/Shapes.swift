/// Shape manipulation: reading shape arguments, reshape (with one -1), transpose (any axis
/// order), squeeze, expand_dims, concatenate and stack, with numpy's error wording.

import KilnLang

enum Shapes {
    /// A shape argument: an int, or a tuple or list of ints.
    static func read(_ value: Value) throws -> [Int] {
        if let i = value.asInt, !isBool(value) { return [i] }
        guard let items = value.as(KSequence.self)?.items else {
            throw KilnError.type("'\(value.typeName)' object cannot be interpreted as an integer")
        }
        return try items.map { v in
            guard let i = v.asInt, !isBool(v) else {
                throw KilnError.type("'\(v.typeName)' object cannot be interpreted as an integer")
            }
            return i
        }
    }

    private static func isBool(_ v: Value) -> Bool {
        if case .bool = v { return true }
        return false
    }

    /// The shape arguments of `reshape(2, 3)` or `reshape((2, 3))`.
    static func read(arguments: [Value]) throws -> [Int] {
        arguments.count == 1 ? try read(arguments[0]) : try arguments.flatMap { try read($0) }
    }

    /// `a.reshape(shape)`: the same elements with a new shape, one dimension may be -1.
    static func reshape(_ a: NDArray, _ shape: [Int]) throws -> NDArray {
        var resolved = shape
        let unknown = shape.indices.filter { shape[$0] < 0 }
        if unknown.count > 1 { throw KilnError.value("can only specify one unknown dimension") }
        let known = shape.filter { $0 >= 0 }.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        if let u = unknown.first, shape[u] == -1, known > 0, a.size % known == 0 {
            resolved[u] = a.size / known
        }
        guard !resolved.contains(where: { $0 < 0 }), resolved.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? -1 : $0 * $1 }) == a.size else {
            throw KilnError.value("cannot reshape array of size \(a.size) into shape \(describeRequested(shape))")
        }
        return a.reshaped(resolved)
    }

    /// numpy's text of a requested shape in reshape errors: leading unknown dimensions left
    /// out, others printed as `newaxis`, no spaces: `(4,newaxis)`, `(7,)`.
    private static func describeRequested(_ shape: [Int]) -> String {
        guard let first = shape.firstIndex(where: { $0 >= 0 }) else { return "()" }
        let parts = shape[first...].enumerated().map { i, d in i > 0 && d < 0 ? "newaxis" : String(d) }
        return shape.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ",") + ")"
    }

    /// The elements of an array of `shape` with its axes permuted: axis k of the result is
    /// axis `order[k]` of the source.
    static func transpose<T>(_ values: [T], _ shape: [Int], _ order: [Int]) -> [T] {
        if order == Array(0..<shape.count) || values.count <= 1 { return values }
        var strides = [Int](repeating: 1, count: shape.count)
        for k in stride(from: shape.count - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * shape[k + 1] }
        let outShape = order.map { shape[$0] }
        let outStrides = order.map { strides[$0] }
        var out: [T] = []
        out.reserveCapacity(values.count)
        var index = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for _ in 0..<values.count {
            out.append(values[offset])
            var k = shape.count - 1
            while k >= 0 {
                index[k] += 1
                offset += outStrides[k]
                if index[k] < outShape[k] { break }
                offset -= outStrides[k] * index[k]
                index[k] = 0
                k -= 1
            }
        }
        return out
    }

    /// `a.transpose(order)` (reversed axes when `order` is nil).
    static func transpose(_ a: NDArray, _ order: [Int]?) throws -> NDArray {
        let order = try order.map { o -> [Int] in
            guard o.count == a.ndim else { throw KilnError.value("axes don't match array") }
            let axes = try o.map { try Axes.single(.int($0), ndim: a.ndim) }
            if Set(axes).count != axes.count { throw KilnError.value("repeated axis in transpose") }
            return axes
        } ?? Array((0..<a.ndim).reversed())
        let shape = order.map { a.shape[$0] }
        switch a.storage {
        case .integer(let v): return NDArray(a.dtype, shape, .integer(transpose(v, a.shape, order)))
        case .float64(let v): return NDArray(a.dtype, shape, .float64(transpose(v, a.shape, order)))
        case .float32: return NDArray(a.dtype, shape, doubles: transpose(a.storage.doubles, a.shape, order))
        }
    }

    /// `np.squeeze(a, axis)`: size-1 axes removed (all of them, or the ones named).
    static func squeeze(_ a: NDArray, _ axis: Value) throws -> NDArray {
        guard let axes = try Axes.list(axis, ndim: a.ndim) else { return a.reshaped(a.shape.filter { $0 != 1 }) }
        if axes.contains(where: { a.shape[$0] != 1 }) {
            throw KilnError.value("cannot select an axis to squeeze out which has size not equal to one")
        }
        return a.reshaped(a.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
    }

    /// `np.expand_dims(a, axis)`: a size-1 axis inserted at `axis`.
    static func expandDims(_ a: NDArray, _ axis: Int) throws -> NDArray {
        var shape = a.shape
        shape.insert(1, at: try Axes.single(.int(axis), ndim: a.ndim + 1))
        return a.reshaped(shape)
    }

    /// `np.concatenate(arrays, axis)` (axis nil: the arrays flattened first).
    static func concatenate(_ arrays: [NDArray], axis: Value) throws -> NDArray {
        guard let first = arrays.first else { throw KilnError.value("need at least one array to concatenate") }
        if case .none = axis {
            return try concatenate(arrays.map { $0.reshaped([$0.size]) }, axis: .int(0))
        }
        if first.ndim == 0 { throw KilnError.value("zero-dimensional arrays cannot be concatenated") }
        let k = try Axes.single(axis, ndim: first.ndim)
        for (i, a) in arrays.enumerated().dropFirst() {
            guard a.ndim == first.ndim else {
                throw KilnError.value("all the input arrays must have same number of dimensions, but the array at index 0 has \(first.ndim) dimension(s) and the array at index \(i) has \(a.ndim) dimension(s)")
            }
            for d in 0..<first.ndim where d != k && a.shape[d] != first.shape[d] {
                throw KilnError.value("all the input array dimensions except for the concatenation axis must match exactly, but along dimension \(d), the array at index 0 has size \(first.shape[d]) and the array at index \(i) has size \(a.shape[d])")
            }
        }
        var shape = first.shape
        shape[k] = arrays.reduce(0) { $0 + $1.shape[k] }
        let dtype = arrays.dropFirst().reduce(first.dtype) { DType.promote($0, $1.dtype) }
        // Interleave blocks: for each index of the axes before k, each array's slab.
        let outer = first.shape[..<k].reduce(1, *)
        func join<T>(_ parts: [[T]]) -> [T] {
            let slabs = parts.map { $0.count / Swift.max(outer, 1) }
            var out: [T] = []
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for o in 0..<outer {
                for (p, slab) in zip(parts, slabs) { out += p[o * slab..<(o + 1) * slab] }
            }
            return out
        }
        if dtype.isFloat { return NDArray(dtype, shape, doubles: join(arrays.map { $0.converted(to: dtype).storage.doubles })) }
        return NDArray(dtype, shape, ints: join(arrays.map { $0.converted(to: dtype).storage.ints }))
    }

    /// `np.stack(arrays, axis)`: arrays of one shape joined along a new axis.
    static func stack(_ arrays: [NDArray], axis: Value) throws -> NDArray {
        guard let first = arrays.first else { throw KilnError.value("need at least one array to stack") }
        if arrays.contains(where: { $0.shape != first.shape }) {
            throw KilnError.value("all input arrays must have the same shape")
        }
        let k = try Axes.single(axis, ndim: first.ndim + 1)
        return try concatenate(arrays.map { try expandDims($0, k) }, axis: .int(k))
    }
}
