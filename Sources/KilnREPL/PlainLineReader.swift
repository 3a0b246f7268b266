/// Lines from a standard input that is not a terminal (`kiln < script.txt`, a pipe).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KilnNotebook

/// Reads lines from a file descriptor without editing or history. Each prompt is written with
/// the line read after it, so the output reads as the same session typed at a terminal would
/// (IPython also prints its prompts when its input is piped). A line preloaded with `%load`
/// is taken as typed.
final class PlainLineReader: LineReader {
    private let input: Int32
    private let output: OutputSink
    private var pending: [UInt8] = []
    private var atEnd = false

    init(input: Int32 = STDIN_FILENO, output: OutputSink) {
        self.input = input
        self.output = output
    }

    func readLine(prompt: String, initialText: String?) -> LineInput {
        output.write(prompt)
        if let initialText {
            output.write(initialText + "\n")
            return .line(initialText)
        }
        output.flush()
        InterruptSignal.clear()
        switch nextLine() {
        case .line(let line):
            output.write(line + "\n")
            return .line(line)
        case let other:
            return other
        }
    }

    func addHistory(_ entry: String) {}

    private func nextLine() -> LineInput {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return .line(String(decoding: line, as: UTF8.self))
            }
            if atEnd {
                guard !pending.isEmpty else { return .end }
                defer { pending = [] }
                return .line(String(decoding: pending, as: UTF8.self))
            }
            if InterruptSignal.wait(for: input) == .interrupted { return .interrupted }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(input, &buffer, buffer.count)
            if count > 0 {
                pending += buffer[..<count]
            } else if count == 0 || errno != EINTR {
                atEnd = true
            }
        }
    }
}
