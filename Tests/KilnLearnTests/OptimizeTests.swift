@testable import KilnLearn
import XCTest

/// Nelder-Mead against scipy 1.17.1 and L-BFGS on known minima
/// (references: Fixtures/linear_references.py, its output in Fixtures/linear_references.txt).
final class OptimizeTests: XCTestCase {
    static func rosen(_ x: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
            sum += 100 * a * a + b * b
        }
        return sum
    }

    /// Every coordinate of `x` within `accuracy` of `target`'s.
    static func assertNear(_ x: [Double], _ target: [Double], _ accuracy: Double, line: UInt = #line) {
        XCTAssertEqual(x.count, target.count, line: line)
        for (a, b) in zip(x, target) { XCTAssertEqual(a, b, accuracy: accuracy, line: line) }
    }

    func testNelderMeadRosenbrock2DMatchesScipy() throws {
        let r = try NelderMead().minimize(Self.rosen, from: [-1.2, 1])
        Self.assertNear(r.x, [1, 1], 1e-4)
        // scipy: nit 85, nfev 159, x (1.0000220217835696, 1.0000422197517715).
        XCTAssertEqual([r.evaluations, r.iterations], [159, 85])
        Self.assertNear(r.x, [1.0000220217835696, 1.0000422197517715], 1e-12)
        XCTAssertEqual(r.status, .success)
    }

    func testNelderMeadRosenbrock5DMatchesScipy() throws {
        let r = try NelderMead().minimize(Self.rosen, from: [1.3, 0.7, 0.8, 1.9, 1.2])
        // scipy: nit 141, nfev 243, fun 6.617481708884532e-05.
        XCTAssertEqual(Double(r.evaluations), 243, accuracy: 24.3)
        XCTAssertEqual(r.fun, 6.617481708884532e-05, accuracy: 1e-9)
    }

    func testNelderMeadShiftedQuadratic5D() throws {
        let shift = [1.0, -2, 3, 0.5, -1.5]
        let quadratic: ([Double]) -> Double = { x in
            var sum = 0.0
            for i in 0..<5 { sum += Double(i + 1) * (x[i] - shift[i]) * (x[i] - shift[i]) }
            return sum
        }
        let r = try NelderMead().minimize(quadratic, from: [0, 0, 0, 0, 0])
        // scipy stops at the iteration budget's edge of success: nit 456, nfev 758, fun 0.47436.
        XCTAssertEqual(Double(r.evaluations), 758, accuracy: 75.8)
        XCTAssertEqual(r.fun, 0.4743579730999974, accuracy: 1e-9)
    }

    func testNelderMeadStopsAtMaxIterWithScipysMessage() throws {
        let r = try NelderMead(budget: Budget(maxIterations: 50)).minimize(Self.rosen, from: [-1.2, 1])
        XCTAssertEqual(r.iterations, 50)
        XCTAssertEqual(r.evaluations, 94)
        XCTAssertEqual(r.status.message, "Maximum number of iterations has been exceeded.")
    }

    func testNelderMeadBoundsClipLikeScipy() throws {
        let bounds = try Bounds(lower: [-2, -2], upper: [0.5, 2])
        let r = try NelderMead(bounds: bounds).minimize(Self.rosen, from: [-1.2, 1])
        XCTAssertEqual(r.x[0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(r.x[1], 0.2500195980022476, accuracy: 1e-6)
        XCTAssertEqual(r.evaluations, 119)
    }

    func testLBFGSFindsQuadraticMinimum() {
        let r = LBFGS(gradientTolerance: 1e-10, maxIterations: 100).minimize({ x in
            ((x[0] - 3) * (x[0] - 3) + 10 * (x[1] + 1) * (x[1] + 1), [2 * (x[0] - 3), 20 * (x[1] + 1)])
        }, from: [0, 0])
        XCTAssertTrue(r.converged)
        XCTAssertEqual(r.x[0], 3, accuracy: 1e-8)
        XCTAssertEqual(r.x[1], -1, accuracy: 1e-8)
    }

    func testLBFGSRosenbrock() {
        let r = LBFGS(gradientTolerance: 1e-8, maxIterations: 500).minimize({ x in
            (Self.rosen(x), [-400 * x[0] * (x[1] - x[0] * x[0]) - 2 * (1 - x[0]), 200 * (x[1] - x[0] * x[0])])
        }, from: [-1.2, 1])
        Self.assertNear(r.x, [1, 1], 1e-6)
    }
}

/// Powell's method against scipy 1.17.1 (Fixtures/linear_references.txt).
final class PowellTests: XCTestCase {
    func testPowellRosenbrockMatchesScipy() throws {
        let r = try Powell().minimize(OptimizeTests.rosen, from: [-1.2, 1])
        // scipy: nit 23, nfev 607, x (1.0000000000000913, 1.0000000000001923).
        OptimizeTests.assertNear(r.x, [1, 1], 1e-8)
        XCTAssertEqual([r.evaluations, r.iterations], [607, 23])
    }

    func testBrentFindsParabolaMinimum() throws {
        let (x, fx) = try Brent.minimum({ ($0 - 2.5) * ($0 - 2.5) + 1 }, tolerance: 1.48e-8)
        XCTAssertEqual(x, 2.5, accuracy: 1e-6)
        XCTAssertEqual(fx, 1, accuracy: 1e-12)
    }
}
