/// Parallel loops that write disjoint parts of one array, on KilnTensor's fixed partitions
/// (`Parallel.forEachChunk`), so that results do not depend on scheduling.

import KilnTensor

/// A buffer that `Parallel.forEachChunk` bodies write disjoint parts of.
struct UncheckedPointer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}

extension Array {
    /// Runs `body` on chunks of `0..<count` concurrently; each call may write only the
    /// elements that belong to its own indices.
    mutating func fillInParallel(count: Int, minimumChunk: Int, _ body: (Range<Int>, UnsafeMutableBufferPointer<Element>) -> Void) {
        withUnsafeMutableBufferPointer { out in
            let out = UncheckedPointer(out)
            Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in body(range, out.buffer) }
        }
    }
}
