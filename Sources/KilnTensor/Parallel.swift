/// Fixed-partition parallel loops: the kernels split their work into contiguous chunks that
/// depend only on the amount of work and the number of cores, so every run computes every
/// element the same way and results are bit-for-bit deterministic.

import Dispatch
import Foundation

/// Deterministic data-parallel loops over `0..<count`.
public enum Parallel {
    /// The number of chunks work is split into at most: the active processor count.
    public static let coreCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The chunks `forEachChunk` runs: `0..<count` cut into `k` contiguous ranges of nearly
    /// equal length (they differ by at most one), where `k = min(coreCount, count / minimumChunk)`
    /// and at least 1. Empty when `count ≤ 0`.
    public static func chunks(count: Int, minimumChunk: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let k = max(1, min(coreCount, count / max(1, minimumChunk)))
        return (0..<k).map { i in (i * count / k)..<((i + 1) * count / k) }
    }

    /// Runs `body` once for each range of `chunks(count:minimumChunk:)`, concurrently with
    /// `DispatchQueue.concurrentPerform` when there is more than one, and returns when all are
    /// done. The ranges are disjoint, so `body` may write to the part of an output it owns.
    /// A call made from inside a chunk runs its own chunks one after another on that thread
    /// (same partition, so same results) instead of oversubscribing the cores.
    public static func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        let ranges = chunks(count: count, minimumChunk: minimumChunk)
        if ranges.count <= 1 || isInsideChunk {
            for r in ranges { body(r) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: ranges.count) { i in
                Parallel.isInsideChunk = true
                shared.value(ranges[i])
                Parallel.isInsideChunk = false
            }
        }
    }

    /// Whether the current thread is running a chunk of an enclosing `forEachChunk`.
    private static var isInsideChunk: Bool {
        get { pthread_getspecific(insideChunkKey) != nil }
        set { pthread_setspecific(insideChunkKey, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }

    private static let insideChunkKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

/// Carries a value into `concurrentPerform`'s closure; the kernels only hand it closures that
/// write disjoint parts of their output.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
