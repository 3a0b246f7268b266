/// The `keras.layers` constructors, each declared once with Keras' signature and defaults,
/// and the base-layer keywords (`name`, `input_shape`, `input_dim`, `trainable`) handled in
/// one place.

import KilnLang
import KilnNN
import KilnTensor

extension KerasSession {
    /// A layer constructor: Keras' parameter list (ending in `**kwargs` for the base-layer
    /// keywords), a docstring, and how to build the engine layer from the arguments.
    func constructor(_ className: String, _ signature: String, doc: String,
                     _ make: @escaping (LayerArguments, String?) throws -> Layer) -> KBuiltin {
        KBuiltin(className, signature + ", **kwargs", doc: doc) { bound in
            let args = LayerArguments(bound: bound, className: className)
            let base = try self.baseKeywords(args)
            let layer = try keras(className) { try make(args, base.name) }
            layer.origin = LayerOrigin(className: className, arguments: bound.arguments.filter { $0.0 != "kwargs" })
            try KerasSession.applyRegularizers(args, to: layer)
            if let shape = base.inputShape { layer.declaredInputShape = shape }
            if let trainable = base.trainable { layer.trainable = trainable }
            return self.wrap(layer)
        }
    }

    /// `name=`, `input_shape=` / `input_dim=` / `batch_input_shape=` and `trainable=`; any
    /// other keyword is Keras' TypeError.
    private func baseKeywords(_ args: LayerArguments) throws -> (name: String?, inputShape: [Int?]?, trainable: Bool?) {
        guard let kwargs = args["kwargs"].as(KDict.self) else { return (nil, nil, nil) }
        var name: String?, inputShape: [Int?]?, trainable: Bool?
        for (key, value) in kwargs.table.entries {
            guard case .string(let k) = key, LayerArguments.baseKeywords.contains(k) else {
                throw KilnError.type("Keyword argument not understood: \(Repr.str(key))")
            }
            switch k {
            case "name":
                guard case .string(let s) = value else { throw KilnError.type("`name` must be a string, got \(value.typeName)") }
                name = s
            case "input_shape":
                inputShape = try TensorArgument.shape(value, args.bound.interpreter, name: "input_shape")
            case "input_dim":
                guard let n = value.asInt else { throw KilnError.type("`input_dim` must be an integer") }
                inputShape = [n]
            case "batch_input_shape":
                inputShape = Array(try TensorArgument.shape(value, args.bound.interpreter, name: "batch_input_shape").dropFirst())
            case "trainable":
                trainable = value.isTruthy
            default:
                break
            }
        }
        return (name, inputShape, trainable)
    }

    /// Which weight each `*_regularizer` argument regularizes.
    static let regularizedWeights = ["kernel_regularizer": "kernel", "bias_regularizer": "bias",
                                     "depthwise_regularizer": "depthwise_kernel", "pointwise_regularizer": "pointwise_kernel",
                                     "embeddings_regularizer": "embeddings", "beta_regularizer": "beta", "gamma_regularizer": "gamma"]

    /// Weight regularizers from the constructor's arguments; activity regularizers and weight
    /// constraints are refused by name rather than silently ignored.
    static func applyRegularizers(_ args: LayerArguments, to layer: Layer) throws {
        for (parameter, weight) in regularizedWeights where !args.isNone(parameter) {
            layer.regularizers[weight] = try regularizer(args[parameter], parameter: parameter)
        }
        for name in args.bound.names where (name == "activity_regularizer" || name.hasSuffix("_constraint")) && !args.isNone(name) {
            throw KilnError("NotImplementedError", "not supported in Kiln: \(name) (layer \(args.className))")
        }
    }

    /// A regularizer object, or the names 'l1', 'l2', 'l1_l2' (factor 0.01, as Keras).
    static func regularizer(_ value: Value, parameter: String) throws -> Regularizer {
        if let r = value.as(RegularizerValue.self) { return r.regularizer }
        if case .string(let s) = value {
            switch s {
            case "l1": return Regularizer(l1: 0.01)
            case "l2": return Regularizer(l2: 0.01)
            case "l1_l2": return Regularizer(l1: 0.01, l2: 0.01)
            default: break
            }
        }
        throw KilnError.value("Could not interpret regularizer identifier: \(Repr.repr(value)) for `\(parameter)`")
    }

