import XCTest
@testable import KilnTensor

private func statistics(_ t: Tensor) -> (mean: Double, std: Double) {
    let v = t.scalars.map(Double.init)
    let mean = v.reduce(0, +) / Double(v.count)
    return (mean, (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot())
}

final class InitializerTests: XCTestCase {
    func testSameSeedGivesTheSameTensor() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        XCTAssertEqual(Initializer.glorotUniform.make(shape: [5, 7], using: &a).scalars,
                       Initializer.glorotUniform.make(shape: [5, 7], using: &b).scalars)
        XCTAssertEqual(a.normal(shape: [9]).scalars, b.normal(shape: [9]).scalars)
    }

    func testDifferentSeedsGiveDifferentTensors() {
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 2)
        XCTAssertNotEqual(a.uniform(shape: [16]).scalars, b.uniform(shape: [16]).scalars)
    }

    func testUniformStatistics() {
        var g = RandomGenerator(seed: 1)
        let t = g.uniform(shape: [20_000], low: -1, high: 3)
        let (mean, std) = statistics(t)
        XCTAssertEqual(mean, 1, accuracy: 0.05)
        XCTAssertEqual(std, 4 / 12.0.squareRoot(), accuracy: 0.03)
        XCTAssertTrue(t.scalars.allSatisfy { $0 >= -1 && $0 < 3 })
    }

    func testNormalStatistics() {
        var g = RandomGenerator(seed: 2)
        let (mean, std) = statistics(g.normal(shape: [20_000], mean: 2, stddev: 0.5))
        XCTAssertEqual(mean, 2, accuracy: 0.02)
        XCTAssertEqual(std, 0.5, accuracy: 0.02)
    }

    func testTruncatedNormalStaysWithinTwoStandardDeviations() {
        var g = RandomGenerator(seed: 3)
        let t = g.truncatedNormal(shape: [20_000], mean: 1, stddev: 2)
        XCTAssertTrue(t.scalars.allSatisfy { $0 >= -3 && $0 <= 5 })
        let (mean, std) = statistics(t)
        XCTAssertEqual(mean, 1, accuracy: 0.05)
        XCTAssertEqual(std, 2 * 0.87962566103423978, accuracy: 0.05)
    }

    func testPermutationContainsEveryIndexOnce() {
        var g = RandomGenerator(seed: 4)
        let p = g.permutation(50)
        XCTAssertEqual(p.sorted(), Array(0..<50))
        XCTAssertNotEqual(p, Array(0..<50))
    }

    func testFansFollowKeras() {
        XCTAssertTrue(Initializer.fans(of: [3, 3, 16, 32]) == (144, 288))
        XCTAssertTrue(Initializer.fans(of: [784, 10]) == (784, 10))
        XCTAssertTrue(Initializer.fans(of: [5, 2, 8]) == (10, 40))
        XCTAssertTrue(Initializer.fans(of: [7]) == (7, 7))
        XCTAssertTrue(Initializer.fans(of: []) == (1, 1))
    }

    func testGlorotUniformStaysWithinItsLimit() {
        var g = RandomGenerator(seed: 5)
        let t = Initializer.glorotUniform.make(shape: [3, 3, 16, 32], using: &g)
        let limit = Float((6.0 / (144 + 288)).squareRoot())
        XCTAssertTrue(t.scalars.allSatisfy { abs($0) <= limit })
        XCTAssertGreaterThan(t.scalars.map(abs).max() ?? 0, 0.95 * limit)
        XCTAssertEqual(statistics(t).std, Double(limit) / 3.0.squareRoot(), accuracy: 0.005)
    }

    func testVarianceScalingNormalsHaveTheirTargetStandardDeviation() {
        // The truncated normal is widened by 1/0.8796 so the result has stddev √(scale/n).
        let cases: [(Initializer, Double)] = [
            (.heNormal, (2.0 / 400).squareRoot()), (.lecunNormal, (1.0 / 400).squareRoot()),
            (.glorotNormal, (2.0 / 600).squareRoot()),
            (.varianceScaling(scale: 1, mode: .fanOut, distribution: .untruncatedNormal), (1.0 / 200).squareRoot()),
        ]
        for (initializer, expected) in cases {
            var g = RandomGenerator(seed: 6)
            let (mean, std) = statistics(initializer.make(shape: [400, 200], using: &g))
            XCTAssertEqual(mean, 0, accuracy: 0.002, initializer.name)
            XCTAssertEqual(std, expected, accuracy: expected * 0.03, initializer.name)
        }
    }

    func testUniformVarianceScalingLimits() {
        for (initializer, limit) in [(Initializer.heUniform, (6.0 / 50).squareRoot()), (.lecunUniform, (3.0 / 50).squareRoot())] {
            var g = RandomGenerator(seed: 7)
            let t = initializer.make(shape: [50, 40], using: &g)
            XCTAssertTrue(t.scalars.allSatisfy { abs(Double($0)) <= limit }, initializer.name)
        }
    }

    func testKerasDefaultDistributions() {
        var g = RandomGenerator(seed: 8)
        let normal = statistics(Initializer(name: "random_normal")?.make(shape: [10_000], using: &g) ?? Tensor(shape: [1]))
        XCTAssertEqual(normal.std, 0.05, accuracy: 0.003)
        let uniform = Initializer(name: "random_uniform")?.make(shape: [10_000], using: &g) ?? Tensor(shape: [1])
        XCTAssertTrue(uniform.scalars.allSatisfy { $0 >= -0.05 && $0 < 0.05 })
        let truncated = Initializer(name: "truncated_normal")?.make(shape: [10_000], using: &g) ?? Tensor(shape: [1])
        XCTAssertTrue(truncated.scalars.allSatisfy { abs($0) <= 0.1 })
    }

    func testConstantsAndIdentity() {
        var g = RandomGenerator(seed: 9)
        XCTAssertEqual(Initializer.zeros.make(shape: [2, 2], using: &g).scalars, [0, 0, 0, 0])
        XCTAssertEqual(Initializer.ones.make(shape: [3], using: &g).scalars, [1, 1, 1])
        XCTAssertEqual(Initializer.constant(0.5).make(shape: [2], using: &g).scalars, [0.5, 0.5])
        XCTAssertEqual(Initializer.identity(gain: 2).make(shape: [2, 3], using: &g).scalars, [2, 0, 0, 0, 2, 0])
    }

    func testOrthogonalColumnsOrRowsAreOrthonormal() throws {
        for shape in [[6, 4], [4, 6], [5, 5], [2, 3, 4]] {
            var g = RandomGenerator(seed: 10)
            let q = Initializer.orthogonal(gain: 1).make(shape: shape, using: &g)
            let rows = shape.dropLast().reduce(1, *), columns = shape[shape.count - 1]
            let m = try q.reshaped([rows, columns])
            let gram = rows >= columns ? try matmul(m, m, transposeA: true) : try matmul(m, m, transposeB: true)
            let n = min(rows, columns)
            let identity = Initializer.identity(gain: 1).make(shape: [n, n], using: &g)
            assertClose(gram, identity, tolerance: 1e-5)
        }
    }

    func testOrthogonalGainScales() {
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        let one = Initializer.orthogonal(gain: 1).make(shape: [4, 4], using: &a)
        let three = Initializer.orthogonal(gain: 3).make(shape: [4, 4], using: &b)
        assertClose(three, one.multiplying(scalar: 3), tolerance: 1e-6)
    }

    func testNamesAndAliases() {
        for name in Initializer.names {
            XCTAssertEqual(Initializer(name: name)?.name, name)
        }
        XCTAssertEqual(Initializer(name: "GlorotUniform"), .glorotUniform)
        XCTAssertEqual(Initializer(name: "uniform"), .randomUniform(minval: -0.05, maxval: 0.05))
        XCTAssertEqual(Initializer(name: "normal"), .randomNormal(mean: 0, stddev: 0.05))
        XCTAssertEqual(Initializer.heNormal.className, "HeNormal")
        XCTAssertNil(Initializer(name: "glorot"))
    }

    func testValidateRejectsShapesKerasRejects() {
        XCTAssertThrowsError(try Initializer.orthogonal(gain: 1).validate(shape: [4]))
        XCTAssertThrowsError(try Initializer.identity(gain: 1).validate(shape: [2, 2, 2]))
        XCTAssertNoThrow(try Initializer.glorotUniform.validate(shape: [4]))
    }
}
