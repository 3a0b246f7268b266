/// The one place the front ends get their interpreter from.

/// Thrown by `makeDefaultExecutor` while the interpreter is not connected to notebooks.
public struct InterpreterNotWired: Error, CustomStringConvertible {
    public init() {}
    public var description: String {
        "the Kiln interpreter is not wired into notebooks yet (KilnNotebook.makeDefaultExecutor)"
    }
}

/// Creates the executor that runs cells with the Kiln interpreter, writing printed output to
/// `output`. `kiln run` (and later the REPL) call this and nothing else to get one.
///
/// TODO(interpreter): return the adapter around the interpreter here (a `CellExecutor` that
/// runs each cell in one shared module scope, writes `print` output to `output`, returns the
/// repr of the last expression statement, or the formatted traceback on error).
public func makeDefaultExecutor(output: OutputSink) throws -> CellExecutor {
    throw InterpreterNotWired()
}
