/// The one place the front ends get their interpreter from: `InterpreterExecutor` runs cells
/// with a Kiln interpreter session that has every native and stdlib module registered.

import Foundation
import KilnLang
import KilnLibrary
import KilnStore

/// Runs cells in one Kiln session, writing printed output to a sink as it happens.
public final class InterpreterExecutor: CellExecutor {
    public let interpreter: Interpreter

    /// `stepBudget` limits each cell's loop iterations and calls (nil: no limit).
    public init(output: OutputSink, interpreter: Interpreter = KilnLibrary.makeInterpreter(), stepBudget: Int? = nil) {
        self.interpreter = interpreter
        interpreter.output = { output.write($0) }
        interpreter.display = { bundle in
            output.display(StoredOutput(type: .display, items: bundle.map { item in
                OutputItem(mime: item.mime, text: item.text, data: item.bytes.map { Data($0) })
            }))
        }
        interpreter.stepBudget = stepBudget
    }

    public func execute(code: String, filename: String, firstLine: Int) -> CellOutcome {
        CellOutcome(interpreter.run(code, filename: filename, firstLine: firstLine), in: interpreter)
    }
}

/// Creates the executor that runs cells with the Kiln interpreter, writing printed output to
/// `output`. `kiln run` (and later the REPL) call this and nothing else to get one.
public func makeDefaultExecutor(output: OutputSink) throws -> CellExecutor {
    InterpreterExecutor(output: output)
}
