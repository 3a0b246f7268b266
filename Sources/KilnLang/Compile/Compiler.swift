/// The compiler turns a resolved syntax tree into a tree of Swift closures: each expression
/// becomes an `Eval` that computes its value from the running frame, each statement an
/// `Exec` that reports how it finished. Names are already slots, so running code never looks
/// a name up by string; common cases (int arithmetic, comparisons in conditions, calls of Kiln
/// functions, list indexing, `for` over `range`) get specialised closures.

typealias Eval = (Frame) throws -> Value
typealias Exec = (Frame) throws -> Flow
typealias Condition = (Frame) throws -> Bool
typealias Assign = (Frame, Value) throws -> Void

/// Runs `body`, giving any error that has no position yet the position `position`.
@inline(__always)
func at<T>(_ position: Position, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch var e as KilnError {
        if e.position == nil { e.position = position }
        throw e
    }
}

/// The cell stored in a frame slot the resolver marked as captured.
@inline(__always)
func cell(_ frame: Frame, _ slot: Int) -> KCell {
    if case .object(let o)? = frame.locals[slot], let c = o as? KCell { return c }
    // Cell slots are wrapped when the frame is entered; this is only reached if that
    // invariant is broken, and then a fresh cell is the safe answer.
    let c = KCell(frame.locals[slot])
    frame.locals[slot] = .object(c)
    return c
}

func unboundLocal(_ name: String, _ position: Position) -> KilnError {
    KilnError("UnboundLocalError", "cannot access local variable '\(name)' where it is not associated with a value", at: position)
}

struct Compiler {
    unowned(unsafe) let interpreter: Interpreter
    let globals: GlobalTable
    let filename: String
    /// The templates compiled so far in each enclosing function, innermost last.
    let templates = TemplateCollector()

    init(interpreter: Interpreter, globals: GlobalTable, filename: String) {
        self.interpreter = interpreter
        self.globals = globals
        self.filename = filename
    }

    /// Templates met while compiling, by enclosing function.
    final class TemplateCollector {
        var levels: [[CompiledTemplate]] = [[]]
    }

    /// Compiles a cell or module as a function of no parameters. When `result` is given and
    /// the last statement is an expression, its value is stored there (the cell's `Out`).
    func compileTopLevel(_ program: Program, layout: Resolver.TopLevel, result: Interpreter.Box?) throws -> CompiledFunction {
        let code = CompiledFunction(name: "<module>", filename: filename, position: Position(line: 1, column: 1),
                                    parameters: ParameterList(names: [], kinds: []),
                                    localCount: layout.localCount, cellSlots: layout.cellSlots)
        var statements = program.statements
        var tail: [Exec] = []
        if let result = result, case .expression(let e)? = statements.last {
            statements.removeLast()
            let value = try expression(e)
            tail.append { f in
                result.value = try value(f)
                return .normal
            }
        }
        code.body = block(try statements.map(statement) + tail)
        return code
    }

    // MARK: Names

    func load(_ id: Identifier) throws -> Eval {
        let name = id.name
        let position = id.position
        switch try binding(id) {
        case .local(let s):
            return { f in
                if let v = f.locals[s] { return v }
                throw unboundLocal(name, position)
            }
        case .cell(let s):
            return { f in
                if let v = cell(f, s).value { return v }
                throw unboundLocal(name, position)
            }
        case .free(let k):
            return { f in
                if let v = f.function.freeCells[k].value { return v }
                throw KilnError.name("cannot access free variable '\(name)' where it is not associated with a value in enclosing scope")
            }
        case .global(let g):
            let globals = self.globals
            return { _ in
                if let v = globals.values[g] { return v }
                throw KilnError("NameError", "name '\(name)' is not defined", at: position)
            }
        case .builtin(let b):
            let value = interpreter.builtinValues[b]
            return { _ in value }
        }
    }

