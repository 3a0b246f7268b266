import Foundation
@testable import KilnSearch
import KilnTensor
import XCTest

/// The Gaussian process against scikit-learn and its own finite differences, the acquisition
/// against its definition, and the sampler on Branin and a mixed conditional space.
final class GaussianProcessSamplerTests: XCTestCase {
    /// Five points in 2-D and their targets, the data of the scikit-learn reference values.
    let inputs: [Double] = [0.1, 0.2, 0.4, 0.9, 0.8, 0.3, 0.5, 0.5, 0.95, 0.05]
    let targets: [Double] = [1.0, -0.5, 0.3, 2.0, -1.2]
    let kernel = MaternKernel(lengthScales: [0.3, 0.7], signalVariance: 1.7)

    /// scikit-learn 1.x: `(ConstantKernel(1.7) * Matern(length_scale=[0.3, 0.7], nu=2.5))`
    /// at ([0.1, 0.2], [0.4, 0.9]) and at ([0.1, 0.2], [0.1, 0.2]).
    func testMaternKernelMatchesScikitLearn() {
        XCTAssertEqual(kernel([0.1, 0.2], [0.4, 0.9]), 0.5393817187218743, accuracy: 1e-14)
        XCTAssertEqual(kernel([0.1, 0.2], [0.1, 0.2]), 1.7, accuracy: 1e-14)
    }

    /// scikit-learn: `GaussianProcessRegressor(kernel=C(1.7) * Matern([0.3, 0.7], nu=2.5) +
    /// WhiteKernel(0.01), optimizer=None, alpha=0).fit(X, y).log_marginal_likelihood_value_`.
    func testLogMarginalLikelihoodMatchesScikitLearn() {
        var likelihood = MarginalLikelihood(inputs: inputs, targets: targets, dimension: 2)
        var gradient: [Double] = []
        let value = likelihood.evaluate([log(0.3), log(0.7), log(1.7), log(0.01)], gradient: &gradient)
        XCTAssertEqual(value, -9.772152143884131, accuracy: 1e-11)
        XCTAssertEqual(gradient.count, 4)
    }

    func testLikelihoodGradientMatchesCentralDifferences() {
        var likelihood = MarginalLikelihood(inputs: inputs, targets: targets, dimension: 2)
        for theta in [[log(0.3), log(0.7), log(1.7), log(0.01)], [0.5, -1.2, -0.3, log(1e-4)]] {
            var gradient: [Double] = [], ignored: [Double] = []
            _ = likelihood.evaluate(theta, gradient: &gradient)
            for j in theta.indices {
                let h = 1e-5
                var up = theta, down = theta
                up[j] += h
                down[j] -= h
                let numeric = (likelihood.evaluate(up, gradient: &ignored) - likelihood.evaluate(down, gradient: &ignored)) / (2 * h)
                XCTAssertEqual(gradient[j], numeric, accuracy: 1e-6 * Swift.max(1, abs(numeric)), "θ\(j) at \(theta)")
            }
        }
    }

    /// scikit-learn's `predict([[0.3, 0.6]], return_std=True)` on the same process (alpha=0):
    /// mean 0.5597120037463507 and std² 0.3510681807766476, which includes the white noise 0.01.
    func testPosteriorMatchesScikitLearn() throws {
        let process = try XCTUnwrap(GaussianProcess(inputs: inputs, targets: targets, dimension: 2, kernel: kernel, noise: 0.01))
        let (mean, variance) = process.predict([0.3, 0.6])
        XCTAssertEqual(mean, 0.5597120037463507, accuracy: 1e-12)
        XCTAssertEqual(variance, 0.3510681807766476 - 0.01, accuracy: 1e-12)
    }

    func testPosteriorMeanInterpolatesTheDataAtLowNoise() throws {
        let process = try XCTUnwrap(GaussianProcess(inputs: inputs, targets: targets, dimension: 2, kernel: kernel, noise: 1e-10))
        for a in 0..<5 {
            let (mean, variance) = process.predict(Array(inputs[(2 * a)..<(2 * a + 2)]))
            XCTAssertEqual(mean, targets[a], accuracy: 1e-6)
            XCTAssertLessThan(variance, 1e-6)
        }
        // Far from the data the prior returns: mean 0, variance σ².
        let (mean, variance) = process.predict([30, -30])
        XCTAssertEqual(mean, 0, accuracy: 1e-12)
        XCTAssertEqual(variance, 1.7, accuracy: 1e-12)
    }

    func testPredictionGradientsMatchCentralDifferences() throws {
        let process = try XCTUnwrap(GaussianProcess(inputs: inputs, targets: targets, dimension: 2, kernel: kernel, noise: 0.01))
        let x = [0.33, 0.61], h = 1e-6
        let p = process.predictWithGradient(x)
        for i in 0..<2 {
            var up = x, down = x
            up[i] += h
            down[i] -= h
            let (mu1, var1) = process.predict(up), (mu0, var0) = process.predict(down)
            XCTAssertEqual(p.meanGradient[i], (mu1 - mu0) / (2 * h), accuracy: 1e-6)
            XCTAssertEqual(p.varianceGradient[i], (var1 - var0) / (2 * h), accuracy: 1e-6)
        }
    }

