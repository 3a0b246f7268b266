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

    /// A JSON value that keeps booleans apart from numbers.
    enum JSON: Decodable {
        case null, bool(Bool), number(Double), string(String), array([JSON]), object([String: JSON])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSON].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSON].self)) }
        }

        subscript(_ key: String) -> JSON? {
            if case .object(let o) = self { return o[key] }
            return nil
        }

        var array: [JSON] { if case .array(let a) = self { return a } else { return [] } }
        var string: String? { if case .string(let s) = self { return s } else { return nil } }
        var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
        var number: Double? { if case .number(let d) = self { return d } else { return nil } }
    }

    struct Case {
        var name: String
        var json: JSON
    }

    func cases() throws -> [Case] {
        try FileManager.default.contentsOfDirectory(atPath: ForwardFixtureTests.folder.path)
            .filter { $0.hasSuffix(".json") }.sorted().map { file in
                let data = try Data(contentsOf: ForwardFixtureTests.folder.appendingPathComponent(file))
                return Case(name: String(file.dropLast(5)), json: try JSONDecoder().decode(JSON.self, from: data))
            }
    }

    /// A JSON value as Kiln source.
    static func literal(_ v: JSON) -> String {
        switch v {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : Repr.float(d)
        case .string(let s): return Repr.string(s)
        case .array(let a): return "[" + a.map(literal).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\(Repr.string($0)): \(literal(o[$0] ?? .null))" }.joined(separator: ", ") + "}"
        }
    }

    /// `np.array([...], dtype=...).reshape(shape)` for an {"shape", "values"} entry.
    static func array(_ entry: JSON) -> String {
        let dtype = entry["dtype"]?.string ?? "float32"
        let values = (entry["values"]?.array ?? []).map { v -> String in
            if case .number(let d) = v { return Repr.float(d) }
            return literal(v)
        }
        return "np.array([\(values.joined(separator: ", "))], dtype=\(Repr.string(dtype))).reshape(\(literal(entry["shape"] ?? .array([]))))"
    }

    func source(_ c: Case) -> String {
        let layer = c.json["layer"]?.string ?? "?"
        let args = (c.json["args"]?.array ?? []).map(ForwardFixtureTests.literal)
        var kwargs: [String] = []
        if case .object(let o)? = c.json["kwargs"] {
            kwargs = o.keys.sorted().map { "\($0)=\(ForwardFixtureTests.literal(o[$0] ?? .null))" }
        }
        let inputs = (c.json["inputs"]?.array ?? []).map(ForwardFixtureTests.array)
        let x = inputs.count == 1 ? inputs[0] : "[" + inputs.joined(separator: ", ") + "]"
        let weights = (c.json["weights"]?.array ?? []).map(ForwardFixtureTests.array)
        let training = (c.json["training"]?.bool ?? false) ? "True" : "False"
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
            let structural = ["Dropout", "AlphaDropout"].contains(c.json["layer"]?.string ?? "")
                && (c.json["training"]?.bool ?? false)
            if structural {
                checkDropoutStructure(c, output)
                continue
            }
            // Where Keras 3 and tf_keras disagree (hard_sigmoid), Kiln follows Keras 3.
            if let expected = c.json["output_keras3"] ?? c.json["output"] {
                compare(c.name + " output", output, expected)
            }
            if let after = c.json["weights_after"]?.array, !after.isEmpty {
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
    func compare(_ label: String, _ got: Tensor, _ expected: JSON) {
        let shape = (expected["shape"]?.array ?? []).compactMap { $0.number.map { Int($0) } }
        let values = (expected["values"]?.array ?? []).compactMap { $0.number.map { Float($0) } }
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
        guard c.json["layer"]?.string == "Dropout", let input = c.json["inputs"]?.array.first,
              let rate = c.json["args"]?.array.first?.number.map(Float.init) else { return }
        let x = (input["values"]?.array ?? []).compactMap { $0.number.map { Float($0) } }
        var dropped = 0
        for (g, v) in zip(output.scalars, x) {
            if g == 0 { dropped += 1 } else { XCTAssertEqual(g, v / (1 - rate), accuracy: 1e-5, c.name) }
        }
        XCTAssertGreaterThan(dropped, 0, "\(c.name): nothing was dropped")
        XCTAssertLessThan(dropped, x.count, "\(c.name): everything was dropped")
    }
}
