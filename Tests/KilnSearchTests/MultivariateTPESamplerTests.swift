import Foundation
@testable import KilnSearch
import KilnTensor
import XCTest

/// Multivariate TPE's pieces against Optuna 5.0's own functions, and the sampler against Kiln's
/// univariate (Hyperopt) TPE. The expected numbers were printed by /work/venv-ref/bin/python with
/// optuna 5.0.0: `default_gamma`, `default_weights`, `_truncnorm._log_gauss_mass` and `ppf`, and
/// `_ParzenEstimator(observations, search_space, _ParzenEstimatorParameters(prior_weight=1.0,
/// consider_magic_clip=True, consider_endpoints=False, weights=default_weights,
/// multivariate=True))` with its `_mixture_distribution` sigmas and weights and its `log_pdf`, on
/// the observations written in each test.
final class MultivariateTPESamplerTests: XCTestCase {
    /// [default_gamma(n) for n in [1, 9, 10, 11, 55, 250, 251, 1000]]
    func testGoodCountIsOptunasDefaultGamma() {
        XCTAssertEqual([1, 9, 10, 11, 55, 250, 251, 1000].map(MultivariateTPESampler.goodCount), [1, 1, 1, 2, 6, 25, 25, 25])
    }

    /// default_weights(0), (24) and (30).
    func testObservationWeightsAreOptunasDefaultWeights() {
        XCTAssertEqual(MultivariateTPESampler.observationWeights(0), [])
        XCTAssertEqual(MultivariateTPESampler.observationWeights(24), Array(repeating: 1, count: 24))
        let weights = MultivariateTPESampler.observationWeights(30)
        XCTAssertEqual(weights.count, 30)
        for (w, expected) in zip(weights, [0.03333333333333333, 0.275, 0.5166666666666667, 0.7583333333333333, 1.0]) {
            XCTAssertEqual(w, expected, accuracy: 1e-15)
        }
        XCTAssertTrue(weights.suffix(25).allSatisfy { $0 == 1 })
    }

    /// Sigmas of x ~ Float(-5, 10) at [1, -4, 7.5, 2, 9.9], of y ~ Float(0, 15) at [3, 14, 0.5, 8,
    /// 6], of x alone at [1]; lr ~ Float(1e-5, 1, log=True) at [1e-3, 0.2, 3e-5, 0.05] and
    /// k ~ Int(1, 9) at [4, 1, 9, 5].
    func testBandwidthsAreOptunas() throws {
        XCTAssertEqual(MixtureParzenEstimator.bandwidths([1, -4, 7.5, 2, 9.9], low: -5, high: 10), [5, 5, 5.5, 5.5, 2.4], accuracy: 1e-12)
        XCTAssertEqual(MixtureParzenEstimator.bandwidths([3, 14, 0.5, 8, 6], low: 0, high: 15), [3, 6, 2.5, 6, 3], accuracy: 1e-12)
        XCTAssertEqual(MixtureParzenEstimator.bandwidths([1], low: -5, high: 10), [9], accuracy: 1e-12)
        let lr = try numericalRange(.loguniform(low: log(1e-5), high: log(1)))
        XCTAssertEqual(MixtureParzenEstimator.bandwidths([1e-3, 0.2, 3e-5, 0.05].map(lr.toModel), low: lr.modelLow, high: lr.modelHigh),
                       [3.912023005428146, 1.9188209108283714, 3.506557897319981, 3.912023005428146], accuracy: 1e-12)
        let k = try numericalRange(.randint(low: 1, high: 10))
        XCTAssertEqual([k.modelLow, k.modelHigh], [0.5, 9.5])
        XCTAssertEqual(MixtureParzenEstimator.bandwidths([4, 1, 9, 5], low: k.modelLow, high: k.modelHigh), [3, 3, 4, 4], accuracy: 1e-12)
    }

    /// x ~ Float(0, 29) observed at 29, 28, …, 0 (oldest first): the ramped weights and the prior's.
    func testMixtureWeightsAreOptunas() throws {
        let x = try XCTUnwrap(ParzenDimension(.uniform(low: 0, high: 29)))
        let values = (0..<30).reversed().map { [Double($0)] }
        let estimator = MixtureParzenEstimator(values, dimensions: [x], priorWeight: 1, observationWeights: MultivariateTPESampler.observationWeights(30))
        XCTAssertEqual(Array(estimator.weights.prefix(4)), [0.0011661807580174927, 0.009620991253644314, 0.018075801749271137, 0.026530612244897955], accuracy: 1e-15)
        XCTAssertEqual(estimator.weights.last ?? 0, 0.034985422740524776, accuracy: 1e-15)
        XCTAssertEqual(MixtureParzenEstimator.bandwidths(values.map { $0[0] }, low: 0, high: 29).prefix(4), [1, 1, 1, 1])
    }

    /// log_pdf over x ~ Float(-5, 10), lr ~ Float(1e-5, 1, log=True), c ~ Categorical(3 options),
    /// k ~ Int(1, 9), fitted to the four rows below, at three points.
    func testLogDensityIsOptunasLogPdf() throws {
        let dimensions = try [Distribution.uniform(low: -5, high: 10), .loguniform(low: log(1e-5), high: log(1)), .choice(count: 3), .randint(low: 1, high: 10)]
            .map { try XCTUnwrap(ParzenDimension($0)) }
        let rows: [[Double]] = [[0.5, 1e-3, 0, 4], [3, 0.2, 2, 1], [-2, 3e-5, 2, 9], [8, 0.05, 1, 5]]
        let estimator = MixtureParzenEstimator(rows, dimensions: dimensions, priorWeight: 1, observationWeights: MultivariateTPESampler.observationWeights(4))
        let points: [[Double]] = [[0, 1e-4, 0, 4], [9.5, 0.9, 1, 9], [-4.9, 2e-5, 2, 1]]
        XCTAssertEqual(points.map(estimator.logDensity), [-7.646046338736961, -8.608753709308173, -9.18771433027158], accuracy: 1e-10)
    }

