/// `keras.optimizers` (SGD, RMSprop, Adam, AdamW, `get`) and `keras.optimizers.schedules`
/// (ExponentialDecay, CosineDecay): constructors with Keras 3's signatures and defaults, Keras 2's
/// `lr=` accepted for `learning_rate=`, and optimizer objects with `learning_rate`, `iterations`
/// and `get_config()`.

import KilnLang
import KilnNN
import KilnTensor

/// A learning-rate schedule as a Kiln value: `schedule(step)` gives the rate at that step.
public final class ScheduleValue: KObject {
    public let schedule: LearningRateSchedule
    /// The constructor's arguments in Keras' `get_config()` order, as given.
    let config: [(String, Value)]

    init(_ schedule: LearningRateSchedule, config: [(String, Value)]) {
        self.schedule = schedule
        self.config = config
    }

    public override var typeName: String { schedule.className }
    public override func repr() -> String { "<keras.optimizers.schedules.\(schedule.className)>" }
    public override var isCallable: Bool { true }

    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        try ScheduleValue.callSignature.invoke(receiver: .object(self), args, interpreter)
    }

    static let callSignature = KBuiltin("__call__", "step", doc: "The learning rate at step.") { a in
        .float(Double(a.receiver(ScheduleValue.self).schedule.learningRate(atStep: try a.int(0))))
    }

    public override var attributeNames: [String] { config.map(\.0) + ["get_config"] }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        if name == "get_config" { return .object(ScheduleValue.getConfig.bound(to: .object(self))) }
        return config.first { $0.0 == name }?.1
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard name == "get_config" else {
            throw KilnError.attribute("'\(schedule.className)' object has no attribute '\(name)'")
        }
        return try ScheduleValue.getConfig.invoke(receiver: .object(self), args, interpreter)
    }

    static let getConfig = KBuiltin("get_config", "", doc: "The schedule's arguments as a dict.") { a in
        try dictionary(a.receiver(ScheduleValue.self).config)
    }

    /// Keras' `serialize()` form, as an optimizer's config shows its schedule.
    func serialized() throws -> Value {
        try dictionary([("module", .string("keras.optimizers.schedules")), ("class_name", .string(schedule.className)),
                        ("config", try dictionary(config)), ("registered_name", .none)])
    }
}

/// A Keras optimizer as a Kiln value: `optimizer.learning_rate` (settable), `.iterations`,
/// `.name`, `get_config()`.
public final class OptimizerValue: KObject {
    public let optimizer: Optimizer
    let scheduleValue: ScheduleValue?
    /// The optimizer's own arguments (after the base ones) in `get_config()` order.
    let ownConfig: [(String, Value)]
    /// The learning rate as last given in Python (a double), shown while the float32 value
    /// the optimizer uses still equals it.
    private var givenLearningRate: Double

    init(_ optimizer: Optimizer, schedule: ScheduleValue?, learningRate: Double, ownConfig: [(String, Value)]) {
        self.optimizer = optimizer
        self.scheduleValue = schedule
        self.givenLearningRate = learningRate
        self.ownConfig = ownConfig
    }

    public override var typeName: String { optimizer.className }
    public override func repr() -> String { "<keras.optimizers.\(optimizer.className) name=\(optimizer.name)>" }

    /// The current learning rate: the schedule's at this iteration, or the constant one.
    var learningRateValue: Value {
        let current = optimizer.currentLearningRate()
        if optimizer.schedule == nil, current == Float(givenLearningRate) { return .float(givenLearningRate) }
        return .float(Double(current))
    }

