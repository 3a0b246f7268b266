/// One REPL session: the interpreter whose names live from input to input, the numbered
/// inputs, what each input shows, and the recording of each into the store.

import Foundation
import KilnLang
import KilnLibrary
import KilnNotebook
import KilnStore

/// How an input ended, with the value of its result (for `_`) when it has one.
struct InputRun {
    var outcome: CellOutcome
    var value: Value?

    static let done = InputRun(outcome: .completed(result: nil), value: nil)

    /// IPython's error for a magic used wrongly (`UsageError: Missing filename.`).
    static func usageError(_ message: String) -> InputRun {
        InputRun(outcome: .failed(traceback: "UsageError: \(message)"), value: nil)
    }
}

/// Runs the inputs of one session in order and shows and records each.
///
/// Input n (from 1) is shown as `In [n]`; its printed text appears as it is written, then its
/// result as `Out[n]: repr` (set into `_`, with the two before it in `__` and `___`) or its
/// traceback. Code runs in one Kiln interpreter whose globals persist from input to input;
/// magics, `obj?` and `help(obj)` run beside it. Every input is stored as a code cell of a
/// `repl` session (its source as typed, count, times, status and outputs) when it finishes.
public final class ReplSession {
    public let interpreter: Interpreter
    /// Runs the notebooks of `%run`, on the same interpreter.
    let executor: CellExecutor
    public let store: Store?
    /// Where everything is shown.
    let output: OutputSink
    /// What the running input prints: shown on `output` and kept for its cell in the store.
    let capture: CellCapture
    let recorder: SessionRecorder
    /// Reads answers to questions (`%reset`'s "Proceed (y/[n])?").
    var reader: LineReader?

    /// The inputs so far; input n is `inputs[n - 1]`.
    public private(set) var inputs: [String] = []
    /// Text `%load` put in for the next prompt.
    var nextInput: String?
    /// Set by `%quit`.
    public internal(set) var quitRequested = false

    /// Starts a session recorded into `store` (nothing is recorded without one), showing its
    /// inputs' output on `output`.
    public init(store: Store?, output: OutputSink, warnings: OutputSink = StandardStream.error) {
        self.store = store
        self.output = output
        capture = CellCapture(forwardingTo: output)
        let executor = InterpreterExecutor(output: capture)
        self.executor = executor
        interpreter = executor.interpreter
        recorder = SessionRecorder(store: store, kind: .repl, source: nil, warnings: warnings)
        if let store {
            KilnLibrary.attach(RecordedModels(store: store, recorder: recorder), to: interpreter)
            let studies = RecordedStudies(store: store, recorder: recorder, warnings: warnings)
            KilnLibrary.attach(studies, to: interpreter)
            KilnLibrary.attachShared(studies, to: interpreter)
        }
    }

    /// The number the next input gets.
    public var executionCount: Int { inputs.count + 1 }

    /// The session's id in the store (nil when it is not recorded).
    public var sessionID: Int64? { recorder.sessionID }

    /// The tab completion of this session's names.
    public var completer: Completer { Completer(interpreter: interpreter, magicNames: Magic.names) }

    /// Runs one complete input: numbers it, runs it, shows its result or traceback and
    /// records it.
    public func submit(_ source: String) {
        let count = executionCount
        inputs.append(source)
        let started = Date()
        let clock = monotonicSeconds()
        _ = capture.takeOutputs()
        let run = perform(Input(source), count: count)
        let duration = monotonicSeconds() - clock
        let produced = capture.takeOutputs()
        show(run, count: count, hidesResult: source.trimmingWhitespace.hasSuffix(";"))
        recorder.record(kind: .code, source: source, filename: ReplSession.filename(count), firstLine: 1, executionCount: count,
                        started: started, duration: duration, status: run.outcome.status, outputs: run.outcome.outputs(captured: produced))
    }

    /// The file name input `count`'s tracebacks give (`In[3]`), also stored with the cell so a
    /// replay's tracebacks read the same.
    static func filename(_ count: Int) -> String { "In[\(count)]" }

    /// Marks the session ended in the store.
    public func finish() {
        output.flush()
        recorder.finish(.ok)
    }

    /// The text `%load` left for the next prompt, once.
    func takeNextInput() -> String? {
        defer { nextInput = nil }
        return nextInput
    }

    private func perform(_ input: Input, count: Int) -> InputRun {
        switch input {
        case .code(let source):
            return runCode(source, count: count)
        case .magic(let name, let arguments):
            return Magic.run(name, arguments: arguments, in: self, count: count)
        case .help(let target):
            capture.write(helpText(for: target, in: interpreter) + "\n")
            return .done
        case .quit:
            quitRequested = true
            return .done
        }
    }

    /// Runs Kiln code as input `count` (its tracebacks name the file `In[count]`).
    func runCode(_ source: String, count: Int) -> InputRun {
        let result = interpreter.run(source, filename: ReplSession.filename(count))
        return InputRun(outcome: CellOutcome(result, in: interpreter), value: try? result.get())
    }

    /// Shows the result as `Out[n]` (a result of several lines starts on the next line, as in
    /// IPython) and keeps it in `_`, or shows the traceback.
    private func show(_ run: InputRun, count: Int, hidesResult: Bool) {
        switch run.outcome {
        case .completed(let result?) where !hidesResult:
            let separator = result.contains("\n") ? "\n" : ""
            output.write(InputAssembler.outputPrompt(count) + separator + result + "\n")
            if let value = run.value {
                interpreter.globals["___"] = interpreter.globals["__"]
                interpreter.globals["__"] = interpreter.globals["_"]
                interpreter.globals["_"] = value
            }
        case .completed:
            break
        case .failed(let traceback):
            output.write(traceback.hasSuffix("\n") ? traceback : traceback + "\n")
        }
        output.flush()
    }

    /// Asks a yes/no question as IPython's `ask_yes_no` does: again until the answer is y,
    /// yes, n or no; an empty answer, Ctrl-C or the end of the input mean `defaultAnswer`.
    func askYesNo(_ question: String, defaultAnswer: Bool = false) -> Bool {
        while let reader {
            guard case .line(let answer) = reader.readLine(prompt: question, initialText: nil) else {
                output.write("\n")
                return defaultAnswer
            }
            switch answer.trimmingWhitespace.lowercased() {
            case "y", "yes": return true
            case "n", "no": return false
            case "": return defaultAnswer
            default: continue
            }
        }
        return defaultAnswer
    }
}