    /// _truncnorm._log_gauss_mass and ppf, far in a tail and near the centre.
    func testTruncatedNormalIsOptunas() {
        XCTAssertEqual(TruncatedNormal.logMass(-40, -38), -726.5572160188202, accuracy: 1e-9)
        XCTAssertEqual(TruncatedNormal.logMass(-1, 0.5), -0.6295956325528635, accuracy: 1e-12)
        XCTAssertEqual(TruncatedNormal.logMass(2, 50), -3.783184333682031, accuracy: 1e-12)
        XCTAssertEqual(TruncatedNormal.quantile(0.3, -40, -38), -38.031648437727846, accuracy: 1e-7)
        XCTAssertEqual(TruncatedNormal.quantile(0.7, 1, 3), 1.6591627097176602, accuracy: 1e-7)
        XCTAssertEqual(TruncatedNormal.quantile(0.5, -1, 2), 0.17116391801782488, accuracy: 1e-7)
    }

    /// The best ⌈0.1 n⌉ complete trials are good; pruned trials follow them, a later last step
    /// first; running trials are bad; maximizing ranks the largest first.
    func testSplitRanksCompleteThenPrunedTrials() {
        var trials = (0..<19).map { Trial(number: $0, assignment: [:], state: .complete, value: Double($0)) }
        trials.append(Trial(number: 19, assignment: [:], state: .pruned, value: 5, reports: [Report(step: 3, value: 5)]))
        trials.append(Trial(number: 20, assignment: [:], state: .pruned, value: -9, reports: [Report(step: 1, value: -9)]))
        let running = [Trial(number: 21, assignment: [:])]
        let minimize = MultivariateTPESampler.split(trials, running: running, direction: .minimize)
        XCTAssertEqual(minimize.good.map(\.number), [0, 1, 2])
        XCTAssertEqual(minimize.bad.count, 19)
        XCTAssertEqual(minimize.bad.last?.number, 21)
        let onlyPruned = MultivariateTPESampler.split(Array(trials.suffix(2)), running: [], direction: .minimize)
        XCTAssertEqual(onlyPruned.good.map(\.number), [19])
        let maximize = MultivariateTPESampler.split(trials, running: [], direction: .maximize)
        XCTAssertEqual(maximize.good.map(\.number), [16, 17, 18])
    }

    func testSameSeedSameTrials() {
        let branin = SearchProblem.branin
        let first = branin.run(MultivariateTPESampler(), seed: 7, trials: 25)
        XCTAssertEqual(first.map(\.assignment), branin.run(MultivariateTPESampler(), seed: 7, trials: 25).map(\.assignment))
        XCTAssertNotEqual(first.map(\.assignment), branin.run(MultivariateTPESampler(), seed: 8, trials: 25).map(\.assignment))
    }

    /// model ∈ {a: x, lr; b: depth}: every trial holds exactly the parameters its option uses,
    /// within their ranges, and the search finds the good option.
    func testConditionalSpaceProposesOnlyActiveParameters() {
        let conditional = SearchProblem.conditional
        let trials = conditional.run(MultivariateTPESampler(), seed: 3, trials: 40)
        for trial in trials {
            let expected: Set<String> = trial.assignment["model"] == 0 ? ["model", "x", "lr"] : ["model", "depth"]
            XCTAssertEqual(Set(trial.assignment.keys), expected, "trial \(trial.number)")
            if let x = trial.assignment["x"] { XCTAssertTrue((-5...5).contains(x)) }
            if let lr = trial.assignment["lr"] { XCTAssertTrue((1e-5...1).contains(lr)) }
            if let depth = trial.assignment["depth"] { XCTAssertTrue((1...9).contains(depth) && depth == depth.rounded()) }
        }
        XCTAssertLessThan(conditional.regret(trials, after: 40), 1.5)
    }

    /// Branin at 60 evaluations: one seeded multivariate run beats the univariate TPE's median of five.
    func testBeatsUnivariateTPEOnBranin() {
        let branin = SearchProblem.branin
        let univariate = (0..<5).map { branin.regret(branin.run(TPESampler(), seed: $0, trials: 60), after: 60) }.sorted()[2]
        let multivariate = branin.regret(branin.run(MultivariateTPESampler(), seed: 0, trials: 60), after: 60)
        XCTAssertLessThan(multivariate, univariate)
        XCTAssertLessThan(multivariate, 0.1)
    }

    private func numericalRange(_ distribution: Distribution) throws -> NumericalRange {
        guard case .numerical(let range) = ParzenDimension(distribution) else { throw SearchError("\(distribution) has no numerical range") }
        return range
    }
}

/// Element-wise equality within `accuracy`.
private func XCTAssertEqual<S: Sequence, T: Sequence>(_ actual: S, _ expected: T, accuracy: Double, file: StaticString = #filePath, line: UInt = #line)
    where S.Element == Double, T.Element == Double {
    let a = Array(actual), e = Array(expected)
    XCTAssertEqual(a.count, e.count, "counts differ: \(a) vs \(e)", file: file, line: line)
    for (x, y) in zip(a, e) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(e)", file: file, line: line) }
}
