import Foundation
import XCTest

/// The `kiln` binary's command line, run as a user would.
final class CommandLineTests: XCTestCase {
    func testHelpExitsZeroAndListsRun() throws {
        let result = try runKiln(["--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("USAGE: kiln"), result.stdout)
        XCTAssertTrue(result.stdout.contains("run"), result.stdout)
    }

    func testRunHelpExplainsTheFileArgument() throws {
        let result = try runKiln(["run", "--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("<file>"), result.stdout)
    }

    func testRunWithMissingFileExitsOneWithAClearError() throws {
        let result = try runKiln(["run", "missing.kiln"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kiln: can't open file 'missing.kiln': No such file or directory\n")
        XCTAssertEqual(result.stdout, "")
    }

    func testRunWithoutAFileIsAUsageError() throws {
        let result = try runKiln(["run"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("Missing expected argument '<file>'"), result.stderr)
    }

    func testUnknownSubcommandIsAUsageError() throws {
        let result = try runKiln(["frobnicate"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.stderr.isEmpty)
    }
}
