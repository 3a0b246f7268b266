import Foundation
import KilnSearch
import KilnTensor

/// The search benchmark's problems (Tests/Benchmarks/search/problems.txt): a space, an objective
/// to minimize and its optimum.
struct SearchProblem {
    let name: String
    let space: SearchSpace
    let objective: (Assignment) -> Double
    let optimum: Double

    /// Branin over x ∈ [−5, 10], y ∈ [0, 15]; minimum 0.397887.
    static let branin = SearchProblem(
        name: "branin",
        space: space([Parameter(label: "x", distribution: .uniform(low: -5, high: 10)), Parameter(label: "y", distribution: .uniform(low: 0, high: 15))]),
        objective: { a in
            let x = a["x"] ?? 0, y = a["y"] ?? 0
            let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
            return pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * cos(x) + 10
        },
        optimum: 0.397887)

    /// Hartmann-6 over the unit cube; minimum −3.32237.
    static let hartmann6 = SearchProblem(
        name: "hartmann6",
        space: space((1...6).map { Parameter(label: "x\($0)", distribution: .uniform(low: 0, high: 1)) }),
        objective: hartmann6Value,
        optimum: -3.32237)

    private static func hartmann6Value(_ a: Assignment) -> Double {
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let A: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
        let P: [[Double]] = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
                             [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
        var total = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in 0..<6 {
                let d = (a["x\(j + 1)"] ?? 0) - P[i][j]
                inner += A[i][j] * d * d
            }
            total += alpha[i] * exp(-inner)
        }
        return -total
    }

    /// model a (x ∈ [−5, 5], lr log-uniform in [1e-5, 1]) or b (depth ∈ 1…9); minimum 0.
    static let conditional = SearchProblem(
        name: "conditional",
        space: space([
            Parameter(label: "model", distribution: .choice(count: 2)),
            Parameter(label: "x", distribution: .uniform(low: -5, high: 5), condition: Condition(parent: "model", option: 0)),
            Parameter(label: "lr", distribution: .loguniform(low: log(1e-5), high: 0), condition: Condition(parent: "model", option: 0)),
            Parameter(label: "depth", distribution: .randint(low: 1, high: 10), condition: Condition(parent: "model", option: 1)),
        ]),
        objective: { a in
            a["model"] == 0 ? pow((a["x"] ?? 0) - 1, 2) + abs(log10(a["lr"] ?? 1) + 3) : 2 + abs((a["depth"] ?? 0) - 4) / 4
        },
        optimum: 0)

    /// The trials of a study of `trials` evaluations with `sampler` and `seed`.
    func run(_ sampler: any Sampler, seed: Int, trials: Int) -> [Trial] {
        let study = Study(name: name, direction: .minimize, space: space, sampler: sampler, seed: seed)
        study.optimize(trials: trials, objective)
        return study.trials
    }

    /// The best value of the first `n` complete trials minus the optimum.
    func regret(_ trials: [Trial], after n: Int) -> Double {
        (trials.prefix(n).compactMap { $0.state == .complete ? $0.value : nil }.min() ?? .infinity) - optimum
    }

    /// The problems' spaces are valid; a mistake in one is a mistake in this file.
    private static func space(_ parameters: [Parameter]) -> SearchSpace {
        do { return try SearchSpace(parameters) } catch { preconditionFailure("invalid benchmark space: \(error)") }
    }
}