    func store(_ id: Identifier) throws -> Assign {
        switch try binding(id) {
        case .local(let s):
            return { f, v in f.locals[s] = v }
        case .cell(let s):
            return { f, v in cell(f, s).value = v }
        case .free(let k):
            return { f, v in f.function.freeCells[k].value = v }
        case .global(let g):
            let globals = self.globals
            return { _, v in globals.values[g] = v }
        case .builtin:
            throw KilnError.syntax("cannot assign to built-in '\(id.name)'", at: id.position)
        }
    }

    private func binding(_ id: Identifier) throws -> Binding {
        guard let b = id.binding else {
            throw KilnError("SystemError", "name '\(id.name)' was not resolved", at: id.position)
        }
        return b
    }

    // MARK: Functions

    /// A `def` or `lambda`: evaluates the defaults and captures the cells, producing a
    /// function object each time it runs.
    func function(_ def: FunctionDef) throws -> Eval {
        let names = def.parameters.map { $0.name.name }
        let kinds: [ParameterList.Kind] = def.parameters.map {
            switch $0.kind {
            case .positional: return .positional
            case .keywordOnly: return .keywordOnly
            case .varargs: return .varargs
            case .kwargs: return .kwargs
            }
        }
        let code = CompiledFunction(name: def.name?.name ?? "<lambda>", filename: filename, position: def.position,
                                    parameters: ParameterList(names: names, kinds: kinds),
                                    localCount: def.localCount, cellSlots: def.cellSlots)
        templates.levels.append([])
        code.body = block(try def.body.map(statement))
        code.templates = templates.levels.removeLast().sorted { ($0.position.line, $0.position.column) < ($1.position.line, $1.position.column) }
        templates.levels[templates.levels.count - 1].append(contentsOf: code.templates)
        let defaults: [Eval?] = try def.parameters.map { p in try p.defaultValue.map(expression) }
        let captures: [(Frame) -> KCell] = def.freeVariables.map { binding in
            switch binding {
            case .free(let k): return { f in f.function.freeCells[k] }
            case .cell(let s), .local(let s): return { f in cell(f, s) }
            case .global, .builtin: return { _ in KCell(nil) }
            }
        }
        let hasDefaults = defaults.contains { $0 != nil }
        return { f in
            var values: [Value?] = []
            if hasDefaults {
                values.reserveCapacity(defaults.count)
                for d in defaults { values.append(try d.map { try $0(f) }) }
            } else {
                values = Array(repeating: nil, count: defaults.count)
            }
            return .object(KFunction(code: code, defaults: values, freeCells: captures.map { $0(f) }))
        }
    }

    // MARK: Templates

    /// A Hyperas template: its prior compiled as a module-level function of no parameters;
    /// the template itself evaluates to the running trial's value (see Runtime/Template.swift).
    func template(_ t: Template) throws -> Eval {
        let code = CompiledFunction(name: "<template>", filename: filename, position: t.position,
                                    parameters: ParameterList(names: [], kinds: []),
                                    localCount: t.localCount, cellSlots: t.cellSlots)
        let prior = try expression(t.body)
        code.body = { f in .returned(try prior(f)) }
        let site = CompiledTemplate(t, filename: filename, body: KFunction(code: code, defaults: [], freeCells: []))
        templates.levels[templates.levels.count - 1].append(site)
        let interp = interpreter
        return { [unowned(unsafe) interp] _ in try interp.templateValue(site) }
    }

    // MARK: Blocks

    func block(_ statements: [Exec]) -> Exec {
        switch statements.count {
        case 0:
            return { _ in .normal }
        case 1:
            return statements[0]
        case 2:
            let a = statements[0], b = statements[1]
            return { f in
                let r = try a(f)
                if case .normal = r { return try b(f) }
                return r
            }
        default:
            return { f in
                for s in statements {
                    let r = try s(f)
                    if case .normal = r { continue }
                    return r
                }
                return .normal
            }
        }
    }
}
