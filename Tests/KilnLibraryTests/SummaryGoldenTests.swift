import Foundation
import KilnLang
import KilnLibrary
import XCTest

/// `model.summary()` for the models in Fixtures/summary: each NAME.kiln (valid Python and Kiln)
/// must print exactly NAME.classic.txt: the classic Keras table the issue asks for, rendered
/// by Keras 2.6's own print_summary from the tf_keras model built by the same file (NAME.txt
/// is what tf_keras 2.21 prints today, kept for reference; see the README there).
final class SummaryGoldenTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("summary")

    func models() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: SummaryGoldenTests.folder.path)
            .filter { $0.hasSuffix(".kiln") }.map { String($0.dropLast(5)) }.sorted()
    }

    func testThereAreAtLeastSixGoldenModels() throws {
        XCTAssertGreaterThanOrEqual(try models().count, 6)
    }

    func testEverySummaryMatchesKeras() throws {
        for model in try models() {
            let source = try String(contentsOf: SummaryGoldenTests.folder.appendingPathComponent(model + ".kiln"), encoding: .utf8)
            let expected = try String(contentsOf: SummaryGoldenTests.folder.appendingPathComponent(model + ".classic.txt"), encoding: .utf8)
            let interpreter = KilnLibrary.makeInterpreter()
            var printed = ""
            interpreter.output = { printed += $0 }
            if case .failure(let e) = interpreter.run(source, filename: model + ".kiln") {
                XCTFail("\(model).kiln failed:\n\(interpreter.formatTraceback(e))")
                continue
            }
            XCTAssertEqual(printed, expected, "\(model): summary differs from Keras'\n--- kiln\n\(printed)--- keras\n\(expected)")
        }
    }
}
