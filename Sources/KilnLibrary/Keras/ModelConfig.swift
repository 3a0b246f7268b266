/// Models as Keras configs: `model.get_config()` and `model.to_json()` give Keras 3's layout
/// (`{"module": "keras", "class_name": "Sequential", "config": {"name": …, "layers": […]}}`),
/// each layer with the arguments it was constructed with, functional graphs with their
/// `inbound_nodes`, `input_layers` and `output_layers`; and `keras.models.model_from_json` /
/// `load_model` build the model again by calling the same constructors. Initializers,
/// regularizers, optimizers, schedules, losses and metrics given as objects are written as
/// `{"module", "class_name", "config"}` and made again from their modules.

import KilnLang
import KilnNN

/// What a layer was constructed with (set by the layer constructors).
final class LayerOrigin {
    let className: String
    let arguments: [(String, Value)]

    init(className: String, arguments: [(String, Value)]) {
        self.className = className
        self.arguments = arguments
    }
}

/// What `compile()` was called with, kept on the model so a saved model compiles again.
final class CompileOrigin {
    let arguments: [(String, Value)]

    init(arguments: [(String, Value)]) {
        self.arguments = arguments
    }
}

/// A Keras object that serializes as `{"module", "class_name", "config"}`.
protocol KerasSerializable {
    var kerasModule: String { get }
    var kerasClassName: String { get }
    func kerasConfig(_ interpreter: Interpreter) throws -> [(String, Value)]
}

extension InitializerValue: KerasSerializable {
    var kerasModule: String { "keras.initializers" }
    var kerasClassName: String { className }
    func kerasConfig(_ interpreter: Interpreter) throws -> [(String, Value)] { arguments }
}

extension RegularizerValue: KerasSerializable {
    var kerasModule: String { "keras.regularizers" }
    var kerasClassName: String { "L1L2" }
    func kerasConfig(_ interpreter: Interpreter) throws -> [(String, Value)] {
        [("l1", .float(Double(regularizer.l1))), ("l2", .float(Double(regularizer.l2)))]
    }
}

extension OptimizerValue: KerasSerializable {
    var kerasModule: String { "keras.optimizers" }
    var kerasClassName: String { optimizer.className }
    func kerasConfig(_ interpreter: Interpreter) throws -> [(String, Value)] {
        try interpreter.callMethod(.object(self), "get_config", Arguments([])).as(KDict.self)?.table.entries.compactMap { key, value in
            guard case .string(let k) = key else { return nil }
            return (k, value)
        } ?? []
    }
}

extension LossValue: KerasSerializable {
    var kerasModule: String { "keras.losses" }
    var kerasClassName: String { className }
    func kerasConfig(_ interpreter: Interpreter) throws -> [(String, Value)] { arguments }
}

extension MetricValue: KerasSerializable {
    var kerasModule: String { "keras.metrics" }
    var kerasClassName: String { className }
    func kerasConfig(_ interpreter: Interpreter) throws -> [(String, Value)] { arguments }
}

extension KerasSession {
    // MARK: Writing configs

    /// `{"module": "keras", "class_name": …, "config": …}` of `model`, with its compile
    /// arguments when it was compiled.
    func savedConfig(of model: Model, _ interpreter: Interpreter) throws -> Value {
        var entries: [(String, Value)] = [("module", .string("keras")),
                                          ("class_name", .string(model is Sequential ? "Sequential" : "Functional")),
                                          ("config", try modelConfig(model, interpreter)), ("registered_name", .none)]
        if let compile = model.origin as? CompileOrigin {
            let kept = compile.arguments.filter { ["optimizer", "loss", "loss_weights", "metrics"].contains($0.0) }
            entries.append(("compile_config", try dictionary(try kept.map { ($0.0, try serialize($0.1, interpreter)) })))
        }
        return try dictionary(entries)
    }

