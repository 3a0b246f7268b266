/// The `keras` module tree (`keras`, `keras.layers`, `keras.models`, `keras.initializers`,
/// `keras.activations`, `keras.backend`, `keras.utils`, `keras.optimizers`,
/// `keras.optimizers.schedules`) and the names Keras code imports it by
/// (`tensorflow`, `tensorflow.keras`, `tf.keras`).

import KilnLang
import KilnNN
import KilnTensor

/// A Keras regularizer object (`keras.regularizers.l2(0.001)`).
public final class RegularizerValue: KObject {
    public let regularizer: Regularizer

    init(_ regularizer: Regularizer) { self.regularizer = regularizer }

    public override var typeName: String { regularizer.l1 > 0 && regularizer.l2 > 0 ? "L1L2" : (regularizer.l1 > 0 ? "L1" : "L2") }
    public override func repr() -> String { "<keras.regularizers.\(typeName) l1=\(Repr.float(Double(regularizer.l1))) l2=\(Repr.float(Double(regularizer.l2)))>" }
}

/// A Keras initializer object (`keras.initializers.HeNormal()`, `RandomNormal(stddev=0.01)`).
public final class InitializerValue: KObject {
    public let initializer: Initializer
    let className: String
    /// The constructor's arguments, for `get_config()` and saved models.
    let arguments: [(String, Value)]

    init(_ initializer: Initializer, className: String, arguments: [(String, Value)] = []) {
        self.initializer = initializer
        self.className = className
        self.arguments = arguments
    }

    public override var typeName: String { className }
    public override func repr() -> String { "<keras.initializers.\(className)>" }
}

