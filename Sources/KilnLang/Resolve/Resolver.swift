/// The resolver binds every identifier of a parsed cell to a frame slot, a captured cell, a
/// module global or a built-in before anything runs, so the evaluator never looks a name up
/// by string. Unknown names are reported here, with Python's "Did you mean" suggestion.
///
/// Scoping follows Python 3: a name assigned anywhere in a function is local to it;
/// comprehension variables are local to the comprehension; inner functions capture enclosing
/// locals through shared cells; functions cannot assign globals (Kiln has no `global`).

/// The names of a module's globals and their slots. Cells of a notebook share one table, so
/// later cells see earlier cells' names.
public final class GlobalTable {
    public private(set) var names: [String] = []
    private var slots: [String: Int] = [:]
    /// Values, indexed by slot; nil while a name is declared but not yet assigned.
    public private(set) var values: UnsafeMutablePointer<Value?>
    private var capacity: Int

    public init() {
        capacity = 64
        values = .allocate(capacity: capacity)
        values.initialize(repeating: nil, count: capacity)
    }

    deinit {
        values.deinitialize(count: capacity)
        values.deallocate()
    }

    public func slot(of name: String) -> Int? { slots[name] }

    /// The slot of `name`, declaring it if new.
    public func declare(_ name: String) -> Int {
        if let s = slots[name] { return s }
        let s = names.count
        if s == capacity { grow() }
        names.append(name)
        slots[name] = s
        return s
    }

    private func grow() {
        let newCapacity = capacity * 2
        let newValues = UnsafeMutablePointer<Value?>.allocate(capacity: newCapacity)
        newValues.moveInitialize(from: values, count: capacity)
        (newValues + capacity).initialize(repeating: nil, count: newCapacity - capacity)
        values.deallocate()
        values = newValues
        capacity = newCapacity
    }

    public subscript(name: String) -> Value? {
        get { slots[name].flatMap { values[$0] } }
        set { values[declare(name)] = newValue }
    }

    /// Names with a value, in declaration order.
    public var boundNames: [String] { names.enumerated().filter { values[$0.offset] != nil }.map(\.element) }

    /// Forgets every name (IPython's `%reset`).
    public func removeAll() {
        for i in 0..<names.count { values[i] = nil }
    }
}

/// Binds the identifiers of a program (one cell or module) in place.
public struct Resolver {
    private let globals: GlobalTable
    private let builtins: [String: Int]

    public init(globals: GlobalTable, builtins: [String: Int]) {
        self.globals = globals
        self.builtins = builtins
    }

    /// The frame layout of a cell's top-level code (its comprehension variables).
    public struct TopLevel {
        public var localCount: Int
        public var cellSlots: [Int]
    }

    /// Resolves a whole cell. Names bound at its top level become globals.
    public func resolve(_ program: Program) throws -> TopLevel {
        var topNames: [Identifier] = []
        BoundNames.collect(program.statements, into: &topNames)
        for id in topNames { _ = globals.declare(id.name) }
        let scope = Scope(function: nil, parent: nil)
        try resolveBlock(program.statements, scope)
        scope.finish()
        return TopLevel(localCount: scope.slotCount, cellSlots: scope.cells.sorted())
    }

    // MARK: Scopes

    final class Scope {
        let function: FunctionDef?
        let parent: Scope?
        /// Function-level locals.
        var locals: [String: Int] = [:]
        /// Comprehension scopes, innermost last.
        var blocks: [[String: Int]] = []
        var slotCount = 0
        var cells: Set<Int> = []
        var free: [Binding] = []
        var freeIndex: [String: Int] = [:]
        /// Identifiers bound to `.local` here, rewritten to `.cell` once captures are known.
        var localUses: [Identifier] = []
        var loopDepth = 0

        init(function: FunctionDef?, parent: Scope?) {
            self.function = function
            self.parent = parent
        }

        func newSlot() -> Int {
            defer { slotCount += 1 }
            return slotCount
        }

        func findLocal(_ name: String) -> Int? {
            for block in blocks.reversed() {
                if let s = block[name] { return s }
            }
            return locals[name]
        }