    /// EI = E[max(y* − ξ − f, 0)] for f ~ N(μ, σ²), against the integral done by the midpoint
    /// rule, and at μ = y*, ξ = 0 against its known value σ/√(2π).
    func testExpectedImprovementIsTheExpectedImprovement() throws {
        let process = try XCTUnwrap(GaussianProcess(inputs: inputs, targets: targets, dimension: 2, kernel: kernel, noise: 0.01))
        for (mu, sigma, best, xi) in [(0.5, 2.0, 1.0, 0.01), (-0.3, 0.4, -1.0, 0.0), (1.0, 0.5, 1.0, 0.0)] {
            let scorer = AcquisitionScorer(process: process, acquisition: .expectedImprovement(xi: xi), incumbent: best)
            var integral = 0.0
            let steps = 200_000, low = mu - 12 * sigma, width = 24 * sigma / Double(steps)
            for k in 0..<steps {
                let f = low + (Double(k) + 0.5) * width
                let density = exp(-0.5 * pow((f - mu) / sigma, 2)) / (sigma * (2 * Double.pi).squareRoot())
                integral += Swift.max(best - xi - f, 0) * density * width
            }
            XCTAssertEqual(-scorer.value(mean: mu, deviation: sigma).value, integral, accuracy: 1e-7)
        }
        let atIncumbent = AcquisitionScorer(process: process, acquisition: .expectedImprovement(xi: 0), incumbent: 0)
        XCTAssertEqual(-atIncumbent.value(mean: 0, deviation: 2).value, 2 / (2 * Double.pi).squareRoot(), accuracy: 1e-15)
        // PI = Φ((y* − ξ − μ)/σ): at z = 1, scipy.stats.norm.cdf(1) = 0.8413447460685429.
        let improvement = AcquisitionScorer(process: process, acquisition: .probabilityOfImprovement(xi: 0.5), incumbent: 2)
        XCTAssertEqual(-improvement.value(mean: 0.5, deviation: 1).value, 0.8413447460685429, accuracy: 1e-15)
        let bound = AcquisitionScorer(process: process, acquisition: .confidenceBound(beta: 2.6), incumbent: 0)
        XCTAssertEqual(bound.value(mean: 1, deviation: 0.5).value, 1 - 1.3, accuracy: 1e-15)
    }

    func testAcquisitionGradientMatchesCentralDifferences() throws {
        let process = try XCTUnwrap(GaussianProcess(inputs: inputs, targets: targets, dimension: 2, kernel: kernel, noise: 0.01))
        for acquisition in [GaussianProcessSampler.Acquisition.expectedImprovement(xi: 0.01), .probabilityOfImprovement(xi: 0.01), .confidenceBound(beta: 2.6)] {
            let scorer = AcquisitionScorer(process: process, acquisition: acquisition, incumbent: -1.2)
            let x = [0.7, 0.15], h = 1e-6
            var gradient = [0.0, 0.0]
            _ = scorer.score(x, gradient: &gradient)
            for i in 0..<2 {
                var up = x, down = x
                up[i] += h
                down[i] -= h
                XCTAssertEqual(gradient[i], (scorer.score(up) - scorer.score(down)) / (2 * h), accuracy: 1e-6, "\(acquisition)")
            }
        }
    }

