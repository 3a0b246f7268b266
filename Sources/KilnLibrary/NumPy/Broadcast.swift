/// numpy's broadcasting, the one routine every elementwise operation, `where`, `clip` and
/// item assignment use: the common shape of several operands, and an operand's elements
/// repeated out to that shape.

import KilnLang

enum Broadcast {
    /// The shape `shapes` broadcast to (dimensions aligned from the right; each pair equal or
    /// one of them 1), or numpy's ValueError naming every operand's shape.
    static func shape(_ shapes: [[Int]]) throws -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for s in shapes {
            for (i, d) in s.enumerated() {
                let k = rank - s.count + i
                if result[k] == 1 {
                    result[k] = d
                } else if d != 1 && d != result[k] {
                    let listed = shapes.map { NDArray.describe($0).replacingOccurrences(of: ", ", with: ",") + " " }.joined()
                    throw KilnError.value("operands could not be broadcast together with shapes \(listed)")
                }
            }
        }
        return result
    }

    /// Whether `shape` broadcasts to `target` (for assignment, where only the value adapts).
    static func fits(_ shape: [Int], into target: [Int]) -> Bool {
        guard shape.count <= target.count else {
            // Leading 1s may be dropped: a (1, 3) value fits a (3,) target.
            return shape.prefix(shape.count - target.count).allSatisfy { $0 == 1 }
                && fits(Array(shape.suffix(target.count)), into: target)
        }
        let offset = target.count - shape.count
        return shape.enumerated().allSatisfy { i, d in d == 1 || d == target[offset + i] }
    }

    /// The elements of an array of `shape`, repeated out to `target` (which `shape` must
    /// broadcast to), in row-major order.
    static func expand<T>(_ values: [T], from shape: [Int], to target: [Int]) -> [T] {
        let dims = Array(shape.drop { $0 == 1 && shape.count > target.count }.suffix(target.count))
        if dims == target { return values }
        let total = target.reduce(1, *)
        if values.count == 1 { return [T](repeating: values[0], count: total) }
        // Strides of the source along the target's axes, 0 where the source is repeated.
        let padded = [Int](repeating: 1, count: target.count - dims.count) + dims
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for k in stride(from: target.count - 1, through: 0, by: -1) {
            strides[k] = padded[k] == 1 ? 0 : step
            step *= padded[k]
        }
        var out: [T] = []
        out.reserveCapacity(total)
        var index = [Int](repeating: 0, count: target.count)
        var offset = 0
        for _ in 0..<total {
            out.append(values[offset])
            // Advance the multi-index like an odometer, keeping the source offset in step.
            var k = target.count - 1
            while k >= 0 {
                index[k] += 1
                offset += strides[k]
                if index[k] < target[k] { break }
                offset -= strides[k] * index[k]
                index[k] = 0
                k -= 1
            }
        }
        return out
    }

    /// `f` applied to the elements of two operands broadcast together.
    static func combine<T, R>(_ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], into shape: [Int],
                              _ f: (T, T) throws -> R) rethrows -> [R] {
        if a.count == 1 && b.count != 1 && bShape == shape {
            let x = a[0]
            return try b.map { try f(x, $0) }
        }
        if b.count == 1 && a.count != 1 && aShape == shape {
            let y = b[0]
            return try a.map { try f($0, y) }
        }
        let xs = expand(a, from: aShape, to: shape), ys = expand(b, from: bShape, to: shape)
        var out: [R] = []
        out.reserveCapacity(xs.count)
        for i in xs.indices { out.append(try f(xs[i], ys[i])) }
        return out
    }
}
