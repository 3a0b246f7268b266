import Foundation
import KilnLang
import KilnLibrary
import KilnTensor
import XCTest

/// Every layer's forward values against tf_keras' (Keras 3's for BatchNormalization's moving
/// statistics) on the same weights and inputs: Fixtures/forward/*.json, made by the scripts in
/// Fixtures/generate. Each case is run through the language, as a notebook would:
/// construct the layer, call it once to build it, set the weights, call it again.
final class ForwardFixtureTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("forward")

    struct Case {
        var name: String
        var json: [String: Any]
    }

    func cases() throws -> [Case] {
        try FileManager.default.contentsOfDirectory(atPath: ForwardFixtureTests.folder.path)
            .filter { $0.hasSuffix(".json") }.sorted().map { file in
                let data = try Data(contentsOf: ForwardFixtureTests.folder.appendingPathComponent(file))
                guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(file) is not a JSON object"])
                }
                return Case(name: String(file.dropLast(5)), json: json)
            }
    }

    /// A JSON value as Kiln source.
    static func literal(_ v: Any) -> String {
        switch v {
        case let s as String: return Repr.string(s)
        case let n as NSNumber:
            if CFGetTypeID(n) == CFBooleanGetTypeID() { return n.boolValue ? "True" : "False" }
            return n.stringValue
        case let a as [Any]: return "[" + a.map(literal).joined(separator: ", ") + "]"
        case let d as [String: Any]: return "{" + d.keys.sorted().map { "\(Repr.string($0)): \(literal(d[$0] ?? NSNull()))" }.joined(separator: ", ") + "}"
        default: return "None"
        }
    }

    /// `np.array([...], dtype=...).reshape(shape)` for an {"shape", "values"} entry.
    static func array(_ entry: [String: Any]) -> String {
        let dtype = entry["dtype"] as? String ?? "float32"
        let shape = (entry["shape"] as? [Any]) ?? []
        return "np.array(\(literal(entry["values"] ?? [])), dtype=\(Repr.string(dtype))).reshape(\(literal(shape)))"
    }

    func source(_ c: Case) -> String {
        let layer = c.json["layer"] as? String ?? "?"
        let args = (c.json["args"] as? [Any] ?? []).map(ForwardFixtureTests.literal)
        let kwargs = (c.json["kwargs"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key)=\(ForwardFixtureTests.literal($0.value))" }
        let inputs = (c.json["inputs"] as? [[String: Any]] ?? []).map(ForwardFixtureTests.array)
        let x = inputs.count == 1 ? inputs[0] : "[" + inputs.joined(separator: ", ") + "]"
        let weights = (c.json["weights"] as? [[String: Any]] ?? []).map(ForwardFixtureTests.array)
        let training = (c.json["training"] as? Bool ?? false) ? "True" : "False"
        return """
            import numpy as np
            from tensorflow.keras import layers
            layer = layers.\(layer)(\((args + kwargs).joined(separator: ", ")))
            x = \(x)
            layer(x)
            layer.set_weights([\(weights.joined(separator: ", "))])
            y = layer(x, training=\(training))
            [y] + layer.get_weights()
            """
    }

    func testThereAreFixtures() throws {
        XCTAssertGreaterThan(try cases().count, 40)
    }

    func testEveryLayerMatchesKeras() throws {
        for c in try cases() {
            let interpreter = KilnLibrary.makeInterpreter()
            let result: Value?
            switch interpreter.run(source(c), filename: c.name + ".kiln") {
            case .success(let v): result = v
            case .failure(let e):
                XCTFail("\(c.name): \(interpreter.formatTraceback(e))\n\(source(c))")
                continue
            }
            guard let list = result?.as(KList.self), let y = list.items.first?.as(NDArray.self) else {
                XCTFail("\(c.name): no output")
                continue
            }
            let output = try y.tensor()
            let structural = (c.json["layer"] as? String).map { ["Dropout", "AlphaDropout"].contains($0) } ?? false
                && (c.json["training"] as? Bool ?? false)
            if structural {
                checkDropoutStructure(c, output)
                continue
            }
            if let expected = c.json["output"] as? [String: Any] {
                compare(c.name + " output", output, expected)
            }
            if let after = c.json["weights_after"] as? [[String: Any]] {
                let got = try list.items.dropFirst().map { v -> Tensor in
                    guard let a = v.as(NDArray.self) else { throw NSError(domain: "fixture", code: 2) }
                    return try a.tensor()
                }
                XCTAssertEqual(got.count, after.count, "\(c.name): number of weights after the call")
                for (i, (g, e)) in zip(got, after).enumerated() { compare("\(c.name) weight \(i) after", g, e) }
            }
        }
    }

    /// Within 1e-4, absolute or relative.
    func compare(_ label: String, _ got: Tensor, _ expected: [String: Any]) {
        let shape = (expected["shape"] as? [Int]) ?? []
        let values = ((expected["values"] as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.floatValue }
        XCTAssertEqual(got.shape, shape, "\(label): shape")
        guard got.shape == shape else { return }
        var worst: (Int, Float, Float)?
        for (i, (g, e)) in zip(got.scalars, values).enumerated() {
            let err = abs(g - e)
            if err > 1e-4 && err > 1e-4 * abs(e), worst == nil { worst = (i, g, e) }
        }
        if let (i, g, e) = worst { XCTFail("\(label): element \(i) is \(g), Keras has \(e)") }
    }

    /// Training-mode dropout can't reproduce TensorFlow's random stream: each output is either
    /// dropped (0 for Dropout) or the input scaled by 1 / (1 − rate).
    func checkDropoutStructure(_ c: Case, _ output: Tensor) {
        guard c.json["layer"] as? String == "Dropout",
              let input = (c.json["inputs"] as? [[String: Any]])?.first,
              let rate = ((c.json["args"] as? [Any])?.first as? NSNumber)?.floatValue else { return }
        let x = ((input["values"] as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.floatValue }
        var dropped = 0
        for (g, v) in zip(output.scalars, x) {
            if g == 0 { dropped += 1 } else { XCTAssertEqual(g, v / (1 - rate), accuracy: 1e-5, c.name) }
        }
        XCTAssertGreaterThan(dropped, 0, "\(c.name): nothing was dropped")
        XCTAssertLessThan(dropped, x.count, "\(c.name): everything was dropped")
    }
}
