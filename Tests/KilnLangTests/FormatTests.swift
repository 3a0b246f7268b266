import KilnLang
import XCTest

/// Python's string formatting through the Swift API: the format-spec mini-language
/// (`format()`, f-string fields), printf-style `%`, and `str.format`. Every expected value and
/// error message was produced by CPython 3.11.
final class FormatTests: XCTestCase {
    private func assertError(_ expression: @autoclosure () throws -> String, _ type: String, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        do {
            let result = try expression()
            XCTFail("expected \(type): \(message), got \(result)", file: file, line: line)
        } catch let error as KilnError {
            XCTAssertEqual(error.description, "\(type): \(message)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    private func strFormat(_ template: String, _ args: Arguments) throws -> String {
        try Format.strFormat(template, args, Interpreter())
    }

    /// An empty spec gives str(value).
    func testEmptySpecIsStr() throws {
        XCTAssertEqual(try Format.apply(.int(1234), spec: ""), "1234")
        XCTAssertEqual(try Format.apply(.float(-0.0), spec: ""), "-0.0")
        XCTAssertEqual(try Format.apply(.float(1e+16), spec: ""), "1e+16")
        XCTAssertEqual(try Format.apply(.float(0.1), spec: ""), "0.1")
        XCTAssertEqual(try Format.apply(.bool(true), spec: ""), "True")
        XCTAssertEqual(try Format.apply(.none, spec: ""), "None")
        XCTAssertEqual(try Format.apply(.string("abc"), spec: ""), "abc")
        XCTAssertEqual(try Format.apply(.float(.nan), spec: ""), "nan")
    }

    /// Fill character and the four alignments; numbers go right and strings left by default.
    func testFillAndAlignment() throws {
        XCTAssertEqual(try Format.apply(.int(5), spec: ">6"), "     5")
        XCTAssertEqual(try Format.apply(.int(5), spec: "<6"), "5     ")
        XCTAssertEqual(try Format.apply(.int(5), spec: "^6"), "  5   ")
        XCTAssertEqual(try Format.apply(.int(5), spec: "*^8"), "***5****")
        XCTAssertEqual(try Format.apply(.int(-5), spec: "=+8"), "-      5")
        XCTAssertEqual(try Format.apply(.string("ab"), spec: "6"), "ab    ")
        XCTAssertEqual(try Format.apply(.string("ab"), spec: ">6"), "    ab")
        XCTAssertEqual(try Format.apply(.string("abc"), spec: "^7"), "  abc  ")
        XCTAssertEqual(try Format.apply(.int(1), spec: "^^5"), "^^1^^")
        XCTAssertEqual(try Format.apply(.float(1.5), spec: "=10"), "       1.5")
        XCTAssertEqual(try Format.apply(.int(1), spec: "\u{0}<3"), "1\u{0}\u{0}")
    }

    /// A leading 0 pads numbers after the sign, and strings on the right.
    func testZeroPadding() throws {
        XCTAssertEqual(try Format.apply(.int(5), spec: "05"), "00005")
        XCTAssertEqual(try Format.apply(.int(-5), spec: "05"), "-0005")
        XCTAssertEqual(try Format.apply(.int(5), spec: "+05"), "+0005")
        XCTAssertEqual(try Format.apply(.int(1), spec: "=05"), "00001")
        XCTAssertEqual(try Format.apply(.int(12), spec: "<05"), "12000")
        XCTAssertEqual(try Format.apply(.int(12), spec: "x<05"), "12xxx")
        XCTAssertEqual(try Format.apply(.string("ab"), spec: "05"), "ab000")
        XCTAssertEqual(try Format.apply(.float(.infinity), spec: "06"), "000inf")
        XCTAssertEqual(try Format.apply(.float(-3.5), spec: "08.2f"), "-0003.50")
        XCTAssertEqual(try Format.apply(.int(255), spec: "#010x"), "0x000000ff")
    }

    /// Signs: + always, space for positives, - only for negatives; z drops the sign of a rounded zero.
    func testSignOptions() throws {
        XCTAssertEqual(try Format.apply(.int(1), spec: "+"), "+1")
        XCTAssertEqual(try Format.apply(.int(1), spec: " "), " 1")
        XCTAssertEqual(try Format.apply(.int(-1), spec: " "), "-1")
        XCTAssertEqual(try Format.apply(.float(1.0), spec: "+"), "+1.0")
        XCTAssertEqual(try Format.apply(.float(-1.0), spec: "-"), "-1.0")
        XCTAssertEqual(try Format.apply(.float(.nan), spec: "+"), "+nan")
        XCTAssertEqual(try Format.apply(.float(-0.0), spec: "z"), "0.0")
        XCTAssertEqual(try Format.apply(.float(-0.0), spec: "z.1f"), "0.0")
        XCTAssertEqual(try Format.apply(.float(-0.0001), spec: "z.2f"), "0.00")
        XCTAssertEqual(try Format.apply(.float(-0.0), spec: ".1f"), "-0.0")
    }

    /// Thousands separators, including through zero padding.
    func testGrouping() throws {
        XCTAssertEqual(try Format.apply(.int(1234567), spec: ","), "1,234,567")
        XCTAssertEqual(try Format.apply(.int(1234567), spec: "_"), "1_234_567")
        XCTAssertEqual(try Format.apply(.int(1234), spec: "08,"), "0,001,234")
        XCTAssertEqual(try Format.apply(.int(1234), spec: "09,"), "0,001,234")
        XCTAssertEqual(try Format.apply(.int(1234), spec: "010,"), "00,001,234")
        XCTAssertEqual(try Format.apply(.int(-1234), spec: "010,"), "-0,001,234")
        XCTAssertEqual(try Format.apply(.float(1234.5), spec: ",.2f"), "1,234.50")
        XCTAssertEqual(try Format.apply(.float(12345.678), spec: "_.1f"), "12_345.7")
        XCTAssertEqual(try Format.apply(.float(1234567.0), spec: ","), "1,234,567.0")
        XCTAssertEqual(try Format.apply(.float(1.23e+20), spec: ","), "1.23e+20")
        XCTAssertEqual(try Format.apply(.int(255), spec: "_b"), "1111_1111")
        XCTAssertEqual(try Format.apply(.int(123456789), spec: "_x"), "75b_cd15")
        XCTAssertEqual(try Format.apply(.int(1), spec: "_o"), "1")
    }

    /// b, o, x, X, c, d, n and the # prefixes.
    func testIntegerPresentationTypes() throws {
        XCTAssertEqual(try Format.apply(.int(255), spec: "x"), "ff")
        XCTAssertEqual(try Format.apply(.int(255), spec: "X"), "FF")
        XCTAssertEqual(try Format.apply(.int(255), spec: "#x"), "0xff")
        XCTAssertEqual(try Format.apply(.int(-255), spec: "#X"), "-0XFF")
        XCTAssertEqual(try Format.apply(.int(8), spec: "o"), "10")
        XCTAssertEqual(try Format.apply(.int(8), spec: "#o"), "0o10")
        XCTAssertEqual(try Format.apply(.int(5), spec: "b"), "101")
        XCTAssertEqual(try Format.apply(.int(0), spec: "#b"), "0b0")
        XCTAssertEqual(try Format.apply(.int(97), spec: "c"), "a")
        XCTAssertEqual(try Format.apply(.int(1234567), spec: "n"), "1234567")
        XCTAssertEqual(try Format.apply(.int(42), spec: "d"), "42")
        XCTAssertEqual(try Format.apply(.bool(true), spec: "d"), "1")
        XCTAssertEqual(try Format.apply(.bool(true), spec: ">5"), "    1")
        XCTAssertEqual(try Format.apply(.int(-9223372036854775808), spec: "x"), "-8000000000000000")
    }

    /// An int formatted with a float type is converted first.
    func testIntegersWithFloatTypes() throws {
        XCTAssertEqual(try Format.apply(.int(100), spec: "e"), "1.000000e+02")
        XCTAssertEqual(try Format.apply(.int(100), spec: ".2%"), "10000.00%")
        XCTAssertEqual(try Format.apply(.int(2), spec: ".3f"), "2.000")
        XCTAssertEqual(try Format.apply(.int(1000000000000000000), spec: "e"), "1.000000e+18")
        XCTAssertEqual(try Format.apply(.int(3), spec: "g"), "3")
    }

    /// f, F, e, E with default and explicit precision, rounding half to even on the exact value.
    func testFloatFixedAndExponent() throws {
        XCTAssertEqual(try Format.apply(.float(1.5), spec: "f"), "1.500000")
        XCTAssertEqual(try Format.apply(.float(0.125), spec: ".2f"), "0.12")
        XCTAssertEqual(try Format.apply(.float(0.375), spec: ".2f"), "0.38")
        XCTAssertEqual(try Format.apply(.float(2.675), spec: ".2f"), "2.67")
        XCTAssertEqual(try Format.apply(.float(0.5), spec: ".0f"), "0")
        XCTAssertEqual(try Format.apply(.float(1.5), spec: ".0f"), "2")
        XCTAssertEqual(try Format.apply(.float(2.5), spec: ".0f"), "2")
        XCTAssertEqual(try Format.apply(.float(1.0), spec: "#.0f"), "1.")
        XCTAssertEqual(try Format.apply(.float(12345.6789), spec: ".3e"), "1.235e+04")
        XCTAssertEqual(try Format.apply(.float(1.0), spec: "#.0e"), "1.e+00")
        XCTAssertEqual(try Format.apply(.float(1.5), spec: "E"), "1.500000E+00")
        XCTAssertEqual(try Format.apply(.float(.nan), spec: "F"), "NAN")
        XCTAssertEqual(try Format.apply(.float(-.infinity), spec: "E"), "-INF")
        XCTAssertEqual(try Format.apply(.float(1e+100), spec: "f"), "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.000000")
        XCTAssertEqual(try Format.apply(.float(0.1), spec: ".20f"), "0.10000000000000000555")
    }

    /// g and G: significant digits, exponent when it is < -4 or >= precision, no trailing zeros unless #.
    func testFloatGeneralFormat() throws {
        XCTAssertEqual(try Format.apply(.float(12.5), spec: "g"), "12.5")
        XCTAssertEqual(try Format.apply(.float(1e-05), spec: "g"), "1e-05")
        XCTAssertEqual(try Format.apply(.float(1e+22), spec: "g"), "1e+22")
        XCTAssertEqual(try Format.apply(.float(123456789.0), spec: "g"), "1.23457e+08")
        XCTAssertEqual(try Format.apply(.float(1.0), spec: "#g"), "1.00000")
        XCTAssertEqual(try Format.apply(.float(1e-05), spec: ".3G"), "1E-05")
        XCTAssertEqual(try Format.apply(.float(100000.0), spec: "g"), "100000")
        XCTAssertEqual(try Format.apply(.float(1000000.0), spec: "g"), "1e+06")
        XCTAssertEqual(try Format.apply(.float(0.0001), spec: "g"), "0.0001")
        XCTAssertEqual(try Format.apply(.float(1e+301), spec: "G"), "1E+301")
        XCTAssertEqual(try Format.apply(.float(3.0), spec: "n"), "3")
        XCTAssertEqual(try Format.apply(.float(0.0), spec: "g"), "0")
        XCTAssertEqual(try Format.apply(.float(123.456), spec: ".0g"), "1e+02")
    }

    /// A precision without a type behaves like g but keeps a digit after the point and switches to exponent one digit sooner.
    func testFloatWithPrecisionAndNoType() throws {
        XCTAssertEqual(try Format.apply(.float(1.0), spec: ".3"), "1.0")
        XCTAssertEqual(try Format.apply(.float(123.0), spec: ".3"), "1.23e+02")
        XCTAssertEqual(try Format.apply(.float(123.0), spec: ".2"), "1.2e+02")
        XCTAssertEqual(try Format.apply(.float(1.0), spec: ".0"), "1e+00")
        XCTAssertEqual(try Format.apply(.float(1.5), spec: ".0"), "2e+00")
        XCTAssertEqual(try Format.apply(.float(12.0), spec: ".1"), "1e+01")
        XCTAssertEqual(try Format.apply(.float(0.0), spec: ".3"), "0.0")
        XCTAssertEqual(try Format.apply(.float(9.999), spec: ".2"), "1e+01")
        XCTAssertEqual(try Format.apply(.float(99.99), spec: ".3"), "1e+02")
        XCTAssertEqual(try Format.apply(.float(0.0001), spec: ".3"), "0.0001")
        XCTAssertEqual(try Format.apply(.float(1e+16), spec: ".3"), "1e+16")
        XCTAssertEqual(try Format.apply(.float(0.1), spec: ".17"), "0.10000000000000001")
        XCTAssertEqual(try Format.apply(.float(2.5), spec: "#"), "2.5")
    }

    /// % multiplies by 100 and appends a percent sign.
    func testPercentType() throws {
        XCTAssertEqual(try Format.apply(.float(0.5), spec: "%"), "50.000000%")
        XCTAssertEqual(try Format.apply(.float(1.5), spec: "%"), "150.000000%")
        XCTAssertEqual(try Format.apply(.float(0.12345), spec: ".1%"), "12.3%")
        XCTAssertEqual(try Format.apply(.float(.infinity), spec: "%"), "inf%")
        XCTAssertEqual(try Format.apply(.float(1.0), spec: ",%"), "100.000000%")
    }

    /// A precision on a string keeps that many characters.
    func testStringPrecisionTruncates() throws {
        XCTAssertEqual(try Format.apply(.string("abc"), spec: ".2"), "ab")
        XCTAssertEqual(try Format.apply(.string("abc"), spec: ".0"), "")
        XCTAssertEqual(try Format.apply(.string("a"), spec: "5.0"), "     ")
        XCTAssertEqual(try Format.apply(.string("héllo"), spec: ".2"), "hé")
        XCTAssertEqual(try Format.apply(.string("abc"), spec: "s"), "abc")
    }

    /// Malformed specs and combinations Python rejects, in its words.
    func testSpecErrors() throws {
        assertError(try Format.apply(.float(1.5), spec: "d"), "ValueError", "Unknown format code 'd' for object of type 'float'")
        assertError(try Format.apply(.int(1), spec: ".2d"), "ValueError", "Precision not allowed in integer format specifier")
        assertError(try Format.apply(.int(1), spec: ".2"), "ValueError", "Precision not allowed in integer format specifier")
        assertError(try Format.apply(.string("a"), spec: "+"), "ValueError", "Sign not allowed in string format specifier")
        assertError(try Format.apply(.string("a"), spec: " "), "ValueError", "Space not allowed in string format specifier")
        assertError(try Format.apply(.string("a"), spec: "#"), "ValueError", "Alternate form (#) not allowed in string format specifier")
        assertError(try Format.apply(.string("a"), spec: "="), "ValueError", "'=' alignment not allowed in string format specifier")
        assertError(try Format.apply(.string("a"), spec: ","), "ValueError", "Cannot specify ',' with 's'.")
        assertError(try Format.apply(.string("a"), spec: "d"), "ValueError", "Unknown format code 'd' for object of type 'str'")
        assertError(try Format.apply(.string("a"), spec: "z"), "ValueError", "Negative zero coercion (z) not allowed in string format specifier")
        assertError(try Format.apply(.none, spec: ">5"), "TypeError", "unsupported format string passed to NoneType.__format__")
        assertError(try Format.apply(.object(KList([.int(1)])), spec: "x"), "TypeError", "unsupported format string passed to list.__format__")
        assertError(try Format.apply(.int(1), spec: "z"), "ValueError", "Negative zero coercion (z) not allowed in integer format specifier")
        assertError(try Format.apply(.int(1), spec: "5.2.3"), "ValueError", "Invalid format specifier '5.2.3' for object of type 'int'")
        assertError(try Format.apply(.int(1), spec: "abc"), "ValueError", "Invalid format specifier 'abc' for object of type 'int'")
        assertError(try Format.apply(.int(1), spec: ",x"), "ValueError", "Cannot specify ',' with 'x'.")
        assertError(try Format.apply(.int(1), spec: ",_"), "ValueError", "Cannot specify both ',' and '_'.")
        assertError(try Format.apply(.int(1), spec: "_,"), "ValueError", "Cannot specify both ',' and '_'.")
        assertError(try Format.apply(.int(97), spec: "+c"), "ValueError", "Sign not allowed with integer format specifier 'c'")
        assertError(try Format.apply(.int(97), spec: "#c"), "ValueError", "Alternate form (#) not allowed with integer format specifier 'c'")
        assertError(try Format.apply(.int(1000000), spec: ",c"), "ValueError", "Cannot specify ',' with 'c'.")
        assertError(try Format.apply(.float(1.5), spec: "c"), "ValueError", "Unknown format code 'c' for object of type 'float'")
        assertError(try Format.apply(.int(1), spec: "s"), "ValueError", "Unknown format code 's' for object of type 'int'")
        assertError(try Format.apply(.bool(true), spec: "s"), "ValueError", "Unknown format code 's' for object of type 'bool'")
        assertError(try Format.apply(.int(1), spec: "."), "ValueError", "Format specifier missing precision")
        assertError(try Format.apply(.int(1), spec: "99999999999999999999"), "ValueError", "Too many decimal digits in format string")
        assertError(try Format.apply(.int(1), spec: "n,"), "ValueError", "Invalid format specifier 'n,' for object of type 'int'")
        assertError(try Format.apply(.int(1114112), spec: "c"), "OverflowError", "%c arg not in range(0x110000)")
    }

    /// printf-style %s %r %a %d %i %u %x %X %o %c %e %f %g and %%.
    func testPercentConversions() throws {
        XCTAssertEqual(try Format.percent("%s", .string("a")), "a")
        XCTAssertEqual(try Format.percent("%r", .string("a")), "'a'")
        XCTAssertEqual(try Format.percent("%a", .string("é")), "'\\xe9'")
        XCTAssertEqual(try Format.percent("%d", .float(3.9)), "3")
        XCTAssertEqual(try Format.percent("%i", .int(5)), "5")
        XCTAssertEqual(try Format.percent("%u", .int(5)), "5")
        XCTAssertEqual(try Format.percent("%x", .int(255)), "ff")
        XCTAssertEqual(try Format.percent("%X", .int(255)), "FF")
        XCTAssertEqual(try Format.percent("%o", .int(8)), "10")
        XCTAssertEqual(try Format.percent("%x", .int(-255)), "-ff")
        XCTAssertEqual(try Format.percent("%c", .int(97)), "a")
        XCTAssertEqual(try Format.percent("%c", .string("é")), "é")
        XCTAssertEqual(try Format.percent("%e", .int(1)), "1.000000e+00")
        XCTAssertEqual(try Format.percent("%E", .float(1.5)), "1.500000E+00")
        XCTAssertEqual(try Format.percent("%f", .int(1)), "1.000000")
        XCTAssertEqual(try Format.percent("%F", .float(.nan)), "NAN")
        XCTAssertEqual(try Format.percent("%g", .float(1e-05)), "1e-05")
        XCTAssertEqual(try Format.percent("%G", .float(1e+20)), "1E+20")
        XCTAssertEqual(try Format.percent("%%", .object(KTuple([]))), "%")
        XCTAssertEqual(try Format.percent("%s", .none), "None")
        XCTAssertEqual(try Format.percent("%s", .object(KList([.int(1), .int(2)]))), "[1, 2]")
        XCTAssertEqual(try Format.percent("%d%%", .int(50)), "50%")
        XCTAssertEqual(try Format.percent("%ld", .int(5)), "5")
        XCTAssertEqual(try Format.percent("%.f", .float(1.5)), "2")
    }

    /// Flags - + space # 0, widths, precisions and * taken from the arguments.
    func testPercentFlagsWidthPrecision() throws {
        XCTAssertEqual(try Format.percent("%5d", .int(42)), "   42")
        XCTAssertEqual(try Format.percent("%-5d|", .int(42)), "42   |")
        XCTAssertEqual(try Format.percent("%05d", .int(-3)), "-0003")
        XCTAssertEqual(try Format.percent("%-05d", .int(3)), "3    ")
        XCTAssertEqual(try Format.percent("%+d", .int(3)), "+3")
        XCTAssertEqual(try Format.percent("% d", .int(3)), " 3")
        XCTAssertEqual(try Format.percent("%+.3d", .int(-5)), "-005")
        XCTAssertEqual(try Format.percent("%.3d", .int(5)), "005")
        XCTAssertEqual(try Format.percent("%#x", .int(255)), "0xff")
        XCTAssertEqual(try Format.percent("%#o", .int(8)), "0o10")
        XCTAssertEqual(try Format.percent("%#06x", .int(255)), "0x00ff")
        XCTAssertEqual(try Format.percent("%#.3x", .int(5)), "0x005")
        XCTAssertEqual(try Format.percent("%08.3f", .float(-3.14159)), "-003.142")
        XCTAssertEqual(try Format.percent("%+08.3f", .float(3.14159)), "+003.142")
        XCTAssertEqual(try Format.percent("% 8.3f", .float(3.14159)), "   3.142")
        XCTAssertEqual(try Format.percent("%10.3e", .float(12345.6789)), " 1.235e+04")
        XCTAssertEqual(try Format.percent("%#.0e", .int(12345)), "1.e+04")
        XCTAssertEqual(try Format.percent("%#g", .float(1.0)), "1.00000")
        XCTAssertEqual(try Format.percent("%#.3g", .float(1.0)), "1.00")
        XCTAssertEqual(try Format.percent("%5.1s", .string("abc")), "    a")
        XCTAssertEqual(try Format.percent("%05s", .string("ab")), "   ab")
        XCTAssertEqual(try Format.percent("%-5c|", .string("a")), "a    |")
        XCTAssertEqual(try Format.percent("%05.1f", .float(.infinity)), "00inf")
        XCTAssertEqual(try Format.percent("%*d", .object(KTuple([.int(5), .int(3)]))), "    3")
        XCTAssertEqual(try Format.percent("%-*d|", .object(KTuple([.int(5), .int(3)]))), "3    |")
        XCTAssertEqual(try Format.percent("%*d", .object(KTuple([.int(-5), .int(3)]))), "3    ")
        XCTAssertEqual(try Format.percent("%.*f", .object(KTuple([.int(2), .float(3.14159)]))), "3.14")
        XCTAssertEqual(try Format.percent("%*.*f", .object(KTuple([.int(8), .int(2), .float(3.14159)]))), "    3.14")
        XCTAssertEqual(try Format.percent("%.*s", .object(KTuple([.int(2), .string("abc")]))), "ab")
    }

    /// A tuple supplies several values, anything else is one value.
    func testPercentArguments() throws {
        XCTAssertEqual(try Format.percent("%s %s", .object(KTuple([.int(1), .int(2)]))), "1 2")
        XCTAssertEqual(try Format.percent("%s", .object(KTuple([.object(KTuple([.int(1), .int(2)]))]))), "(1, 2)")
        XCTAssertEqual(try Format.percent("%s", .object(KList([.int(1), .int(2)]))), "[1, 2]")
        XCTAssertEqual(try Format.percent("abc", .object(KTuple([]))), "abc")
        XCTAssertEqual(try Format.percent("%s and %r", .object(KTuple([.string("x"), .string("y")]))), "x and 'y'")
    }

    /// Argument count and type errors in Python's words.
    func testPercentErrors() throws {
        assertError(try Format.percent("%s %s", .object(KTuple([.int(1)]))), "TypeError", "not enough arguments for format string")
        assertError(try Format.percent("%s", .object(KTuple([.int(1), .int(2)]))), "TypeError", "not all arguments converted during string formatting")
        assertError(try Format.percent("%s", .object(KTuple([]))), "TypeError", "not enough arguments for format string")
        assertError(try Format.percent("abc", .int(5)), "TypeError", "not all arguments converted during string formatting")
        assertError(try Format.percent("%d", .string("x")), "TypeError", "%d format: a real number is required, not str")
        assertError(try Format.percent("%x", .float(3.5)), "TypeError", "%x format: an integer is required, not float")
        assertError(try Format.percent("%f", .string("x")), "TypeError", "must be real number, not str")
        assertError(try Format.percent("%c", .string("ab")), "TypeError", "%c requires int or char")
        assertError(try Format.percent("%c", .float(1.0)), "TypeError", "%c requires int or char")
        assertError(try Format.percent("%c", .int(1114112)), "OverflowError", "%c arg not in range(0x110000)")
        assertError(try Format.percent("%c", .int(-1)), "OverflowError", "%c arg not in range(0x110000)")
        assertError(try Format.percent("%y", .int(1)), "ValueError", "unsupported format character 'y' (0x79) at index 1")
        assertError(try Format.percent("%", .int(1)), "ValueError", "incomplete format")
        assertError(try Format.percent("%s%", .object(KTuple([.int(1)]))), "ValueError", "incomplete format")
        assertError(try Format.percent("%*d", .object(KTuple([.string("a"), .int(3)]))), "TypeError", "* wants int")
        assertError(try Format.percent("%(a)s", .int(1)), "TypeError", "format requires a mapping")
        assertError(try Format.percent("%d", .float(.nan)), "ValueError", "cannot convert float NaN to integer")
        assertError(try Format.percent("%i", .string("3")), "TypeError", "%i format: a real number is required, not str")
        assertError(try Format.percent("%d %d", .object(KList([.int(1), .int(2)]))), "TypeError", "%d format: a real number is required, not list")
    }

    /// Automatic and manual numbering, keywords, conversions, attribute-free indexing.
    func testStrFormatFields() throws {
        XCTAssertEqual(try strFormat("{} {}", Arguments([.int(1), .int(2)])), "1 2")
        XCTAssertEqual(try strFormat("{0} {0}", Arguments([.string("x")])), "x x")
        XCTAssertEqual(try strFormat("{1}{0}", Arguments([.string("a"), .string("b")])), "ba")
        XCTAssertEqual(try strFormat("{name}", Arguments([], keywords: [("name", .int(3))])), "3")
        XCTAssertEqual(try strFormat("{!r}", Arguments([.string("a")])), "'a'")
        XCTAssertEqual(try strFormat("{!s}", Arguments([.float(1.5)])), "1.5")
        XCTAssertEqual(try strFormat("{0!a}", Arguments([.string("é")])), "'\\xe9'")
        XCTAssertEqual(try strFormat("{!r:>5}", Arguments([.string("a")])), "  'a'")
        XCTAssertEqual(try strFormat("{0[1]}", Arguments([.object(KList([.int(1), .int(2)]))])), "2")
        XCTAssertEqual(try strFormat("{0[0][1]}", Arguments([.object(KList([.object(KList([.int(1), .int(2)]))]))])), "2")
        XCTAssertEqual(try strFormat("{0[0]}", Arguments([.string("ab")])), "a")
        XCTAssertEqual(try strFormat("{00}", Arguments([.int(5)])), "5")
        XCTAssertEqual(try strFormat("a{}b{}c", Arguments([.int(1), .int(2)])), "a1b2c")
        XCTAssertEqual(try strFormat("{{}} {{{}}}", Arguments([.int(1)])), "{} {1}")
        XCTAssertEqual(try strFormat("}}{{", Arguments([])), "}{")
        XCTAssertEqual(try strFormat("{0}}}", Arguments([.int(1)])), "1}")
    }

    /// Specs after the colon, including nested fields.
    func testStrFormatSpecs() throws {
        XCTAssertEqual(try strFormat("{:>5}", Arguments([.string("a")])), "    a")
        XCTAssertEqual(try strFormat("{:.2f}", Arguments([.float(3.14159)])), "3.14")
        XCTAssertEqual(try strFormat("{:{}}", Arguments([.int(1), .int(5)])), "    1")
        XCTAssertEqual(try strFormat("{0:{1}.{2}f}", Arguments([.float(3.14159), .int(10), .int(2)])), "      3.14")
        XCTAssertEqual(try strFormat("{:>{w}}", Arguments([.int(1)], keywords: [("w", .int(4))])), "   1")
        XCTAssertEqual(try strFormat("{:-^{}}", Arguments([.string("x"), .int(7)])), "---x---")
        XCTAssertEqual(try strFormat("{:02}:{:02}", Arguments([.int(5), .int(7)])), "05:07")
        XCTAssertEqual(try strFormat("{:%}", Arguments([.float(0.5)])), "50.000000%")
        XCTAssertEqual(try strFormat("{:}", Arguments([.int(1)])), "1")
        XCTAssertEqual(try strFormat("{:{}{}}", Arguments([.int(1), .string(">"), .int(4)])), "   1")
    }

    /// Malformed templates and missing arguments in Python's words.
    func testStrFormatErrors() throws {
        assertError(try strFormat("{}", Arguments([])), "IndexError", "Replacement index 0 out of range for positional args tuple")
        assertError(try strFormat("{5}", Arguments([.int(1)])), "IndexError", "Replacement index 5 out of range for positional args tuple")
        assertError(try strFormat("{0}{}", Arguments([.int(1), .int(2)])), "ValueError", "cannot switch from manual field specification to automatic field numbering")
        assertError(try strFormat("{}{0}", Arguments([.int(1), .int(2)])), "ValueError", "cannot switch from automatic field numbering to manual field specification")
        assertError(try strFormat("{a}", Arguments([], keywords: [("b", .int(1))])), "KeyError", "'a'")
        assertError(try strFormat("{", Arguments([])), "ValueError", "Single '{' encountered in format string")
        assertError(try strFormat("}", Arguments([])), "ValueError", "Single '}' encountered in format string")
        assertError(try strFormat("{0", Arguments([.int(1)])), "ValueError", "expected '}' before end of string")
        assertError(try strFormat("{0:", Arguments([.int(1)])), "ValueError", "unmatched '{' in format spec")
        assertError(try strFormat("{0!r", Arguments([.int(1)])), "ValueError", "unmatched '{' in format spec")
        assertError(try strFormat("{0!x}", Arguments([.int(1)])), "ValueError", "Unknown conversion specifier x")
        assertError(try strFormat("{0!}", Arguments([.int(1)])), "ValueError", "unmatched '{' in format spec")
        assertError(try strFormat("{!}", Arguments([.int(1)])), "ValueError", "unmatched '{' in format spec")
        assertError(try strFormat("{0!rr}", Arguments([.int(1)])), "ValueError", "expected ':' after conversion specifier")
        assertError(try strFormat("{0[}", Arguments([.int(1)])), "ValueError", "expected '}' before end of string")
        assertError(try strFormat("{0[]}", Arguments([.object(KList([.int(1)]))])), "ValueError", "Empty attribute in format string")
        assertError(try strFormat("{0]}", Arguments([.int(1)])), "KeyError", "'0]'")
        assertError(try strFormat("{0:}}", Arguments([.int(1)])), "ValueError", "Single '}' encountered in format string")
        assertError(try strFormat("{0[a]x}", Arguments([.object(KList([.int(1)]))])), "TypeError", "list indices must be integers or slices, not str")
        assertError(try strFormat("{0:{1:{2}}}", Arguments([.int(1), .int(2), .int(3)])), "ValueError", "Max string recursion exceeded")
        assertError(try strFormat("{:{{}}}", Arguments([.int(1)])), "ValueError", "Invalid format specifier '{}' for object of type 'int'")
        assertError(try strFormat("{0:d}", Arguments([.float(1.5)])), "ValueError", "Unknown format code 'd' for object of type 'float'")
        assertError(try strFormat("{-1}", Arguments([.int(1)])), "KeyError", "'-1'")
    }

}