    public override var attributeNames: [String] { ["get_config", "iterations", "learning_rate", "lr", "name"] }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        switch name {
        case "learning_rate", "lr": return learningRateValue
        case "iterations": return .int(optimizer.iterations)
        case "name": return .string(optimizer.name)
        case "get_config": return .object(OptimizerValue.getConfig.bound(to: .object(self)))
        default: return ownConfig.first { $0.0 == name }?.1
        }
    }

    public override func setAttribute(_ name: String, _ value: Value) throws {
        guard name == "learning_rate" || name == "lr" else {
            throw KilnError.attribute("can't set attribute '\(name)' of \(optimizer.className)")
        }
        if value.as(ScheduleValue.self) != nil {
            throw KilnError("NotImplementedError", "not supported in Kiln: replacing an optimizer's learning rate with a schedule after construction")
        }
        guard let d = value.asDouble, !isBool(value) else {
            throw KilnError.type("Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a callable (that takes in the current iteration value and returns the corresponding learning rate value). Received instead: learning_rate=\(Repr.repr(value))")
        }
        try keras(optimizer.name) { try optimizer.setLearningRate(Float(d)) }
        givenLearningRate = d
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard name == "get_config" else {
            throw KilnError.attribute("'\(optimizer.className)' object has no attribute '\(name)'")
        }
        return try OptimizerValue.getConfig.invoke(receiver: .object(self), args, interpreter)
    }

    static let getConfig = KBuiltin("get_config", "", doc: "The optimizer's configuration as a dict, in Keras' keys and order.") { a in
        let me = a.receiver(OptimizerValue.self)
        let o = me.optimizer
        func optional(_ f: Float?) -> Value { f.map { .float(Double($0)) } ?? .none }
        let learningRate = try me.scheduleValue?.serialized() ?? .float(Double(o.learningRate))
        let weightDecay: Value = o is AdamW ? (me.ownConfig.first { $0.0 == "weight_decay" }?.1 ?? .none) : optional(o.weightDecay)
        let base: [(String, Value)] = [
            ("name", .string(o.name)), ("learning_rate", learningRate), ("weight_decay", weightDecay),
            ("clipnorm", optional(o.clipnorm)), ("global_clipnorm", optional(o.globalClipnorm)), ("clipvalue", optional(o.clipvalue)),
            ("use_ema", .false), ("ema_momentum", .float(0.99)), ("ema_overwrite_frequency", .none),
            ("loss_scale_factor", .none), ("gradient_accumulation_steps", .none),
        ]
        return try dictionary(base + me.ownConfig.filter { $0.0 != "weight_decay" })
    }
}

/// True for `True`/`False`, which Python's `isinstance(x, float)` checks refuse as rates.
func isBool(_ v: Value) -> Bool {
    if case .bool = v { return true }
    return false
}

/// A dict with string keys, in the given order.
func dictionary(_ items: [(String, Value)]) throws -> Value {
    let d = KDict()
    for (k, v) in items { try d.set(.string(k), v) }
    return .object(d)
}

extension KerasSession {
    /// The base-optimizer parameters every constructor ends with.
    static let optimizerTail = "clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs"

    /// The names `optimizers.get` and `model.compile(optimizer=…)` accept, lowercase.
    static let optimizerNames = ["sgd", "rmsprop", "adam", "adamw"]

    /// An optimizer from what `model.compile(optimizer=…)` or `optimizers.get` is given: an
    /// optimizer object, or a name ('rmsprop', 'Adam', …) for one with Keras' defaults.
    public func optimizer(from value: Value, _ interpreter: Interpreter) throws -> OptimizerValue {
        if let o = value.as(OptimizerValue.self) { return o }
        if case .string(let s) = value,
           let builtin = optimizerConstructors().first(where: { $0.name.lowercased() == s.lowercased() }),
           let o = try builtin.call(Arguments(), interpreter).as(OptimizerValue.self) {
            return o
        }
        throw KilnError.value("Could not interpret optimizer identifier: \(Repr.str(value))")
    }

