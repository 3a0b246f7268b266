import XCTest
@testable import KilnTensor

/// Reduction by the definition: group elements by their index with `axes` removed.
private func naiveReduce(_ x: Tensor, axes: [Int], keepDims: Bool = false, _ f: ([Float]) -> Float) -> Tensor {
    var groups: [[Int]: [Float]] = [:]
    var order: [[Int]] = []
    for index in allIndices(x.shape) {
        let key = index.enumerated().map { axes.contains($0.offset) ? 0 : $0.element }
        if groups[key] == nil { order.append(key) }
        groups[key, default: []].append(x.scalars[offset(index, in: x.shape)])
    }
    let kept = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    let shape = keepDims ? kept : x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    return tensor(shape, order.map { f(groups[$0] ?? []) })
}

private let sum: ([Float]) -> Float = { $0.reduce(0, +) }
private let mean: ([Float]) -> Float = { $0.reduce(0, +) / Float($0.count) }
private let variance: ([Float]) -> Float = { v in
    let m = v.reduce(0, +) / Float(v.count)
    return v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(v.count)
}

final class ReductionTests: XCTestCase {
    private let x = randomTensor([3, 4, 5], seed: 11)

    func testSumAlongEachAxisAndAdjacentAxes() throws {
        for axes in [[0], [1], [2], [0, 1], [1, 2], [0, 1, 2]] {
            assertClose(try x.sum(axes: axes), naiveReduce(x, axes: axes, sum), tolerance: 1e-5)
        }
    }

    func testSumAlongNonAdjacentAxes() throws {
        assertClose(try x.sum(axes: [0, 2]), naiveReduce(x, axes: [0, 2], sum), tolerance: 1e-5)
        let y = randomTensor([2, 3, 2, 3], seed: 3)
        assertClose(try y.sum(axes: [1, 3]), naiveReduce(y, axes: [1, 3], sum), tolerance: 1e-5)
    }

    func testKeepDimsKeepsReducedAxesWithSizeOne() throws {
        let s = try x.sum(axes: [0, 2], keepDims: true)
        XCTAssertEqual(s.shape, [1, 4, 1])
        assertClose(s, naiveReduce(x, axes: [0, 2], keepDims: true, sum), tolerance: 1e-5)
    }

    func testNegativeAxesCountFromTheEnd() throws {
        XCTAssertEqual(try x.sum(axes: [-1]).scalars, try x.sum(axes: [2]).scalars)
    }

    func testMeanMaxMinAndVariance() throws {
        for axes in [[0], [2], [0, 2]] {
            assertClose(try x.mean(axes: axes), naiveReduce(x, axes: axes, mean), tolerance: 1e-5)
            assertClose(try x.max(axes: axes), naiveReduce(x, axes: axes) { $0.max() ?? 0 }, tolerance: 0)
            assertClose(try x.min(axes: axes), naiveReduce(x, axes: axes) { $0.min() ?? 0 }, tolerance: 0)
            assertClose(try x.variance(axes: axes), naiveReduce(x, axes: axes, variance), tolerance: 1e-5)
        }
    }

