import XCTest
@testable import KilnNotebook

/// The JSON reader and writers behind the `.ipynb` format.
final class JSONValueTests: XCTestCase {
    func testValuesAreRead() throws {
        XCTAssertEqual(try JSONParser.parse(#" {"a": [true, false, null, -0.5e+2, "x"], "b": {}} "#), .object([
            JSONMember(key: "a", value: .array([.bool(true), .bool(false), .null, .number("-0.5e+2"), .string("x")])),
            JSONMember(key: "b", value: .object([])),
        ]))
    }

    func testPythonsNonFiniteLiteralsAreAccepted() throws {
        XCTAssertEqual(try JSONParser.parse("[NaN, Infinity, -Infinity]"), .array([.number("NaN"), .number("Infinity"), .number("-Infinity")]))
    }

    func testEscapesAreDecoded() throws {
        XCTAssertEqual(try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800""#), .string("\"\\/\u{8}\u{C}\n\r\té😀\u{FFFD}"))
    }

    func testRepeatedKeyKeepsFirstPlaceAndLastValue() throws {
        XCTAssertEqual(try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#), .object([
            JSONMember(key: "a", value: .number("3")), JSONMember(key: "b", value: .number("2")),
        ]))
    }

    func testErrorsSayWhatAndWhere() {
        let cases = [
            ("", "expected a value but the text ended at line 1, column 1"),
            ("[1,]", "expected a value at line 1, column 4"),
            ("{1: 2}", "expected a property name in double quotes at line 1, column 2"),
            (#"{"a" 1}"#, "expected ':' after a property name at line 1, column 6"),
            (#"{"a": 1 "b": 2}"#, "expected ',' or '}' after a property's value at line 1, column 9"),
            ("01", "a number cannot start with 0 at line 1, column 1"),
            ("1.", "expected a digit after the decimal point at line 1, column 3"),
            ("1e", "expected a digit in the exponent at line 1, column 3"),
            ("-", "expected a digit at line 1, column 2"),
            ("\n  \"abc", "a string starting here never ends at line 2, column 3"),
            ("\"a\nb\"", "a control character (such as a raw newline) inside a string must be escaped at line 1, column 3"),
            (#""\x""#, #"invalid escape '\x' in a string at line 1, column 2"#),
            (#""\u12""#, #"a \u escape needs four hex digits at line 1, column 2"#),
            ("tru", "expected a value at line 1, column 1"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
                XCTAssertEqual((error as? JSONSyntaxError)?.description, message, text)
            }
        }
    }

    func testJupyterLayoutMatchesPythonsJSONDumps() throws {
        // json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) in Python 3.12.
        let value = try JSONParser.parse(#"{"b": [1, [], {}, "é\u0001\u007f"], "a": {"z": null, "B": true}}"#)
        XCTAssertEqual(value.jupyterText, """
            {
             "a": {
              "B": true,
              "z": null
             },
             "b": [
              1,
              [],
              {},
              "é\\u0001\u{7F}"
             ]
            }
            """)
    }

    func testCompactTextKeepsOrderOnOneLine() throws {
        XCTAssertEqual(try JSONParser.parse("{\"b\": [1,2], \"a\": \"x\\ny\"}").compactText, #"{"b": [1, 2], "a": "x\ny"}"#)
    }
}
