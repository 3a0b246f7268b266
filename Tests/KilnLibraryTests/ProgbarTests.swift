import Foundation
@testable import KilnLibrary
import XCTest

/// The progress bar against tf_keras' Progbar driven with the same clock readings and values
/// (Fixtures/progbar/cases.json, made by Fixtures/generate/progbar.py): live bars with their
/// ETA formats and redraw padding, the final line, and the one-line-per-epoch form.
final class ProgbarTests: XCTestCase {
    struct Case: Decodable {
        let verbose: Int
        let target: Int
        let times: [Double]
        let updates: [Update]
        let output: String
    }

    /// `[current, [[name, value], ...]]` as the generator writes it.
    struct Update: Decodable {
        let current: Int
        let values: [(String, Float)]

        init(from decoder: Decoder) throws {
            var outer = try decoder.unkeyedContainer()
            current = try outer.decode(Int.self)
            var list = try outer.nestedUnkeyedContainer()
            var values: [(String, Float)] = []
            while !list.isAtEnd {
                var pair = try list.nestedUnkeyedContainer()
                values.append((try pair.decode(String.self), try pair.decode(Float.self)))
            }
            self.values = values
        }
    }

    func testMatchesTfKerasProgbar() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/progbar/cases.json")
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
        XCTAssertEqual(cases.count, 4)
        for (i, c) in cases.enumerated() {
            var times = c.times.makeIterator()
            let bar = Progbar(target: c.target, verbose: c.verbose, clock: { times.next() ?? 0 })
            let text = c.updates.compactMap { bar.update($0.current, $0.values) }.joined()
            XCTAssertEqual(text, c.output, "case \(i)")
        }
    }

    func testRedrawsNoMoreOftenThanEvery50Milliseconds() {
        var now = 0.0
        let bar = Progbar(target: 10, verbose: 1, clock: { now })
        now = 1
        XCTAssertNotNil(bar.update(1, [("loss", 1)]))
        now = 1.01
        XCTAssertNil(bar.update(2, [("loss", 1)]))
        XCTAssertNotNil(bar.update(10, [("loss", 1)]), "the last step always draws")
    }
}
