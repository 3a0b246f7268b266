/// Learning-rate schedules: the rate as a function of the optimizer's step, computed in
/// float32 as Keras 3 computes them (`keras.optimizers.schedules`).

import Foundation

/// A learning rate that changes with the optimizer's iteration count.
public protocol LearningRateSchedule: AnyObject {
    /// Keras' class name (`ExponentialDecay`).
    var className: String { get }
    /// The learning rate at `step` (the number of updates already applied).
    func learningRate(atStep step: Int) -> Float
}

/// `initial_learning_rate * decay_rate ^ (step / decay_steps)`; with `staircase`, the
/// exponent is floored so the rate drops in steps.
public final class ExponentialDecay: LearningRateSchedule {
    public let initialLearningRate: Double
    public let decaySteps: Int
    public let decayRate: Double
    public let staircase: Bool
    public let name: String

    public init(initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool = false,
                name: String = "ExponentialDecay") throws {
        guard decaySteps > 0 else {
            throw LayerError("Argument `decay_steps` must be > 0. Received: decay_steps=\(decaySteps)")
        }
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
        self.name = name
    }

    public var className: String { "ExponentialDecay" }

    public func learningRate(atStep step: Int) -> Float {
        var p = Float(step) / Float(decaySteps)
        if staircase { p = p.rounded(.down) }
        return Float(initialLearningRate) * powf(Float(decayRate), p)
    }
}

/// Cosine decay from `initial_learning_rate` to `alpha * initial_learning_rate` over
/// `decay_steps`: `lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)`.
/// With `warmup_target`, the rate first rises linearly from `initial_learning_rate` to
/// `warmup_target` over `warmup_steps`, then decays from `warmup_target`.
public final class CosineDecay: LearningRateSchedule {
    public let initialLearningRate: Double
    public let decaySteps: Int
    public let alpha: Double
    public let name: String
    public let warmupTarget: Double?
    public let warmupSteps: Int

    public init(initialLearningRate: Double, decaySteps: Int, alpha: Double = 0, name: String = "CosineDecay",
                warmupTarget: Double? = nil, warmupSteps: Int = 0) throws {
        guard decaySteps > 0 else {
            throw LayerError("Argument `decay_steps` must be > 0. Received: decay_steps=\(decaySteps)")
        }
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.alpha = alpha
        self.name = name
        self.warmupTarget = warmupTarget
        self.warmupSteps = warmupSteps
    }

    public var className: String { "CosineDecay" }

    public func learningRate(atStep step: Int) -> Float {
        let initial = Float(initialLearningRate)
        let steps = Float(decaySteps)
        func decay(_ step: Float, from lr: Float) -> Float {
            let fraction = step / steps
            let cosine = Float(0.5) * (1 + cosf(Float.pi * fraction))
            let decayed = Float(1 - alpha) * cosine + Float(alpha)
            return lr * decayed
        }
        guard let target = warmupTarget.map(Float.init) else {
            return decay(min(Float(step), steps), from: initial)
        }
        let warmup = Float(warmupSteps)
        let s = min(Float(step), steps + warmup)
        if s < warmup {
            return (target - initial) * (s / warmup) + initial
        }
        return decay(s - warmup, from: target)
    }
}
