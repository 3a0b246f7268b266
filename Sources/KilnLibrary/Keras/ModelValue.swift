/// Sequential and functional models as Kiln values: `add`, `pop`, `layers`, `summary()`,
/// `predict()`, `build()`, plus everything a layer has.

import KilnLang
import KilnNN
import KilnTensor

public final class ModelValue: LayerValue {
    let model: Model

    init(_ model: Model, session: KerasSession) {
        self.model = model
        super.init(model, session: session)
    }

    override var methodTable: [String: KBuiltin] { session.modelMethodTable }

    public override func repr() -> String { "<\(layer is Sequential ? "Sequential" : "Functional") name=\(layer.name), built=\(layer.isBuilt || (layer as? Sequential)?.isModelBuilt == true ? "True" : "False")>" }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "layers":
            return .object(KList(model.layers.filter { !(layer is Sequential && $0 is InputLayer) }.map { session.wrap($0) }))
        case "inputs", "outputs", "input", "output":
            // A Sequential model's come from its layers called on a keras.Input, as in Keras.
            let tensors: [SymbolicTensor]
            if let f = model as? Functional {
                tensors = name.hasPrefix("input") ? f.inputs : f.outputs
            } else if let sequential = model as? Sequential {
                let graph = try keras(model.name) { try sequential.symbolicGraph() }
                tensors = name.hasPrefix("input") ? [graph.input] : graph.outputs.suffix(1)
            } else {
                return Value.none
            }
            let values = tensors.map { Value.object(SymbolicValue($0)) }
            if name.hasSuffix("s") { return .object(KList(values)) }
            return values.count == 1 ? values[0] : .object(KList(values))
        default:
            return try super.attribute(name, interpreter)
        }
    }

    static let modelMethods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("add", "layer, /", doc: "Add a layer on top of a Sequential model.") { a in
            let me = a.receiver(ModelValue.self)
            guard let sequential = me.layer as? Sequential else {
                throw KilnError.attribute("'Functional' object has no attribute 'add'")
            }
            if let input = a[0].as(SymbolicValue.self), input.tensor.layer is InputLayer {
                try keras(me.layer.name) { try sequential.declareInput(input.tensor.shape) }
                return .none
            }
            guard let added = a[0].as(LayerValue.self) else {
                throw KilnError.type("The added layer must be an instance of class Layer. Received: layer=\(Repr.repr(a[0])) of type \(a[0].typeName).")
            }
            try keras(added.layer.name) { try sequential.add(added.layer) }
            return .none
        },
        KBuiltin("pop", "", doc: "Remove the last layer of a Sequential model.") { a in
            let me = a.receiver(ModelValue.self)
            guard let sequential = me.layer as? Sequential else {
                throw KilnError.attribute("'Functional' object has no attribute 'pop'")
            }
            return me.session.wrap(try keras(me.layer.name) { try sequential.pop() })
        },
        KBuiltin("summary", "line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False",
                 doc: "Print the model's layers, output shapes and parameter counts in Keras' table.") { a in
            let me = a.receiver(ModelValue.self)
            let text = try keras(me.layer.name) { try me.model.summary() }
            if a.isNone(2) {
                a.interpreter.output(text)
            } else {
                for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    _ = try a.interpreter.call(a[2], Arguments([.string(String(line))]))
                }
            }
            return .none
        },
        KBuiltin("build", "input_shape=None", doc: "Build the model for inputs of the given shape (batch dimension included).") { a in
            let me = a.receiver(ModelValue.self)
            guard let sequential = me.layer as? Sequential else { return .none }
            let dims = try TensorArgument.shape(a[0], a.interpreter, name: "input_shape")
            try keras(me.layer.name) { try sequential.rebuild(from: Shape(dims)) }
            return .none
        },
        KBuiltin("predict", "x, batch_size=None, verbose='auto', steps=None, callbacks=None",
                 doc: "Run the model on x in batches (32 by default) in inference mode and return the outputs.") { a in
            let me = a.receiver(ModelValue.self)
            let inputs: [Tensor]
            if (me.model.inputCount ?? 1) > 1, case .object(let o) = a[0], o is KList || o is KTuple {
                inputs = try a.list(0).map { try TensorArgument.tensor($0, a.interpreter) }
            } else {
                inputs = [try TensorArgument.tensor(a[0], a.interpreter)]
            }
            let batchSize = try a.optionalInt(1) ?? 32
            let bar = try ProgressDisplay.finalBar(verbose: a[2], samples: inputs.first?.shape.first ?? 0, batchSize: batchSize)
            let outputs = try keras(me.layer.name) { try me.model.predict(inputs, batchSize: batchSize) }
            if let text = bar?.update(bar?.target ?? 0, [], finalize: true) { a.interpreter.output(text) }
            if outputs.count == 1, let only = outputs.first { return .object(NDArray(only)) }
            return arrays(outputs)
        },
    ].map { ($0.name, $0) })
}

extension KerasSession {
    /// The Kiln value for a layer or model.
    func wrap(_ layer: Layer) -> Value {
        if let m = layer as? Model { return .object(ModelValue(m, session: self)) }
        return .object(LayerValue(layer, session: self))
    }
}