    /// The `config` part: name, trainable, the layers, and for a functional model the graph.
    func modelConfig(_ model: Model, _ interpreter: Interpreter) throws -> Value {
        var entries: [(String, Value)] = [("name", .string(model.name)), ("trainable", .bool(model.trainable))]
        if let sequential = model as? Sequential {
            var layers: [Value] = []
            if let input = sequential.inputShape {
                layers.append(try dictionary([("module", .string("keras.layers")), ("class_name", .string("InputLayer")),
                                              ("config", try dictionary([("batch_shape", shapeList(input.dims)), ("name", .string(model.name + "_input"))])),
                                              ("registered_name", .none)]))
            }
            for layer in sequential.layers where !(layer is InputLayer) { layers.append(try layerEntry(layer, interpreter)) }
            entries.append(("layers", .object(KList(layers))))
            return try dictionary(entries)
        }
        guard let functional = model as? Functional else {
            throw KilnError("NotImplementedError", "not supported in Kiln yet: saving a \(model.className)")
        }
        // Each layer's calls inside this model, numbered from 0 in execution order.
        var position: [CallKey: Int] = [:], order: [Layer] = [], calls: [ObjectIdentifier: [Int]] = [:]
        for step in functional.executionSteps {
            let id = ObjectIdentifier(step.layer)
            if calls[id] == nil { order.append(step.layer) }
            position[CallKey(layer: id, node: step.node)] = calls[id, default: []].count
            calls[id, default: []].append(step.node)
        }
        func reference(_ t: SymbolicTensor) throws -> Value {
            let node = position[CallKey(layer: ObjectIdentifier(t.layer), node: t.nodeIndex)] ?? 0
            return try dictionary([("class_name", .string("__keras_tensor__")),
                                   ("config", try dictionary([("shape", shapeList(t.shape.dims)), ("dtype", .string("float32")),
                                                              ("keras_history", .object(KList([.string(t.layer.name), .int(node), .int(0)])))]))])
        }
        var layers: [Value] = []
        for layer in order {
            var entry: [(String, Value)]
            if let input = layer as? InputLayer {
                entry = [("module", .string("keras.layers")), ("class_name", .string("InputLayer")),
                         ("config", try dictionary([("batch_shape", shapeList(input.shape.dims)), ("name", .string(input.name))])),
                         ("registered_name", .none)]
            } else {
                entry = try layerEntry(layer, interpreter).as(KDict.self)?.table.entries.compactMap { key, value in
                    guard case .string(let k) = key else { return nil }
                    return (k, value)
                } ?? []
            }
            let layerCalls = layer is InputLayer ? [] : (calls[ObjectIdentifier(layer)] ?? [])
            let nodes = try layerCalls.map { node -> Value in
                let inputs = try layer.inboundNodes[node].inputs.map(reference)
                let args: Value = layer.inputCount == 1 ? (inputs.first ?? .none) : .object(KList(inputs))
                return try dictionary([("args", .object(KList([args]))), ("kwargs", try dictionary([]))])
            }
            entry += [("name", .string(layer.name)), ("inbound_nodes", .object(KList(nodes)))]
            layers.append(try dictionary(entry))
        }
        func ends(_ tensors: [SymbolicTensor]) -> Value {
            .object(KList(tensors.map { t in
                .object(KList([.string(t.layer.name), .int(position[CallKey(layer: ObjectIdentifier(t.layer), node: t.nodeIndex)] ?? 0), .int(0)]))
            }))
        }
        entries += [("layers", .object(KList(layers))), ("input_layers", ends(functional.inputs)), ("output_layers", ends(functional.outputs))]
        return try dictionary(entries)
    }

    /// One layer as `{"module": "keras.layers", "class_name", "config", "registered_name"}`.
    func layerEntry(_ layer: Layer, _ interpreter: Interpreter) throws -> Value {
        let origin = layer.origin as? LayerOrigin
        var config: [(String, Value)] = [("name", .string(layer.name)), ("trainable", .bool(layer.trainable))]
        for (name, value) in origin?.arguments ?? [] { config.append((name, try serialize(value, interpreter))) }
        if let shape = layer.declaredInputShape { config.append(("batch_input_shape", shapeList([nil] + shape))) }
        return try dictionary([("module", .string("keras.layers")), ("class_name", .string(origin?.className ?? layer.className)),
                               ("config", try dictionary(config)), ("registered_name", .none)])
    }

