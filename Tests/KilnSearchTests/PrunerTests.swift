import Foundation
@testable import KilnSearch
import KilnTensor
import XCTest

/// Pruners decide as Optuna 5.0's do: the same learning curves, reported step by step through
/// a study, are pruned at the same steps. The curves and Optuna's decisions come from
/// Tests/KilnSearchTests/Fixtures/pruners.py (run in the reference venv).
final class PrunerTests: XCTestCase {
    static let curves: [[Double]] = [
        [0.265, 0.363, 0.51, 0.051, 0.182, 0.611, 0.468, 0.313, 0.317, 0.24, 0.237, 0.267], [0.303, 0.803, 0.626, 0.567, 0.299, 0.309, 0.472, 0.076, 0.437, 0.258, 0.196, 0.139],
        [0.629, 0.66, 0.743, 0.498, 0.613, 0.563, 0.39, 0.426, 0.126, 0.38, 0.071, 0.136], [0.332, 0.788, 0.5, 0.54, 0.627, 0.348, 0.168, 0.288, 0.105, 0.244, 0.058, 0.146],
        [0.916, 0.44, 0.551, 0.439, 0.642, 0.291, 0.141, 0.494, 0.237, 0.19, 0.038, 0.201], [0.651, 0.629, 0.61, 0.019, 0.492, 0.171, 0.331, 0.19, 0.189, 0.135, 0.271, 0.215],
        [0.321, 0.735, 0.174, 0.514, 0.228, 0.514, 0.463, 0.194, 0.403, 0.093, 0.194, 0.295], [0.198, 0.759, 0.67, 0.109, 0.534, 0.225, 0.244, 0.448, 0.049, 0.39, 0.199, 0.302],
        [0.787, 0.623, 0.251, 0.169, 0.401, 0.481, 0.515, 0.487, 0.416, 0.042, 0.075, 0.234], [0.461, 0.568, 0.248, 0.387, 0.241, 0.357, 0.131, 0.481, 0.355, 0.287, 0.031, 0.111],
        [0.447, 0.699, 0.051, 0.094, 0.682, 0.076, 0.184, 0.2, 0.271, 0.09, 0.071, 0.244], [0.089, 0.366, 0.653, 0.615, 0.302, 0.328, 0.258, 0.233, 0.265, 0.049, 0.192, 0.313],
        [0.937, 0.259, 0.14, 0.527, 0.553, 0.461, 0.084, 0.01, 0.336, 0.041, 0.316, 0.049], [0.163, 0.648, 0.8, 0.584, 0.529, 0.428, 0.445, 0.045, 0.284, 0.103, 0.118, 0.256],
        [0.387, 0.336, 0.092, 0.73, 0.498, 0.446, 0.384, 0.264, 0.394, 0.075, 0.345, 0.175], [0.199, 0.209, 0.267, 0.552, 0.229, 0.287, 0.324, 0.105, 0.226, 0.085, 0.151, 0.095],
        [0.51, 0.463, 0.693, 0.387, 0.582, 0.481, 0.26, 0.148, 0.339, 0.343, 0.079, 0.094], [0.904, 0.273, 0.275, 0.536, 0.102, 0.19, 0.342, 0.02, 0.212, 0.111, 0.353, 0.177],
        [0.308, 0.146, 0.741, 0.705, 0.545, 0.208, 0.388, 0.165, 0.447, 0.213, 0.19, 0.259], [0.575, 0.613, 0.19, 0.484, 0.618, 0.232, 0.345, 0.333, 0.143, 0.062, 0.29, 0.25],
        [0.285, 0.787, 0.421, 0.578, 0.239, 0.358, 0.23, 0.067, 0.049, 0.338, 0.074, 0.168], [0.853, 0.54, 0.332, 0.413, 0.145, 0.463, 0.471, 0.473, 0.267, 0.294, 0.254, 0.294],
        [0.638, 0.041, 0.561, 0.405, 0.153, 0.047, 0.365, 0.319, 0.391, 0.338, 0.036, 0.077], [0.585, 0.334, 0.569, 0.656, 0.644, 0.454, 0.475, 0.434, 0.35, 0.044, 0.037, 0.075],
        [0.726, 0.412, 0.27, 0.572, 0.163, 0.443, 0.224, 0.296, 0.012, 0.311, 0.17, 0.074], [0.412, 0.03, 0.161, 0.045, 0.314, 0.418, 0.234, 0.061, 0.099, 0.192, 0.234, 0.041],
        [0.741, 0.732, 0.771, 0.196, 0.566, 0.208, 0.411, 0.283, 0.018, 0.068, 0.052, 0.293], [0.998, 0.769, 0.763, 0.252, 0.625, 0.216, 0.08, 0.194, 0.408, 0.323, 0.319, 0.308],
        [0.426, 0.726, 0.227, 0.556, 0.486, 0.295, 0.379, 0.261, 0.296, 0.134, 0.268, 0.296], [0.934, 0.319, 0.078, 0.702, 0.379, 0.08, 0.13, 0.105, 0.253, 0.137, 0.105, 0.171],
    ]

