import KilnLearn
import XCTest

/// The sample matrix every learner reads.
final class SamplesTests: XCTestCase {
    func testRowsColumnsAndSelection() throws {
        let x = try Samples(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x[1, 0], 3)
        XCTAssertEqual(Array(x.row(2)), [5, 6])
        XCTAssertEqual(x.column(1), [2, 4, 6])
        XCTAssertEqual(x.rows([2, 0]).values, [5, 6, 1, 2])
        XCTAssertThrowsError(try Samples(rows: 2, columns: 2, values: [1])) { error in
            XCTAssertEqual("\(error)", "a 2 × 2 matrix needs 4 values, got 1")
        }
    }
}