extension KerasSession {
    /// Registers every Keras module and alias with `registry`.
    func register(in registry: ModuleRegistry) {
        registry.register("keras") { interpreter in
            let m = KModule("keras", doc: "Kiln's implementation of the Keras API.")
            for sub in ["layers", "models", "initializers", "activations", "backend", "utils", "callbacks", "optimizers", "datasets",
                        "regularizers", "losses", "metrics"] {
                m.set(sub, .object(try interpreter.importModule(["keras", sub])))
            }
            m.add(self.modelConstructors())
            return m
        }
        registry.register("keras.layers") { _ in
            let m = KModule("keras.layers", doc: "Keras layers.")
            m.add(self.layerConstructors())
            m.add(self.mergeFunctions())
            m.add([self.modelConstructors()[0]])
            return m
        }
        registry.register("keras.models") { _ in
            let m = KModule("keras.models", doc: "Keras models: Sequential and Model, and loading saved ones.")
            m.add(self.modelConstructors())
            m.add([
                KBuiltin("load_model", "filepath, custom_objects=None, compile=True, safe_mode=True",
                         doc: "A model saved with model.save (or into this session's store under that name), compiled again when it was compiled.") { a in
                    try self.loadModel(try a.string(0), compile: a.bool(2), a.interpreter)
                },
                KBuiltin("model_from_json", "json_string, custom_objects=None", doc: "A new model (fresh weights) from model.to_json()'s text.") { a in
                    let saved = try JSONReader.parse(Array(try a.string(0).utf8), filename: "<json_string>")
                    return try self.model(fromSaved: saved, compile: false, a.interpreter)
                },
            ])
            return m
        }
        registry.register("keras.initializers") { _ in
            let m = KModule("keras.initializers", doc: "Weight initializers.")
            m.add(KerasSession.initializerClasses())
            return m
        }
        registry.register("keras.activations") { _ in
            let m = KModule("keras.activations", doc: "Activation functions.")
            m.add(Activation.names.sorted().map { name in
                KBuiltin(name, "x", doc: "The \(name) activation, applied elementwise.") { a in
                    guard let act = Activation(name: name) else { return a[0] }
                    return .object(NDArray(act.apply(try TensorArgument.tensor(a[0], a.interpreter))))
                }
            })
            return m
        }
        registry.register("keras.backend") { _ in
            let m = KModule("keras.backend", doc: "Backend utilities.")
            m.add([KBuiltin("clear_session", "", doc: "Reset the automatic layer names (dense, dense_1, …).") { _ in
                self.backend.resetNames()
                return .none
            }])
            return m
        }
        registry.register("keras.utils.np_utils") { interpreter in
            interpreter.output("Note: keras.utils.np_utils is Keras 2's module; today import to_categorical from keras.utils.\n")
            return KModule("keras.utils.np_utils", members: (try interpreter.importModule(["keras", "utils"])).members)
        }
        registerDatasets(in: registry)
        registry.register("keras.regularizers") { _ in
            let m = KModule("keras.regularizers", doc: "Weight penalties added to the loss.")
            func make(_ name: String, _ signature: String, _ doc: String, _ build: @escaping (BoundArguments) throws -> Regularizer) -> KBuiltin {
                KBuiltin(name, signature, doc: doc) { a in .object(RegularizerValue(try build(a))) }
            }
            m.add([
                make("l1", "l1=0.01", "l1 · Σ|w|.") { Regularizer(l1: Float(try $0.double(0))) },
                make("L1", "l1=0.01", "l1 · Σ|w|.") { Regularizer(l1: Float(try $0.double(0))) },
                make("l2", "l2=0.01", "l2 · Σw².") { Regularizer(l2: Float(try $0.double(0))) },
                make("L2", "l2=0.01", "l2 · Σw².") { Regularizer(l2: Float(try $0.double(0))) },
                make("l1_l2", "l1=0.01, l2=0.01", "l1 · Σ|w| + l2 · Σw².") { Regularizer(l1: Float(try $0.double(0)), l2: Float(try $0.double(1))) },
                make("L1L2", "l1=0.0, l2=0.0", "l1 · Σ|w| + l2 · Σw².") { Regularizer(l1: Float(try $0.double(0)), l2: Float(try $0.double(1))) },
            ])
            return m
        }
        registry.register("keras.losses") { _ in
            let m = KModule("keras.losses", doc: "Loss objects for compile() and per-sample loss functions.")
            m.add(KerasSession.lossClasses() + KerasSession.lossFunctions())
            return m
        }
        registry.register("keras.metrics") { _ in
            let m = KModule("keras.metrics", doc: "Metric objects for compile(), with update_state / result / reset_state.")
            m.add(self.metricClasses())
            return m
        }
        registry.register("keras.callbacks") { _ in
            let m = KModule("keras.callbacks", doc: "Training callbacks.")
            m.add(KerasSession.callbackClasses())
            return m
        }
        registry.register("keras.utils") { _ in
            let m = KModule("keras.utils", doc: "Keras utilities.")
            m.add([
                KBuiltin("set_random_seed", "seed, /", doc: "Seed weight initialisation, dropout, Python's random and numpy's random at once, for reproducible runs.") { a in
                    self.setRandomSeed(try a.int(0))
                    return .none
                },
                KBuiltin("to_categorical", "y, num_classes=None, dtype='float32'", doc: "One-hot rows for integer class labels: row i has a 1 in column y[i].") { a in
                    let input = try TensorArgument.tensor(a[0], a.interpreter)
                    let labels = input.scalars
                    // Keras drops a trailing axis of size 1 ((n, 1) labels give (n, classes)).
                    let leading = input.rank > 1 && input.shape.last == 1 ? Array(input.shape.dropLast()) : input.shape
                    var indices: [Int] = []
                    for v in labels {
                        guard v >= 0, v == v.rounded(), v < 1e9 else {
                            throw KilnError.value("to_categorical expects non-negative integer class labels, got \(v)")
                        }
                        indices.append(Int(v))
                    }
                    let classes = try a.optionalInt(1) ?? ((indices.max() ?? -1) + 1)
                    if let bad = indices.first(where: { $0 >= classes }) {
                        throw KilnError.value("to_categorical: label \(bad) is out of range for num_classes=\(classes)")
                    }
                    return .object(NDArray(try keras("to_categorical") { try Tensor.oneHot(indices, depth: classes).reshaped(leading + [classes]) }))
                },
            ])
            return m
        }
        registry.register("keras.optimizers") { interpreter in
            let m = KModule("keras.optimizers", doc: "Optimizers (SGD, RMSprop, Adam, AdamW) and learning-rate schedules.")
            m.add(self.optimizerConstructors())
            m.add(self.optimizerFunctions())
            m.set("schedules", .object(try interpreter.importModule(["keras", "optimizers", "schedules"])))
            return m
        }
        registry.register("keras.optimizers.schedules") { _ in
            let m = KModule("keras.optimizers.schedules", doc: "Learning-rate schedules, usable as an optimizer's learning_rate.")
            m.add(KerasSession.scheduleConstructors())
            return m
        }
        registry.register("tensorflow") { interpreter in
            KModule("tensorflow", members: ["keras": .object(try interpreter.importModule(["keras"]))],
                    doc: "TensorFlow names Kiln answers: tf.keras.")
        }
        for sub in ["", ".layers", ".models", ".initializers", ".activations", ".backend", ".utils", ".utils.np_utils", ".callbacks",
                    ".datasets", ".datasets.mnist", ".optimizers", ".optimizers.schedules", ".regularizers", ".losses", ".metrics"] {
            registry.alias("tensorflow.keras" + sub, to: "keras" + sub)
        }
    }

