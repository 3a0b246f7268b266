/// Models: `Sequential` (a stack of layers) and functional models (`Model(inputs, outputs)`,
/// a graph of layer calls on symbolic tensors, for residual connections and several inputs or
/// outputs), with prediction in batches and Keras' parameter counts.

import KilnTensor

/// The output of calling a layer on symbolic inputs in the functional API
/// (`x = layers.Dense(8)(inputs)`): its shape and the call that produced it.
public final class SymbolicTensor {
    public let shape: Shape
    public let layer: Layer
    /// Which call of `layer` produced this tensor (`conv2d[1][0]` is node 1).
    public let nodeIndex: Int

    init(shape: Shape, layer: Layer, nodeIndex: Int) {
        self.shape = shape
        self.layer = layer
        self.nodeIndex = nodeIndex
    }
}

/// A call of a layer, as a dictionary key.
struct NodeKey: Hashable {
    let layer: ObjectIdentifier
    let node: Int
}

/// One call of a layer in a functional graph: the symbolic tensors it was called on.
public final class Node {
    public let inputs: [SymbolicTensor]
    init(inputs: [SymbolicTensor]) { self.inputs = inputs }
}

/// `keras.Input(shape)`: the placeholder layer a functional model starts from.
public final class InputLayer: Layer {
    public let shape: Shape

    public init(shape: Shape, name: String?, backend: Backend) {
        self.shape = shape
        super.init(className: "InputLayer", name: name ?? backend.uniqueName("input", zeroBased: false), backend: backend)
        outputShape = shape
        inboundNodes = [Node(inputs: [])]
    }

    public var output: SymbolicTensor { SymbolicTensor(shape: shape, layer: self, nodeIndex: 0) }
}

extension Layer {
    /// Calls the layer on symbolic tensors (functional API): builds it for their shapes and
    /// records the call as a node.
    public func call(_ inputs: [SymbolicTensor], backend: Backend) throws -> SymbolicTensor {
        if let n = inputCount, n != inputs.count {
            throw LayerError("Layer \"\(name)\" expects \(n) input(s), but it received \(inputs.count) input tensors.")
        }
        let shape = try buildIfNeeded(inputs.map(\.shape), backend: backend)
        inboundNodes.append(Node(inputs: inputs))
        return SymbolicTensor(shape: shape, layer: self, nodeIndex: inboundNodes.count - 1)
    }
}

extension Layer {
    /// The layer's symbolic output (or input), as Keras defines them: from the Sequential
    /// model it belongs to, or from its only call in a functional graph.
    public func symbolic(output: Bool) throws -> SymbolicTensor {
        let what = output ? "output" : "input"
        if let sequential = container, let out = try sequential.symbolicOutput(of: self) {
            guard !output else { return out }
            return inboundNodes[out.nodeIndex].inputs[0]
        }
        if let input = self as? InputLayer { return input.output }
        switch inboundNodes.count {
        case 0:
            throw LayerError("The layer \(name) has never been called and thus has no defined \(what).", type: "AttributeError")
        case 1:
            if !output, let first = inboundNodes[0].inputs.first { return first }
            guard let shape = outputShape else { throw LayerError("The layer \(name) has no defined output shape.", type: "AttributeError") }
            return SymbolicTensor(shape: shape, layer: self, nodeIndex: 0)
        default:
            throw LayerError("Layer \(name) has multiple inbound nodes, hence the notion of \"layer \(what)\" is ill-defined.", type: "AttributeError")
        }
    }
}

/// What Sequential and functional models share: layers, weights, prediction, summary.
open class Model: Layer {
    /// What `compile` set (nil until then).
    public var trainingConfiguration: TrainingConfiguration?

    /// The layers in the order Keras lists them.
    open var layers: [Layer] { [] }

    /// Every weight, layer by layer, in `get_weights()` order.
    public var allWeights: [Weight] { layers.flatMap(\.weights) }

    public var trainableParams: Int { layers.flatMap(\.trainableWeights).reduce(0) { $0 + $1.value.count } }
    public var nonTrainableParams: Int { layers.flatMap(\.nonTrainableWeights).reduce(0) { $0 + $1.value.count } }

    /// Runs the model on concrete inputs (one tensor per model input).
    open func run(_ inputs: [Tensor], training: Bool) throws -> [Tensor] { inputs }

