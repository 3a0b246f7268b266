/// Where text goes as a notebook runs: the process's standard streams, or a buffer in tests.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives text as it is produced (stream output of cells, `Out[n]` lines, errors).
public protocol OutputSink: AnyObject {
    func write(_ text: String)
    /// Pushes buffered text out; called before anything is written to another sink.
    func flush()
}

extension OutputSink {
    public func flush() {}
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
