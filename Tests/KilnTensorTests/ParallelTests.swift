import XCTest
@testable import KilnTensor

final class ParallelTests: XCTestCase {
    func testChunksCoverTheRangeContiguouslyAndInOrder() {
        let chunks = Parallel.chunks(count: 10, minimumChunk: 1)
        XCTAssertEqual(chunks.first?.lowerBound, 0)
        XCTAssertEqual(chunks.last?.upperBound, 10)
        for (a, b) in zip(chunks, chunks.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
    }

    func testChunksAreAtMostOnePerCore() {
        XCTAssertLessThanOrEqual(Parallel.chunks(count: 1_000, minimumChunk: 1).count, Parallel.coreCount)
    }

    func testChunksRespectTheMinimumSize() {
        let chunks = Parallel.chunks(count: 10, minimumChunk: 6)
        XCTAssertEqual(chunks, [0..<10])
        for chunk in Parallel.chunks(count: 100, minimumChunk: 30) { XCTAssertGreaterThanOrEqual(chunk.count, 30) }
    }

    func testChunksOfNothingAreEmpty() {
        XCTAssertEqual(Parallel.chunks(count: 0, minimumChunk: 1), [])
    }

    func testPartitionDependsOnlyOnCountAndCores() {
        XCTAssertEqual(Parallel.chunks(count: 12_345, minimumChunk: 7), Parallel.chunks(count: 12_345, minimumChunk: 7))
    }

    func testForEachChunkVisitsEveryIndexOnce() {
        var visits = [Int](repeating: 0, count: 1_000)
        visits.withUnsafeMutableBufferPointer { buffer in
            let shared = UncheckedSendable(buffer)
            Parallel.forEachChunk(count: 1_000, minimumChunk: 1) { range in
                for i in range { shared.value[i] += 1 }
            }
        }
        XCTAssertEqual(visits, [Int](repeating: 1, count: 1_000))
    }

    func testNestedForEachChunkRunsEveryInnerChunk() {
        var visits = [Int](repeating: 0, count: 4 * 100)
        visits.withUnsafeMutableBufferPointer { buffer in
            let shared = UncheckedSendable(buffer)
            Parallel.forEachChunk(count: 4, minimumChunk: 1) { outer in
                for o in outer {
                    Parallel.forEachChunk(count: 100, minimumChunk: 1) { inner in
                        for i in inner { shared.value[o * 100 + i] += 1 }
                    }
                }
            }
        }
        XCTAssertEqual(visits, [Int](repeating: 1, count: 400))
    }

    func testChunkedElementwiseResultIsIdenticalToASerialLoop() throws {
        // Large enough to be split across cores.
        let a = randomTensor([300_001], seed: 1), b = randomTensor([300_001], seed: 2)
        let product = try a.multiplying(b).adding(scalar: 0.5)
        let expected = zip(a.scalars, b.scalars).map { $0 * $1 + 0.5 }
        XCTAssertEqual(product.scalars, expected)
    }

    func testChunkedReductionIsDeterministic() throws {
        let x = randomTensor([7, 50_000, 3], seed: 3)
        let first = try x.sum(axes: [1]), second = try x.sum(axes: [1])
        XCTAssertEqual(first.scalars, second.scalars)
    }
}