    /// Runs every curve as a trial (reporting, then asking the pruner after each step) and
    /// returns the step each trial was pruned at (nil: it completed).
    func prunedSteps(_ pruner: any Pruner, _ direction: Direction, study name: String) throws -> [Int?] {
        let study = Study(name: name, direction: direction, space: try SearchSpace([]), sampler: RandomSampler(), seed: 0, pruner: pruner)
        var steps: [Int?] = []
        try study.optimize(budget: Self.curves.count, { context in
            let curve = Self.curves[context.trial.number]
            for (step, value) in curve.enumerated() {
                try context.report(value, step: step)
                if try context.shouldPrune() { throw TrialPruned("pruned at step \(step)") }
            }
            return curve[curve.count - 1]
        }, finished: { trial in steps.append(trial.state == .pruned ? trial.reports.last?.step : nil) })
        return steps
    }

    func testSuccessiveHalvingIsOptunas() throws {
        XCTAssertEqual(try prunedSteps(SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4), .minimize, study: "s"),
                       [nil, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 1, 4, 4, 1, nil, 4, 1, 1, 1, nil, 4, 1, 4, 1, 1, 1, 4])
        XCTAssertEqual(try prunedSteps(SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2), .maximize, study: "s"),
                       [nil, nil, 1, 2, 1, 1, 2, 8, 1, 1, 2, 1, 1, 8, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 8, nil, 2, 1])
    }

    func testHyperbandIsOptunas() throws {
        XCTAssertEqual(try prunedSteps(HyperbandPruner(minResource: 1, maxResource: 12, reductionFactor: 3), .minimize, study: "digits"),
                       [nil, nil, 1, 1, 1, 1, nil, 9, nil, 3, 1, 9, 3, 1, 3, 9, 1, 3, 3, 1, 9, 9, 9, nil, 3, nil, 1, 1, 9, 3])
        XCTAssertEqual(try prunedSteps(HyperbandPruner(minResource: 1, reductionFactor: 3), .minimize, study: "digits"),
                       [nil, nil, nil, 1, nil, 1, nil, 9, nil, 3, 1, 9, 3, 1, 3, 9, 1, 3, 3, 1, 9, 9, 9, nil, 3, nil, 1, 1, 9, 3])
    }

    func testMedianIsOptunas() throws {
        XCTAssertEqual(try prunedSteps(MedianPruner(), .minimize, study: "m"),
                       [nil, nil, nil, nil, nil, 0, 10, nil, 0, 0, 0, nil, 0, nil, 0, nil, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// binascii.crc32 values, and Optuna's bracket budgets for 3 brackets of factor 3 (9, 5, 3).
    func testBracketsFollowOptunasHash() {
        XCTAssertEqual(crc32(Array("digits_0".utf8)), 0x076E_C235)
        XCTAssertEqual(crc32(Array("".utf8)), 0)
        let pruner = HyperbandPruner(minResource: 1, maxResource: 12, reductionFactor: 3)
        XCTAssertEqual(pruner.bracketCount(maxResource: 12), 3)
        XCTAssertEqual(pruner.bracketCount(maxResource: 27), 4)
        let counts = (0..<1700).reduce(into: [0, 0, 0]) { counts, n in counts[pruner.bracket(of: n, study: "x", count: 3)] += 1 }
        XCTAssertEqual(Double(counts[0]) / 1700, 9.0 / 17, accuracy: 0.04)
        XCTAssertEqual(Double(counts[2]) / 1700, 3.0 / 17, accuracy: 0.04)
    }

    func testAReportedNaNIsTheWorstValue() throws {
        let pruner = SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2)
        let done = Trial(number: 0, assignment: [:], state: .complete, value: 1, reports: [Report(step: 0, value: 1), Report(step: 1, value: 1)])
        let diverged = Trial(number: 1, assignment: [:], reports: [Report(step: 0, value: 1), Report(step: 1, value: .nan)])
        XCTAssertTrue(pruner.shouldPrune(diverged, among: [done], direction: .minimize, study: "s"))
        XCTAssertTrue(pruner.shouldPrune(diverged, among: [done], direction: .maximize, study: "s"))
    }
}