    open override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        guard let first = try run(inputs, training: training).first else { throw LayerError("Model \"\(name)\" has no outputs") }
        return first
    }

    /// `model.predict(x, batch_size)`: runs the inputs through the model `batchSize` rows at
    /// a time (inference mode) and joins the outputs.
    public func predict(_ inputs: [Tensor], batchSize: Int = 32) throws -> [Tensor] {
        guard let n = inputs.first?.shape.first else { throw LayerError("predict needs at least one input array") }
        for x in inputs where x.shape.first != n {
            throw LayerError("Data cardinality is ambiguous: all input arrays must have the same number of samples, got \(inputs.map { $0.shape.first ?? 0 })")
        }
        guard batchSize > 0 else { throw LayerError("batch_size must be positive, got \(batchSize)") }
        var chunks: [[Tensor]] = []
        var start = 0
        while start < n {
            let end = min(n, start + batchSize)
            chunks.append(try run(inputs.map { try $0.rows(start..<end) }, training: false))
            start = end
        }
        guard let outputCount = chunks.first?.count else { return try run(inputs, training: false) }
        return try (0..<outputCount).map { i in try Tensor.concatenate(chunks.map { $0[i] }, axis: 0) }
    }
}

/// `keras.Sequential`: layers applied one after another.
public final class Sequential: Model {
    private var stack: [Layer] = []
    private let backend: Backend
    /// The model's layers called on a `keras.Input` of its input shape, as Keras builds a
    /// Sequential model: made on first use (`model.input`, `layer.output`), dropped when
    /// layers change.
    private var graph: (input: SymbolicTensor, outputs: [SymbolicTensor])?
    /// The input shape (batch included) once known.
    public private(set) var inputShape: Shape?

    public init(name: String?, backend: Backend) {
        self.backend = backend
        super.init(className: "Sequential", name: name ?? backend.uniqueName("sequential"), backend: backend)
    }

    public override var layers: [Layer] { stack }
    public override var inputCount: Int? { 1 }

    /// `model.add(layer)`; a first layer with `input_shape` builds the model right away.
    public func add(_ layer: Layer) throws {
        if let model = layer as? Model, model === self {
            throw LayerError("Cannot add a model to itself")
        }
        stack.append(layer)
        layer.container = self
        graph = nil
        if stack.count == 1, let declared = layer.declaredInputShape {
            inputShape = Shape([nil] + declared)
        }
        if let shape = inputShape {
            do {
                try rebuild(from: shape)
            } catch {
                stack.removeLast()
                throw error
            }
        }
    }

    /// `model.add(keras.Input(shape))`: the input shape (batch included) the layers build for.
    public func declareInput(_ shape: Shape) throws {
        if stack.isEmpty { inputShape = shape } else { try rebuild(from: shape) }
    }

    /// `model.pop()`: removes the last layer.
    public func pop() throws -> Layer {
        guard let last = stack.popLast() else { throw LayerError("There are no layers in the model.", type: "TypeError") }
        if last.container === self { last.container = nil }
        graph = nil
        return last
    }

    /// Builds every layer for a batch of `shape` (the first call or `model.build`).
    public func rebuild(from shape: Shape) throws {
        var current = shape
        for layer in stack { current = try layer.buildIfNeeded([current], backend: backend) }
        inputShape = shape
        outputShape = current
    }

    public var isModelBuilt: Bool { inputShape != nil }

    /// The symbolic input and each layer's symbolic output (Keras' `model.input`,
    /// `model.layers[i].output`), so a functional model can be cut out of this one:
    /// `Model(model.input, model.layers[2].output)` shares its layers and weights.
    public func symbolicGraph() throws -> (input: SymbolicTensor, outputs: [SymbolicTensor]) {
        if let graph { return graph }
        guard let shape = inputShape else {
            throw LayerError("The model \"\(name)\" has not been built yet, so it has no defined input or output: give it a keras.Input (or input_shape) or call it on data first.", type: "AttributeError")
        }
        let input = InputLayer(shape: shape, name: nil, backend: backend)
        var current = input.output
        var outputs: [SymbolicTensor] = []
        for layer in stack {
            current = try layer.call([current], backend: backend)
            outputs.append(current)
        }
        graph = (input.output, outputs)
        return (input.output, outputs)
    }

    /// The symbolic tensor a layer of this model gives in `symbolicGraph()`.
    public func symbolicOutput(of layer: Layer) throws -> SymbolicTensor? {
        let graph = try symbolicGraph()
        return stack.firstIndex { $0 === layer }.map { graph.outputs[$0] }
    }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        var current = try single(inputs)
        for layer in stack { current = try layer.computeOutputShape([current]) }
        return current
    }

    public override func build(_ inputs: [Shape], backend: Backend) throws {
        try rebuild(from: try single(inputs))
    }

    public override func run(_ inputs: [Tensor], training: Bool) throws -> [Tensor] {
        guard var x = inputs.first, inputs.count == 1 else {
            throw LayerError("Layer \"\(name)\" expects 1 input(s), but it received \(inputs.count) input tensors.")
        }
        if let expected = inputShape {
            try checkInput(x, against: expected)
        } else {
            try rebuild(from: Shape([nil] + Shape(of: x).featureDims))
        }
        for layer in stack { x = try layer.forward([x], training: training) }
        return [x]
    }
}

