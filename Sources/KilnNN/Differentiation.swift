/// Reverse-mode differentiation over layers: a layer's training forward pass records what its
/// backward pass needs (`Recorded`), and a model runs the recorded backward passes in reverse
/// order, summing gradients where a tensor feeds several layers (residual connections) and
/// where a layer is called several times (shared layers). Each layer's backward sits next to
/// its forward, in the layer's own file; the kernels' gradients are checked against finite
/// differences in KilnTensorTests, the layers' and models' in KilnNNTests.

import KilnTensor

/// The gradients one backward pass produces: one per input of the call (none at all when the
/// layer's `needsInputGradient` was false), and one per weight of the layer in `weights` order
/// (nil for weights that are not trained, such as moving statistics).
public struct LayerGradients {
    public var inputs: [Tensor]
    public var weights: [Tensor?]

    public init(inputs: [Tensor], weights: [Tensor?] = []) {
        self.inputs = inputs
        self.weights = weights
    }
}

/// A forward pass in training mode with its backward pass: given ∂loss/∂output, the gradients.
/// A layer that ends in an activation also exposes the pre-activation values (`logits`) and the
/// backward pass from them, so a crossentropy can be fused with its softmax or sigmoid.
public struct Recorded {
    public let output: Tensor
    public let backward: (Tensor) throws -> LayerGradients
    public var logits: (values: Tensor, activation: Activation, backward: (Tensor) throws -> LayerGradients)?

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

    /// The activation's backward composed after a recorded linear part. When the activation's
    /// derivative can be read off its output and no loss fuses with it (ReLU, tanh), it is
    /// applied over `z` in place and only the output is kept (`z` is consumed: the caller's
    /// fresh result is reused, not copied); otherwise `z` stays as the logits.
    func activated(_ z: consuming Tensor, _ activation: Activation, _ linear: @escaping (Tensor) throws -> LayerGradients) -> Recorded {
        guard activation.backwardNeedsOnlyOutput else { return activatedKeepingLogits(z, activation, linear) }
        var y = z
        activation.applyInPlace(&y)
        return activatedInKernel(y, activation, linear)
    }

    /// The record keeping `z`, for a loss that fuses with the activation (softmax, sigmoid) and
    /// for activations whose derivative needs their input.
    private func activatedKeepingLogits(_ z: Tensor, _ activation: Activation, _ linear: @escaping (Tensor) throws -> LayerGradients) -> Recorded {
        let y = activation.apply(z)
        var recorded = Recorded(output: y) { g in
            try linear(activation == .linear ? g : activation.backward(input: z, output: y, upstream: g))
        }
        recorded.logits = (z, activation, linear)
        return recorded
    }

    /// The record of a linear part whose kernel applied the activation itself (in its epilogue,
    /// so the pre-activation values never existed): for activations whose backward needs only
    /// the output (`Activation.backwardNeedsOnlyOutput`).
    func activatedInKernel(_ y: Tensor, _ activation: Activation, _ linear: @escaping (Tensor) throws -> LayerGradients) -> Recorded {
        Recorded(output: y) { g in
            try linear(activation == .linear ? g : activation.backward(input: y, output: y, upstream: g))
        }
    }

