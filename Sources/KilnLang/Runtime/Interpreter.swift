/// The interpreter: runs cells (parse → resolve → compile → execute) against one module's
/// globals, calls functions on a frame stack, enforces the recursion limit and the step
/// budget, imports modules, and formats tracebacks.

import Foundation

/// How a statement finished.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
}

/// The running function's frame: its local slots and the function object (for captured cells).
struct Frame {
    let locals: UnsafeMutablePointer<Value?>
    unowned(unsafe) let function: KFunction
}

/// Where `import` finds modules: native modules built by a factory, and modules written in
/// Kiln (the stdlib/ sources shipped inside the binary). `alias` lets several names reach one
/// module (`numpy` → `np`).
public final class ModuleRegistry {
    private var factories: [String: (Interpreter) throws -> KModule] = [:]
    private var sources: [String: String] = [:]
    private var aliases: [String: String] = [:]

    public init() {}

    public func register(_ name: String, _ factory: @escaping (Interpreter) throws -> KModule) {
        factories[name] = factory
    }

    public func registerSource(_ name: String, _ source: String) { sources[name] = source }

    public func alias(_ name: String, to target: String) { aliases[name] = target }

    func canonical(_ name: String) -> String { aliases[name] ?? name }
    func factory(_ name: String) -> ((Interpreter) throws -> KModule)? { factories[canonical(name)] }
    func source(_ name: String) -> String? { sources[canonical(name)] }

    public var moduleNames: [String] { Array(Set(factories.keys).union(sources.keys).union(aliases.keys)).sorted() }
}

/// Runs Kiln code. One interpreter is one session: globals persist from cell to cell.
public final class Interpreter {
    /// The session's globals.
    public let globals = GlobalTable()
    /// Where `print` writes.
    public var output: (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }
    /// Where `display(...)` sends a rich value: its MIME bundle (text/plain first). By default
    /// the text/plain form is printed.
    public var display: (_ bundle: [DisplayItem]) -> Void = { _ in }
    /// Per-session objects the native modules keep with the interpreter (KilnLibrary's Keras
    /// session), by name.
    public var attachments: [String: AnyObject] = [:]
    /// Maximum depth of nested calls (Python's default recursion limit).
    public var recursionLimit = 1000
    /// The values of Hyperas templates in the running trial of `hyperas.optim.minimize`, by
    /// template (`ObjectIdentifier` of its `CompiledTemplate`); nil outside minimize.
    var templateValues: [ObjectIdentifier: Value]?
    /// Maximum number of steps (loop iterations and calls) per cell; nil for none.
    public var stepBudget: Int?
    public let modules: ModuleRegistry

    var builtinValues: [Value] = []
    var builtinIndex: [String: Int] = [:]
    private var methodTables: [String: [String: KBuiltin]] = [:]
    private var loadedModules: [String: KModule] = [:]
    private var loading: Set<String> = []
    /// Source lines by file name, for tracebacks.
    private var sourceLines: [String: [String]] = [:]

    // Frame stack.
    private let stackCapacity = 1 << 16
    private let stackBase: UnsafeMutablePointer<Value?>
    private var stackTop: UnsafeMutablePointer<Value?>
    private var depth = 0

    // Step accounting.
    private var steps = 0
    private var nextCheck = 0
    /// Set (from any thread, e.g. a SIGINT handler) to stop the running cell with KeyboardInterrupt.
    nonisolated(unsafe) public static var interruptRequested = false
    /// Set together with `interruptRequested` by a cell's timer: the interruption is then a
    /// TimeoutError with this message.
    nonisolated(unsafe) public static var timeoutMessage: String?

    public init(modules: ModuleRegistry = ModuleRegistry()) {
        self.modules = modules
        stackBase = .allocate(capacity: stackCapacity)
        stackBase.initialize(repeating: nil, count: stackCapacity)
        stackTop = stackBase
        installCoreBuiltins()
        display = { [unowned self] bundle in
            if let text = bundle.first(where: { $0.mime == "text/plain" })?.text { self.output(text + "\n") }
        }
    }

    deinit {
        stackBase.deinitialize(count: stackCapacity)
        stackBase.deallocate()
    }

    // MARK: Built-ins

    /// Adds (or replaces) a predeclared name visible in every module.
    public func defineBuiltin(_ name: String, _ value: Value) {
        if let i = builtinIndex[name] {
            builtinValues[i] = value
        } else {
            builtinIndex[name] = builtinValues.count
            builtinValues.append(value)
        }
    }