    /// `value` as plain JSON-able values; Keras objects as `{"module", "class_name", "config"}`.
    func serialize(_ value: Value, _ interpreter: Interpreter) throws -> Value {
        switch value {
        case .none, .bool, .int, .float, .string: return value
        case .object(let o):
            if let list = o as? KList { return .object(KList(try list.items.map { try serialize($0, interpreter) })) }
            if let tuple = o as? KTuple { return .object(KList(try tuple.items.map { try serialize($0, interpreter) })) }
            if let dict = o as? KDict {
                let result = KDict()
                for (k, v) in dict.table.entries { try result.set(k, try serialize(v, interpreter)) }
                return .object(result)
            }
            if let object = o as? KerasSerializable {
                let config = try object.kerasConfig(interpreter).map { ($0.0, try serialize($0.1, interpreter)) }
                return try dictionary([("module", .string(object.kerasModule)), ("class_name", .string(object.kerasClassName)),
                                       ("config", try dictionary(config)), ("registered_name", .none)])
            }
            if let schedule = o as? ScheduleValue { return try schedule.serialized() }
            if let function = o as? KBuiltin { return .string(function.name) }
            throw KilnError("NotImplementedError", "not supported in Kiln yet: saving a model argument of type \(value.typeName) (\(Repr.repr(value)))")
        }
    }

    private func shapeList(_ dims: [Int?]) -> Value {
        .object(KList(dims.map { $0.map { .int($0) } ?? .none }))
    }

    // MARK: Building models from configs

    /// The model a saved config describes, compiled again when it has a compile config and
    /// `compile` is true. Errors name the layer whose entry is wrong.
    func model(fromSaved saved: Value, compile: Bool, _ interpreter: Interpreter) throws -> Value {
        let className = try field(saved, "class_name", in: "the model config").asString ?? ""
        let config = try field(saved, "config", in: "the model config")
        let name = try? field(config, "name", in: "config")
        let layers = try interpreter.iterate(try field(config, "layers", in: "the model config"))
        let model: Value
        switch className {
        case "Sequential":
            let keras = Value.object(try interpreter.importModule(["keras"]))
            model = try interpreter.call(try interpreter.getAttribute(keras, "Sequential"), Arguments([], keywords: [("name", name ?? .none)]))
            for entry in layers {
                let layerClass = try field(entry, "class_name", in: "a layer").asString ?? ""
                let layerConfig = try field(entry, "config", in: "layer \(layerClass)")
                if layerClass == "InputLayer" {
                    let input = try interpreter.call(try interpreter.getAttribute(keras, "Input"),
                                                     Arguments([], keywords: [("batch_shape", try field(layerConfig, "batch_shape", in: "InputLayer"))]))
                    _ = try interpreter.callMethod(model, "add", Arguments([input]))
                } else {
                    _ = try interpreter.callMethod(model, "add", Arguments([try layer(fromEntry: entry, interpreter)]))
                }
            }
        case "Functional", "Model":
            model = try functional(layers, config: config, name: name, interpreter)
        default:
            throw KilnError.value("Kiln cannot rebuild a model of class \(Repr.repr(.string(className))) (Sequential and Functional models)")
        }
        if compile, let compileConfig = (try? saved.as(KDict.self)?.get(.string("compile_config")))?.as(KDict.self) {
            let arguments = try compileConfig.table.entries.compactMap { key, value -> (name: String, value: Value)? in
                guard case .string(let k) = key else { return nil }
                return (k, try deserialize(value, interpreter))
            }
            _ = try interpreter.callMethod(model, "compile", Arguments([], keywords: arguments))
        }
        return model
    }

    /// A layer made by calling its `keras.layers` constructor with its saved config.
    private func layer(fromEntry entry: Value, _ interpreter: Interpreter) throws -> Value {
        let className = try field(entry, "class_name", in: "a layer").asString ?? ""
        let config = try field(entry, "config", in: "layer \(className)")
        let layersModule = Value.object(try interpreter.importModule(["keras", "layers"]))
        guard let constructor = try? interpreter.getAttribute(layersModule, className) else {
            throw KilnError.value("Kiln has no layer class \(Repr.repr(.string(className))) to rebuild this model with")
        }
        var keywords: [(name: String, value: Value)] = []
        for (key, value) in config.as(KDict.self)?.table.entries ?? [] {
            guard case .string(let k) = key, k != "dtype" else { continue }
            if k == "batch_input_shape" {
                let dims = try interpreter.iterate(value)
                keywords.append(("input_shape", .object(KTuple(Array(dims.dropFirst())))))
            } else {
                keywords.append((k, try deserialize(value, interpreter)))
            }
        }
        return try interpreter.call(constructor, Arguments([], keywords: keywords))
    }