    /// `activatedInKernel` for a layer with a bias (`linear` takes the gradient and the bias
    /// gradient): the activation's backward gives the bias gradient, the gradient's sums over
    /// every axis but the last, in the same pass.
    func activatedInKernel(_ y: Tensor, _ activation: Activation, withBiasGradient linear: @escaping (Tensor, Tensor) throws -> LayerGradients) -> Recorded {
        Recorded(output: y) { g in
            if activation == .linear { return try linear(g, try g.sum(axes: Array(0..<Swift.max(g.rank - 1, 0)))) }
            let (d, sums) = try activation.backwardWithColumnSums(output: y, upstream: g)
            return try linear(d, sums)
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

/// One training pass through a model: the recorded calls in execution order and every value.
struct Tape {
    var entries: [(layer: Layer, recorded: Recorded, inputKeys: [NodeKey], outputKey: NodeKey)] = []
    var outputKeys: [NodeKey] = []
    var outputs: [Tensor] = []
}

extension Model {
    /// Runs the model in training mode on `inputs`, then back from ∂loss/∂outputs (given by
    /// `lossGradient` from the outputs) to the gradient of every trainable weight.
    public func gradients(_ inputs: [Tensor], lossGradient: ([Tensor]) throws -> [Tensor]) throws -> (outputs: [Tensor], gradients: WeightGradients) {
        let tape = try trainingPass(inputs)
        var upstream: [NodeKey: Tensor] = [:]
        for (key, g) in zip(tape.outputKeys, try lossGradient(tape.outputs)) {
            upstream[key] = try upstream[key].map { try $0.adding(g) } ?? g
        }
        return (tape.outputs, try backpropagate(tape, upstream: upstream, logitGradients: [:]))
    }

    /// One training step's loss and gradients: each output's loss (fused with a final softmax or
    /// sigmoid when the loss allows it) summed with `lossWeights` (Keras' loss_weights).
    /// `sampleWeights` weigh each sample's loss (Keras' `sample_weight`, the same for every output).
    public func lossAndGradients(_ inputs: [Tensor], targets: [Tensor], losses: [Loss], lossWeights: [Float]? = nil,
                                 sampleWeights: [Float]? = nil)
        throws -> (loss: Float, outputs: [Tensor], gradients: WeightGradients) {
        let tape = try trainingPass(inputs)
        guard targets.count == tape.outputs.count, losses.count == tape.outputs.count else {
            throw LayerError("Model \"\(name)\" has \(tape.outputs.count) output(s), but \(targets.count) target array(s) and \(losses.count) loss(es) were given")
        }
        var total: Float = 0
        var upstream: [NodeKey: Tensor] = [:], logitGradients: [NodeKey: Tensor] = [:]
        for (i, key) in tape.outputKeys.enumerated() {
            let weight: Float = lossWeights?[i] ?? 1
            let producer = tape.entries.last { $0.outputKey == key }?.recorded
            if let fused = losses[i].fusableActivation, let logits = producer?.logits, logits.activation == fused {
                let (value, g) = try losses[i].onLogits.compute(target: targets[i], prediction: logits.values, sampleWeights: sampleWeights)
                total += weight * value
                logitGradients[key] = g.multiplying(scalar: weight)
            } else {
                let (value, g) = try losses[i].compute(target: targets[i], prediction: tape.outputs[i], sampleWeights: sampleWeights)
                total += weight * value
                let scaled = g.multiplying(scalar: weight)
                upstream[key] = try upstream[key].map { try $0.adding(scaled) } ?? scaled
            }
        }
        var gradients = try backpropagate(tape, upstream: upstream, logitGradients: logitGradients)
        try addRegularizationGradients(to: &gradients)
        return (total + regularizationLoss(), tape.outputs, gradients)
    }

    /// The training-mode forward pass, keeping every layer's backward pass.
    func trainingPass(_ inputs: [Tensor]) throws -> Tape {
        var tape = Tape()
        var values: [NodeKey: Tensor] = [:]
        let (inputKeys, outputKeys, calls) = try graph(for: inputs)
        for (key, value) in zip(inputKeys, inputs) { values[key] = value }
        for call in calls {
            let args = try call.inputs.map { key -> Tensor in
                guard let v = values[key] else { throw LayerError("Graph disconnected at layer \"\(call.layer.name)\"") }
                return v
            }
            call.layer.needsInputGradient = !call.inputs.allSatisfy(inputKeys.contains)
            defer { call.layer.needsInputGradient = true }
            let recorded = try call.layer.record(args)
            values[call.output] = recorded.output
            tape.entries.append((call.layer, recorded, call.inputs, call.output))
        }
        tape.outputKeys = outputKeys
        tape.outputs = try outputKeys.map { key -> Tensor in
            guard let v = values[key] else { throw LayerError("Model \"\(name)\" produced no output") }
            return v
        }
        return tape
    }

    /// Runs the recorded backward passes in reverse, from gradients with respect to outputs
    /// (`upstream`) or to a final activation's logits (`logitGradients`).
    func backpropagate(_ tape: Tape, upstream initial: [NodeKey: Tensor], logitGradients: [NodeKey: Tensor]) throws -> WeightGradients {
        var upstream = initial
        var result = WeightGradients()
        for entry in tape.entries.reversed() {
            var parts: [LayerGradients] = []
            if let g = upstream[entry.outputKey] { parts.append(try entry.recorded.backward(g)) }
            if let gz = logitGradients[entry.outputKey], let logits = entry.recorded.logits { parts.append(try logits.backward(gz)) }
            for grads in parts {
                for (weight, wg) in zip(entry.layer.weights, grads.weights) where weight.trainable && entry.layer.trainable {
                    if let wg = wg { try result.add(wg, for: weight) }
                }
                for (key, ig) in zip(entry.inputKeys, grads.inputs) {
                    upstream[key] = try upstream[key].map { try $0.adding(ig) } ?? ig
                }
            }
        }
        return result
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
