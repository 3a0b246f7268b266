/// Optimizers: the update rules of Keras 3 (SGD, RMSprop, Adam, AdamW) applied to weights in
/// place, with Keras' gradient clipping, decoupled weight decay and learning-rate schedules.
/// Every step follows `keras/src/optimizers/*.py` operation for operation, in float32.

import Foundation
import KilnTensor

/// The shared machinery of every optimizer, in the order Keras' `apply` runs it: check the
/// gradients, clip them (`clipnorm`, `global_clipnorm` or `clipvalue`), decay the weights
/// (`weight_decay`), run the optimizer's update on each weight, then count the iteration.
/// Slot variables (momenta, velocities) are kept per weight, created at zero on first use.
public class Optimizer {
    /// Keras' class name (`RMSprop`).
    public let className: String
    /// `rmsprop`, `adam_1`, … (Keras' automatic names, or the one given).
    public let name: String
    /// The constant learning rate (used when there is no schedule).
    public var learningRate: Float
    /// A schedule, when the optimizer was given one as `learning_rate`.
    public let schedule: LearningRateSchedule?
    public let weightDecay: Float?
    public let clipnorm: Float?
    public let clipvalue: Float?
    public let globalClipnorm: Float?
    /// The number of updates applied so far.
    public private(set) var iterations = 0

    private struct Slots {
        let weight: Weight  // held so its ObjectIdentifier is never reused while slots exist
        var tensors: [String: Tensor]
    }
    private var slots: [ObjectIdentifier: Slots] = [:]

    init(className: String, name: String, learningRate: Float, schedule: LearningRateSchedule?,
         weightDecay: Float?, clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?) throws {
        let clips = [clipnorm, clipvalue, globalClipnorm].filter { $0 != nil }.count
        guard clips <= 1 else {
            throw LayerError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=\(Optimizer.python(clipnorm)), clipvalue=\(Optimizer.python(clipvalue)), global_clipnorm=\(Optimizer.python(globalClipnorm))")
        }
        self.className = className
        self.name = name
        self.learningRate = learningRate
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.globalClipnorm = globalClipnorm
    }

    /// The learning rate the next update uses: the schedule at `iterations`, or `learningRate`.
    public func currentLearningRate() -> Float {
        schedule?.learningRate(atStep: iterations) ?? learningRate
    }

    /// Sets the constant learning rate; an optimizer built on a schedule refuses, as Keras does
    /// (TypeError).
    public func setLearningRate(_ value: Float) throws {
        guard schedule == nil else {
            throw LayerError("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor argument, hence its learning rate is not settable. If you need the learning rate to be settable, you should instantiate the optimizer with a float `learning_rate` argument.", type: "TypeError")
        }
        learningRate = value
    }

    /// One update: `gradients[i]` is the gradient of the loss with respect to `weights[i]`.
    public func apply(_ gradients: [Tensor], to weights: [Weight]) throws {
        guard gradients.count == weights.count else {
            throw LayerError("The optimizer received \(gradients.count) gradients for \(weights.count) weights; they must match one to one.")
        }
        if gradients.isEmpty { return }
        for (g, w) in zip(gradients, weights) where g.shape != w.value.shape {
            throw LayerError("Gradient of shape \(Shape(of: g)) does not match the shape \(Shape(of: w.value)) of weight '\(w.name)'")
        }
        let grads = clip(gradients)
        let lr = currentLearningRate()
        if let wd = weightDecay {
            // Keras: variable.assign_sub(variable * wd * lr), before the update.
            for w in weights {
                w.value.withUnsafeMutableBufferPointer { v in
                    for i in v.indices { v[i] -= v[i] * wd * lr }
                }
            }
        }
        for (g, w) in zip(grads, weights) {
            let id = ObjectIdentifier(w)
            var s = slots[id] ?? Slots(weight: w, tensors: [:])
            update(gradient: g, weight: w, learningRate: lr) { key in
                if let t = s.tensors[key] { return t }
                return Tensor(shape: w.value.shape)
            } store: { key, t in
                s.tensors[key] = t
            }
            slots[id] = s
        }
        iterations += 1
    }

