import Foundation
import XCTest
@testable import KilnLibrary

/// The stdlib/*.kiln modules are compiled into the binary with their exact text.
final class StdlibEmbeddingTests: XCTestCase {
    /// stdlib/ in this checkout (found from this file's path, not the working directory).
    let stdlibDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("stdlib")

    /// Module name → file, for every `.kiln` file in stdlib/ (`a/b.kiln` is module `a.b`).
    func stdlibFiles() throws -> [String: URL] {
        let paths = try XCTUnwrap(FileManager.default.subpaths(atPath: stdlibDirectory.path))
        var files: [String: URL] = [:]
        for path in paths where path.hasSuffix(".kiln") {
            let module = path.dropLast(".kiln".count).split(separator: "/").joined(separator: ".")
            files[module] = stdlibDirectory.appendingPathComponent(path)
        }
        return files
    }

    func testEveryStdlibFileIsEmbeddedWithItsExactText() throws {
        let files = try stdlibFiles()
        XCTAssertFalse(files.isEmpty)
        for (module, url) in files {
            let text = try XCTUnwrap(String(data: Data(contentsOf: url), encoding: .utf8))
            XCTAssertEqual(Stdlib.source(ofModule: module), text, "stdlib/\(module).kiln")
        }
    }

    func testNothingIsEmbeddedButTheStdlibFiles() throws {
        XCTAssertEqual(Set(embeddedStdlibSources.keys), Set(try stdlibFiles().keys))
    }

    func testModuleNamesAreSorted() {
        XCTAssertEqual(Stdlib.moduleNames, Stdlib.moduleNames.sorted())
        XCTAssertTrue(Stdlib.moduleNames.contains("statistics"))
    }

    func testUnknownModuleHasNoSource() {
        XCTAssertNil(Stdlib.source(ofModule: "no_such_module"))
    }

    func testDisplayFilenameNamesTheStdlibFile() {
        XCTAssertEqual(Stdlib.displayFilename(ofModule: "statistics"), "<stdlib>/statistics.kiln")
        XCTAssertEqual(Stdlib.displayFilename(ofModule: "a.b"), "<stdlib>/a/b.kiln")
    }
}
