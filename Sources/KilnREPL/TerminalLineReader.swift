/// Lines from a terminal, read with GNU readline: editing, Ctrl-R history search, the history
/// file and tab completion.

import CReadline
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines with readline's callback interface, waiting for keys itself so that a Ctrl-C
/// at the prompt abandons the line (as CPython's readline module does): readline's own signal
/// handling is off (`rl_catch_signals = 0`) and SIGINT is the REPL's.
///
/// A complete input is one history entry even when it spans several lines; the history file
/// keeps timestamps so such entries come back whole in the next session. Tab completes the word
/// before the cursor with a `Completer`, or as a file name after `%run`, `%load`, `%save`;
/// when there are several candidates, the first Tab lists them.
final class TerminalLineReader: LineReader {
    private let historyFile: String?

    /// The most entries the history file keeps.
    static let historyLimit: Int32 = 10_000

    /// `historyFile` (nil: none) is cut to its last `historyLimit` entries and read now, and
    /// appended to after each input.
    init(historyFile: String?, completer: Completer) {
        self.historyFile = historyFile
        TerminalLineReader.completer = completer
        rl_catch_signals = 0
        // List the candidates at the first Tab, as IPython does (~/.inputrc, read later, may
        // say otherwise).
        _ = rl_variable_bind("show-all-if-ambiguous", "on")
        rl_readline_name = UnsafePointer(strdup("kiln"))
        rl_completer_word_break_characters = UnsafePointer(strdup(Completer.wordBreakCharacters))
        rl_attempted_completion_function = TerminalLineReader.attemptCompletion
        using_history()
        // Entries are stamped only with a comment character; the stamps delimit entries of
        // several lines in the file.
        history_comment_char = CChar(UInt8(ascii: "#"))
        history_write_timestamps = 1
        history_multiline_entries = 1
        stifle_history(TerminalLineReader.historyLimit)
        if let historyFile {
            if access(historyFile, F_OK) != 0 { _ = write_history(historyFile) }
            _ = history_truncate_file(historyFile, TerminalLineReader.historyLimit)
            _ = read_history(historyFile)
        }
    }

    func readLine(prompt: String, initialText: String?) -> LineInput {
        InterruptSignal.clear()
        TerminalLineReader.received = nil
        rl_callback_handler_install(prompt, TerminalLineReader.lineHandler)
        if let initialText {
            rl_insert_text(initialText)
            rl_redisplay()
        }
        while TerminalLineReader.received == nil {
            switch InterruptSignal.wait(for: STDIN_FILENO) {
            case .readable:
                rl_callback_read_char()
            case .interrupted:
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_cleanup_after_signal()
                rl_callback_handler_remove()
                return .interrupted
            }
        }
        return TerminalLineReader.received ?? .end
    }

    func addHistory(_ entry: String) {
        let last = history_length > 0 ? history_get(history_base + history_length - 1) : nil
        if let line = last?.pointee.line, String(cString: line) == entry { return }
        add_history(entry)
        if let historyFile { _ = append_history(1, historyFile) }
    }

    // MARK: readline's callbacks (C functions: they reach the reader through these statics)

    nonisolated(unsafe) private static var received: LineInput?
    nonisolated(unsafe) private static var completer: Completer?
    nonisolated(unsafe) private static var candidates: [String] = []
    nonisolated(unsafe) private static var nextCandidate = 0

    private static let lineHandler: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { line in
        rl_callback_handler_remove()
        guard let line else {
            received = .end
            return
        }
        received = .line(String(cString: line))
        free(line)
    }

    private static let attemptCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
        guard let text, let completer else { return nil }
        let lineBytes = rl_line_buffer.map { Array(String(cString: $0).utf8) } ?? []
        let before = String(decoding: lineBytes.prefix(Int(max(0, start))), as: UTF8.self)
        guard let found = completer.completions(of: String(cString: text), after: before) else {
            return nil
        }
        rl_attempted_completion_over = 1
        rl_completion_append_character = 0
        candidates = found
        nextCandidate = 0
        return rl_completion_matches(text, nextMatch)
    }

    /// readline's generator: the next candidate (malloc'ed, readline frees it) or nil.
    private static let nextMatch: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, _ in
        guard nextCandidate < candidates.count else { return nil }
        defer { nextCandidate += 1 }
        return strdup(candidates[nextCandidate])
    }
}
