import XCTest
@testable import KilnLang

final class PositionTests: XCTestCase {
    func testPositionPrintsLineColon() {
        XCTAssertEqual(Position(line: 3, column: 7).description, "3:7")
    }
}
