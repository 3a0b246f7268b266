import Foundation
import XCTest

/// The files under Fixtures/ and the example notebooks, and golden-file comparison.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let notebooksFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("notebooks")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent(name))
    }

    /// The example notebooks (notebooks/*.kiln): name and text.
    static func exampleNotebooks() throws -> [(name: String, text: String)] {
        try FileManager.default.contentsOfDirectory(atPath: notebooksFolder.path).filter { $0.hasSuffix(".kiln") }.sorted().map {
            ($0, try String(contentsOf: notebooksFolder.appendingPathComponent($0), encoding: .utf8))
        }
    }

    /// Checks `actual` against the golden file `name`; with KILN_UPDATE_GOLDEN=1 in the
    /// environment, writes it instead (then review the diff and commit it).
    static func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["KILN_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(actual, expected, "\(name) differs; run with KILN_UPDATE_GOLDEN=1 to rewrite it", file: file, line: line)
    }
}