    func testHandComputedReductions() throws {
        let m = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try m.sum(axes: [0]).scalars, [5, 7, 9])
        XCTAssertEqual(try m.sum(axes: [1]).scalars, [6, 15])
        XCTAssertEqual(try m.mean(axes: [1]).scalars, [2, 5])
        XCTAssertEqual(try m.max(axes: [0]).scalars, [4, 5, 6])
        XCTAssertEqual(try m.variance(axes: [1]).scalars, [2.0 / 3, 2.0 / 3])
    }

    func testGlobalReductions() {
        let m = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(m.sum(), 21)
        XCTAssertEqual(m.mean(), 3.5)
        XCTAssertEqual(m.max(), 6)
        XCTAssertEqual(m.min(), 1)
        XCTAssertEqual(m.variance(), 35.0 / 12, accuracy: 1e-6)
    }

    func testLongSumsKeepTheirPrecision() {
        let ones = Tensor(shape: [3_000_001], repeating: 0.1)
        XCTAssertEqual(Double(ones.sum()), 300_000.1, accuracy: 1)
        let column = Tensor(shape: [200_003, 2], repeating: 0.1)
        let sums = (try? column.sum(axes: [0]).scalars) ?? []
        XCTAssertEqual(Double(sums.first ?? 0), 20_000.3, accuracy: 0.1)
    }

    func testSplitReductionMatchesTheDefinition() throws {
        // One outer position and many reduced rows: the reduced range is split across cores.
        let y = randomTensor([70_000, 3], seed: 5)
        var sums = [Double](repeating: 0, count: 3), maxima = [Float](repeating: -.infinity, count: 3)
        let values = y.scalars
        for r in 0..<70_000 {
            for c in 0..<3 {
                sums[c] += Double(values[r * 3 + c])
                maxima[c] = max(maxima[c], values[r * 3 + c])
            }
        }
        assertClose(try y.sum(axes: [0]), tensor([3], sums.map { Float($0) }), tolerance: 1e-4)
        XCTAssertEqual(try y.max(axes: [0]).scalars, maxima)
        XCTAssertEqual(Double(y.sum()), sums.reduce(0, +), accuracy: 1e-2)
    }

    func testEmptyAxesReduceNothing() throws {
        XCTAssertEqual(try x.sum(axes: []).scalars, x.scalars)
    }

    func testMaxPropagatesNaN() throws {
        XCTAssertTrue(tensor([3], [1, .nan, 2]).max().isNaN)
        XCTAssertTrue(try tensor([1, 3], [1, .nan, 2]).max(axes: [1]).scalars[0].isNaN)
    }

    func testBadAxesThrow() {
        assertShapeError(try x.sum(axes: [3]), mentions: ["axis 3", "dimension 3"])
        assertShapeError(try x.sum(axes: [-4]), mentions: ["axis -4"])
        assertShapeError(try x.sum(axes: [1, -2]), mentions: ["repeated axis"])
    }

    func testArgmaxAlongAnAxisTakesTheFirstOfTies() throws {
        let m = tensor([2, 4], [1, 3, 3, 0, 5, 2, 5, 9])
        XCTAssertEqual(try m.argmax(axis: 1), [1, 3])
        XCTAssertEqual(try m.argmax(axis: 0), [1, 0, 1, 1])
        XCTAssertEqual(try m.argmin(axis: -1), [3, 1])
        XCTAssertEqual(try tensor([3], [1, 3, 3]).argmax(axis: 0), [1])
    }

    func testArgmaxOfARank3TensorIsInRowMajorOrderOfTheRest() throws {
        let y = randomTensor([2, 3, 4], seed: 9)
        let expected = allIndices([2, 4]).map { idx -> Int in
            let column = (0..<3).map { y[[idx[0], $0, idx[1]]] }
            return column.firstIndex(of: column.max() ?? 0) ?? -1
        }
        XCTAssertEqual(try y.argmax(axis: 1), expected)
    }

    func testArgmaxOfAnEmptyAxisThrows() {
        assertShapeError(try Tensor(shape: [2, 0]).argmax(axis: 1), mentions: ["empty"])
    }

    func testSummedToShapeUndoesBroadcasting() throws {
        let g = randomTensor([2, 3, 4], seed: 4)
        assertClose(try g.summed(toShape: [4]), naiveReduce(g, axes: [0, 1], sum), tolerance: 1e-5)
        let kept = try g.summed(toShape: [3, 1])
        XCTAssertEqual(kept.shape, [3, 1])
        assertClose(try kept.reshaped([3]), naiveReduce(g, axes: [0, 2], sum), tolerance: 1e-5)
        assertShapeError(try g.summed(toShape: [5]), mentions: ["(2, 3, 4)", "(5,)"])
    }
}