    /// Every layer constructor of `keras.layers`.
    func layerConstructors() -> [KBuiltin] {
        let b = backend
        let convTail = "activation=None, use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None"
        let sepTail = "depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer='glorot_uniform', pointwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None"
        func conv(_ rank: Int) -> KBuiltin {
            let one = rank == 1
            return constructor("Conv\(rank)D", "filters, kernel_size, strides=\(one ? "1" : "(1, 1)"), padding='valid', data_format=\(one ? "'channels_last'" : "None"), dilation_rate=\(one ? "1" : "(1, 1)"), groups=1, \(convTail)",
                               doc: "\(rank)D convolution: activation(conv(inputs, kernel) + bias), kernel of shape kernel_size + (input channels, filters).") { a, name in
                try a.requireChannelsLast()
                return try Convolution(rank: rank, filters: try a.int("filters"), kernelSize: try a.sizes("kernel_size", rank: rank),
                                       strides: try a.sizes("strides", rank: rank), padding: try a.padding(),
                                       dilation: try a.sizes("dilation_rate", rank: rank), activation: try a.activation(),
                                       useBias: a.bool("use_bias"), kernelInitializer: try a.initializer("kernel_initializer"),
                                       biasInitializer: try a.initializer("bias_initializer"), name: name, backend: b)
            }
        }
        func separable(_ rank: Int) -> KBuiltin {
            let one = rank == 1
            return constructor("SeparableConv\(rank)D", "filters, kernel_size, strides=\(one ? "1" : "(1, 1)"), padding='valid', data_format=None, dilation_rate=\(one ? "1" : "(1, 1)"), \(sepTail)",
                               doc: "Depthwise separable \(rank)D convolution: a depthwise convolution per input channel, then a pointwise (1x1) convolution to `filters` channels.") { a, name in
                try a.requireChannelsLast()
                return try SeparableConvolution(rank: rank, filters: try a.int("filters"), kernelSize: try a.sizes("kernel_size", rank: rank),
                                                strides: try a.sizes("strides", rank: rank), padding: try a.padding(),
                                                dilation: try a.sizes("dilation_rate", rank: rank), depthMultiplier: try a.int("depth_multiplier"),
                                                activation: try a.activation(), useBias: a.bool("use_bias"),
                                                depthwiseInitializer: try a.initializer("depthwise_initializer"),
                                                pointwiseInitializer: try a.initializer("pointwise_initializer"),
                                                biasInitializer: try a.initializer("bias_initializer"), name: name, backend: b)
            }
        }
        func pooling(_ kind: Pooling.Kind, _ rank: Int) -> KBuiltin {
            let one = rank == 1
            return constructor("\(kind.rawValue)Pooling\(rank)D", "pool_size=\(one ? "2" : "(2, 2)"), strides=None, padding='valid', data_format=None",
                               doc: "\(kind == .max ? "Max" : "Average") pooling over \(rank)D windows of pool_size (strides default to pool_size).") { a, name in
                try a.requireChannelsLast()
                return try Pooling(kind: kind, rank: rank, poolSize: try a.sizes("pool_size", rank: rank),
                                   strides: try a.optionalSizes("strides", rank: rank), padding: try a.padding(), name: name, backend: b)
            }
        }
        func global(_ kind: Pooling.Kind, _ rank: Int) -> KBuiltin {
            constructor("Global\(kind.rawValue)Pooling\(rank)D", "data_format=None, keepdims=False",
                        doc: "The \(kind == .max ? "maximum" : "mean") over all \(rank)D positions, per channel.") { a, name in
                try a.requireChannelsLast()
                return GlobalPooling(kind: kind, rank: rank, keepDims: a.bool("keepdims"), name: name, backend: b)
            }
        }
        return [
            constructor("Dense", "units, \(convTail)",
                        doc: "Densely connected layer: activation(dot(input, kernel) + bias).") { a, name in
                try Dense(units: try a.int("units"), activation: try a.activation(), useBias: a.bool("use_bias"),
                          kernelInitializer: try a.initializer("kernel_initializer"), biasInitializer: try a.initializer("bias_initializer"),
                          name: name, backend: b)
            },
            conv(1), conv(2), separable(1), separable(2),
            constructor("DepthwiseConv2D", "kernel_size, strides=(1, 1), padding='valid', depth_multiplier=1, data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None, bias_constraint=None",
                        doc: "Depthwise 2D convolution: each input channel convolved with its own depth_multiplier filters.") { a, name in
                try a.requireChannelsLast()
                return try DepthwiseConvolution(kernelSize: try a.sizes("kernel_size", rank: 2), strides: try a.sizes("strides", rank: 2),
                                                padding: try a.padding(), depthMultiplier: try a.int("depth_multiplier"),
                                                dilation: try a.sizes("dilation_rate", rank: 2), activation: try a.activation(),
                                                useBias: a.bool("use_bias"), depthwiseInitializer: try a.initializer("depthwise_initializer"),
                                                biasInitializer: try a.initializer("bias_initializer"), name: name, backend: b)
            },
            pooling(.max, 1), pooling(.max, 2), pooling(.average, 1), pooling(.average, 2),
            global(.average, 1), global(.average, 2), global(.max, 1), global(.max, 2),
            constructor("BatchNormalization", "axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True, beta_initializer='zeros', gamma_initializer='ones', moving_mean_initializer='zeros', moving_variance_initializer='ones', beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None, virtual_batch_size=None, adjustment=None",
                        doc: "Batch normalization: gamma * (x - mean) / sqrt(var + epsilon) + beta per channel; batch statistics in training, moving averages in inference. renorm=True gives batch renormalization.") { a, name in
                var renorm: BatchNormalization.Renorm?
                if a.bool("renorm") {
                    var clip: [String: Float] = [:]
                    if let d = a["renorm_clipping"].as(KDict.self) {
                        for (k, v) in d.table.entries {
                            guard case .string(let key) = k, ["rmax", "rmin", "dmax"].contains(key) else {
                                throw KilnError.value("Received invalid keys for `renorm_clipping` argument: \(Repr.repr(k)). Supported values: ['rmax', 'rmin', 'dmax'].")
                            }
                            if let f = v.asDouble { clip[key] = Float(f) }
                        }
                    }
                    renorm = .init(rmin: clip["rmin"], rmax: clip["rmax"], dmax: clip["dmax"], momentum: try a.float("renorm_momentum"))
                }
                return BatchNormalization(axis: try a.int("axis"), momentum: try a.float("momentum"), epsilon: try a.float("epsilon"),
                                          center: a.bool("center"), scale: a.bool("scale"),
                                          betaInitializer: try a.initializer("beta_initializer"), gammaInitializer: try a.initializer("gamma_initializer"),
                                          movingMeanInitializer: try a.initializer("moving_mean_initializer"),
                                          movingVarianceInitializer: try a.initializer("moving_variance_initializer"),
                                          renorm: renorm, name: name, backend: b)
            },
            constructor("LayerNormalization", "axis=-1, epsilon=0.001, center=True, scale=True, beta_initializer='zeros', gamma_initializer='ones', beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None",
                        doc: "Layer normalization over the last axis of each sample: gamma * (x - mean) / sqrt(var + epsilon) + beta.") { a, name in
                let axes: [Int]
                if let axis = a["axis"].asInt {
                    axes = [axis]
                } else {
                    axes = try TensorArgument.shape(a["axis"], a.bound.interpreter, name: "axis", allowNegative: true).map { $0 ?? -1 }
                }
                return LayerNormalization(axes: axes, epsilon: try a.float("epsilon"), center: a.bool("center"), scale: a.bool("scale"), name: name, backend: b)
            },
            constructor("Activation", "activation", doc: "Applies an activation function.") { a, name in
                ActivationLayer(try a.activation(), name: name, backend: b)
            },
            constructor("ReLU", "max_value=None, negative_slope=0.0, threshold=0.0",
                        doc: "Rectified linear unit: x above threshold (capped at max_value), negative_slope * (x - threshold) below.") { a, name in
                try ReLULayer(maxValue: try a.optionalFloat("max_value"), negativeSlope: try a.float("negative_slope"),
                              threshold: try a.float("threshold"), name: name, backend: b)
            },
            constructor("LeakyReLU", "negative_slope=0.3, alpha=None",
                        doc: "Leaky ReLU: x for x >= 0, negative_slope * x below (`alpha` is Keras 2's name for it).") { a, name in
                LeakyReLULayer(negativeSlope: try a.optionalFloat("alpha") ?? a.float("negative_slope"), name: name, backend: b)
            },
            constructor("Dropout", "rate, noise_shape=None, seed=None",
                        doc: "In training, sets a fraction `rate` of inputs to 0 and scales the rest by 1/(1 - rate).") { a, name in
                try Dropout(rate: try a.float("rate"), name: name, backend: b)
            },
            constructor("AlphaDropout", "rate, noise_shape=None, seed=None",
                        doc: "Dropout that keeps the mean and variance of selu activations (for self-normalizing networks).") { a, name in
                try AlphaDropout(rate: try a.float("rate"), name: name, backend: b)
            },
            constructor("Flatten", "data_format=None", doc: "Flattens every axis but the batch axis.") { a, name in
                try a.requireChannelsLast()
                return Flatten(name: name, backend: b)
            },
            constructor("Reshape", "target_shape", doc: "Reshapes the inputs (batch axis excluded) to target_shape.") { a, name in
                let dims = try TensorArgument.shape(a["target_shape"], a.bound.interpreter, name: "target_shape", allowNegative: true)
                return Reshape(targetShape: dims.map { $0 ?? -1 }, name: name, backend: b)
            },
            constructor("Embedding", "input_dim, output_dim, embeddings_initializer='uniform', embeddings_regularizer=None, activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None",
                        doc: "Turns integer indices into dense vectors: row i of the embeddings matrix for index i.") { a, name in
                let length = a.isNone("input_length") ? nil : try a.int("input_length")
                let layer = try Embedding(inputDim: try a.int("input_dim"), outputDim: try a.int("output_dim"), inputLength: length,
                                          initializer: try a.initializer("embeddings_initializer"), name: name, backend: b)
                if let n = length { layer.declaredInputShape = [n] }
                return layer
            },
            constructor("Add", "", doc: "Elementwise sum of a list of inputs of the same shape.") { _, name in
                KilnNN.Add(name: name, backend: b)
            },
            constructor("Concatenate", "axis=-1", doc: "Concatenation of a list of inputs along axis.") { a, name in
                KilnNN.Concatenate(axis: try a.int("axis"), name: name, backend: b)
            },
        ]
    }
}
