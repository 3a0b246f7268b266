import CReadline
import XCTest

/// GNU readline links: the REPL depends on it.
final class ReadlineTests: XCTestCase {
    func testLibraryReportsItsVersion() throws {
        let version = String(cString: try XCTUnwrap(rl_library_version))
        XCTAssertFalse(version.isEmpty)
        XCTAssertGreaterThan(RL_READLINE_VERSION, 0)
    }

    func testHistoryKeepsAddedLines() throws {
        using_history()
        let before = history_length
        add_history("model.summary()")
        XCTAssertEqual(history_length, before + 1)
        let entry = try XCTUnwrap(history_get(history_base + history_length - 1))
        XCTAssertEqual(String(cString: entry.pointee.line), "model.summary()")
    }
}