    public func defineBuiltins(_ functions: [KBuiltin]) {
        for f in functions { defineBuiltin(f.name, .object(f)) }
    }

    public func builtin(_ name: String) -> Value? { builtinIndex[name].map { builtinValues[$0] } }

    /// Installs the methods of a built-in type (`"list"`, `"str"`, …).
    public func defineMethods(of typeName: String, _ methods: [KBuiltin]) {
        var table = methodTables[typeName] ?? [:]
        for m in methods { table[m.name] = m }
        methodTables[typeName] = table
    }

    public func methodNames(of typeName: String) -> [String] { (methodTables[typeName] ?? [:]).keys.sorted() }

    /// The method `name` installed for a type, unbound.
    public func method(_ name: String, ofType typeName: String) -> KBuiltin? { methodTables[typeName]?[name] }

    /// `receiver.name` for a method of a built-in type, bound to the receiver.
    public func builtinMethod(_ name: String, of receiver: Value) -> Value? {
        methodTables[receiver.typeName]?[name].map { .object($0.bound(to: receiver)) }
    }

    /// `receiver.name(args…)` for a built-in type, without allocating a bound method.
    public func callBuiltinMethod(_ name: String, on receiver: Value, _ args: Arguments) throws -> Value {
        guard let m = methodTables[receiver.typeName]?[name] else {
            throw KilnError.attribute("'\(receiver.typeName)' object has no attribute '\(name)'")
        }
        return try m.invoke(receiver: receiver, args, self)
    }

    // MARK: Running cells

    /// The outcome of running a cell: the value of its last expression statement (nil when
    /// the cell does not end in an expression, or it is None), or the error.
    public typealias CellResult = Result<Value?, KilnError>