    /// The optimizer's own rule for one weight. `slot(name)` is the slot's current value (zeros
    /// at first); `store(name, value)` keeps its new value.
    func update(gradient: Tensor, weight: Weight, learningRate: Float,
                slot: (String) -> Tensor, store: (String, Tensor) -> Void) {
        fatalError("Optimizer subclasses implement update")
    }

    /// A slot variable of `weight` (`momentum`, `velocity`, …), if it exists yet.
    public func slot(_ name: String, of weight: Weight) -> Tensor? {
        slots[ObjectIdentifier(weight)]?.tensors[name]
    }

    /// Keras' `_clip_gradients`: per-weight norm, else global norm, else value.
    func clip(_ gradients: [Tensor]) -> [Tensor] {
        if let c = clipnorm, c > 0 {
            // tf.clip_by_norm: g * c / max(||g||, c).
            return gradients.map { g in
                let norm = Float(Optimizer.sumOfSquares(g).squareRoot())
                let denominator = Swift.max(norm, c)
                return g.map { $0 * c / denominator }
            }
        }
        if let c = globalClipnorm, c > 0 {
            let norm = Float(gradients.reduce(0) { $0 + Optimizer.sumOfSquares($1) }.squareRoot())
            let scale = c * Swift.min(1 / norm, 1 / c) + (norm - norm)
            return gradients.map { $0.multiplying(scalar: scale) }
        }
        if let c = clipvalue, c > 0 {
            return gradients.map { $0.clipped(lower: -c, upper: c) }
        }
        return gradients
    }

    static func sumOfSquares(_ t: Tensor) -> Double {
        t.withUnsafeBufferPointer { p in p.reduce(0) { $0 + Double($1) * Double($1) } }
    }

    static func python(_ v: Float?) -> String { v.map { "\(Double($0))" } ?? "None" }
}

/// Pointers handed to parallel chunks (each chunk writes its own elements only).
private struct UncheckedPointers: @unchecked Sendable {
    let weight: UnsafeMutablePointer<Float>
    let slots: [UnsafeMutablePointer<Float>]
}

extension Optimizer {
    /// Runs `body(weight, slots, range)` over every element, writing the weight and the named slots
    /// in place (each made unique first, so nothing else sharing their storage sees the writes).
    static func inPlace(_ weight: Weight, slots names: [String], slot: (String) -> Tensor, store: (String, Tensor) -> Void,
                        _ body: @escaping (UnsafeMutablePointer<Float>, [UnsafeMutablePointer<Float>], Range<Int>) -> Void) {
        // Slots first: a missing slot is made in the weight's shape.
        var tensors = names.map { name -> Tensor in
            let t = slot(name)
            store(name, Tensor(scalar: 0))
            return t
        }
        var w = weight.value
        weight.value = Tensor(scalar: 0)
        // Slots are made in the weight's shape, so they always match; never write past one.
        guard tensors.allSatisfy({ $0.count == w.count }) else {
            weight.value = w
            for (name, t) in zip(names, tensors) { store(name, t) }
            return
        }
        let n = w.count
        w.withUnsafeMutableBufferPointer { wp in
            guard let wBase = wp.baseAddress else { return }
            var pointers: [UnsafeMutablePointer<Float>] = []
            for k in tensors.indices {
                tensors[k].withUnsafeMutableBufferPointer { if let base = $0.baseAddress { pointers.append(base) } }
            }
            guard pointers.count == names.count else { return }
            let shared = UncheckedPointers(weight: wBase, slots: pointers)
            // Elementwise, so the fixed partition across cores changes no result.
            Parallel.forEachChunk(count: n, minimumChunk: 1 << 15) { range in body(shared.weight, shared.slots, range) }
        }
        weight.value = w
        for (name, t) in zip(names, tensors) { store(name, t) }
    }
}