    /// `SGD`, `RMSprop`, `Adam`, `AdamW`, each declared once with Keras 3's signature.
    func optimizerConstructors() -> [KBuiltin] {
        let b = backend
        func constructor(_ className: String, _ signature: String, doc: String,
                         _ make: @escaping (OptimizerArguments) throws -> (Optimizer, [(String, Value)])) -> KBuiltin {
            KBuiltin(className, signature + ", " + KerasSession.optimizerTail, doc: doc) { bound in
                let args = try OptimizerArguments(bound: bound, className: className)
                let (optimizer, own) = try keras(className) { try make(args) }
                return .object(OptimizerValue(optimizer, schedule: args.scheduleValue, learningRate: args.learningRate, ownConfig: own))
            }
        }
        return [
            constructor("SGD", "learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None",
                        doc: "Gradient descent with optional momentum: w -= lr * g, or m = momentum * m - lr * g; w += m (nesterov: w += momentum * m - lr * g).") { a in
                let momentum = try a.double("momentum")
                guard momentum >= 0, momentum <= 1 else { throw KilnError.value("`momentum` must be a float between [0, 1].") }
                let o = try SGD(learningRate: Float(a.learningRate), schedule: a.schedule, momentum: Float(momentum), nesterov: a.bool("nesterov"),
                                weightDecay: try a.optionalFloat("weight_decay"), clipnorm: try a.optionalFloat("clipnorm"),
                                clipvalue: try a.optionalFloat("clipvalue"), globalClipnorm: try a.optionalFloat("global_clipnorm"),
                                name: try a.name(), backend: b)
                return (o, [("momentum", a["momentum"]), ("nesterov", a["nesterov"])])
            },
            constructor("RMSprop", "learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False, weight_decay=None",
                        doc: "RMSprop: divide the gradient by a running root mean square of recent gradients (centered: by their estimated standard deviation).") { a in
                let o = try RMSprop(learningRate: Float(a.learningRate), schedule: a.schedule, rho: try a.double("rho"),
                                    momentum: Float(try a.double("momentum")), epsilon: Float(try a.double("epsilon")), centered: a.bool("centered"),
                                    weightDecay: try a.optionalFloat("weight_decay"), clipnorm: try a.optionalFloat("clipnorm"),
                                    clipvalue: try a.optionalFloat("clipvalue"), globalClipnorm: try a.optionalFloat("global_clipnorm"),
                                    name: try a.name(), backend: b)
                return (o, ["rho", "momentum", "epsilon", "centered"].map { ($0, a[$0]) })
            },
            constructor("Adam", "learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False, weight_decay=None",
                        doc: "Adam: adaptive estimates of the gradient's first and second moments, with bias correction.") { a in
                let o = try Adam(learningRate: Float(a.learningRate), schedule: a.schedule, beta1: try a.double("beta_1"),
                                 beta2: try a.double("beta_2"), epsilon: Float(try a.double("epsilon")), amsgrad: a.bool("amsgrad"),
                                 weightDecay: try a.optionalFloat("weight_decay"), clipnorm: try a.optionalFloat("clipnorm"),
                                 clipvalue: try a.optionalFloat("clipvalue"), globalClipnorm: try a.optionalFloat("global_clipnorm"),
                                 name: try a.name(), backend: b)
                return (o, ["beta_1", "beta_2", "epsilon", "amsgrad"].map { ($0, a[$0]) })
            },
            constructor("AdamW", "learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False",
                        doc: "AdamW: Adam with decoupled weight decay (w -= w * weight_decay * lr before each update).") { a in
                guard let wd = try a.optionalFloat("weight_decay") else {
                    throw KilnError.value("Argument `weight_decay` must be a float. Received: weight_decay=None")
                }
                let o = try AdamW(learningRate: Float(a.learningRate), schedule: a.schedule, weightDecay: wd,
                                  beta1: try a.double("beta_1"), beta2: try a.double("beta_2"), epsilon: Float(try a.double("epsilon")),
                                  amsgrad: a.bool("amsgrad"), clipnorm: try a.optionalFloat("clipnorm"),
                                  clipvalue: try a.optionalFloat("clipvalue"), globalClipnorm: try a.optionalFloat("global_clipnorm"),
                                  name: try a.name(), backend: b)
                return (o, ["weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad"].map { ($0, a[$0]) })
            },
        ]
    }

    /// `optimizers.get(identifier)`.
    func optimizerFunctions() -> [KBuiltin] {
        [KBuiltin("get", "identifier", doc: "An optimizer from a name ('sgd', 'rmsprop', 'adam', 'adamw') or an optimizer object (returned as is).") { a in
            .object(try self.optimizer(from: a[0], a.interpreter))
        }]
    }