    /// A functional model from its layers' entries: inputs first, then each layer called on
    /// the tensors its `inbound_nodes` name.
    private func functional(_ layers: [Value], config: Value, name: Value?, _ interpreter: Interpreter) throws -> Value {
        let keras = Value.object(try interpreter.importModule(["keras"]))
        var tensors: [String: [Value]] = [:]
        func tensor(_ reference: Value) throws -> Value {
            if let list = reference.as(KList.self) { return .object(KList(try list.items.map(tensor))) }
            let history = try interpreter.iterate(try field(try field(reference, "config", in: "a tensor"), "keras_history", in: "a tensor"))
            guard history.count >= 2, let layer = history[0].asString, let node = history[1].asInt,
                  let made = tensors[layer], node >= 0, node < made.count else {
                throw KilnError.value("the model config refers to a layer output that is not defined before it: \(Repr.repr(reference))")
            }
            return made[node]
        }
        for entry in layers {
            let className = try field(entry, "class_name", in: "a layer").asString ?? ""
            let layerName = try field(entry, "name", in: "layer \(className)").asString ?? ""
            if className == "InputLayer" {
                let config = try field(entry, "config", in: "InputLayer \(layerName)")
                tensors[layerName] = [try interpreter.call(try interpreter.getAttribute(keras, "Input"),
                                                           Arguments([], keywords: [("batch_shape", try field(config, "batch_shape", in: "InputLayer")),
                                                                                    ("name", .string(layerName))]))]
                continue
            }
            let layer = try self.layer(fromEntry: entry, interpreter)
            for node in try interpreter.iterate(try field(entry, "inbound_nodes", in: "layer \(layerName)")) {
                let args = try interpreter.iterate(try field(node, "args", in: "layer \(layerName)"))
                tensors[layerName, default: []].append(try interpreter.call(layer, Arguments(try args.map(tensor))))
            }
        }
        func ends(_ key: String) throws -> Value {
            .object(KList(try interpreter.iterate(try field(config, key, in: "the model config")).map { end in
                let parts = try interpreter.iterate(end)
                guard parts.count >= 2, let layer = parts[0].asString, let node = parts[1].asInt, let made = tensors[layer], node >= 0, node < made.count else {
                    throw KilnError.value("the model config's \(key) names an undefined layer output: \(Repr.repr(end))")
                }
                return made[node]
            }))
        }
        return try interpreter.call(try interpreter.getAttribute(keras, "Model"),
                                    Arguments([], keywords: [("inputs", try ends("input_layers")), ("outputs", try ends("output_layers")), ("name", name ?? .none)]))
    }

    /// Saved values back as objects: `{"module", "class_name", "config"}` dicts become the
    /// initializer, regularizer, optimizer, schedule, loss or metric they describe.
    func deserialize(_ value: Value, _ interpreter: Interpreter) throws -> Value {
        if let list = value.as(KList.self) { return .object(KList(try list.items.map { try deserialize($0, interpreter) })) }
        guard let dict = value.as(KDict.self), let module = ((try? dict.get(.string("module"))) ?? nil)?.asString,
              let className = ((try? dict.get(.string("class_name"))) ?? nil)?.asString,
              ["keras.initializers", "keras.regularizers", "keras.optimizers", "keras.optimizers.schedules", "keras.losses", "keras.metrics"].contains(module) else {
            return value
        }
        let constructor = try interpreter.getAttribute(.object(try interpreter.importModule(module.split(separator: ".").map(String.init))), className)
        let config = ((try? dict.get(.string("config"))) ?? nil)?.as(KDict.self)?.table.entries ?? []
        let keywords = try config.compactMap { key, value -> (name: String, value: Value)? in
            guard case .string(let k) = key else { return nil }
            return (k, try deserialize(value, interpreter))
        }
        return try interpreter.call(constructor, Arguments([], keywords: keywords))
    }

    /// `value[key]`, or a ValueError naming what is missing where.
    private func field(_ value: Value, _ key: String, in what: String) throws -> Value {
        guard let dict = value.as(KDict.self), let found = (try? dict.get(.string(key))) ?? nil else {
            throw KilnError.value("\(what) has no \(Repr.repr(.string(key))) entry")
        }
        return found
    }
}

/// A call of a layer: the layer and which of its calls.
private struct CallKey: Hashable {
    let layer: ObjectIdentifier
    let node: Int
}

extension Value {
    /// The string, when this is one.
    var asString: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
