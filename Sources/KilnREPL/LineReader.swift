/// Where the REPL's lines come from: readline on a terminal, plain lines from a pipe or file,
/// or a script in tests.

/// What reading one line gave.
public enum LineInput: Equatable {
    /// A line, without its newline (it may hold several lines when recalled or preloaded).
    case line(String)
    /// Ctrl-C was pressed: the line is abandoned.
    case interrupted
    /// Ctrl-D on an empty line, or the end of the input.
    case end
}

/// Reads the lines typed at the REPL's prompts.
public protocol LineReader: AnyObject {
    /// Shows `prompt` and reads one line. `initialText`, when given, is the line's text to
    /// begin with (what `%load` put in), for the user to edit or accept.
    func readLine(prompt: String, initialText: String?) -> LineInput
    /// Adds a complete input to the history, for recall and the history file.
    func addHistory(_ entry: String)
}
