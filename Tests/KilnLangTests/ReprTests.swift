import KilnLang
import XCTest

/// `repr()` and `str()` output against CPython 3.11's, value by value.
final class ReprTests: XCTestCase {
    /// Shortest round-trip digits, fixed notation for exponents -4 to 15, scientific otherwise.
    func testFloatsMatchPython() {
        XCTAssertEqual(Repr.float(0.1), "0.1")
        XCTAssertEqual(Repr.float(0.2), "0.2")
        XCTAssertEqual(Repr.float(0.30000000000000004), "0.30000000000000004")
        XCTAssertEqual(Repr.float(1.0), "1.0")
        XCTAssertEqual(Repr.float(-1.0), "-1.0")
        XCTAssertEqual(Repr.float(100.0), "100.0")
        XCTAssertEqual(Repr.float(1234.5678), "1234.5678")
        XCTAssertEqual(Repr.float(1000000000000000.0), "1000000000000000.0")
        XCTAssertEqual(Repr.float(1e+16), "1e+16")
        XCTAssertEqual(Repr.float(1.5e+16), "1.5e+16")
        XCTAssertEqual(Repr.float(1.2345678901234568e+17), "1.2345678901234568e+17")
        XCTAssertEqual(Repr.float(1e+22), "1e+22")
        XCTAssertEqual(Repr.float(1e+100), "1e+100")
        XCTAssertEqual(Repr.float(1.7976931348623157e+308), "1.7976931348623157e+308")
        XCTAssertEqual(Repr.float(.leastNonzeroMagnitude), "5e-324")
        XCTAssertEqual(Repr.float(2.2250738585072014e-308), "2.2250738585072014e-308")
        XCTAssertEqual(Repr.float(0.0001), "0.0001")
        XCTAssertEqual(Repr.float(1e-05), "1e-05")
        XCTAssertEqual(Repr.float(0.00012345), "0.00012345")
        XCTAssertEqual(Repr.float(1.2345e-05), "1.2345e-05")
        XCTAssertEqual(Repr.float(9.999999999999999e-05), "9.999999999999999e-05")
        XCTAssertEqual(Repr.float(3.141592653589793), "3.141592653589793")
        XCTAssertEqual(Repr.float(2.718281828459045), "2.718281828459045")
        XCTAssertEqual(Repr.float(0.3333333333333333), "0.3333333333333333")
        XCTAssertEqual(Repr.float(0.6666666666666666), "0.6666666666666666")
        XCTAssertEqual(Repr.float(9007199254740992.0), "9007199254740992.0")
        XCTAssertEqual(Repr.float(9007199254740994.0), "9007199254740994.0")
        XCTAssertEqual(Repr.float(9.223372036854776e+18), "9.223372036854776e+18")
        XCTAssertEqual(Repr.float(9007199254740992.0), "9007199254740992.0")
        XCTAssertEqual(Repr.float(0.5), "0.5")
        XCTAssertEqual(Repr.float(0.25), "0.25")
        XCTAssertEqual(Repr.float(1e-07), "1e-07")
        XCTAssertEqual(Repr.float(12345678.9), "12345678.9")
        XCTAssertEqual(Repr.float(999999999999999.9), "999999999999999.9")
        XCTAssertEqual(Repr.float(9999999999999998.0), "9999999999999998.0")
        XCTAssertEqual(Repr.float(1e+21), "1e+21")
        XCTAssertEqual(Repr.float(4.35), "4.35")
        XCTAssertEqual(Repr.float(0.7999999999999999), "0.7999999999999999")
        XCTAssertEqual(Repr.float(3.3000000000000003), "3.3000000000000003")
        XCTAssertEqual(Repr.float(100.5), "100.5")
        XCTAssertEqual(Repr.float(1.0), "1.0")
        XCTAssertEqual(Repr.float(-0.1), "-0.1")
        XCTAssertEqual(Repr.float(-0.2), "-0.2")
        XCTAssertEqual(Repr.float(-0.30000000000000004), "-0.30000000000000004")
        XCTAssertEqual(Repr.float(-1.0), "-1.0")
        XCTAssertEqual(Repr.float(1.0), "1.0")
        XCTAssertEqual(Repr.float(-100.0), "-100.0")
        XCTAssertEqual(Repr.float(-1234.5678), "-1234.5678")
        XCTAssertEqual(Repr.float(-1000000000000000.0), "-1000000000000000.0")
        XCTAssertEqual(Repr.float(-1e+16), "-1e+16")
        XCTAssertEqual(Repr.float(-1.5e+16), "-1.5e+16")
        XCTAssertEqual(Repr.float(-1.2345678901234568e+17), "-1.2345678901234568e+17")
        XCTAssertEqual(Repr.float(-1e+22), "-1e+22")
    }

