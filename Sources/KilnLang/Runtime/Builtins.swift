/// The predeclared functions of every Kiln module (Starlark's built-ins plus the Python ones
/// notebooks use), each declared once with its Python signature.

extension Interpreter {
    func installCoreBuiltins() {
        defineBuiltins([
            KBuiltin("print", "*args, sep=' ', end='\\n'", doc: "Print the values, separated by sep, followed by end.") { a in
                let items = try a.list(0).map { Repr.str($0) }
                let sep = try a.string(1)
                let end = try a.string(2)
                a.interpreter.output(items.joined(separator: sep) + end)
                return .none
            },
            KBuiltin("len", "obj, /", doc: "Return the number of items in a container.") { a in
                .int(try a.interpreter.length(a[0]))
            },
            KBuiltin("range", "start_or_stop, stop=None, step=1, /", doc: "range(stop) or range(start, stop[, step]).") { a in
                let first = try a.int(0)
                guard let stop = try a.optionalInt(1) else { return .object(KRange(start: 0, stop: first, step: 1)) }
                let step = try a.int(2)
                if step == 0 { throw KilnError.value("range() arg 3 must not be zero") }
                return .object(KRange(start: first, stop: stop, step: step))
            },
        ])
    }
}
