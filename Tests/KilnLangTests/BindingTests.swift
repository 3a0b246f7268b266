import KilnLang
import XCTest

/// The binding helper, driven through the language with native demo functions declared once
/// by their Python signature.
final class BindingTests: XCTestCase {
    /// An interpreter with `dense(units, activation=None, use_bias=True, *, name=None)` and
    /// `total(*values, scale=1)`, which echo how their arguments were bound.
    func interpreter() -> Interpreter {
        let interp = Interpreter()
        interp.defineBuiltins([
            KBuiltin("dense", "units, activation=None, use_bias=True, *, name=None",
                     doc: "Describe a dense layer.") { a in
                let units = try a.int(0)
                let activation = try a.optionalString(1) ?? "linear"
                let name = try a.optionalString(3) ?? "dense"
                return .string("\(name): \(units) \(activation) bias=\(Repr.repr(.bool(a.bool(2))))")
            },
            KBuiltin("total", "*values, scale=1", doc: "Sum the values, times scale.") { a in
                var sum = 0
                for v in try a.list(0) { sum += v.asInt ?? 0 }
                return .int(sum * (try a.int(1)))
            },
        ])
        return interp
    }

    func value(_ source: String) throws -> Value? {
        try interpreter().run(source, filename: "cell").get()
    }

    func error(_ source: String) -> KilnError? {
        if case .failure(let e) = interpreter().run(source, filename: "cell") { return e }
        return nil
    }

    func testPositionalAndDefaults() throws {
        XCTAssertEqual(try value("dense(32)")?.description, "dense: 32 linear bias=True")
    }

    func testKeywordsInAnyOrder() throws {
        XCTAssertEqual(try value("dense(name='d1', units=8, use_bias=False)")?.description, "d1: 8 linear bias=False")
    }

    func testVarargsAndKeywordOnly() throws {
        XCTAssertEqual(try value("total(1, 2, 3, scale=10)")?.description, "60")
        XCTAssertEqual(try value("total(*[4, 5])")?.description, "9")
    }

    func testSameArgumentTwiceIsKerasError() {
        let e = error("x = 1\ndense(32, 3, activation='relu')")
        XCTAssertEqual(e?.description, "TypeError: dense() got multiple values for argument 'activation'")
        XCTAssertEqual(e?.traceback.last?.position, Position(line: 2, column: 1))
    }

    func testKeywordOnlyCannotBePositional() {
        XCTAssertEqual(error("dense(1, 'relu', True, 'n')")?.description,
                       "TypeError: dense() takes from 1 to 3 positional arguments but 4 were given")
    }

    func testMissingAndUnexpected() {
        XCTAssertEqual(error("dense()")?.description, "TypeError: dense() missing 1 required positional argument: 'units'")
        XCTAssertEqual(error("dense(1, units2=3)")?.description, "TypeError: dense() got an unexpected keyword argument 'units2'")
    }

    func testTypedAccessorNamesFunctionAndParameter() {
        XCTAssertEqual(error("dense('many')")?.description, "TypeError: dense() argument 'units' must be int, not str")
    }

    func testDocstringIsAttached() throws {
        let interp = interpreter()
        guard case .object(let o)? = interp.builtin("dense"), let f = o as? KBuiltin else {
            return XCTFail("dense is not a builtin")
        }
        XCTAssertEqual(f.doc, "Describe a dense layer.")
        XCTAssertEqual(f.signature.text, "units, activation=None, use_bias=True, *, name=None")
    }
}