/// A functional model: the layer calls that lead from `inputs` to `outputs`.
public final class Functional: Model {
    public let inputs: [SymbolicTensor]
    public let outputs: [SymbolicTensor]
    /// Layer calls in execution order.
    private let steps: [(layer: Layer, node: Int)]
    /// Every layer call of the graph in execution order (inputs first).
    public var executionSteps: [(layer: Layer, node: Int)] { steps }
    private let orderedLayers: [Layer]

    public init(inputs: [SymbolicTensor], outputs: [SymbolicTensor], name: String?, backend: Backend) throws {
        self.inputs = inputs
        self.outputs = outputs
        for i in inputs where !(i.layer is InputLayer) {
            throw LayerError("Model inputs must come from `keras.Input` (thus holding past layer metadata). Received: \(i.layer.name)", type: "TypeError")
        }
        // Walk back from the outputs as Keras' _map_graph_network does: layers numbered in
        // the order first reached, calls collected after their inputs (execution order).
        var steps: [(Layer, Int)] = []
        var seen = Set<NodeKey>()
        var layerIndex: [ObjectIdentifier: Int] = [:]
        var byID: [ObjectIdentifier: Layer] = [:]
        func visit(_ t: SymbolicTensor) throws {
            let id = ObjectIdentifier(t.layer)
            if layerIndex[id] == nil {
                layerIndex[id] = layerIndex.count
                byID[id] = t.layer
            }
            let key = NodeKey(layer: id, node: t.nodeIndex)
            if seen.contains(key) { return }
            seen.insert(key)
            if t.layer is InputLayer {
                guard inputs.contains(where: { $0.layer === t.layer }) else {
                    throw LayerError("Graph disconnected: cannot obtain value for tensor of layer \"\(t.layer.name)\" at layer \"\(outputs.first?.layer.name ?? "")\". The model's inputs do not lead to it.")
                }
            } else {
                for input in t.layer.inboundNodes[t.nodeIndex].inputs { try visit(input) }
            }
            steps.append((t.layer, t.nodeIndex))
        }
        for o in outputs { try visit(o) }
        for i in inputs where layerIndex[ObjectIdentifier(i.layer)] == nil {
            throw LayerError("Input \"\(i.layer.name)\" is not connected to the outputs of the model")
        }
        // Depths: outputs at 0, each call's inputs one deeper than the deepest call using them.
        var nodeDepth: [NodeKey: Int] = [:]
        var layerDepth: [ObjectIdentifier: Int] = [:]
        for (layer, node) in steps.reversed() {
            let id = ObjectIdentifier(layer)
            let depth = max(nodeDepth[NodeKey(layer: id, node: node), default: 0], layerDepth[id, default: 0])
            layerDepth[id] = depth
            nodeDepth[NodeKey(layer: id, node: node)] = depth
            guard !(layer is InputLayer) else { continue }
            for input in layer.inboundNodes[node].inputs {
                let key = NodeKey(layer: ObjectIdentifier(input.layer), node: input.nodeIndex)
                nodeDepth[key] = max(depth + 1, nodeDepth[key, default: 0])
            }
        }
        // Keras lists layers deepest first, ties in the order they were first reached.
        self.orderedLayers = layerIndex.keys.sorted { a, b in
            let (da, db) = (layerDepth[a, default: 0], layerDepth[b, default: 0])
            return da != db ? da > db : layerIndex[a, default: 0] < layerIndex[b, default: 0]
        }.compactMap { byID[$0] }
        self.steps = steps
        super.init(className: "Functional", name: name ?? backend.uniqueName("model"), backend: backend)
        outputShape = outputs.first?.shape
    }

    public override var layers: [Layer] { orderedLayers }
    public override var inputCount: Int? { inputs.count }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        guard let shape = outputs.first?.shape else { throw LayerError("Model \"\(name)\" has no outputs") }
        return shape
    }

    public override func run(_ values: [Tensor], training: Bool) throws -> [Tensor] {
        guard values.count == inputs.count else {
            throw LayerError("Layer \"\(name)\" expects \(inputs.count) input(s), but it received \(values.count) input tensors.")
        }
        var results: [NodeKey: Tensor] = [:]
        func key(_ layer: Layer, _ node: Int) -> NodeKey { NodeKey(layer: ObjectIdentifier(layer), node: node) }
        for (input, value) in zip(inputs, values) {
            try input.layer.checkInput(value, against: input.shape)
            results[key(input.layer, input.nodeIndex)] = value
        }
        for (layer, node) in steps where !(layer is InputLayer) {
            let args = try layer.inboundNodes[node].inputs.map { t -> Tensor in
                guard let v = results[key(t.layer, t.nodeIndex)] else {
                    throw LayerError("Graph disconnected at layer \"\(t.layer.name)\"")
                }
                return v
            }
            results[key(layer, node)] = try layer.forward(args, training: training)
        }
        return try outputs.map { o in
            guard let v = results[key(o.layer, o.nodeIndex)] else { throw LayerError("Graph disconnected at output \"\(o.layer.name)\"") }
            return v
        }
    }
}
