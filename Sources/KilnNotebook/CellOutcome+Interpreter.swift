/// Turning what the interpreter returns for a cell into a `CellOutcome`, for front ends that
/// run cells on the interpreter themselves because they need the result's value (the REPL's
/// `_`), not only its repr.

import KilnLang

extension CellOutcome {
    /// The outcome of `interpreter.run(…)`: the repr of the cell's value, or the error's
    /// traceback as `interpreter` formats it.
    public init(_ result: Interpreter.CellResult, in interpreter: Interpreter) {
        switch result {
        case .success(let value):
            self = .completed(result: value.map { Repr.repr($0) })
        case .failure(let error):
            self = .failed(traceback: interpreter.formatTraceback(error))
        }
    }
}
