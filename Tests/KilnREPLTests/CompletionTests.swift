import KilnNotebook
import XCTest
@testable import KilnREPL

/// Tab completion of names, module members, attributes, module names and magics.
final class CompletionTests: XCTestCase {
    var session: ReplSession!

    override func setUp() {
        session = ReplSession(store: nil, output: CapturedOutput())
    }

    func complete(_ word: String, after before: String = "") -> [String]? {
        session.completer.completions(of: word, after: before)
    }

    func testModuleMembersCompleteWithTheirPath() {
        session.submit("from tensorflow.keras import layers")
        XCTAssertEqual(complete("layers.Sep"), ["layers.SeparableConv1D", "layers.SeparableConv2D"])
        session.submit("import numpy as np")
        XCTAssertEqual(complete("np.random.ran"),
                       ["np.random.rand", "np.random.randint", "np.random.randn", "np.random.random", "np.random.random_sample"])
    }

    func testObjectAttributesAndMethodsComplete() {
        session.submit("xs = [3, 1]")
        XCTAssertEqual(complete("xs.app"), ["xs.append"])
        session.submit("s = struct(alpha=1, beta=2)")
        XCTAssertEqual(complete("s."), ["s.alpha", "s.beta"])
        XCTAssertEqual(complete("nothing.x"), [])
    }

    func testNamesCompleteFromGlobalsBuiltinsAndKeywords() {
        session.submit("learning_rate = 0.1")
        XCTAssertEqual(complete("lea"), ["learning_rate"])
        XCTAssertEqual(complete("le"), ["learning_rate", "len"])
        XCTAssertEqual(complete("whi"), ["while"])
        XCTAssertEqual(complete("cla"), [])
    }

    func testPrivateNamesNeedAnUnderscore() {
        session.submit("_secret = 1")
        session.submit("shown = 2")
        XCTAssertFalse(complete("")?.contains("_secret") ?? true)
        XCTAssertEqual(complete("_se"), ["_secret"])
    }

    func testImportsCompleteModuleNamesAndMembers() {
        XCTAssertEqual(complete("nump", after: "import "), ["numpy"])
        XCTAssertEqual(complete("tensorflow.keras.la", after: "from "), ["tensorflow.keras.layers"])
        XCTAssertEqual(complete("Dens", after: "from keras.layers import "), ["Dense"])
        XCTAssertEqual(complete("Dens", after: "from keras.layers import Dropout, "), ["Dense"])
    }

    func testMagicsCompleteAtTheStartOfTheLine() {
        XCTAssertEqual(complete("%ti"), ["%time", "%timeit"])
        XCTAssertEqual(complete("%hi"), ["%hist", "%history"])
    }

    func testFileMagicsLeaveCompletionToFileNames() {
        XCTAssertNil(complete("no", after: "%run "))
        XCTAssertNil(complete("", after: "%load "))
    }
}
