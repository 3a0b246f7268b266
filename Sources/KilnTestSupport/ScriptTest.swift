/// Runs language tests written in Kiln itself, in the style of starlark-go's testdata: a file
/// is split into chunks at lines that are exactly `---`; each chunk runs in a fresh
/// interpreter; `testing.eq(a, b)` and friends check values; a comment `### "regexp"` marks the
/// line where the chunk must fail (`testing` is predeclared, and importable) with an error whose `Type: message` matches the pattern.

import Foundation
import KilnLang

/// One failed expectation, with the file and line it concerns.
public struct ScriptFailure: CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

public enum ScriptTest {
    /// The `testing` module the scripts import.
    public static func testingModule() -> KModule {
        let m = KModule("testing", doc: "Assertions for Kiln's language tests.")
        m.add([
            KBuiltin("eq", "actual, expected, /", doc: "Fail unless actual == expected.") { a in
                guard a[0].equals(a[1]) else {
                    throw KilnError("AssertionError", "\(Repr.repr(a[0])) != \(Repr.repr(a[1]))")
                }
                return .none
            },
            KBuiltin("ne", "actual, unexpected, /", doc: "Fail if actual == unexpected.") { a in
                guard !a[0].equals(a[1]) else {
                    throw KilnError("AssertionError", "\(Repr.repr(a[0])) == \(Repr.repr(a[1]))")
                }
                return .none
            },
            KBuiltin("true", "condition, message='', /", doc: "Fail unless condition is truthy.") { a in
                guard a[0].isTruthy else { throw KilnError("AssertionError", try a.string(1)) }
                return .none
            },
            KBuiltin("output", "function, /", doc: "Call function() and return what it printed.") { a in
                let interpreter = a.interpreter, previous = interpreter.output
                var printed = ""
                interpreter.output = { printed += $0 }
                defer { interpreter.output = previous }
                _ = try interpreter.call(a[0], Arguments())
                return .string(printed)
            },
            KBuiltin("displayed", "function, /", doc: "Call function() and return what it displayed: one {mime: text} dict per display() bundle.") { a in
                let interpreter = a.interpreter, previous = interpreter.display
                var bundles: [Value] = []
                interpreter.display = { bundle in
                    let d = KDict()
                    for item in bundle { try? d.set(.string(item.mime), .string(item.text ?? "")) }
                    bundles.append(.object(d))
                }
                defer { interpreter.display = previous }
                _ = try interpreter.call(a[0], Arguments())
                return .object(KList(bundles))
            },
            KBuiltin("fails", "function, pattern, /", doc: "Call function(); fail unless it raises an error matching pattern.") { a in
                let pattern = try a.string(1)
                do {
                    _ = try a.interpreter.call(a[0], Arguments())
                } catch let e as KilnError {
                    guard matches(e.description, pattern) else {
                        throw KilnError("AssertionError", "error \(Repr.repr(.string(e.description))) does not match \(Repr.repr(.string(pattern)))")
                    }
                    return .none
                }
                throw KilnError("AssertionError", "evaluation succeeded unexpectedly (want error matching \(Repr.repr(.string(pattern))))")
            },
        ])
        return m
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return false }
        return re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// A chunk of a test file: its text, the file line it starts on, and its expected error.
    struct Chunk {
        var text: String
        var firstLine: Int
        var expectedError: (line: Int, pattern: String)?
    }

    static func chunks(of source: String) -> [Chunk] {
        var result: [Chunk] = []
        var current: [String] = []
        var start = 1
        var expected: (Int, String)?
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func flush() {
            result.append(Chunk(text: current.joined(separator: "\n") + "\n", firstLine: start, expectedError: expected))
        }
        for (i, line) in lines.enumerated() {
            if line == "---" {
                flush()
                current = []
                start = i + 2
                expected = nil
                continue
            }
            if let r = line.range(of: "### ") {
                var pattern = String(line[r.upperBound...]).trimmingCharacters(in: .whitespaces)
                if pattern.hasPrefix("\""), pattern.hasSuffix("\""), pattern.count >= 2 {
                    pattern = String(pattern.dropFirst().dropLast())
                }
                expected = (i + 1, pattern)
            }
            current.append(line)
        }
        flush()
        return result
    }

    /// Runs every chunk of a test file with interpreters from `makeInterpreter`, with `globals`
    /// predefined (e.g. the path of a fixtures folder); returns the failures (empty when the
    /// file passes).
    public static func run(file path: String, globals: [String: Value] = [:], makeInterpreter: () -> Interpreter) -> [ScriptFailure] {
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard let source = try? String(contentsOfFile: path, encoding: .utf8) else {
            return [ScriptFailure(file: name, line: 0, message: "cannot read \(path)")]
        }
        var failures: [ScriptFailure] = []
        for chunk in chunks(of: source) {
            let interpreter = makeInterpreter()
            let testing = testingModule()
            interpreter.modules.register("testing") { _ in testing }
            interpreter.defineBuiltin("testing", .object(testing))
            for (name, value) in globals { interpreter.defineBuiltin(name, value) }
            interpreter.output = { _ in }
            let outcome = interpreter.run(chunk.text, filename: name, firstLine: chunk.firstLine)
            switch (outcome, chunk.expectedError) {
            case (.success, nil):
                break
            case (.success, let want?):
                failures.append(ScriptFailure(file: name, line: want.line, message: "expected error matching \"\(want.pattern)\", but the chunk succeeded"))
            case (.failure(let e), nil):
                failures.append(ScriptFailure(file: name, line: errorLine(e, in: name), message: "unexpected error:\n\(interpreter.formatTraceback(e))"))
            case (.failure(let e), let want?):
                if !matches(e.description, want.pattern) {
                    failures.append(ScriptFailure(file: name, line: want.line, message: "error \"\(e.description)\" does not match \"\(want.pattern)\""))
                } else if errorLine(e, in: name) != want.line {
                    failures.append(ScriptFailure(file: name, line: want.line, message: "error \"\(e.description)\" reported at line \(errorLine(e, in: name)), expected line \(want.line)"))
                }
                // The session survives an error: the same interpreter still runs code.
                if case .success(let v) = interpreter.run("1 + 1", filename: "<after-error>"), let value = v, value.equals(.int(2)) {
                } else {
                    failures.append(ScriptFailure(file: name, line: want.line, message: "interpreter unusable after the error"))
                }
            }
        }
        return failures
    }

    /// The line of the innermost frame of an error that is in `file` (an error raised inside
    /// a library module is reported at the test's line that called into it).
    public static func errorLine(_ e: KilnError, in file: String) -> Int {
        e.traceback.last { $0.filename == file }?.position.line ?? e.position?.line ?? 0
    }
}
