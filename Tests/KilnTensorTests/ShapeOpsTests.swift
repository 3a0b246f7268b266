import XCTest
@testable import KilnTensor

final class ShapeOpsTests: XCTestCase {
    func testMatrixTranspose() {
        let m = tensor([2, 3], [1, 2, 3, 4, 5, 6]).transposed()
        XCTAssertEqual(m.shape, [3, 2])
        XCTAssertEqual(m.scalars, [1, 4, 2, 5, 3, 6])
    }

    func testPermutationMatchesTheDefinition() throws {
        let x = randomTensor([2, 3, 4, 5], seed: 1)
        for permutation in [[0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 3, 2], [0, 3, 1, 2], [2, 3, 0, 1]] {
            let y = try x.transposed(permutation: permutation)
            XCTAssertEqual(y.shape, permutation.map { x.shape[$0] })
            for index in allIndices(y.shape) {
                var source = [Int](repeating: 0, count: 4)
                for (i, p) in permutation.enumerated() { source[p] = index[i] }
                XCTAssertEqual(y[index], x[source])
            }
        }
    }

    func testBadPermutationsThrow() {
        let x = Tensor(shape: [2, 3])
        assertShapeError(try x.transposed(permutation: [0]), mentions: ["(2, 3)"])
        assertShapeError(try x.transposed(permutation: [1, 1]), mentions: ["repeated"])
        assertShapeError(try x.transposed(permutation: [0, 2]), mentions: ["axis 2"])
    }

    func testConcatenateAlongEachAxis() throws {
        let a = tensor([2, 2], [1, 2, 3, 4]), b = tensor([2, 1], [5, 6]), c = tensor([1, 2], [7, 8])
        let columns = try Tensor.concatenate([a, b], axis: 1)
        XCTAssertEqual(columns.shape, [2, 3])
        XCTAssertEqual(columns.scalars, [1, 2, 5, 3, 4, 6])
        XCTAssertEqual(try Tensor.concatenate([a, b], axis: -1).scalars, columns.scalars)
        let rows = try Tensor.concatenate([a, c], axis: 0)
        XCTAssertEqual(rows.shape, [3, 2])
        XCTAssertEqual(rows.scalars, [1, 2, 3, 4, 7, 8])
    }

    func testConcatenateMismatchNamesTheShapes() {
        assertShapeError(try Tensor.concatenate([Tensor(shape: [2, 2]), Tensor(shape: [3, 1])], axis: 1), mentions: ["(2, 2)", "(3, 1)"])
        assertShapeError(try Tensor.concatenate([], axis: 0), mentions: ["at least one"])
    }

    func testRowsSliceTheFirstAxis() throws {
        let x = tensor([3, 2], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try x.rows(1..<3).scalars, [3, 4, 5, 6])
        XCTAssertEqual(try x.rows(1..<3).shape, [2, 2])
        XCTAssertEqual(try x.rows(0..<0).shape, [0, 2])
        assertShapeError(try x.rows(2..<4), mentions: ["out of bounds", "size 3"])
    }

    func testSliceAlongAnyAxis() throws {
        let x = tensor([2, 3], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try x.sliced(axis: 1, 1..<3).scalars, [2, 3, 5, 6])
    }

    func testGatherRowsInAnyOrderWithRepeats() throws {
        let table = tensor([3, 2], [1, 2, 3, 4, 5, 6])
        let y = try table.gatherRows([2, 0, 2])
        XCTAssertEqual(y.shape, [3, 2])
        XCTAssertEqual(y.scalars, [5, 6, 1, 2, 5, 6])
        assertShapeError(try table.gatherRows([3]), mentions: ["index 3", "size 3"])
        assertShapeError(try table.gatherRows([-1]), mentions: ["index -1"])
    }

    func testScatterAddingRowsAccumulatesRepeats() throws {
        let values = tensor([3, 2], [1, 1, 2, 2, 3, 3])
        let y = try Tensor.scatterAddingRows(values, indices: [1, 0, 1], rowCount: 3)
        XCTAssertEqual(y.shape, [3, 2])
        XCTAssertEqual(y.scalars, [2, 2, 4, 4, 0, 0])
    }

    func testPaddedAddsConstantsOnEachSide() throws {
        let x = tensor([2, 2], [1, 2, 3, 4])
        let y = try x.padded([(1, 0), (0, 2)], value: 9)
        XCTAssertEqual(y.shape, [3, 4])
        XCTAssertEqual(y.scalars, [9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9])
        assertShapeError(try x.padded([(1, 1)]), mentions: ["(2, 2)"])
    }
}
