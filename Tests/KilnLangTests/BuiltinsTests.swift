import KilnLang
import XCTest

/// What the built-ins print, and how they treat native objects; values and errors are covered
/// by testdata/builtins.kiln.
final class BuiltinsTests: XCTestCase {
    /// A native object standing for a number, as an engine's array scalar does.
    private final class Scalar: KObject, KScalarConvertible {
        let scalarValue: Value?
        init(_ value: Value) { scalarValue = value }
        override var typeName: String { "float32" }
    }

    /// Runs `source` and returns the value of its last line and everything it printed.
    private func run(_ source: String, _ interpreter: Interpreter = Interpreter()) throws -> (Value?, String) {
        var printed = ""
        interpreter.output = { printed += $0 }
        let value = try interpreter.run(source, filename: "test").get()
        return (value, printed)
    }

    func testPrintJoinsWithSepAndEndsWithEnd() throws {
        let (_, printed) = try run("print(1, 'a', [2.5])\nprint(1, 2, sep='-', end='!')\nprint()")
        XCTAssertEqual(printed, "1 a [2.5]\n1-2!\n")
    }

    func testHelpPrintsSignatureAndDoc() throws {
        let (_, printed) = try run("help(round)")
        XCTAssertTrue(printed.hasPrefix("round(number, ndigits=None)\n\n    Round to the nearest integer"), printed)
    }

    func testHelpOnAMethodShowsItsOwnParameters() throws {
        let (_, printed) = try run("help(str.split)")
        XCTAssertTrue(printed.hasPrefix("split(self, /, sep=None, maxsplit=-1)"), printed)
    }

    func testHelpOnAKilnFunctionShowsItsParameters() throws {
        let (_, printed) = try run("def f(a, b=2, *rest, c, **kw):\n    return a\nhelp(f)")
        XCTAssertEqual(printed, "def f(a, b=2, *rest, c, **kw)\n")
    }

    func testHelpOnATypeListsItsMethods() throws {
        let (_, printed) = try run("help(list)")
        XCTAssertTrue(printed.contains("\n    append(object, /)  Add an item at the end."), printed)
    }

    func testHelpTextIsAvailableToFrontEnds() {
        let interpreter = Interpreter()
        XCTAssertTrue(interpreter.helpText(for: interpreter.builtin("len")).hasPrefix("len(obj, /)"))
    }

    func testScalarObjectsConvertAndFormatLikeNumbers() throws {
        let interpreter = Interpreter()
        interpreter.defineBuiltin("x", .object(Scalar(.float(-2.675))))
        let (value, _) = try run("(float(x), int(x), abs(x), round(x, 2), f'{x:.1f}', format(x, '>7.3f'))", interpreter)
        XCTAssertEqual(value.map { Repr.repr($0) }, "(-2.675, -2, 2.675, -2.67, '-2.7', ' -2.675')")
    }

    func testTypeOfANativeObjectNamesItsType() throws {
        let interpreter = Interpreter()
        interpreter.defineBuiltin("x", .object(Scalar(.int(1))))
        let (value, _) = try run("(str(type(x)), type(x) == type(x), isinstance(x, float))", interpreter)
        XCTAssertEqual(value.map { Repr.repr($0) }, "(\"<class 'float32'>\", True, False)")
    }
}
