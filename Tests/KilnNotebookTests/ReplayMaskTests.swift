@testable import KilnNotebook
import XCTest

/// What replay masks before comparing outputs: durations, and nothing else.
final class ReplayMaskTests: XCTestCase {
    func testTrainingAndTrialDurationsAreMasked() {
        XCTAssertEqual(Replay.maskDurations("12/12 - 0s - 3ms/step - loss: 0.5"), "12/12… - … - loss: 0.5")
        XCTAssertEqual(Replay.maskDurations("     3  complete  0.983333     48  0.4 s\n     4  pruned  0.5  16  12.0 s"),
                       "     3  complete  0.983333     48  …\n     4  pruned  0.5  16  …")
    }

    func testOtherNumbersStay() {
        XCTAssertEqual(Replay.maskDurations("accuracy 0.9 s.t. x\nloss 0.5"), "accuracy 0.9 s.t. x\nloss 0.5")
        XCTAssertEqual(Replay.maskDurations("took 3 s"), "took 3 s")
    }

    func testNbvalMarksLeaveCellsOut() {
        XCTAssertTrue(Replay.ignoresOutput(source: "x = 1\n  # NBVAL_IGNORE_OUTPUT\nprint(x)", tags: []))
        XCTAssertTrue(Replay.ignoresOutput(source: "print(1)", tags: ["nbval-ignore-output"]))
        XCTAssertFalse(Replay.ignoresOutput(source: "print('# NBVAL_IGNORE_OUTPUT')", tags: ["parameters"]))
    }
}
