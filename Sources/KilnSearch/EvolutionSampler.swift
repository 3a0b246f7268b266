/// Regularized ("aging") evolution (Real et al. 2019, "Regularized Evolution for Image
/// Classifier Architecture Search"): the population is the `populationSize` most recent complete
/// trials, so old ones die whatever their value; each new trial copies the best of
/// `tournamentSize` members drawn at random and mutates one of its active hyperparameters. A
/// mutated choice re-draws the hyperparameters that become active under its new option; a
/// continuous hyperparameter moves by a Gaussian step of `mutationScale` of its prior's width
/// (in log space for log priors, reflected at the bounds); integers, choices and unbounded
/// priors are re-drawn. Until the population is full, assignments are drawn from the priors.

import Foundation
import KilnTensor

public struct EvolutionSampler: Sampler {
    public var populationSize: Int
    public var tournamentSize: Int
    public var mutationScale: Double

    /// A population of 20, tournaments of 5, steps of a tenth of the prior's width.
    public init(populationSize: Int = 20, tournamentSize: Int = 5, mutationScale: Double = 0.1) {
        self.populationSize = Swift.max(populationSize, 2)
        self.tournamentSize = Swift.max(Swift.min(tournamentSize, self.populationSize), 1)
        self.mutationScale = mutationScale
    }

    public mutating func suggest(_ space: SearchSpace, trials: [Trial], direction: Direction, rng: inout RandomGenerator) -> Assignment {
        let population = Array(trials.filter { $0.state == .complete && $0.value != nil }.sorted { $0.number < $1.number }.suffix(populationSize))
        guard population.count >= populationSize else { return space.sample(&rng) }
        var parent = population[rng.nextInt(below: population.count)]
        for _ in 1..<tournamentSize {
            let contender = population[rng.nextInt(below: population.count)]
            if let x = contender.value, let y = parent.value, direction == .minimize ? x < y : x > y { parent = contender }
        }
        return mutate(parent.assignment, space, &rng)
    }

    /// `parent` with one active hyperparameter changed, then made consistent with the space.
    func mutate(_ parent: Assignment, _ space: SearchSpace, _ rng: inout RandomGenerator) -> Assignment {
        let active = space.parameters.filter { space.isActive($0, in: parent) && parent[$0.label] != nil }
        guard !active.isEmpty else { return space.sample(&rng) }
        let target = active[rng.nextInt(below: active.count)]
        var child: Assignment = [:]
        for parameter in space.parameters where space.isActive(parameter, in: child) {
            if parameter.label == target.label {
                child[parameter.label] = step(parameter.distribution, from: parent[parameter.label], &rng)
            } else {
                child[parameter.label] = parent[parameter.label] ?? parameter.distribution.sample(&rng)
            }
        }
        return child
    }

    /// A new value near `value`: a Gaussian step in the prior's model space for continuous
    /// priors, redrawn until it differs for discrete ones (when they have more than one value).
    private func step(_ distribution: Distribution, from value: Double?, _ rng: inout RandomGenerator) -> Double {
        guard let value, let model = ContinuousModel(distribution), let low = model.low, let high = model.high else {
            var draw = distribution.sample(&rng)
            for _ in 0..<16 where draw == value { draw = distribution.sample(&rng) }
            return draw
        }
        var x = model.toModel([value])[0] + mutationScale * (high - low) * rng.standardNormal()
        // Reflected at the bounds, so values at an edge still move.
        if x > high { x = 2 * high - x }
        if x < low { x = 2 * low - x }
        var moved = model.fromModel(Swift.min(Swift.max(x, low), high))
        if let q = model.q { moved = (moved / q).rounded() * q }
        return moved
    }
}
