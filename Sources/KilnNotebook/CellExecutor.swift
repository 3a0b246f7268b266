/// The seam between notebooks and the interpreter: the runner (and later the REPL and the
/// store's replay) execute cells only through `CellExecutor`, so this module does not depend
/// on how Kiln code is evaluated and can be tested with a fake.

/// How a cell ended.
public enum CellOutcome: Equatable, Sendable {
    /// The cell ran to its end. `result` is the repr of its last expression statement, or nil
    /// when it does not end with an expression statement or that value is None (IPython
    /// shows nothing then either).
    case completed(result: String?)
    /// The cell raised an error. `traceback` is the formatted traceback as the user should
    /// see it, `file:line:col` frames and source line with caret down to
    /// `TypeError: message`.
    case failed(traceback: String)
}

/// Runs cells of Kiln code, one after another, in one session: names defined by a cell are
/// visible to the next.
///
/// Printed (stream) output is not returned: the executor writes it, as it happens, to the
/// output sink it was created with.
public protocol CellExecutor: AnyObject {
    /// Executes `code`, which is found in `filename` starting at line `firstLine` (1-based):
    /// line k of `code` is line `firstLine + k - 1` of the file, and tracebacks must say so.
    func execute(code: String, filename: String, firstLine: Int) -> CellOutcome
}