        /// Rewrites captured locals to cells and records the frame layout.
        func finish() {
            for id in localUses {
                if case .local(let s)? = id.binding, cells.contains(s) { id.binding = .cell(s) }
            }
            if let f = function {
                f.localCount = slotCount
                f.cellSlots = cells.sorted()
                f.freeVariables = free
            }
        }

        var visibleNames: [String] {
            var names = Array(locals.keys) + blocks.flatMap(\.keys) + Array(freeIndex.keys)
            if let p = parent { names += p.visibleNames }
            return names
        }
    }

    // MARK: Statements

    private func resolveBlock(_ statements: [Stmt], _ scope: Scope) throws {
        for s in statements { try resolveStatement(s, scope) }
    }

    private func resolveStatement(_ stmt: Stmt, _ scope: Scope) throws {
        switch stmt {
        case .expression(let e):
            try resolveExpr(e, scope)
        case .assign(let targets, let value, _):
            try resolveExpr(value, scope)
            for t in targets { try resolveTarget(t, scope) }
        case .augmentedAssign(let target, _, let value, _):
            try resolveExpr(value, scope)
            try resolveExpr(target, scope)
        case .def(let f):
            try resolveFunction(f, scope)
            if let name = f.name { bind(name, scope) }
        case .return(let e, let pos):
            if scope.function == nil { throw KilnError.syntax("'return' outside function", at: pos) }
            if let e = e { try resolveExpr(e, scope) }
        case .if(let branches, let orElse, _):
            for b in branches {
                try resolveExpr(b.condition, scope)
                try resolveBlock(b.body, scope)
            }
            if let e = orElse { try resolveBlock(e, scope) }
        case .for(let target, let iterable, let body, _):
            try resolveExpr(iterable, scope)
            try resolveTarget(target, scope)
            scope.loopDepth += 1
            try resolveBlock(body, scope)
            scope.loopDepth -= 1
        case .while(let condition, let body, _):
            try resolveExpr(condition, scope)
            scope.loopDepth += 1
            try resolveBlock(body, scope)
            scope.loopDepth -= 1
        case .break(let pos):
            if scope.loopDepth == 0 { throw KilnError.syntax("'break' outside loop", at: pos) }
        case .continue(let pos):
            if scope.loopDepth == 0 { throw KilnError.syntax("'continue' not properly in loop", at: pos) }
        case .pass:
            break
        case .import(let names, _):
            for n in names { bind(n.bound, scope) }
        case .fromImport(_, let names, _):
            for n in names { bind(n.bound, scope) }
        case .assert(let condition, let message, _):
            try resolveExpr(condition, scope)
            if let m = message { try resolveExpr(m, scope) }
        case .del(let targets, _):
            for t in targets { try resolveExpr(t, scope) }
        }
    }

    /// Binds a name being assigned in `scope`.
    private func bind(_ id: Identifier, _ scope: Scope) {
        if let slot = scope.findLocal(id.name) {
            id.binding = .local(slot)
            scope.localUses.append(id)
        } else if scope.function == nil, let g = globals.slot(of: id.name) {
            id.binding = .global(g)
        } else {
            // Locals were collected up front; anything else is a logic error we can recover from.
            let slot = scope.newSlot()
            scope.locals[id.name] = slot
            id.binding = .local(slot)
            scope.localUses.append(id)
        }
    }

    private func resolveTarget(_ target: Expr, _ scope: Scope) throws {
        switch target {
        case .name(let id): bind(id, scope)
        case .tuple(let items, _), .list(let items, _):
            for t in items { try resolveTarget(t, scope) }
        case .starred(let inner, _): try resolveTarget(inner, scope)
        default: try resolveExpr(target, scope)
        }
    }

    private func resolveFunction(_ f: FunctionDef, _ scope: Scope) throws {
        for p in f.parameters {
            if let d = p.defaultValue { try resolveExpr(d, scope) }
        }
        let inner = Scope(function: f, parent: scope)
        for p in f.parameters {
            let slot = inner.newSlot()
            inner.locals[p.name.name] = slot
            p.name.binding = .local(slot)
            inner.localUses.append(p.name)
        }
        var bound: [Identifier] = []
        BoundNames.collect(f.body, into: &bound)
        for id in bound where inner.locals[id.name] == nil {
            inner.locals[id.name] = inner.newSlot()
        }
        try resolveBlock(f.body, inner)
        inner.finish()
    }

