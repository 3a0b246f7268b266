import Foundation
import KilnSearch

/// The benchmark problems of Tests/Benchmarks/search (problems.txt), for the samplers' tests.
enum TestProblems {
    /// Branin over x ∈ [−5, 10], y ∈ [0, 15]; its minimum is 0.397887.
    static let braninOptimum = 0.397887

    static func braninSpace() throws -> SearchSpace {
        try SearchSpace([Parameter(label: "x", distribution: .uniform(low: -5, high: 10)),
                         Parameter(label: "y", distribution: .uniform(low: 0, high: 15))])
    }

    static func branin(_ a: Assignment) -> Double {
        let x = a["x"] ?? 0, y = a["y"] ?? 0
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        return pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * cos(x) + 10
    }

    /// Hartmann-6 over the unit cube (x1 … x6); its minimum is −3.32237.
    static let hartmann6Optimum = -3.32237

    static func hartmann6Space() throws -> SearchSpace {
        try SearchSpace((1...6).map { Parameter(label: "x\($0)", distribution: .uniform(low: 0, high: 1)) })
    }

    static func hartmann6(_ a: Assignment) -> Double {
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let A: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
        let P: [[Double]] = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
                             [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
        let x = (1...6).map { a["x\($0)"] ?? 0 }
        var total = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in 0..<6 { inner += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]) }
            total += alpha[i] * exp(-inner)
        }
        return -total
    }
}
