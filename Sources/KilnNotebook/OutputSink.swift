/// Where text goes as a notebook runs: the process's standard streams, or a buffer in tests.

import KilnStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives text as it is produced (stream output of cells, `Out[n]` lines, errors), and
/// rich outputs (`display(SVG(...))`).
public protocol OutputSink: AnyObject {
    func write(_ text: String)
    /// Pushes buffered text out; called before anything is written to another sink.
    func flush()
    /// A displayed value; sinks that show only text write its text/plain form.
    func display(_ output: StoredOutput)
}

extension OutputSink {
    public func flush() {}

    public func display(_ output: StoredOutput) {
        if let text = output.plainText { write(text.hasSuffix("\n") ? text : text + "\n") }
    }
}

/// The process's standard output or standard error (through C stdio, like Swift's `print`,
/// so the two never overtake each other).
public final class StandardStream: OutputSink {
    public static let output = StandardStream(isError: false)
    public static let error = StandardStream(isError: true)

    private let isError: Bool

    private init(isError: Bool) {
        self.isError = isError
    }

    public func write(_ text: String) {
        if isError {
            // Whatever was printed before the error must appear before it.
            fflush(stdout)
            fputs(text, stderr)
        } else {
            fputs(text, stdout)
        }
    }

    public func flush() {
        fflush(isError ? stderr : stdout)
    }
}

/// Keeps everything written to it, for tests and for storing a cell's output.
public final class CapturedOutput: OutputSink {
    public private(set) var text = ""

    public init() {}

    public func write(_ text: String) {
        self.text += text
    }
}