    // MARK: Expressions

    private func resolveExpr(_ expr: Expr, _ scope: Scope) throws {
        switch expr {
        case .name(let id):
            try use(id, scope)
        case .literal:
            break
        case .fstring(let parts, _):
            try resolveFString(parts, scope)
        case .unary(_, let e, _), .starred(let e, _):
            try resolveExpr(e, scope)
        case .binary(_, let a, let b, _), .boolean(_, let a, let b, _):
            try resolveExpr(a, scope)
            try resolveExpr(b, scope)
        case .compare(let first, let rest):
            try resolveExpr(first, scope)
            for (_, e, _) in rest { try resolveExpr(e, scope) }
        case .conditional(let c, let t, let o, _):
            try resolveExpr(c, scope)
            try resolveExpr(t, scope)
            try resolveExpr(o, scope)
        case .call(let callee, let args, _):
            try resolveExpr(callee, scope)
            for a in args {
                switch a {
                case .positional(let e), .keyword(_, let e, _), .star(let e), .starStar(let e):
                    try resolveExpr(e, scope)
                }
            }
        case .attribute(let e, _, _):
            try resolveExpr(e, scope)
        case .index(let e, let i, _):
            try resolveExpr(e, scope)
            try resolveExpr(i, scope)
        case .slice(let e, let lo, let hi, let step, _):
            try resolveExpr(e, scope)
            for part in [lo, hi, step] { if let p = part { try resolveExpr(p, scope) } }
        case .sliceItem(let lo, let hi, let step, _):
            for part in [lo, hi, step] { if let p = part { try resolveExpr(p, scope) } }
        case .list(let items, _), .tuple(let items, _), .set(let items, _):
            for i in items { try resolveExpr(i, scope) }
        case .dict(let entries, _):
            for e in entries {
                try resolveExpr(e.key, scope)
                try resolveExpr(e.value, scope)
            }
        case .comprehension(let c):
            try resolveComprehension(c, scope)
        case .lambda(let f):
            try resolveFunction(f, scope)
        case .template(let t):
            // At module scope: Hyperas evaluates a template's prior in a module of its own,
            // where the model function's locals are not visible.
            let top = Scope(function: nil, parent: nil)
            try resolveExpr(t.body, top)
            top.finish()
            t.localCount = top.slotCount
            t.cellSlots = top.cells.sorted()
        }
    }

    private func resolveFString(_ parts: [FStringPart], _ scope: Scope) throws {
        for p in parts {
            if case .field(let e, _, let spec) = p {
                try resolveExpr(e, scope)
                try resolveFString(spec, scope)
            }
        }
    }

    /// A comprehension's first iterable is evaluated in the enclosing scope; its loop
    /// variables live in a scope of their own.
    private func resolveComprehension(_ c: Comprehension, _ scope: Scope) throws {
        scope.blocks.append([:])
        defer { scope.blocks.removeLast() }
        for (i, clause) in c.clauses.enumerated() {
            switch clause {
            case .for(let target, let iterable, _):
                if i == 0 {
                    let saved = scope.blocks.removeLast()
                    try resolveExpr(iterable, scope)
                    scope.blocks.append(saved)
                } else {
                    try resolveExpr(iterable, scope)
                }
                var names: [Identifier] = []
                BoundNames.targets(target, into: &names)
                for id in names where scope.blocks[scope.blocks.count - 1][id.name] == nil {
                    scope.blocks[scope.blocks.count - 1][id.name] = scope.newSlot()
                }
                try resolveTarget(target, scope)
            case .if(let condition, _):
                try resolveExpr(condition, scope)
            }
        }
        try resolveExpr(c.body, scope)
        if let v = c.value { try resolveExpr(v, scope) }
    }

