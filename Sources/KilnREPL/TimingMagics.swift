/// `%time` and `%timeit`.

import KilnLang
import KilnNotebook

extension Magic {
    static let timingMagics = [
        Magic(name: "time", usage: "%time statement", description: """
            Run the statement once and print the CPU time (user, system, total) and wall time it \
            took, as IPython does. The statement's result is the input's result.
            """) { session, arguments, count in
            let cpuStart = CPUTimes.now()
            let wallStart = monotonicSeconds()
            let run = session.runCode(arguments, count: count)
            let wall = monotonicSeconds() - wallStart
            if case .completed = run.outcome {
                session.capture.write(timeReport(cpuStart: cpuStart, cpuEnd: CPUTimes.now(), wallSeconds: wall))
            }
            return run
        },
        Magic(name: "timeit", usage: "%timeit [-n N] [-r R] [-p P] [-q] statement", description: """
            Time the statement by running it in a loop, and print the mean and standard \
            deviation per loop over R runs (default 7) of N loops each. Without -n, N is the \
            first power of 10 whose loops take at least 0.2 s. -p sets the significant digits \
            shown (default 3); -q prints nothing. As in IPython, the statement runs inside a \
            function: names it assigns are local to it.
            """) { session, arguments, count in
            let options = try MagicOptions(arguments, flags: "q", valued: "nrp")
            return timeit(options.rest.isEmpty ? "pass" : options.rest, loops: try options.positiveInteger("n"),
                          repeats: try options.positiveInteger("r") ?? 7, precision: try options.positiveInteger("p") ?? 3,
                          quiet: options.flags.contains("q"), in: session, count: count)
        },
    ]

    /// `%timeit`: defines a function that times `statement` run in a loop, as IPython's
    /// template does (the hidden globals `_kiln_timeit` and its clock `_kiln_timer`, removed
    /// afterwards), calls it, and reports the runs.
    private static func timeit(_ statement: String, loops: Int?, repeats: Int, precision: Int, quiet: Bool,
                               in session: ReplSession, count: Int) -> InputRun {
        let interpreter = session.interpreter
        let definition = """
            def _kiln_timeit(_kiln_loops, _kiln_timer):
                _kiln_start = _kiln_timer()
                for _kiln_loop in range(_kiln_loops):
                    \(statement)
                return _kiln_timer() - _kiln_start
            """
        interpreter.globals["_kiln_timer"] = .object(KBuiltin("_kiln_timer", "") { _ in .float(monotonicSeconds()) })
        defer {
            interpreter.globals["_kiln_timeit"] = nil
            interpreter.globals["_kiln_timer"] = nil
        }
        let defined = session.runCode(definition, count: count)
        if case .failed = defined.outcome { return defined }

        func time(_ loops: Int) throws -> Double {
            switch interpreter.run("_kiln_timeit(\(loops), _kiln_timer)", filename: "<timeit>") {
            case .success(let seconds): return seconds?.asDouble ?? 0
            case .failure(let error): throw error
            }
        }
        do {
            let loops = try loops ?? automaticLoopCount(time)
            let runs = try (0..<repeats).map { _ in try time(loops) }
            let result = TimeitResult(loops: loops, runs: runs, precision: precision)
            if !quiet {
                if let warning = result.cachingWarning { session.capture.write(warning + "\n") }
                session.capture.write(result.description + "\n")
            }
            return .done
        } catch let error as KilnError {
            return InputRun(outcome: CellOutcome(.failure(error), in: interpreter), value: nil)
        } catch {
            return .usageError("\(error)")
        }
    }
}
