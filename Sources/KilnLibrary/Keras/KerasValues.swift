/// The language's view of Keras objects: layers, models and the symbolic tensors of the
/// functional API, as Kiln values with Keras' attributes and methods.

import KilnLang
import KilnNN
import KilnTensor

/// The per-session Keras state: automatic names, the weight-initialisation generator, and
/// the other generators `keras.utils.set_random_seed` seeds with it (Python's `random`, numpy's).
public final class KerasSession {
    public let backend = Backend()
    let seeding: [(Int) -> Void]
    /// Where `model.save` and `ModelCheckpoint` also put models, in a recorded session.
    public var modelStore: SavedModelStore?

    public init(seeding: [(Int) -> Void] = []) {
        self.seeding = seeding
    }

    /// Every method of a model value: a layer's, a model's, and training (made once per session).
    lazy var modelMethodTable: [String: KBuiltin] = LayerValue.methods.merging(ModelValue.modelMethods) { $1 }
        .merging((trainingMethods() + savingMethods()).map { ($0.name, $0) }) { $1 }

    /// `keras.utils.set_random_seed(n)`: weight initialisation, dropout masks, `random` and
    /// `np.random` all start again from `n`.
    func setRandomSeed(_ n: Int) {
        backend.random = RandomGenerator(seed: n)
        for seed in seeding { seed(n) }
    }
}

/// A Keras layer as a Kiln value: `layer.name`, `layer.get_weights()`, `layer(x)`, ….
public class LayerValue: KObject {
    public let layer: Layer
    let session: KerasSession

    init(_ layer: Layer, session: KerasSession) {
        self.layer = layer
        self.session = session
    }

    public override var typeName: String { layer.className }

    /// The methods of this kind of value (models add theirs).
    var methodTable: [String: KBuiltin] { LayerValue.methods }
    public override var isCallable: Bool { true }

    public override func repr() -> String { "<keras.layers.\(layer.className) name=\(layer.name), built=\(layer.isBuilt ? "True" : "False")>" }

    public override var attributeNames: [String] {
        ["built", "count_params", "get_weights", "name", "output_shape", "set_weights", "trainable", "trainable_weights",
         "non_trainable_weights", "weights"]
    }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "name": return .string(layer.name)
        case "trainable": return .bool(layer.trainable)
        case "built": return .bool(layer.isBuilt)
        case "weights": return arrays(layer.weights.map(\.value))
        case "trainable_weights": return arrays(layer.trainableWeights.map(\.value))
        case "non_trainable_weights": return arrays(layer.nonTrainableWeights.map(\.value))
        case "output_shape":
            guard let shape = layer.outputShape else {
                throw KilnError.attribute("The layer \"\(layer.name)\" has never been called and thus has no defined output shape.")
            }
            return shapeValue(shape)
        case "output", "input":
            return .object(SymbolicValue(try keras(layer.name) { try layer.symbolic(output: name == "output") }))
        default: return methodTable[name].map { .object($0.bound(to: .object(self))) }
        }
    }

    public override func setAttribute(_ name: String, _ value: Value) throws {
        guard name == "trainable" else {
            throw KilnError.attribute("can't set attribute '\(name)' of \(layer.className) layer")
        }
        layer.trainable = value.isTruthy
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = methodTable[name] else {
            throw KilnError.attribute("'\(layer.className)' object has no attribute '\(name)'")
        }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    /// `layer(inputs, training=None)`: on symbolic tensors, adds the call to the graph; on
    /// arrays, runs the layer (building it for their shape on first use).
    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        try LayerValue.callSignature.invoke(receiver: .object(self), args, interpreter)
    }

    static let callSignature = KBuiltin("__call__", "inputs, training=None, mask=None", doc: "Call the layer on inputs.") { a in
        let me = a.receiver(LayerValue.self)
        return try keras(me.layer.name) { try me.apply(a[0], training: a.isNone(1) ? false : a.bool(1), a.interpreter) }
    }

    func apply(_ inputs: Value, training: Bool, _ interpreter: Interpreter) throws -> Value {
        let items: [Value]
        let isList: Bool
        if case .object(let o) = inputs, o is KList || o is KTuple {
            items = try interpreter.iterate(inputs)
            isList = true
        } else {
            items = [inputs]
            isList = false
        }
        let symbolic = items.compactMap { $0.as(SymbolicValue.self)?.tensor }
        if !symbolic.isEmpty {
            guard symbolic.count == items.count else {
                throw KilnError.value("Layer \"\(layer.name)\" was called on a mix of symbolic tensors and arrays")
            }
            if let n = layer.inputCount, n == 1, isList, symbolic.count != 1 {
                throw KilnError.value("Layer \"\(layer.name)\" expects 1 input(s), but it received \(symbolic.count) input tensors.")
            }
            return .object(SymbolicValue(try layer.call(symbolic, backend: session.backend)))
        }
        let tensors = try items.map { try TensorArgument.tensor($0, interpreter) }
        let shapes = tensors.map { Shape([nil] + Shape(of: $0).featureDims) }
        if let model = layer as? Sequential {
            if !model.isModelBuilt, let first = shapes.first { try model.rebuild(from: first) }
        } else if !(layer is Model) {
            _ = try layer.buildIfNeeded(shapes, backend: session.backend)
        }
        return .object(NDArray(try layer.forward(tensors, training: training)))
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("get_weights", "", doc: "The layer's weights as a list of arrays, in Keras' order.") { a in
            arrays(a.receiver(LayerValue.self).layer.weightsInOrder.map(\.value))
        },
        KBuiltin("set_weights", "weights, /", doc: "Set the layer's weights from a list of arrays of the same shapes.") { a in
            let me = a.receiver(LayerValue.self)
            let values = try a.list(0).map { try TensorArgument.tensor($0, a.interpreter) }
            try keras(me.layer.name) { try me.layer.setWeightsInOrder(values) }
            return .none
        },
        KBuiltin("count_params", "", doc: "The number of weights (trainable and not).") { a in
            let me = a.receiver(LayerValue.self)
            guard me.layer.isBuilt || me.layer is Model else {
                throw KilnError.value("You tried to call `count_params` on layer \(me.layer.name), but the layer isn't built. You can build it manually via: `\(me.layer.name).build(batch_input_shape)`.")
            }
            return .int(me.layer.countAllParams())
        },
    ].map { ($0.name, $0) })
}

