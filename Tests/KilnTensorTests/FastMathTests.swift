import Foundation
import XCTest
@testable import KilnTensor

/// The vectorisable approximations the activations use, against libm.
final class FastMathTests: XCTestCase {
    private let grid = stride(from: -20.0, through: 20.0, by: 0.001).map { Float($0) }

    func testExpHasARelativeErrorOfAFewUlp() {
        for x in stride(from: -87.0, through: 88.0, by: 0.0137).map({ Float($0) }) {
            let exact = Foundation.exp(Double(x))
            XCTAssertEqual(Double(fastExp(x)), exact, accuracy: exact * 4e-7, "exp(\(x))")
        }
    }

    func testExpUnderflowsToZeroAndSaturatesAbove88() {
        XCTAssertEqual(fastExp(-100), 0)
        XCTAssertEqual(fastExp(-.infinity), 0)
        XCTAssertTrue(fastExp(1000).isFinite)
    }

    func testSigmoidTanhAndErfAreAccurateToAFewTenMillionths() {
        for x in grid {
            let d = Double(x)
            XCTAssertEqual(Double(fastSigmoid(x)), 1 / (1 + Foundation.exp(-d)), accuracy: 3e-7, "sigmoid(\(x))")
            XCTAssertEqual(Double(fastTanh(x)), Foundation.tanh(d), accuracy: 3e-7, "tanh(\(x))")
            XCTAssertEqual(Double(fastErf(x)), Foundation.erf(d), accuracy: 3e-7, "erf(\(x))")
        }
    }

    func testTanhIsRelativelyAccurateNearZero() {
        for x: Float in [1e-6, -3e-4, 0.01, 0.3, -0.6] {
            XCTAssertEqual(Double(fastTanh(x)), Foundation.tanh(Double(x)), accuracy: abs(Double(x)) * 1e-6)
        }
    }

    func testLimitsAtInfinity() {
        XCTAssertEqual(fastSigmoid(.infinity), 1)
        XCTAssertEqual(fastSigmoid(-.infinity), 0)
        XCTAssertEqual(fastTanh(.infinity), 1)
        XCTAssertEqual(fastTanh(-.infinity), -1)
        XCTAssertEqual(fastErf(.infinity), 1)
    }
}