    /// `keras.optimizers.schedules` constructors.
    static func scheduleConstructors() -> [KBuiltin] {
        [
            KBuiltin("ExponentialDecay", "initial_learning_rate, decay_steps, decay_rate, staircase=False, name='ExponentialDecay'",
                     doc: "initial_learning_rate * decay_rate ** (step / decay_steps), the exponent floored with staircase=True.") { a in
                let s = try keras("ExponentialDecay") {
                    try ExponentialDecay(initialLearningRate: try a.double(0), decaySteps: try a.int(1), decayRate: try a.double(2),
                                         staircase: a.bool(3), name: try a.string(4))
                }
                return .object(ScheduleValue(s, config: zip(a.names, a.values).map { ($0, $1) }))
            },
            KBuiltin("CosineDecay", "initial_learning_rate, decay_steps, alpha=0.0, name='CosineDecay', warmup_target=None, warmup_steps=0",
                     doc: "Cosine decay from initial_learning_rate to alpha * initial_learning_rate over decay_steps, after an optional linear warmup to warmup_target.") { a in
                let s = try keras("CosineDecay") {
                    try CosineDecay(initialLearningRate: try a.double(0), decaySteps: try a.int(1), alpha: try a.double(2),
                                    name: try a.string(3), warmupTarget: try a.optionalDouble(4), warmupSteps: try a.int(5))
                }
                let order = ["initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target", "warmup_steps"]
                return .object(ScheduleValue(s, config: order.map { n in (n, a.values[a.names.firstIndex(of: n)!]) }))
            },
        ]
    }
}

/// An optimizer constructor's bound arguments: the learning rate (a number or a schedule, `lr=`
/// accepted as in Keras 2), the options Kiln does not implement refused by name, others by Keras' error.
struct OptimizerArguments {
    let bound: BoundArguments
    let className: String
    let learningRate: Double
    let scheduleValue: ScheduleValue?
    var schedule: LearningRateSchedule? { scheduleValue?.schedule }

    init(bound: BoundArguments, className: String) throws {
        self.bound = bound
        self.className = className
        var rate = bound.values[bound.names.firstIndex(of: "learning_rate")!]
        if let kwargs = bound.values.last?.as(KDict.self) {
            var unknown: [String] = []
            for (key, value) in kwargs.table.entries {
                guard case .string(let k) = key else { continue }
                switch k {
                case "lr": rate = value  // Keras 2's name
                case "decay": break  // Keras 3 ignores it with a warning
                default: unknown.append("\(Repr.repr(key)): \(Repr.repr(value))")
                }
            }
            if !unknown.isEmpty { throw KilnError.value("Argument(s) not recognized: {\(unknown.joined(separator: ", "))}") }
        }
        if let s = rate.as(ScheduleValue.self) {
            scheduleValue = s
            learningRate = Double(s.schedule.learningRate(atStep: 0))
        } else if let d = rate.asDouble, !isBool(rate) {
            scheduleValue = nil
            learningRate = d
        } else {
            throw KilnError.type("Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a callable (that takes in the current iteration value and returns the corresponding learning rate value). Received instead: learning_rate=\(Repr.repr(rate))")
        }
        for (name, off) in [("use_ema", Value.false), ("ema_overwrite_frequency", .none), ("loss_scale_factor", .none),
                            ("gradient_accumulation_steps", .none)] where !(Repr.repr(self[name]) == Repr.repr(off)) {
            throw KilnError("NotImplementedError", "not supported in Kiln: \(name)=\(Repr.repr(self[name])) in \(className)")
        }
    }

    subscript(_ name: String) -> Value {
        guard let i = bound.names.firstIndex(of: name) else { return .none }
        return bound.values[i]
    }

    func double(_ name: String) throws -> Double {
        guard let v = self[name].asDouble else {
            throw KilnError.type("\(className)() argument '\(name)' must be a float, not \(self[name].typeName)")
        }
        return v
    }

    func optionalFloat(_ name: String) throws -> Float? {
        if case .none = self[name] { return nil }
        return Float(try double(name))
    }

    func bool(_ name: String) -> Bool { self[name].isTruthy }

    func name() throws -> String? {
        switch self["name"] {
        case .none: return nil
        case .string(let s): return s
        case let v: throw KilnError.type("`name` must be a string, got \(v.typeName)")
        }
    }
}
