/// `model.summary()` in the classic Keras format (Keras 2 / TensorFlow 2.0–2.5): a
/// 65-character table (Layer (type), Output Shape, Param #) for sequential models and a
/// 98-character one with a "Connected to" column (one inbound tensor per line) for other
/// functional models; fields cut at fixed positions with the last character of a cut field
/// replaced by a space; `_` rules between rows, `=` after the last; thousands separators.

extension Model {
    /// The summary table, one line per element, as Keras prints it.
    public func summary() throws -> String {
        if let s = self as? Sequential, !s.isModelBuilt {
            throw LayerError("This model has not yet been built. Build the model first by calling `build()` or by calling the model on a batch of data.")
        }
        let functional = self as? Functional
        let sequentialLike = functional.map { $0.isSequentialLike } ?? true
        let lineLength = sequentialLike ? 65 : 98
        let fractions: [Double] = sequentialLike ? [0.45, 0.85, 1.0] : [0.33, 0.55, 0.67, 1.0]
        let positions = fractions.map { Int(Double(lineLength) * $0) }
        var header = ["Layer (type)", "Output Shape", "Param #"]
        if !sequentialLike { header.append("Connected to") }

        var lines = ["Model: \"\(name)\"", String(repeating: "_", count: lineLength)]
        lines.append(Model.row(header, positions))
        lines.append(String(repeating: "=", count: lineLength))
        let shown = layers
        for (i, layer) in shown.enumerated() {
            let title = "\(layer.name) (\(layer.className))"
            let shape = layer is InputLayer && functional != nil ? "[\(layer.outputShape?.description ?? "multiple")]"
                : (layer.outputShape?.description ?? "multiple")
            let params = String(layer.countParams())
            if sequentialLike {
                lines.append(Model.row([title, shape, params], positions))
            } else {
                let connections = layer.inboundNodes.flatMap { node in
                    node.inputs.map { "\($0.layer.name)[\($0.nodeIndex)][0]" }
                }
                lines.append(Model.row([title, shape, params, connections.first ?? ""], positions))
                for more in connections.dropFirst() { lines.append(Model.row(["", "", "", more], positions)) }
            }
            let rule: Character = i == shown.count - 1 ? "=" : "_"
            lines.append(String(repeating: rule, count: lineLength))
        }
        let trainable = trainableParams
        let nonTrainable = nonTrainableParams
        lines.append("Total params: \(Model.grouped(trainable + nonTrainable))")
        lines.append("Trainable params: \(Model.grouped(trainable))")
        lines.append("Non-trainable params: \(Model.grouped(nonTrainable))")
        lines.append(String(repeating: "_", count: lineLength))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Keras' `print_row`: each field cut at its column; a field that runs into the next
    /// column loses its last character to a space.
    public static func row(_ fields: [String], _ positions: [Int]) -> String {
        var line: [Character] = []
        for (i, field) in fields.enumerated() {
            if i > 0, !line.isEmpty { line[line.count - 1] = " " }
            line.append(contentsOf: field)
            if line.count > positions[i] { line = Array(line.prefix(positions[i])) }
            line.append(contentsOf: String(repeating: " ", count: positions[i] - line.count))
        }
        return String(line)
    }

    /// `38,949`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}

extension Functional {
    /// Keras prints a functional model in the narrow format when it is a simple chain: every
    /// layer called once, on at most one tensor.
    var isSequentialLike: Bool {
        for layer in layers {
            if layer.inboundNodes.count > 1 { return false }
            if let node = layer.inboundNodes.first, node.inputs.count > 1 { return false }
        }
        return inputs.count == 1 && outputs.count == 1
    }
}
