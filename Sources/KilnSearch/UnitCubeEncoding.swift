/// Assignments as points of the unit cube, where the Gaussian-process sampler models the
/// objective, and back.

import Foundation

/// The columns of a search space in the unit cube. A bounded prior takes one column, its
/// range mapped linearly (log priors in log space, as `ContinuousModel` sees them); a normal or
/// lognormal prior maps mu ± 3 sigma (in its model space) to [0, 1]; a `randint` maps each
/// integer to the middle of its own 1/count of the column. A choice of k options is one-hot
/// over k columns (none when k = 1). A parameter inactive in an assignment (its condition
/// does not hold) has its column at 0.5, its one-hot columns at 0, whatever its siblings are:
/// the parent's one-hot already tells the two branches apart. Decoding rounds integers and
/// `q` priors to their grids and takes the largest one-hot column as the option.
struct UnitCubeEncoding {
    enum Layout {
        /// A column mapping [low, high] of the model space linearly onto [0, 1].
        case interval(ContinuousModel, low: Double, high: Double)
        /// Integers low..<high, each owning an equal part of the column.
        case integers(low: Int, high: Int)
        /// One column per option.
        case oneHot(count: Int)
    }

    let space: SearchSpace
    let layouts: [Layout]
    /// The first column of each parameter.
    let offsets: [Int]
    let width: Int

    init(_ space: SearchSpace) {
        self.space = space
        var layouts: [Layout] = [], offsets: [Int] = [], width = 0
        for parameter in space.parameters {
            let layout = UnitCubeEncoding.layout(parameter.distribution)
            layouts.append(layout)
            offsets.append(width)
            width += UnitCubeEncoding.columns(layout)
        }
        (self.layouts, self.offsets, self.width) = (layouts, offsets, width)
    }

    private static func layout(_ distribution: Distribution) -> Layout {
        switch distribution {
        case let .randint(low, high): return .integers(low: low, high: high)
        case let .choice(count): return .oneHot(count: count)
        case let .pchoice(probabilities): return .oneHot(count: probabilities.count)
        default:
            guard let model = ContinuousModel(distribution) else { return .oneHot(count: 1) }
            let low = model.low ?? model.priorMu - 3 * model.priorSigma, high = model.high ?? model.priorMu + 3 * model.priorSigma
            return .interval(model, low: low, high: high)
        }
    }

    private static func columns(_ layout: Layout) -> Int {
        if case .oneHot(let count) = layout { return count > 1 ? count : 0 }
        return 1
    }

    /// The point of `assignment`, inactive parameters at their fixed place.
    func encode(_ assignment: Assignment) -> [Double] {
        var x = [Double](repeating: 0, count: width)
        for (p, parameter) in space.parameters.enumerated() {
            let o = offsets[p], value = assignment[parameter.label]
            switch layouts[p] {
            case let .interval(model, low, high):
                guard let value else { x[o] = 0.5; continue }
                let z = model.isLog ? log(Swift.max(value, 1e-300)) : value
                x[o] = high > low ? Swift.min(Swift.max((z - low) / (high - low), 0), 1) : 0.5
            case let .integers(low, high):
                guard let value else { x[o] = 0.5; continue }
                x[o] = Swift.min(Swift.max((value - Double(low) + 0.5) / Double(high - low), 0), 1)
            case let .oneHot(count):
                if let value, count > 1, value >= 0, Int(value) < count { x[o + Int(value)] = 1 }
            }
        }
        return x
    }

    /// The assignment at `x`: the active parameters, in declaration order, on their grids.
    func decode(_ x: [Double]) -> Assignment {
        var assignment: Assignment = [:]
        for (p, parameter) in space.parameters.enumerated() where space.isActive(parameter, in: assignment) {
            let o = offsets[p], u = Swift.min(Swift.max(o < x.count ? x[o] : 0.5, 0), 1)
            switch layouts[p] {
            case let .interval(model, low, high):
                var value = model.fromModel(low + u * (high - low))
                if let q = model.q { value = (value / q).rounded() * q }
                assignment[parameter.label] = value
            case let .integers(low, high):
                assignment[parameter.label] = Double(Swift.min(low + Int(u * Double(high - low)), high - 1))
            case let .oneHot(count):
                var best = 0
                for k in 1..<Swift.max(count, 1) where x[o + k] > x[o + best] { best = k }
                assignment[parameter.label] = Double(best)
            }
        }
        return assignment
    }

    /// Whether column `c` is a continuous coordinate of a parameter active at `x` (the ones a
    /// local search may move; one-hot columns and inactive parameters stay put).
    func movableColumns(at x: [Double]) -> [Bool] {
        var movable = [Bool](repeating: false, count: width)
        let assignment = decode(x)
        for (p, parameter) in space.parameters.enumerated() where assignment[parameter.label] != nil {
            if case .oneHot = layouts[p] { continue }
            movable[offsets[p]] = true
        }
        return movable
    }
}