/// Elementwise loops over same-shaped tensors, written into `out` (a fresh copy of `a`).
@inline(__always)
func zipped(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    var out = a
    b.withUnsafeBufferPointer { q in
        out.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = f(p[i], q[i]) }
        }
    }
    return out
}

/// Gradient descent with optional (Nesterov) momentum.
///
/// Without momentum: `w = w - lr * g`. With momentum: `m = momentum * m - lr * g`, then
/// `w = w + m`, or with `nesterov`, `w = w + (momentum * m - lr * g)`.
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool

    public init(learningRate: Float = 0.01, schedule: LearningRateSchedule? = nil, momentum: Float = 0, nesterov: Bool = false,
                weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil,
                name: String? = nil, backend: Backend) throws {
        guard momentum >= 0, momentum <= 1 else { throw LayerError("`momentum` must be a float between [0, 1].") }
        self.momentum = momentum
        self.nesterov = nesterov
        try super.init(className: "SGD", name: name ?? backend.uniqueName("sgd"), learningRate: learningRate, schedule: schedule,
                       weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    override func update(gradient g: Tensor, weight: Weight, learningRate lr: Float,
                         slot: (String) -> Tensor, store: (String, Tensor) -> Void) {
        guard momentum != 0 else {
            weight.value = zipped(weight.value, g) { w, g in w - g * lr }
            return
        }
        let mu = momentum
        let m = zipped(slot("momentum"), g) { m, g in m * mu - g * lr }
        store("momentum", m)
        if nesterov {
            let step = zipped(m, g) { m, g in m * mu - g * lr }
            weight.value = zipped(weight.value, step, +)
        } else {
            weight.value = zipped(weight.value, m, +)
        }
    }
}

/// RMSprop: `v = rho * v + (1 - rho) * g^2`; with `centered`, also `a = rho * a + (1 - rho) * g`
/// and the denominator `v - a^2 + epsilon`, else `v + epsilon`; the step is
/// `lr * g / sqrt(denominator)`, taken directly or through momentum `m = momentum * m + step`.
public final class RMSprop: Optimizer {
    public let rho: Float
    public let momentum: Float
    public let epsilon: Float
    public let centered: Bool

    public init(learningRate: Float = 0.001, schedule: LearningRateSchedule? = nil, rho: Double = 0.9, momentum: Float = 0,
                epsilon: Float = 1e-7, centered: Bool = false,
                weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil,
                name: String? = nil, backend: Backend) throws {
        self.rho = Float(rho)
        self.oneMinusRho = Float(1 - rho)
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        try super.init(className: "RMSprop", name: name ?? backend.uniqueName("rm_sprop"), learningRate: learningRate, schedule: schedule,
                       weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// `1 - rho` computed in double precision, as Python does before casting.
    private let oneMinusRho: Float

    override func update(gradient g: Tensor, weight: Weight, learningRate lr: Float,
                         slot: (String) -> Tensor, store: (String, Tensor) -> Void) {
        let rho = self.rho, c = oneMinusRho, eps = epsilon
        if !centered && momentum == 0 {
            // The common case in one pass, in place: the same operations in the same order.
            let gp = g.storage.pointer
            Optimizer.inPlace(weight, slots: ["velocity"], slot: slot, store: store) { w, s, range in
                let velocity = s[0]
                for i in range {
                    let gi = gp[i]
                    let v = rho * velocity[i] + c * (gi * gi)
                    velocity[i] = v
                    w[i] = w[i] - (lr * gi) / (v + eps).squareRoot()
                }
            }
            return
        }
        let v = zipped(slot("velocity"), g) { v, g in rho * v + c * (g * g) }
        store("velocity", v)
        let denominator: Tensor
        if centered {
            let a = zipped(slot("average_gradient"), g) { a, g in rho * a + c * g }
            store("average_gradient", a)
            denominator = zipped(v, a) { v, a in v - a * a + eps }
        } else {
            denominator = v.map { $0 + eps }
        }
        let increment = zipped(g, denominator) { g, d in (lr * g) / d.squareRoot() }
        if momentum > 0 {
            let mu = momentum
            let m = zipped(slot("momentum"), increment) { m, inc in mu * m + inc }
            store("momentum", m)
            weight.value = zipped(weight.value, m, -)
        } else {
            weight.value = zipped(weight.value, increment, -)
        }
    }
}

/// Adam: `m += (g - m) * (1 - beta_1)`, `v += (g^2 - v) * (1 - beta_2)` (with `amsgrad`,
/// `v` is replaced by its running maximum), and
/// `w -= m * alpha / (sqrt(v) + epsilon)` where `alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`
/// and `t` is the step counted from 1.
public class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let amsgrad: Bool
    private let oneMinusBeta1: Float
    private let oneMinusBeta2: Float

    public convenience init(learningRate: Float = 0.001, schedule: LearningRateSchedule? = nil, beta1: Double = 0.9, beta2: Double = 0.999,
                            epsilon: Float = 1e-7, amsgrad: Bool = false,
                            weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil,
                            name: String? = nil, backend: Backend) throws {
        try self.init(className: "Adam", name: name ?? backend.uniqueName("adam"), learningRate: learningRate, schedule: schedule,
                      beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, weightDecay: weightDecay,
                      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    init(className: String, name: String, learningRate: Float, schedule: LearningRateSchedule?, beta1: Double, beta2: Double,
         epsilon: Float, amsgrad: Bool, weightDecay: Float?, clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?) throws {
        self.beta1 = Float(beta1)
        self.beta2 = Float(beta2)
        oneMinusBeta1 = Float(1 - beta1)
        oneMinusBeta2 = Float(1 - beta2)
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        try super.init(className: className, name: name, learningRate: learningRate, schedule: schedule,
                       weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    override func update(gradient g: Tensor, weight: Weight, learningRate lr: Float,
                         slot: (String) -> Tensor, store: (String, Tensor) -> Void) {
        let step = Float(iterations + 1)
        let beta1Power = powf(beta1, step)
        let beta2Power = powf(beta2, step)
        let alpha = lr * (1 - beta2Power).squareRoot() / (1 - beta1Power)
        let c1 = oneMinusBeta1, c2 = oneMinusBeta2, eps = epsilon
        if !amsgrad {
            // One pass, in place: the same operations in the same order.
            let gp = g.storage.pointer
            Optimizer.inPlace(weight, slots: ["momentum", "velocity"], slot: slot, store: store) { w, s, range in
                let momentum = s[0], velocity = s[1]
                for i in range {
                    let gi = gp[i]
                    let m = momentum[i] + (gi - momentum[i]) * c1
                    let v = velocity[i] + (gi * gi - velocity[i]) * c2
                    momentum[i] = m
                    velocity[i] = v
                    w[i] = w[i] - (m * alpha) / (v.squareRoot() + eps)
                }
            }
            return
        }
        let m = zipped(slot("momentum"), g) { m, g in m + (g - m) * c1 }
        store("momentum", m)
        var v = zipped(slot("velocity"), g) { v, g in v + (g * g - v) * c2 }
        store("velocity", v)
        if amsgrad {
            v = zipped(slot("velocity_hat"), v) { Swift.max($0, $1) }
            store("velocity_hat", v)
        }
        let delta = zipped(m, v) { m, v in (m * alpha) / (v.squareRoot() + eps) }
        weight.value = zipped(weight.value, delta, -)
    }
}

/// AdamW: Adam with decoupled weight decay, `w -= w * weight_decay * lr` before each update.
public final class AdamW: Adam {
    public init(learningRate: Float = 0.001, schedule: LearningRateSchedule? = nil, weightDecay: Float = 0.004,
                beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Float = 1e-7, amsgrad: Bool = false,
                clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil,
                name: String? = nil, backend: Backend) throws {
        try super.init(className: "AdamW", name: name ?? backend.uniqueName("adamw"), learningRate: learningRate, schedule: schedule,
                       beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, weightDecay: weightDecay,
                       clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }
}
