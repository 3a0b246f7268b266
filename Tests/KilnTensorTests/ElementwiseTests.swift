import XCTest
@testable import KilnTensor

/// Broadcasting by the definition: each output index maps to operand indices (size-1 axes
/// pinned to 0, missing leading axes dropped).
private func naiveBroadcast(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    let rank = max(a.rank, b.rank)
    let pa = [Int](repeating: 1, count: rank - a.rank) + a.shape
    let pb = [Int](repeating: 1, count: rank - b.rank) + b.shape
    let out = zip(pa, pb).map { max($0, $1) }
    let values = allIndices(out).map { index -> Float in
        let ia = zip(index, pa).map { $1 == 1 ? 0 : $0 }, ib = zip(index, pb).map { $1 == 1 ? 0 : $0 }
        return f(a.scalars[offset(ia, in: pa)], b.scalars[offset(ib, in: pb)])
    }
    return tensor(out, values)
}

final class ElementwiseTests: XCTestCase {
    func testBroadcastShapeAlignsTrailingAxes() throws {
        XCTAssertEqual(try Tensor.broadcastShape([2, 3], [3]), [2, 3])
        XCTAssertEqual(try Tensor.broadcastShape([4, 1], [1, 5]), [4, 5])
        XCTAssertEqual(try Tensor.broadcastShape([], [2, 2]), [2, 2])
        XCTAssertEqual(try Tensor.broadcastShape([8, 1, 6, 1], [7, 1, 5]), [8, 7, 6, 5])
        XCTAssertEqual(try Tensor.broadcastShape([3, 0], [1]), [3, 0])
    }

    func testBroadcastShapeErrorNamesBothShapes() {
        assertShapeError(try Tensor.broadcastShape([2, 3], [4]), mentions: ["(2, 3)", "(4,)"])
        assertShapeError(try randomTensor([2, 3], seed: 1).adding(randomTensor([3, 2], seed: 2)), mentions: ["(2, 3)", "(3, 2)"])
    }

    func testSameShapeArithmetic() throws {
        let a = tensor([2, 2], [1, 2, 3, 4]), b = tensor([2, 2], [10, 20, 30, 40])
        XCTAssertEqual(try a.adding(b).scalars, [11, 22, 33, 44])
        XCTAssertEqual(try a.subtracting(b).scalars, [-9, -18, -27, -36])
        XCTAssertEqual(try a.multiplying(b).scalars, [10, 40, 90, 160])
        XCTAssertEqual(try b.dividing(a).scalars, [10, 10, 10, 10])
    }

    func testBiasAddOverTheLastAxis() throws {
        let x = randomTensor([5, 7], seed: 1), bias = randomTensor([7], seed: 2)
        assertClose(try x.adding(bias), naiveBroadcast(x, bias, +), tolerance: 0)
    }

    func testTrailingBlockOnTheLeftKeepsOperandOrder() throws {
        let block = randomTensor([1, 3, 4], seed: 1), full = randomTensor([2, 3, 4], seed: 2)
        assertClose(try block.subtracting(full), naiveBroadcast(block, full, -), tolerance: 0)
        assertClose(try block.dividing(full), naiveBroadcast(block, full, /), tolerance: 0)
    }

    func testGeneralBroadcasts() throws {
        let cases: [([Int], [Int])] = [
            ([4, 1], [1, 5]), ([2, 1, 3], [4, 1]), ([3, 1, 5], [3, 4, 1]), ([2, 3, 4], [3, 1]),
            ([1], [2, 3]), ([6, 1, 1, 2], [5, 1]), ([2, 3], [2, 1]),
        ]
        for (k, (sa, sb)) in cases.enumerated() {
            let a = randomTensor(sa, seed: 2 * k), b = randomTensor(sb, seed: 2 * k + 1, low: 0.5, high: 2)
            assertClose(try a.adding(b), naiveBroadcast(a, b, +), tolerance: 0)
            assertClose(try a.subtracting(b), naiveBroadcast(a, b, -), tolerance: 0)
            assertClose(try b.subtracting(a), naiveBroadcast(b, a, -), tolerance: 0)
            assertClose(try a.dividing(b), naiveBroadcast(a, b, /), tolerance: 0)
        }
    }

    func testScalarTensorBroadcasts() throws {
        let x = tensor([3], [1, 2, 3])
        XCTAssertEqual(try x.multiplying(Tensor(scalar: 2)).scalars, [2, 4, 6])
        XCTAssertEqual(try Tensor(scalar: 6).dividing(x).scalars, [6, 3, 2])
    }

    func testMaximumAndMinimumPropagateNaN() throws {
        let a = tensor([3], [1, .nan, 5]), b = tensor([3], [2, 0, .nan])
        let maximum = try a.maximum(b).scalars, minimum = try a.minimum(b).scalars
        XCTAssertEqual(maximum[0], 2)
        XCTAssertTrue(maximum[1].isNaN && maximum[2].isNaN)
        XCTAssertEqual(minimum[0], 1)
        XCTAssertTrue(minimum[1].isNaN && minimum[2].isNaN)
    }

    func testScalarVariants() {
        let x = tensor([4], [-2, -1, 1, 2])
        XCTAssertEqual(x.adding(scalar: 1).scalars, [-1, 0, 2, 3])
        XCTAssertEqual(x.subtracting(scalar: 1).scalars, [-3, -2, 0, 1])
        XCTAssertEqual(x.multiplying(scalar: 3).scalars, [-6, -3, 3, 6])
        XCTAssertEqual(x.dividing(scalar: 2).scalars, [-1, -0.5, 0.5, 1])
        XCTAssertEqual(x.maximum(scalar: 0).scalars, [0, 0, 1, 2])
        XCTAssertEqual(x.minimum(scalar: 0).scalars, [-2, -1, 0, 0])
    }

    func testMapAppliesTheClosureToEveryElementAndKeepsTheShape() {
        let y = tensor([2, 2], [1, 2, 3, 4]).map { $0 * $0 + 1 }
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.scalars, [2, 5, 10, 17])
    }

    func testUnaryMaps() {
        let x = tensor([3], [-4, 1, 4])
        XCTAssertEqual(x.negated().scalars, [4, -1, -4])
        XCTAssertEqual(x.absolute().scalars, [4, 1, 4])
        XCTAssertEqual(x.squared().scalars, [16, 1, 16])
        XCTAssertEqual(x.absolute().squareRoot().scalars, [2, 1, 2])
        XCTAssertEqual(x.clipped(lower: -1, upper: 2).scalars, [-1, 1, 2])
        XCTAssertEqual(x.absolute().raised(toPower: 3).scalars, [64, 1, 64])
        assertClose(tensor([2], [0, 1]).exp(), tensor([2], [1, 2.7182817]))
        assertClose(tensor([2], [1, 2.7182817]).log(), tensor([2], [0, 1]))
    }

    func testOperandsAreNotModified() throws {
        let a = tensor([2], [1, 2]), b = tensor([2], [3, 4])
        _ = try a.adding(b)
        _ = a.multiplying(scalar: 5)
        XCTAssertEqual(a.scalars, [1, 2])
        XCTAssertEqual(b.scalars, [3, 4])
    }
}
