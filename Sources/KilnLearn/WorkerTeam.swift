/// Helper threads for many short parallel sections in a row — one per tree node when gradient
/// boosting builds histograms — as OpenMP's thread teams do: between sections the helpers spin
/// for a while before they sleep, so starting a section costs a memory write instead of a
/// thread wake-up (`DispatchQueue.concurrentPerform` costs tens of microseconds, as much as a
/// small node's whole histogram). Chunks are KilnTensor's fixed partitions, so results do not
/// depend on which thread ran what.

import Foundation
import KilnTensor
import Synchronization

final class WorkerTeam: @unchecked Sendable {
    /// One team for the process, with a helper for every core but the caller's.
    static let shared = WorkerTeam(helpers: Swift.max(0, Parallel.coreCount - 1))

    private let helpers: Int
    /// Bumped to start a section; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// Helpers still running the current section.
    private let pending = Atomic<Int>(0)
    /// Held by the thread running a section; others run theirs alone.
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    /// The current section: chunk index → work. Written before `generation` is bumped.
    private var section: ((Int) -> Void)?
    /// How many times a helper polls before it sleeps (about a millisecond).
    private let spinLimit = 200_000

    private init(helpers: Int) {
        self.helpers = helpers
        for index in 0..<helpers {
            let thread = Thread { [unowned self] in self.helperLoop(chunk: index + 1) }
            thread.name = "kiln-learn-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body` once for each range of `Parallel.chunks(count:minimumChunk:)`, the first on
    /// the calling thread and the others on the helpers, and returns when all are done. When
    /// the team is already busy (another thread's section, or a section inside a section) the
    /// ranges run one after another here.
    func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        let ranges = Parallel.chunks(count: count, minimumChunk: minimumChunk)
        guard ranges.count > 1, ranges.count <= helpers + 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for r in ranges { body(r) }
            return
        }
        withoutActuallyEscaping(body) { body in
            section = { chunk in if chunk < ranges.count { body(ranges[chunk]) } }
            pending.store(helpers, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            // Sequentially consistent with the helper's `sleepers.add` then `generation.load`: either
            // it sees the new generation or this sees it asleep.
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            body(ranges[0])
            while pending.load(ordering: .acquiring) > 0 {}
            section = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func helperLoop(chunk: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < spinLimit { continue }
                condition.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
                sleepers.subtract(1, ordering: .releasing)
                condition.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            section?(chunk)
            pending.subtract(1, ordering: .releasing)
        }
    }
}