    func testFloatSpecialValues() {
        XCTAssertEqual(Repr.float(0.0), "0.0")
        XCTAssertEqual(Repr.float(-0.0), "-0.0")
        XCTAssertEqual(Repr.float(.nan), "nan")
        XCTAssertEqual(Repr.float(.infinity), "inf")
        XCTAssertEqual(Repr.float(-.infinity), "-inf")
    }

    /// Quotes chosen as Python chooses them; control and non-printable characters escaped.
    func testStringsMatchPython() {
        XCTAssertEqual(Repr.string("abc"), "'abc'")
        XCTAssertEqual(Repr.string("it's"), "\"it's\"")
        XCTAssertEqual(Repr.string("say \"hi\""), "'say \"hi\"'")
        XCTAssertEqual(Repr.string("both ' and \""), "'both \\' and \"'")
        XCTAssertEqual(Repr.string("tab\there"), "'tab\\there'")
        XCTAssertEqual(Repr.string("new\nline"), "'new\\nline'")
        XCTAssertEqual(Repr.string("back\\slash"), "'back\\\\slash'")
        XCTAssertEqual(Repr.string("\u{0}\u{7f}\u{1b}"), "'\\x00\\x7f\\x1b'")
        XCTAssertEqual(Repr.string("é ü 中文"), "'é ü 中文'")
        XCTAssertEqual(Repr.string("​"), "'\\u200b'")
        XCTAssertEqual(Repr.string(" "), "'\\xa0'")
        XCTAssertEqual(Repr.string(" "), "'\\u2028'")
        XCTAssertEqual(Repr.string("😀"), "'😀'")
        XCTAssertEqual(Repr.string("󠀁"), "'\\U000e0001'")
        XCTAssertEqual(Repr.string("퟿"), "'\\ud7ff'")
        XCTAssertEqual(Repr.string(""), "'\\x85'")
    }

    func testScalars() {
        XCTAssertEqual(Repr.repr(.none), "None")
        XCTAssertEqual(Repr.repr(.bool(true)), "True")
        XCTAssertEqual(Repr.repr(.int(-9223372036854775807 - 1)), "-9223372036854775808")
        XCTAssertEqual(Repr.str(.string("a'b")), "a'b")
        XCTAssertEqual(Repr.repr(.string("a'b")), "\"a'b\"")
    }

    /// Containers show their elements' reprs, in str() too.
    func testContainers() {
        XCTAssertEqual(Repr.repr(.object(KList([.int(1), .string("a"), .float(2.5), .none, .bool(true)]))), "[1, 'a', 2.5, None, True]")
        XCTAssertEqual(Repr.str(.object(KList([.int(1), .string("a"), .float(2.5), .none, .bool(true)]))), "[1, 'a', 2.5, None, True]")
        XCTAssertEqual(Repr.repr(.object(KTuple([.int(1)]))), "(1,)")
        XCTAssertEqual(Repr.str(.object(KTuple([.int(1)]))), "(1,)")
        XCTAssertEqual(Repr.repr(.object(KTuple([]))), "()")
        XCTAssertEqual(Repr.str(.object(KTuple([]))), "()")
        XCTAssertEqual(Repr.repr(.object(KTuple([.int(1), .int(2)]))), "(1, 2)")
        XCTAssertEqual(Repr.str(.object(KTuple([.int(1), .int(2)]))), "(1, 2)")
        XCTAssertEqual(Repr.repr(.object(KList([.object(KList([.int(1)])), .object(KTuple([.int(2), .int(3)]))]))), "[[1], (2, 3)]")
        XCTAssertEqual(Repr.str(.object(KList([.object(KList([.int(1)])), .object(KTuple([.int(2), .int(3)]))]))), "[[1], (2, 3)]")
        XCTAssertEqual(Repr.repr(.object(KList([.string("x\ny")]))), "['x\\ny']")
        XCTAssertEqual(Repr.str(.object(KList([.string("x\ny")]))), "['x\\ny']")
    }

    func testSelfContainingListPrintsEllipsis() {
        let list = KList([.int(1)])
        list.items.append(.object(list))
        XCTAssertEqual(Repr.repr(.object(list)), "[1, [...]]")
    }
}
