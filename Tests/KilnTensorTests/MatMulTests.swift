import XCTest
@testable import KilnTensor

/// `[m, k] · [k, n]` by the definition, in Double.
private func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var total = 0.0
            for p in 0..<k { total += Double(a[i * k + p]) * Double(b[p * n + j]) }
            c[i * n + j] = Float(total)
        }
    }
    return c
}

private func transposedValues(_ x: [Float], rows: Int, columns: Int) -> [Float] {
    (0..<(rows * columns)).map { i in x[(i % rows) * columns + i / rows] }
}

final class MatMulTests: XCTestCase {
    func testHandComputedProduct() throws {
        let a = tensor([2, 3], [1, 2, 3, 4, 5, 6]), b = tensor([3, 2], [7, 8, 9, 10, 11, 12])
        let c = try matmul(a, b)
        XCTAssertEqual(c.shape, [2, 2])
        XCTAssertEqual(c.scalars, [58, 64, 139, 154])
    }

    func testOddSizesMatchTheDefinition() throws {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (13, 4, 9), (17, 31, 2)] {
            let a = randomTensor([m, k], seed: m), b = randomTensor([k, n], seed: n + 100)
            assertClose(try matmul(a, b), tensor([m, n], naiveMatmul(a.scalars, b.scalars, m: m, k: k, n: n)), tolerance: 1e-5)
        }
    }

    func testTransposeFlags() throws {
        let (m, k, n) = (5, 3, 4)
        let a = randomTensor([m, k], seed: 1), b = randomTensor([k, n], seed: 2)
        let expected = tensor([m, n], naiveMatmul(a.scalars, b.scalars, m: m, k: k, n: n))
        let at = tensor([k, m], transposedValues(a.scalars, rows: m, columns: k))
        let bt = tensor([n, k], transposedValues(b.scalars, rows: k, columns: n))
        assertClose(try matmul(at, b, transposeA: true), expected, tolerance: 1e-5)
        assertClose(try matmul(a, bt, transposeB: true), expected, tolerance: 1e-5)
        assertClose(try matmul(at, bt, transposeA: true, transposeB: true), expected, tolerance: 1e-5)
    }

    func testHigherRankTimesMatrixFlattensTheLeadingAxes() throws {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([4, 5], seed: 2)
        let c = try matmul(a, b)
        XCTAssertEqual(c.shape, [2, 3, 5])
        assertClose(c, tensor([2, 3, 5], naiveMatmul(a.scalars, b.scalars, m: 6, k: 4, n: 5)), tolerance: 1e-5)
    }

    func testHigherRankTransposedTimesMatrixTransposesEachBatch() throws {
        let a = randomTensor([2, 4, 3], seed: 1), b = randomTensor([4, 5], seed: 2)
        let c = try matmul(a, b, transposeA: true)
        XCTAssertEqual(c.shape, [2, 3, 5])
        for batch in 0..<2 {
            let slice = Array(a.scalars[(batch * 12)..<((batch + 1) * 12)])
            let expected = naiveMatmul(transposedValues(slice, rows: 4, columns: 3), b.scalars, m: 3, k: 4, n: 5)
            assertClose(try c.rows(batch..<(batch + 1)), tensor([1, 3, 5], expected), tolerance: 1e-5)
        }
    }

    func testBatchedProducts() throws {
        let a = randomTensor([3, 2, 4], seed: 1), b = randomTensor([3, 4, 5], seed: 2)
        let c = try matmul(a, b)
        XCTAssertEqual(c.shape, [3, 2, 5])
        for batch in 0..<3 {
            let expected = naiveMatmul(Array(a.scalars[(batch * 8)..<(batch * 8 + 8)]), Array(b.scalars[(batch * 20)..<(batch * 20 + 20)]), m: 2, k: 4, n: 5)
            assertClose(try c.rows(batch..<(batch + 1)), tensor([1, 2, 5], expected), tolerance: 1e-5)
        }
    }

    func testBatchedProductsWithTransposedOperands() throws {
        let a = randomTensor([2, 4, 3], seed: 3), b = randomTensor([2, 5, 4], seed: 4)
        let c = try matmul(a, b, transposeA: true, transposeB: true)
        XCTAssertEqual(c.shape, [2, 3, 5])
        let explicit = try matmul(a.transposed(permutation: [0, 2, 1]), b.transposed(permutation: [0, 2, 1]))
        assertClose(c, explicit, tolerance: 1e-5)
    }

    func testBatchAxesBroadcast() throws {
        let a = randomTensor([2, 1, 3, 4], seed: 1), b = randomTensor([3, 4, 2], seed: 2)
        let c = try matmul(a, b)
        XCTAssertEqual(c.shape, [2, 3, 3, 2])
        let expected = try matmul(a.rows(1..<2).reshaped([3, 4]), b.rows(2..<3).reshaped([4, 2]))
        assertClose(try c.rows(1..<2).sliced(axis: 1, 2..<3).reshaped([3, 2]), expected, tolerance: 1e-6)
    }

    func testVectorsAreRowsAndColumns() throws {
        let v = tensor([3], [1, 2, 3]), m = tensor([3, 2], [1, 0, 0, 1, 1, 1])
        let left = try matmul(v, m)
        XCTAssertEqual(left.shape, [2])
        XCTAssertEqual(left.scalars, [4, 5])
        let right = try matmul(tensor([2, 3], [1, 0, 0, 0, 0, 1]), v)
        XCTAssertEqual(right.shape, [2])
        XCTAssertEqual(right.scalars, [1, 3])
        let dot = try matmul(v, v)
        XCTAssertEqual(dot.shape, [])
        XCTAssertEqual(dot.scalars, [14])
    }

    func testInnerSizeMismatchNamesBothShapes() {
        assertShapeError(try matmul(Tensor(shape: [2, 3]), Tensor(shape: [4, 5])), mentions: ["(2, 3)", "(4, 5)"])
        assertShapeError(try matmul(Tensor(shape: [2, 3, 4]), Tensor(shape: [3, 5])), mentions: ["(2, 3, 4)", "(3, 5)"])
        assertShapeError(try matmul(Tensor(shape: [2, 3, 4]), Tensor(shape: [3, 4, 5])), mentions: ["(2, 3, 4)", "(3, 4, 5)"])
    }

    func testEmptyInnerAxisGivesZeros() throws {
        XCTAssertEqual(try matmul(Tensor(shape: [2, 0]), Tensor(shape: [0, 3])).scalars, [Float](repeating: 0, count: 6))
    }

    func testProductsSplitAcrossCoresMatchTheDefinition() throws {
        // Large enough that the rows (then the columns) of the result are split.
        let a = randomTensor([128, 96], seed: 1), b = randomTensor([96, 256], seed: 2)
        assertClose(try matmul(a, b), tensor([128, 256], naiveMatmul(a.scalars, b.scalars, m: 128, k: 96, n: 256)), tolerance: 1e-4)
        let row = randomTensor([2, 600], seed: 3), wide = randomTensor([600, 2_000], seed: 4)
        assertClose(try matmul(row, wide), tensor([2, 2_000], naiveMatmul(row.scalars, wide.scalars, m: 2, k: 600, n: 2_000)), tolerance: 1e-4)
    }

    func testSplitProductsAreDeterministic() throws {
        let a = randomTensor([128, 200], seed: 5), b = randomTensor([200, 128], seed: 6)
        XCTAssertEqual(try matmul(a, b).scalars, try matmul(a, b).scalars)
    }
}
