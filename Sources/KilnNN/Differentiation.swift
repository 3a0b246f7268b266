/// Reverse-mode differentiation over layers: a layer's training forward pass records what its
/// backward pass needs (`Recorded`), and a model runs the recorded backward passes in reverse
/// order, summing gradients where a tensor feeds several layers (residual connections) and
/// where a layer is called several times (shared layers). Each layer's backward sits next to
/// its forward, in the layer's own file; the kernels' gradients are checked against finite
/// differences in KilnTensorTests, the layers' and models' in KilnNNTests.

import KilnTensor

/// The gradients one backward pass produces: one per input of the call, and one per weight of
/// the layer in `weights` order (nil for weights that are not trained, such as moving statistics).
public struct LayerGradients {
    public var inputs: [Tensor]
    public var weights: [Tensor?]

    public init(inputs: [Tensor], weights: [Tensor?] = []) {
        self.inputs = inputs
        self.weights = weights
    }
}

/// A forward pass in training mode with its backward pass: given ∂loss/∂output, the gradients.
public struct Recorded {
    public let output: Tensor
    public let backward: (Tensor) throws -> LayerGradients

    public init(output: Tensor, backward: @escaping (Tensor) throws -> LayerGradients) {
        self.output = output
        self.backward = backward
    }
}

extension Layer {
    /// A layer without weights whose output does not depend on its input values (identity-like
    /// reshapes) passes the gradient back reshaped to the input.
    func reshapingRecord(_ x: Tensor, _ y: Tensor) -> Recorded {
        Recorded(output: y) { g in LayerGradients(inputs: [try g.reshaped(x.shape)]) }
    }

    /// The activation's backward composed after a recorded linear part.
    func activated(_ z: Tensor, _ activation: Activation, _ linear: @escaping (Tensor) throws -> LayerGradients) -> Recorded {
        let y = activation.apply(z)
        return Recorded(output: y) { g in
            try linear(activation == .linear ? g : activation.backward(input: z, output: y, upstream: g))
        }
    }
}

/// Gradients of a model's trainable weights, summed over every use of each weight.
public struct WeightGradients {
    private var values: [ObjectIdentifier: Tensor] = [:]

    public init() {}

    mutating func add(_ g: Tensor, for weight: Weight) throws {
        let id = ObjectIdentifier(weight)
        values[id] = try values[id].map { try $0.adding(g) } ?? g
    }

    /// The gradient of `weight` (nil when the loss does not depend on it).
    public subscript(_ weight: Weight) -> Tensor? { values[ObjectIdentifier(weight)] }
}

extension Model {
    /// Runs the model in training mode on `inputs`, then back from ∂loss/∂outputs (given by
    /// `lossGradient` from the outputs) to the gradient of every trainable weight.
    public func gradients(_ inputs: [Tensor], lossGradient: ([Tensor]) throws -> [Tensor]) throws -> (outputs: [Tensor], gradients: WeightGradients) {
        var tape: [(layer: Layer, recorded: Recorded, inputKeys: [NodeKey], outputKey: NodeKey)] = []
        var values: [NodeKey: Tensor] = [:]
        let (inputKeys, outputKeys, calls) = try graph(for: inputs)
        for (key, value) in zip(inputKeys, inputs) { values[key] = value }
        for call in calls {
            let args = try call.inputs.map { key -> Tensor in
                guard let v = values[key] else { throw LayerError("Graph disconnected at layer \"\(call.layer.name)\"") }
                return v
            }
            let recorded = try call.layer.record(args)
            values[call.output] = recorded.output
            tape.append((call.layer, recorded, call.inputs, call.output))
        }
        let outputs = try outputKeys.map { key -> Tensor in
            guard let v = values[key] else { throw LayerError("Model \"\(name)\" produced no output") }
            return v
        }
        var upstream: [NodeKey: Tensor] = [:]
        for (key, g) in zip(outputKeys, try lossGradient(outputs)) {
            upstream[key] = try upstream[key].map { try $0.adding(g) } ?? g
        }
        var result = WeightGradients()
        for entry in tape.reversed() {
            guard let g = upstream[entry.outputKey] else { continue }
            let grads = try entry.recorded.backward(g)
            for (weight, wg) in zip(entry.layer.weights, grads.weights) where weight.trainable && entry.layer.trainable {
                if let wg = wg { try result.add(wg, for: weight) }
            }
            for (key, ig) in zip(entry.inputKeys, grads.inputs) {
                upstream[key] = try upstream[key].map { try $0.adding(ig) } ?? ig
            }
        }
        return (outputs, result)
    }

    /// The calls of a training pass: where the inputs go, which node keys are outputs, and each
    /// layer call with the keys of its inputs and output, in execution order.
    func graph(for inputs: [Tensor]) throws -> (inputs: [NodeKey], outputs: [NodeKey], calls: [(layer: Layer, inputs: [NodeKey], output: NodeKey)]) {
        if let sequential = self as? Sequential {
            guard inputs.count == 1, let x = inputs.first else {
                throw LayerError("Layer \"\(name)\" expects 1 input(s), but it received \(inputs.count) input tensors.")
            }
            if let expected = sequential.inputShape {
                try checkInput(x, against: expected)
            } else {
                try sequential.rebuild(from: Shape([nil] + Shape(of: x).featureDims))
            }
            let start = NodeKey(layer: ObjectIdentifier(self), node: -1)
            var previous = start
            var calls: [(Layer, [NodeKey], NodeKey)] = []
            for (i, layer) in sequential.layers.enumerated() {
                let key = NodeKey(layer: ObjectIdentifier(layer), node: i)
                calls.append((layer, [previous], key))
                previous = key
            }
            return ([start], [previous], calls)
        }
        guard let functional = self as? Functional else { throw LayerError("Model \"\(name)\" cannot be trained") }
        guard inputs.count == functional.inputs.count else {
            throw LayerError("Layer \"\(name)\" expects \(functional.inputs.count) input(s), but it received \(inputs.count) input tensors.")
        }
        for (input, value) in zip(functional.inputs, inputs) { try input.layer.checkInput(value, against: input.shape) }
        let key = { (t: SymbolicTensor) in NodeKey(layer: ObjectIdentifier(t.layer), node: t.nodeIndex) }
        let calls = functional.executionSteps.filter { !($0.layer is InputLayer) }.map { step in
            (step.layer, step.layer.inboundNodes[step.node].inputs.map(key), NodeKey(layer: ObjectIdentifier(step.layer), node: step.node))
        }
        return (functional.inputs.map(key), functional.outputs.map(key), calls)
    }
}