    /// Binds a name being read.
    private func use(_ id: Identifier, _ scope: Scope) throws {
        if let slot = scope.findLocal(id.name) {
            id.binding = .local(slot)
            scope.localUses.append(id)
            return
        }
        if let b = capture(id.name, scope) {
            id.binding = b
            return
        }
        if let g = globals.slot(of: id.name) {
            id.binding = .global(g)
            return
        }
        if let b = builtins[id.name] {
            id.binding = .builtin(b)
            return
        }
        var message = "name '\(id.name)' is not defined"
        // Like CPython: local names first, then globals, then built-ins.
        let groups = [scope.visibleNames, globals.names, Array(builtins.keys)]
        if let suggestion = groups.lazy.compactMap({ Suggestion.closest(to: id.name, among: $0) }).first {
            message += ". Did you mean: '\(suggestion)'?"
        }
        throw KilnError("NameError", message, at: id.position)
    }

    /// The binding, from inside `scope`, of a local of an enclosing function; marks the
    /// variable as a cell there and threads it through every function in between.
    private func capture(_ name: String, _ scope: Scope) -> Binding? {
        if let k = scope.freeIndex[name] { return .free(k) }
        guard let parent = scope.parent else { return nil }
        let outer: Binding
        if let slot = parent.findLocal(name) {
            parent.cells.insert(slot)
            outer = .cell(slot)
        } else if let b = capture(name, parent) {
            outer = b
        } else {
            return nil
        }
        let k = scope.free.count
        scope.free.append(outer)
        scope.freeIndex[name] = k
        return .free(k)
    }
}

/// The names a block of statements binds at its own level (not inside nested functions or
/// comprehensions): assignment, `for` and `del` targets, `def` names and imports.
enum BoundNames {
    static func collect(_ statements: [Stmt], into names: inout [Identifier]) {
        for s in statements {
            switch s {
            case .assign(let targets, _, _):
                for t in targets { Self.targets(t, into: &names) }
            case .augmentedAssign(let t, _, _, _):
                Self.targets(t, into: &names)
            case .def(let f):
                if let n = f.name { names.append(n) }
            case .if(let branches, let orElse, _):
                for b in branches { collect(b.body, into: &names) }
                if let e = orElse { collect(e, into: &names) }
            case .for(let target, _, let body, _):
                Self.targets(target, into: &names)
                collect(body, into: &names)
            case .while(_, let body, _):
                collect(body, into: &names)
            case .import(let imported, _):
                for n in imported { names.append(n.bound) }
            case .fromImport(_, let imported, _):
                for n in imported { names.append(n.bound) }
            case .del(let targets, _):
                for t in targets { Self.targets(t, into: &names) }
            case .expression, .return, .break, .continue, .pass, .assert:
                break
            }
        }
    }

    /// The names an assignment target binds (`a`, `a, (b, *c)`); attribute and index
    /// targets bind nothing.
    static func targets(_ target: Expr, into names: inout [Identifier]) {
        switch target {
        case .name(let id): names.append(id)
        case .tuple(let items, _), .list(let items, _):
            for t in items { targets(t, into: &names) }
        case .starred(let inner, _): targets(inner, into: &names)
        default: break
        }
    }
}

/// "Did you mean" suggestions by CPython's rule: Levenshtein distance where inserting,
/// deleting or replacing a character costs 2 and changing only its case costs 1, accepted
/// up to (len(a) + len(b) + 3) / 3; ties go to the alphabetically first name.
public enum Suggestion {
    public static func closest(to name: String, among candidates: [String]) -> String? {
        let target = Array(name.unicodeScalars)
        var best: (name: String, distance: Int)?
        for c in Set(candidates).sorted() where c != name {
            let other = Array(c.unicodeScalars)
            var limit = (target.count + other.count + 3) * 2 / 6
            if let b = best { limit = min(limit, b.distance - 1) }
            let d = distance(target, other)
            if d <= limit { best = (c, d) }
        }
        return best?.name
    }

    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        func substitution(_ x: Unicode.Scalar, _ y: Unicode.Scalar) -> Int {
            if x == y { return 0 }
            return x.properties.lowercaseMapping == y.properties.lowercaseMapping ? 1 : 2
        }
        var previous = Array(stride(from: 0, through: 2 * b.count, by: 2))
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 0..<a.count {
            current[0] = 2 * (i + 1)
            for j in 0..<b.count {
                current[j + 1] = min(previous[j + 1] + 2, current[j] + 2, previous[j] + substitution(a[i], b[j]))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