    /// `Input`, `Sequential`, `Model`.
    func modelConstructors() -> [KBuiltin] {
        let b = backend
        return [
            KBuiltin("Input", "shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None, ragged=None, batch_shape=None",
                     doc: "A symbolic input of the given shape (batch axis excluded), where a functional model starts.") { a in
                let dims: [Int?]
                if !a.isNone(7) {
                    dims = try TensorArgument.shape(a[7], a.interpreter, name: "batch_shape")
                } else if !a.isNone(0) {
                    dims = [nil] + (try TensorArgument.shape(a[0], a.interpreter, name: "shape"))
                } else {
                    throw KilnError.value("Please provide to Input a `shape` or a `tensor` or a `type_spec` argument. Note that `shape` does not include the batch dimension.")
                }
                let layer = InputLayer(shape: Shape(dims), name: try a.optionalString(2), backend: b)
                return .object(SymbolicValue(layer.output))
            },
            KBuiltin("Sequential", "layers=None, name=None, trainable=True",
                     doc: "A model that applies its layers one after another.") { a in
                let model = Sequential(name: try a.optionalString(1), backend: b)
                if !a.isNone(0) {
                    for item in try a.list(0) {
                        if let input = item.as(SymbolicValue.self), input.tensor.layer is InputLayer {
                            try keras(model.name) { try model.declareInput(input.tensor.shape) }
                            continue
                        }
                        guard let l = item.as(LayerValue.self) else {
                            throw KilnError.type("The added layer must be an instance of class Layer. Received: \(Repr.repr(item))")
                        }
                        try keras(l.layer.name) { try model.add(l.layer) }
                    }
                }
                return self.wrap(model)
            }.classifying { ($0.as(ModelValue.self)?.layer as? Sequential) != nil },
            KBuiltin("Model", "inputs, outputs, name=None, trainable=True",
                     doc: "A functional model: the graph of layer calls leading from inputs to outputs.") { a in
                func symbols(_ v: Value) throws -> [SymbolicTensor] {
                    if let s = v.as(SymbolicValue.self) { return [s.tensor] }
                    return try a.interpreter.iterate(v).map { item in
                        guard let s = item.as(SymbolicValue.self) else {
                            throw KilnError.type("Model inputs and outputs must be symbolic tensors (from keras.Input and layer calls), got \(item.typeName)")
                        }
                        return s.tensor
                    }
                }
                let model = try keras("Model") {
                    try Functional(inputs: try symbols(a[0]), outputs: try symbols(a[1]), name: try a.optionalString(2), backend: b)
                }
                return self.wrap(model)
            }.classifying { $0.as(ModelValue.self) != nil },
        ]
    }

    /// `layers.add([…])` and `layers.concatenate([…], axis)`: make the merge layer and call it.
    func mergeFunctions() -> [KBuiltin] {
        let b = backend
        func apply(_ layer: Layer, _ inputs: Value, _ interpreter: Interpreter) throws -> Value {
            guard let value = wrap(layer).as(LayerValue.self) else { return .none }
            return try keras(layer.name) { try value.apply(inputs, training: false, interpreter) }
        }
        return [
            KBuiltin("add", "inputs, **kwargs", doc: "The elementwise sum of a list of tensors (a residual connection).") { a in
                try apply(KilnNN.Add(name: nil, backend: b), a[0], a.interpreter)
            },
            KBuiltin("concatenate", "inputs, axis=-1, **kwargs", doc: "The concatenation of a list of tensors along axis.") { a in
                try apply(KilnNN.Concatenate(axis: try a.int(1), name: nil, backend: b), a[0], a.interpreter)
            },
        ]
    }

    /// `keras.initializers` classes.
    static func initializerClasses() -> [KBuiltin] {
        func simple(_ className: String, _ key: String) -> KBuiltin {
            KBuiltin(className, "seed=None", doc: "The \(key) initializer.") { a in
                guard let i = Initializer(name: key) else { throw KilnError.value("Unknown initializer: \(key)") }
                return .object(InitializerValue(i, className: className, arguments: a.arguments))
            }
        }
        return [
            simple("GlorotUniform", "glorot_uniform"), simple("GlorotNormal", "glorot_normal"),
            simple("HeUniform", "he_uniform"), simple("HeNormal", "he_normal"),
            simple("LecunUniform", "lecun_uniform"), simple("LecunNormal", "lecun_normal"),
            simple("Zeros", "zeros"), simple("Ones", "ones"),
            KBuiltin("Constant", "value=0", doc: "Every weight set to value.") { a in
                .object(InitializerValue(.constant(Float(try a.double(0))), className: "Constant", arguments: a.arguments))
            },
            KBuiltin("RandomNormal", "mean=0.0, stddev=0.05, seed=None", doc: "Normal with mean and stddev.") { a in
                .object(InitializerValue(.randomNormal(mean: Float(try a.double(0)), stddev: Float(try a.double(1))), className: "RandomNormal", arguments: a.arguments))
            },
            KBuiltin("RandomUniform", "minval=-0.05, maxval=0.05, seed=None", doc: "Uniform in [minval, maxval).") { a in
                .object(InitializerValue(.randomUniform(minval: Float(try a.double(0)), maxval: Float(try a.double(1))), className: "RandomUniform", arguments: a.arguments))
            },
            KBuiltin("TruncatedNormal", "mean=0.0, stddev=0.05, seed=None", doc: "Normal with mean and stddev, redrawn beyond two stddevs.") { a in
                .object(InitializerValue(.truncatedNormal(mean: Float(try a.double(0)), stddev: Float(try a.double(1))), className: "TruncatedNormal", arguments: a.arguments))
            },
            KBuiltin("Orthogonal", "gain=1.0, seed=None", doc: "A random orthogonal matrix times gain.") { a in
                .object(InitializerValue(.orthogonal(gain: Float(try a.double(0))), className: "Orthogonal", arguments: a.arguments))
            },
        ]
    }
}