/// A symbolic tensor of the functional API (`keras.Input(...)`, `layer(x)`).
public final class SymbolicValue: KObject {
    public let tensor: SymbolicTensor

    init(_ tensor: SymbolicTensor) { self.tensor = tensor }

    public override var typeName: String { "KerasTensor" }

    public override func repr() -> String {
        "<KerasTensor: shape=\(tensor.shape) dtype=float32 (created by layer '\(tensor.layer.name)')>"
    }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "shape": return shapeValue(tensor.shape)
        case "name": return .string(tensor.layer.name)
        case "dtype": return .string("float32")
        default: return nil
        }
    }
}

/// `(None, 62, 62, 32)` as a Kiln tuple.
func shapeValue(_ shape: Shape) -> Value {
    .object(KTuple(shape.dims.map { $0.map { .int($0) } ?? .none }))
}

/// A list of float32 arrays.
func arrays(_ tensors: [Tensor]) -> Value {
    .object(KList(tensors.map { .object(NDArray($0)) }))
}

/// Runs engine code, turning its errors into Python's exception types.
func keras<T>(_ context: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as LayerError {
        throw KilnError(e.type, e.message)
    } catch let e as ShapeError {
        throw KilnError.value("\(e.message) (in \(context))")
    }
}

extension Layer {
    /// Weights in Keras' `get_weights()` order: every trainable weight, then the others,
    /// for a layer; layer after layer for a model.
    var weightsInOrder: [Weight] {
        if let model = self as? Model { return model.layers.flatMap(\.weightsInOrder) }
        return weights
    }

    func setWeightsInOrder(_ values: [Tensor]) throws {
        if let model = self as? Model {
            let expected = model.layers.reduce(0) { $0 + $1.weightsInOrder.count }
            guard values.count == expected else {
                throw LayerError("You called `set_weights(weights)` on model \(name) with a weight list of length \(values.count), but the model was expecting \(expected) weights.")
            }
            var rest = values[...]
            for layer in model.layers {
                let n = layer.weightsInOrder.count
                try layer.setWeightsInOrder(Array(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            return
        }
        try setWeights(values)
    }

    func countAllParams() -> Int { weightsInOrder.reduce(0) { $0 + $1.value.count } }
}
