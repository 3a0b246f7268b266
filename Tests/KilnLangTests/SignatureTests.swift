import KilnLang
import XCTest

/// Binding arguments to a Python-style signature: each error is CPython 3.11's for the same
/// `def` and call.
final class SignatureTests: XCTestCase {
    /// Binds `args` to a native function `f` declared with `signature`; returns the bound values.
    private func bind(_ signature: String, _ args: Arguments) throws -> [Value] {
        var bound: [Value] = []
        let f = KBuiltin("f", signature) { a in
            bound = a.values
            return .none
        }
        _ = try f.call(args, Interpreter())
        return bound
    }

    private func assertBindError(_ signature: String, _ args: Arguments, _ message: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        do {
            let values = try bind(signature, args)
            XCTFail("expected TypeError: \(message), bound \(values)", file: file, line: line)
        } catch let error as KilnError {
            XCTAssertEqual(error.description, "TypeError: " + message, file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testArgumentErrorsMatchPython() {
        // def f(a, b) with f(1, 2, 3)
        assertBindError("a, b", Arguments([.int(1), .int(2), .int(3)], keywords: []), "f() takes 2 positional arguments but 3 were given")
        // def f(a, b=1) with f(1, 2, 3)
        assertBindError("a, b=1", Arguments([.int(1), .int(2), .int(3)], keywords: []), "f() takes from 1 to 2 positional arguments but 3 were given")
        // def f(a, b=1) with f()
        assertBindError("a, b=1", Arguments([], keywords: []), "f() missing 1 required positional argument: 'a'")
        // def f() with f(1)
        assertBindError("", Arguments([.int(1)], keywords: []), "f() takes 0 positional arguments but 1 was given")
        // def f() with f(1, 2)
        assertBindError("", Arguments([.int(1), .int(2)], keywords: []), "f() takes 0 positional arguments but 2 were given")
        // def f() with f(x=1)
        assertBindError("", Arguments([], keywords: [("x", .int(1))]), "f() got an unexpected keyword argument 'x'")
        // def f(a) with f()
        assertBindError("a", Arguments([], keywords: []), "f() missing 1 required positional argument: 'a'")
        // def f(a) with f(1, a=2)
        assertBindError("a", Arguments([.int(1)], keywords: [("a", .int(2))]), "f() got multiple values for argument 'a'")
        // def f(a) with f(b=1)
        assertBindError("a", Arguments([], keywords: [("b", .int(1))]), "f() got an unexpected keyword argument 'b'")
        // def f(a, b) with f()
        assertBindError("a, b", Arguments([], keywords: []), "f() missing 2 required positional arguments: 'a' and 'b'")
        // def f(a, b) with f(b=1)
        assertBindError("a, b", Arguments([], keywords: [("b", .int(1))]), "f() missing 1 required positional argument: 'a'")
        // def f(a, b, c) with f()
        assertBindError("a, b, c", Arguments([], keywords: []), "f() missing 3 required positional arguments: 'a', 'b', and 'c'")
        // def f(a, b, c) with f(1)
        assertBindError("a, b, c", Arguments([.int(1)], keywords: []), "f() missing 2 required positional arguments: 'b' and 'c'")
        // def f(a, b, c, d) with f()
        assertBindError("a, b, c, d", Arguments([], keywords: []), "f() missing 4 required positional arguments: 'a', 'b', 'c', and 'd'")
        // def f(*, k) with f()
        assertBindError("*, k", Arguments([], keywords: []), "f() missing 1 required keyword-only argument: 'k'")
        // def f(*, k) with f(1)
        assertBindError("*, k", Arguments([.int(1)], keywords: []), "f() takes 0 positional arguments but 1 was given")
        // def f(a, *, k, m) with f(1)
        assertBindError("a, *, k, m", Arguments([.int(1)], keywords: []), "f() missing 2 required keyword-only arguments: 'k' and 'm'")
        // def f(a, *, k, m) with f(1, m=2)
        assertBindError("a, *, k, m", Arguments([.int(1)], keywords: [("m", .int(2))]), "f() missing 1 required keyword-only argument: 'k'")
        // def f(a, *, k, m) with f(1, 2)
        assertBindError("a, *, k, m", Arguments([.int(1), .int(2)], keywords: []), "f() takes 1 positional argument but 2 were given")
        // def f(a, /) with f(a=1)
        assertBindError("a, /", Arguments([], keywords: [("a", .int(1))]), "f() got some positional-only arguments passed as keyword arguments: 'a'")
        // def f(a, /, b) with f(1, a=2, b=3)
        assertBindError("a, /, b", Arguments([.int(1)], keywords: [("a", .int(2)), ("b", .int(3))]), "f() got some positional-only arguments passed as keyword arguments: 'a'")
        // def f(**kw) with f(1)
        assertBindError("**kw", Arguments([.int(1)], keywords: []), "f() takes 0 positional arguments but 1 was given")
        // def f(a, **kw) with f(1, a=2)
        assertBindError("a, **kw", Arguments([.int(1)], keywords: [("a", .int(2))]), "f() got multiple values for argument 'a'")
        // def f(*args, sep=1) with f(1, 2, s=3)
        assertBindError("*args, sep=1", Arguments([.int(1), .int(2)], keywords: [("s", .int(3))]), "f() got an unexpected keyword argument 's'")
    }

    func testDefaultsFillMissingParameters() throws {
        let values = try bind("a, b=2, *, c='x', d=None", Arguments([.int(1)], keywords: [(name: "d", value: .bool(true))]))
        XCTAssertEqual(values.map { Repr.repr($0) }, ["1", "2", "'x'", "True"])
    }

    func testVarargsAndKwargsCollectTheRest() throws {
        let values = try bind("a, *rest, **options", Arguments([.int(1), .int(2), .int(3)], keywords: [(name: "z", value: .int(4))]))
        XCTAssertEqual(values.map { Repr.repr($0) }, ["1", "(2, 3)", "{'z': 4}"])
    }

    func testKeywordsBindByName() throws {
        let values = try bind("a, b", Arguments([], keywords: [(name: "b", value: .int(2)), (name: "a", value: .int(1))]))
        XCTAssertEqual(values.map { Repr.repr($0) }, ["1", "2"])
    }

    func testSignatureTextIsKeptForHelp() {
        XCTAssertEqual(Signature("x, /, *, key=None").text, "x, /, *, key=None")
        XCTAssertEqual(Signature("x, /, *, key=None").parameters.kinds, [.positionalOnly, .keywordOnly])
    }
}
