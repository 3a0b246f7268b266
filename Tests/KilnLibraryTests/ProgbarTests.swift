import Foundation
import KilnLang
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

    /// What fit prints when its output is not a terminal (as under `swift test`): "Epoch i/n"
    /// only when there are several epochs, then one line per epoch, validation values included.
    func testFitPrintsOneLinePerEpochWhenNotATerminal() throws {
        func printed(epochs: Int, verbose: String) throws -> String {
            let interpreter = KilnLibrary.makeInterpreter()
            var text = ""
            interpreter.output = { text += $0 }
            let source = """
                import numpy as np
                import keras
                keras.utils.set_random_seed(0)
                m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation='softmax')])
                m.compile('adam', 'sparse_categorical_crossentropy', metrics=['accuracy'])
                x = np.random.rand(40, 2).astype('float32')
                y = (x[:, 0] > 0.5).astype('int32')
                h = m.fit(x, y, batch_size=16, epochs=\(epochs), verbose=\(verbose), validation_split=0.25)
                """
            _ = try interpreter.run(source, filename: "fit.kiln").get()
            return text
        }
        let number = "[0-9]+\\.[0-9]{4}"
        let line = "2/2 - [0-9]+s - loss: \(number) - accuracy: \(number) - val_loss: \(number) - val_accuracy: \(number) - [0-9]+(s|ms|us)/epoch - [0-9]+(s|ms|us)/step"
        let two = try printed(epochs: 2, verbose: "1").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(two.count, 5, two.joined(separator: "\n"))
        XCTAssertEqual(two[0], "Epoch 1/2")
        XCTAssertEqual(two[2], "Epoch 2/2")
        for text in [two[1], two[3]] { XCTAssertNotNil(text.range(of: "^" + line + "$", options: .regularExpression), text) }
        let one = try printed(epochs: 1, verbose: "'auto'")
        XCTAssertNotNil(one.range(of: "^" + line + "\n$", options: .regularExpression), one)
        XCTAssertEqual(try printed(epochs: 2, verbose: "0"), "")
    }
}