    func testBoxMinimizerStopsAtTheBoundOrTheMinimum() {
        // Rosenbrock, minimum at (1, 1) inside the box.
        let inside = BoxMinimizer(lower: [-2, -2], upper: [2, 2], maxIterations: 500).minimize(from: [-1.2, 1]) { x, g in
            g = [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]), 200 * (x[1] - x[0] * x[0])]
            return pow(1 - x[0], 2) + 100 * pow(x[1] - x[0] * x[0], 2)
        }
        XCTAssertEqual(inside.point[0], 1, accuracy: 1e-3)
        XCTAssertEqual(inside.point[1], 1, accuracy: 1e-3)
        // (x − 3)² + (y + 1)² over [0, 1] × [0, 1] with y fixed at 0.5: the corner x = 1.
        let bounded = BoxMinimizer(lower: [0, 0.5], upper: [1, 0.5], maxIterations: 100).minimize(from: [0.2, 0.5]) { x, g in
            g = [2 * (x[0] - 3), 2 * (x[1] + 1)]
            return pow(x[0] - 3, 2) + pow(x[1] + 1, 2)
        }
        XCTAssertEqual(bounded.point, [1, 0.5])
    }

    func mixedSpace() throws -> SearchSpace {
        try SearchSpace([
            Parameter(label: "kind", distribution: .choice(count: 3)),
            Parameter(label: "lr", distribution: .loguniform(low: log(1e-4), high: log(1)), condition: Condition(parent: "kind", option: 0)),
            Parameter(label: "units", distribution: .qloguniform(low: log(8), high: log(512), q: 8), condition: Condition(parent: "kind", option: 0)),
            Parameter(label: "depth", distribution: .randint(low: 1, high: 8), condition: Condition(parent: "kind", option: 1)),
            Parameter(label: "w", distribution: .normal(mu: 0, sigma: 2)),
            Parameter(label: "p", distribution: .pchoice(probabilities: [0.3, 0.7])),
        ])
    }

    func testEncodingRoundTripsAssignmentsOnTheirGrids() throws {
        let space = try mixedSpace(), encoding = UnitCubeEncoding(space)
        XCTAssertEqual(encoding.width, 3 + 1 + 1 + 1 + 1 + 2)
        var rng = RandomGenerator(seed: 5)
        for _ in 0..<200 {
            let assignment = space.sample(&rng)
            let x = encoding.encode(assignment)
            XCTAssertTrue(x.allSatisfy { (0...1).contains($0) })
            let back = encoding.decode(x)
            XCTAssertEqual(Set(back.keys), Set(assignment.keys))
            for (label, value) in assignment where label != "w" && label != "lr" { XCTAssertEqual(back[label], value, label) }
            if let lr = assignment["lr"] { XCTAssertEqual(back["lr"] ?? 0, lr, accuracy: 1e-12 * lr) }
            // Normal priors are clipped to mu ± 3 sigma.
            if let w = assignment["w"] { XCTAssertEqual(back["w"] ?? 0, Swift.min(Swift.max(w, -6), 6), accuracy: 1e-12) }
        }
        // Inactive parameters sit at 0.5 (continuous) whatever the assignment held.
        XCTAssertEqual(encoding.encode(["kind": 2, "w": 0, "p": 1]), [0, 0, 1, 0.5, 0.5, 0.5, 0.5, 0, 1])
    }

    func testTheSamplerFindsBraninsMinimumInThirtyEvaluations() throws {
        let branin = SearchProblem.branin
        // Random search's median regret after 100 evaluations is 0.34 (README of the search
        // benchmark); the process gets within 0.05 of the optimum in 30.
        XCTAssertLessThan(branin.regret(branin.run(GaussianProcessSampler(), seed: 3, trials: 30), after: 30), 0.05)
    }

    func testMixedConditionalSpacesKeepTheirGridsAndTheSeedRepeatsTheSearch() throws {
        // Maximize: option 0 with lr near 1e-2 and 64 units is best.
        let objective = { (a: Assignment) -> Double in
            if a["kind"] != 0 { return -5 - (a["depth"] ?? 0) }
            return -(abs(log10(a["lr"] ?? 1) + 2) + abs(log2(a["units"] ?? 1) - 6) + abs(a["w"] ?? 0) / 4 + (a["p"] == 1 ? 0.5 : 0))
        }
        func run() throws -> Study {
            let study = Study(name: "mixed", direction: .maximize, space: try mixedSpace(), sampler: GaussianProcessSampler(), seed: 8)
            study.optimize(trials: 30, objective)
            return study
        }
        let study = try run()
        for trial in study.trials {
            let a = trial.assignment
            XCTAssertEqual(a["lr"] == nil, a["kind"] != 0)
            XCTAssertEqual(a["depth"] == nil, a["kind"] != 1)
            if let units = a["units"] { XCTAssertEqual(units.truncatingRemainder(dividingBy: 8), 0) }
            if let depth = a["depth"] { XCTAssertTrue((1..<8).contains(Int(depth)) && depth == depth.rounded()) }
            if let lr = a["lr"] { XCTAssertTrue((1e-4...1).contains(lr)) }
        }
        XCTAssertGreaterThan(study.trials.suffix(20).filter { $0.assignment["kind"] == 0 }.count, 14)
        XCTAssertEqual(study.trials.map(\.assignment), try run().trials.map(\.assignment))
    }

    func testRunningTrialsAreNotProposedAgain() throws {
        let space = try SearchSpace([Parameter(label: "n", distribution: .randint(low: 0, high: 6))])
        var trials = (0..<4).map { Trial(number: $0, assignment: ["n": Double($0)], state: .complete, value: Double($0)) }
        trials.append(Trial(number: 4, assignment: ["n": 5], state: .running))
        var sampler = GaussianProcessSampler(startupTrials: 3)
        var rng = RandomGenerator(seed: 0)
        let next = sampler.suggest(space, trials: trials, direction: .maximize, rng: &rng)
        // 0…3 are complete, 5 is running: only 4 is new.
        XCTAssertEqual(next, ["n": 4])
    }
}