    /// Runs a cell on a thread with a large stack (deep recursion cannot crash the process).
    /// `firstLine` is the line of the file where the cell's text starts, so positions in
    /// errors point into the file.
    public func run(_ source: String, filename: String, firstLine: Int = 1) -> CellResult {
        final class Outcome: @unchecked Sendable { var result: CellResult = .success(nil) }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            outcome.result = self.runOnCurrentThread(source, filename: filename, firstLine: firstLine)
            done.signal()
        }
        thread.stackSize = 512 << 20
        thread.start()
        done.wait()
        return outcome.result
    }

    /// Runs a cell on the calling thread (which must have a large enough stack).
    public func runOnCurrentThread(_ source: String, filename: String, firstLine: Int = 1) -> CellResult {
        let text = firstLine > 1 ? String(repeating: "\n", count: firstLine - 1) + source : source
        registerSource(text, filename: filename, firstLine: firstLine)
        do {
            let code = try compile(text, filename: filename, globals: globals, isCell: true)
            steps = 0
            nextCheck = min(stepBudget ?? Int.max, 10_000)
            return .success(try execute(code))
        } catch var error as KilnError {
            if error.filename == nil { error.filename = filename }
            return .failure(error)
        } catch {
            return .failure(KilnError("SystemError", "\(error)"))
        }
    }

    private func registerSource(_ text: String, filename: String, firstLine: Int) {
        var lines = sourceLines[filename] ?? []
        let cellLines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count < cellLines.count { lines += Array(repeating: "", count: cellLines.count - lines.count) }
        for i in (firstLine - 1)..<cellLines.count { lines[i] = cellLines[i] }
        sourceLines[filename] = lines
    }

    /// A cell or module compiled to a top-level function.
    struct CompiledCell {
        let function: KFunction
        let resultSlot: Box
    }

    final class Box { var value: Value? }

    func compile(_ text: String, filename: String, globals: GlobalTable, isCell: Bool) throws -> CompiledCell {
        let program = try Parser.parse(text)
        let layout = try Resolver(globals: globals, builtins: builtinIndex).resolve(program)
        let compiler = Compiler(interpreter: self, globals: globals, filename: filename)
        let result = Box()
        let code = try compiler.compileTopLevel(program, layout: layout, result: isCell ? result : nil)
        return CompiledCell(function: KFunction(code: code, defaults: [], freeCells: []), resultSlot: result)
    }

    private func execute(_ cell: CompiledCell) throws -> Value? {
        _ = try invoke(cell.function, Arguments())
        if let v = cell.resultSlot.value, case .none = v { return nil }
        return cell.resultSlot.value
    }

    // MARK: Calls

    /// Calls any callable value.
    public func call(_ callee: Value, _ args: Arguments) throws -> Value {
        guard case .object(let o) = callee else {
            throw KilnError.type("'\(callee.typeName)' object is not callable")
        }
        return try o.call(args, self)
    }

    /// Calls a Kiln function with arguments bound by Python's rules.
    func invoke(_ fn: KFunction, _ args: Arguments) throws -> Value {
        let code = fn.code
        return try withFrame(fn) { locals in
            if code.isSimple && args.keywords.isEmpty && args.positional.count == code.parameters.names.count {
                for (i, v) in args.positional.enumerated() { locals[i] = v }
            } else {
                try code.parameters.bind(code.name, args, defaults: fn.defaults, into: locals)
            }
        }
    }

    /// Pushes a frame for `fn`, lets `bind` fill the parameters, runs the body and pops the
    /// frame; records the traceback line if an error passes through.
    @inline(__always)
    func withFrame(_ fn: KFunction, _ bind: (UnsafeMutablePointer<Value?>) throws -> Void) throws -> Value {
        let code = fn.code
        let n = code.localCount
        let locals: UnsafeMutablePointer<Value?>
        let onStack = stackTop + n <= stackBase + stackCapacity
        if onStack {
            locals = stackTop
            stackTop += n
        } else {
            locals = .allocate(capacity: n)
            locals.initialize(repeating: nil, count: n)
        }
        depth += 1
        defer {
            depth -= 1
            for i in 0..<n { locals[i] = nil }
            if onStack {
                stackTop = locals
            } else {
                locals.deinitialize(count: n)
                locals.deallocate()
            }
        }
        // Binding errors and the recursion limit belong to the caller's line, not the callee's.
        if depth > recursionLimit {
            throw KilnError("RecursionError", "maximum recursion depth exceeded")
        }
        try tick()
        try bind(locals)
        do {
            for slot in code.cellSlots { locals[slot] = .object(KCell(locals[slot])) }
            if case .returned(let v) = try code.body(Frame(locals: locals, function: fn)) { return v }
            return .none
        } catch var e as KilnError {
            e.traceback.insert(TraceFrame(filename: code.filename, position: e.position ?? code.position,
                                          function: code.name), at: 0)
            e.position = nil
            throw e
        }
    }

    // MARK: Limits

    /// Counts one step (a loop iteration or a call) against the budget.
    @inline(__always)
    func tick() throws {
        steps &+= 1
        if steps >= nextCheck { try checkLimits() }
    }

    private func checkLimits() throws {
        if Interpreter.interruptRequested {
            Interpreter.interruptRequested = false
            if let message = Interpreter.timeoutMessage {
                Interpreter.timeoutMessage = nil
                throw KilnError("TimeoutError", message)
            }
            throw KilnError("KeyboardInterrupt", "")
        }
        if let budget = stepBudget, steps >= budget {
            throw KilnError("TimeoutError", "step budget of \(budget) steps exceeded")
        }
        nextCheck = min(stepBudget ?? Int.max, steps + 10_000)
    }

    // MARK: Generic operations

    /// The elements of an iterable value.
    public func iterate(_ value: Value) throws -> [Value] {
        switch value {
        case .object(let o):
            if let sequence = o as? KSequence { return sequence.items }
            if let r = o as? KRange, let n = r.count, n > 1 << 32 {
                throw KilnError("MemoryError", "a list of \(n) elements does not fit in memory")
            }
        case .string(let s):
            return s.unicodeScalars.map { .string(String($0)) }
        default: break
        }
        let it = try makeIterator(value)
        var items: [Value] = []
        while let v = try it.next() { items.append(v) }
        return items
    }

    public func makeIterator(_ value: Value) throws -> KIterator {
        switch value {
        case .string(let s):
            return ArrayIterator(s.unicodeScalars.map { .string(String($0)) })
        case .object(let o):
            if let it = try o.makeIterator() { return it }
        default: break
        }
        throw KilnError.type("'\(value.typeName)' object is not iterable")
    }

    /// `value.name`.
    public func getAttribute(_ value: Value, _ name: String) throws -> Value {
        if case .object(let o) = value, let v = try o.attribute(name, self) { return v }
        if let m = builtinMethod(name, of: value) { return m }
        if case .object(let o) = value, let m = o as? KModule {
            throw KilnError.attribute("module '\(m.name)' has no attribute '\(name)'")
        }
        throw KilnError.attribute("'\(value.typeName)' object has no attribute '\(name)'")
    }

    /// `receiver.name(args…)`.
    public func callMethod(_ receiver: Value, _ name: String, _ args: Arguments) throws -> Value {
        if case .object(let o) = receiver { return try o.callMethod(name, args, self) }
        return try callBuiltinMethod(name, on: receiver, args)
    }

    /// `value[key]`.
    public func getItem(_ value: Value, _ key: Value) throws -> Value {
        switch value {
        case .object(let o):
            return try o.getItem(key)
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            if let slice = key.as(KSlice.self) {
                var out = String.UnicodeScalarView()
                for i in try SequenceIndex.indices(slice, count: scalars.count) { out.append(scalars[i]) }
                return .string(String(out))
            }
            guard key.asInt != nil else {
                throw KilnError.type("string indices must be integers, not '\(key.typeName)'")
            }
            return .string(String(scalars[try SequenceIndex.resolve(key, count: scalars.count, kind: "string")]))
        default:
            throw KilnError.type("'\(value.typeName)' object is not subscriptable")
        }
    }

    /// `len(value)`.
    public func length(_ value: Value) throws -> Int {
        switch value {
        case .string(let s): return s.unicodeScalars.count
        case .object(let o): if let n = o.count { return n }
        default: break
        }
        throw KilnError.type("object of type '\(value.typeName)' has no len()")
    }

    // MARK: Imports

    /// The module at a dotted path (`keras.layers`), loading it on first use.
    public func importModule(_ path: [String]) throws -> KModule {
        let name = path.joined(separator: ".")
        let key = modules.canonical(name)
        if let m = loadedModules[key] { return m }
        if let factory = modules.factory(name) {
            let m = try factory(self)
            loadedModules[key] = m
            return m
        }
        if let source = modules.source(name) {
            guard !loading.contains(key) else {
                throw KilnError("ImportError", "cannot import name '\(name)' (circular import)")
            }
            loading.insert(key)
            defer { loading.remove(key) }
            let moduleGlobals = GlobalTable()
            let filename = "<stdlib>/\(key.replacingOccurrences(of: ".", with: "/")).kiln"
            registerSource(source, filename: filename, firstLine: 1)
            let cell = try compile(source, filename: filename, globals: moduleGlobals, isCell: false)
            _ = try invoke(cell.function, Arguments())
            var members: [String: Value] = [:]
            for n in moduleGlobals.boundNames { members[n] = moduleGlobals[n] }
            let m = KModule(key, members: members)
            loadedModules[key] = m
            return m
        }
        if path.count > 1, let parent = try? importModule(Array(path.dropLast())),
           let sub = try parent.attribute(path[path.count - 1], self), let m = sub.as(KModule.self) {
            return m
        }
        throw KilnError("ModuleNotFoundError", "No module named '\(name)'")
    }

    // MARK: Tracebacks

    /// The error as Python prints it: `Traceback (most recent call last):`, one
    /// `file:line:col in function` frame per call with its source line and a caret, then
    /// `Type: message`. Runs of identical frames (deep recursion) are folded.
    public func formatTraceback(_ error: KilnError) -> String {
        var out = ""
        var frames = error.traceback
        if frames.isEmpty, let p = error.position {
            frames = [TraceFrame(filename: error.filename ?? "<cell>", position: p, function: "")]
        } else {
            out += "Traceback (most recent call last):\n"
        }
        var i = 0
        while i < frames.count {
            let f = frames[i]
            var repeats = 0
            while i + repeats + 1 < frames.count && frames[i + repeats + 1] == f { repeats += 1 }
            out += "  \(f.filename):\(f.position.line):\(f.position.column)"
            out += f.function.isEmpty ? "\n" : " in \(f.function)\n"
            if let line = sourceLine(f.filename, f.position.line) {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                let indent = line.count - trimmed.count
                out += "    \(trimmed)\n"
                let caretColumn = max(0, f.position.column - 1 - indent)
                out += "    " + String(repeating: " ", count: caretColumn) + "^\n"
            }
            if repeats >= 3 {
                out += "  [Previous line repeated \(repeats) more times]\n"
                i += repeats + 1
            } else {
                i += 1
            }
        }
        return out + error.description
    }

    /// Line `line` (1-based) of a file the interpreter has run.
    public func sourceLine(_ filename: String, _ line: Int) -> String? {
        guard let lines = sourceLines[filename], line >= 1, line <= lines.count else { return nil }
        return lines[line - 1]
    }
}
