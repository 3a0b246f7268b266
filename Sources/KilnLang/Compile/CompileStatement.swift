/// Compiling statements to `Exec` closures, and assignment targets to `Assign` closures
/// (names, attributes, items, slices and tuple unpacking with one starred target).

extension Compiler {
    func statement(_ stmt: Stmt) throws -> Exec {
        let interp = interpreter
        switch stmt {
        case .expression(let e):
            let v = try expression(e)
            return { f in
                _ = try v(f)
                return .normal
            }

        case .assign(let targets, let value, _):
            let v = try expression(value)
            if targets.count == 1, case .name(let id) = targets[0], case .local(let s)? = id.binding {
                return { f in
                    f.locals[s] = try v(f)
                    return .normal
                }
            }
            let assigns = try targets.map(assigner)
            return { f in
                let value = try v(f)
                for a in assigns { try a(f, value) }
                return .normal
            }

        case .augmentedAssign(let target, let op, let value, let pos):
            return try augmentedAssign(target, op, value, pos)

        case .def(let def):
            let make = try function(def)
            guard let name = def.name else { return { _ in .normal } }
            let assign = try store(name)
            return { f in
                try assign(f, try make(f))
                return .normal
            }

        case .return(let e, _):
            guard let e = e else { return { _ in .returned(.none) } }
            let v = try expression(e)
            return { f in .returned(try v(f)) }

        case .if(let branches, let orElse, _):
            let compiled = try branches.map { (try condition($0.condition), block(try $0.body.map(statement))) }
            let otherwise = try orElse.map { block(try $0.map(statement)) }
            if compiled.count == 1 {
                let (test, body) = compiled[0]
                if let otherwise = otherwise {
                    return { f in try test(f) ? try body(f) : try otherwise(f) }
                }
                return { f in try test(f) ? try body(f) : .normal }
            }
            return { f in
                for (test, body) in compiled where try test(f) { return try body(f) }
                return try otherwise?(f) ?? .normal
            }

        case .for(let target, let iterable, let body, _):
            let iter = try expression(iterable)
            let assign = try assigner(target)
            let run = block(try body.map(statement))
            let iterPos = iterable.position
            return { [unowned(unsafe) interp] f in
                let it = try iter(f)
                var flow = Flow.normal
                try at(iterPos) {
                    try interp.forEach(it) { v in
                        try assign(f, v)
                        switch try run(f) {
                        case .normal, .continueLoop: return true
                        case .breakLoop: return false
                        case .returned(let r):
                            flow = .returned(r)
                            return false
                        }
                    }
                }
                return flow
            }

        case .while(let cond, let body, let pos):
            let test = try condition(cond)
            let run = block(try body.map(statement))
            return { [unowned(unsafe) interp] f in
                while try test(f) {
                    try at(pos) { try interp.tick() }
                    switch try run(f) {
                    case .normal, .continueLoop: continue
                    case .breakLoop: return .normal
                    case .returned(let r): return .returned(r)
                    }
                }
                return .normal
            }

        case .break:
            return { _ in .breakLoop }
        case .continue:
            return { _ in .continueLoop }
        case .pass:
            return { _ in .normal }

        case .import(let names, _):
            let imports: [Exec] = try names.map { n in
                let assign = try store(n.bound)
                let path = n.path
                let bindsTop = n.alias == nil
                let pos = n.position
                return { [unowned(unsafe) interp] f in
                    let m = try at(pos) { try interp.importModule(path) }
                    let bound = bindsTop && path.count > 1 ? try at(pos) { try interp.importModule([path[0]]) } : m
                    try assign(f, .object(bound))
                    return .normal
                }
            }
            return block(imports)

        case .fromImport(let path, let names, let pos):
            let assigns = try names.map { (name: $0.name, assign: try store($0.bound)) }
            return { [unowned(unsafe) interp] f in
                let m = try at(pos) { try interp.importModule(path) }
                for (name, assign) in assigns {
                    let value = try at(pos) { () throws -> Value in
                        if let v = try m.attribute(name, interp) { return v }
                        if let sub = try? interp.importModule(path + [name]) { return .object(sub) }
                        throw KilnError("ImportError", "cannot import name '\(name)' from '\(path.joined(separator: "."))'")
                    }
                    try assign(f, value)
                }
                return .normal
            }

        case .assert(let cond, let message, let pos):
            let test = try condition(cond)
            let text = try message.map(expression)
            return { f in
                if try test(f) { return .normal }
                let msg = try text.map { Repr.str(try $0(f)) } ?? ""
                throw KilnError("AssertionError", msg, at: pos)
            }

        case .del(let targets, _):
            return block(try targets.map(deletion))
        }
    }

    // MARK: Assignment

    /// A closure that assigns a value to `target`.
    func assigner(_ target: Expr) throws -> Assign {
        let interp = interpreter
        switch target {
        case .name(let id):
            return try store(id)
        case .attribute(let object, let name, let pos):
            let o = try expression(object)
            return { [unowned(unsafe) interp] f, v in
                let obj = try o(f)
                try at(pos) { try interp.setAttribute(obj, name, v) }
            }
        case .index(let object, let key, let pos):
            let o = try expression(object), k = try expression(key)
            return { f, v in
                let obj = try o(f)
                let i = try k(f)
                try at(pos) { try Compiler.setItem(obj, i, v) }
            }
        case .slice(let object, let lower, let upper, let step, let pos):
            let o = try expression(object)
            let parts = try [lower, upper, step].map { try $0.map(expression) }
            return { f, v in
                let obj = try o(f)
                let b = try parts.map { try $0?(f) ?? .none }
                try at(pos) { try Compiler.setItem(obj, .object(KSlice(lower: b[0], upper: b[1], step: b[2])), v) }
            }
        case .tuple(let items, let pos), .list(let items, let pos):
            return try unpacking(items, pos)
        default:
            throw KilnError.syntax("cannot assign to expression", at: target.position)
        }
    }

    static func setItem(_ object: Value, _ key: Value, _ value: Value) throws {
        guard case .object(let o) = object else {
            throw KilnError.type("'\(object.typeName)' object does not support item assignment")
        }
        try o.setItem(key, value)
    }

    /// `a, *rest, b = value`.
    private func unpacking(_ items: [Expr], _ pos: Position) throws -> Assign {
        let starIndex = items.firstIndex { if case .starred = $0 { return true } else { return false } }
        let assigns: [Assign] = try items.map { item in
            if case .starred(let inner, _) = item { return try assigner(inner) }
            return try assigner(item)
        }
        let interp = interpreter
        let count = items.count
        return { [unowned(unsafe) interp] f, v in
            let values = try at(pos) { () throws -> [Value] in
                do {
                    return try interp.iterate(v)
                } catch let e as KilnError where e.type == "TypeError" {
                    throw KilnError.type("cannot unpack non-iterable \(v.typeName) object")
                }
            }
            if let star = starIndex {
                let after = count - star - 1
                guard values.count >= count - 1 else {
                    throw KilnError("ValueError", "not enough values to unpack (expected at least \(count - 1), got \(values.count))", at: pos)
                }
                for i in 0..<star { try assigns[i](f, values[i]) }
                try assigns[star](f, .object(KList(Array(values[star..<(values.count - after)]))))
                for j in 0..<after { try assigns[star + 1 + j](f, values[values.count - after + j]) }
                return
            }
            guard values.count == count else {
                let message = values.count > count
                    ? "too many values to unpack (expected \(count))"
                    : "not enough values to unpack (expected \(count), got \(values.count))"
                throw KilnError("ValueError", message, at: pos)
            }
            for (a, value) in zip(assigns, values) { try a(f, value) }
        }
    }

    /// `target op= value`: the target is evaluated once; `list += iterable` extends in place.
    private func augmentedAssign(_ target: Expr, _ op: BinaryOp, _ value: Expr, _ pos: Position) throws -> Exec {
        let rhs = try expression(value)
        let interp = interpreter
        func combine(_ current: Value, _ r: Value) throws -> Value {
            if op == .add, case .object(let o) = current, let list = o as? KList {
                list.items += try interp.iterate(r)
                return current
            }
            return try Operators.binary(op, current, r)
        }
        switch target {
        case .name(let id):
            let get = try load(id), set = try store(id)
            if op == .add, case .local(let s)? = id.binding {
                return { f in
                    let r = try rhs(f)
                    if case .int(let a)? = f.locals[s], case .int(let b) = r {
                        let (sum, o) = a.addingReportingOverflow(b)
                        if !o {
                            f.locals[s] = .int(sum)
                            return .normal
                        }
                    }
                    let current = try get(f)
                    f.locals[s] = try at(pos) { try combine(current, r) }
                    return .normal
                }
            }
            return { f in
                let current = try get(f)
                let r = try rhs(f)
                try set(f, try at(pos) { try combine(current, r) })
                return .normal
            }
        case .index(let object, let key, let keyPos):
            let o = try expression(object), k = try expression(key)
            return { [unowned(unsafe) interp] f in
                let obj = try o(f)
                let i = try k(f)
                let current = try at(keyPos) { try interp.getItem(obj, i) }
                let r = try rhs(f)
                let result = try at(pos) { try combine(current, r) }
                try at(keyPos) { try Compiler.setItem(obj, i, result) }
                return .normal
            }
        case .attribute(let object, let name, let namePos):
            let o = try expression(object)
            return { [unowned(unsafe) interp] f in
                let obj = try o(f)
                let current = try at(namePos) { try interp.getAttribute(obj, name) }
                let r = try rhs(f)
                let result = try at(pos) { try combine(current, r) }
                try at(namePos) { try interp.setAttribute(obj, name, result) }
                return .normal
            }
        default:
            throw KilnError.syntax("'\(Compiler.describe(target))' is an illegal expression for augmented assignment", at: target.position)
        }
    }

    static func describe(_ e: Expr) -> String {
        switch e {
        case .literal: return "literal"
        case .call: return "function call"
        case .tuple: return "tuple"
        case .list: return "list"
        default: return "expression"
        }
    }

    /// `del target`.
    private func deletion(_ target: Expr) throws -> Exec {
        switch target {
        case .name(let id):
            let isBound = try load(id)
            let globals = self.globals
            return { f in
                _ = try isBound(f)
                Compiler.unbind(id, f, globals)
                return .normal
            }
        case .index(let object, let key, let pos):
            let o = try expression(object), k = try expression(key)
            return { f in
                let obj = try o(f)
                let i = try k(f)
                try at(pos) {
                    guard case .object(let ob) = obj else {
                        throw KilnError.type("'\(obj.typeName)' object does not support item deletion")
                    }
                    try ob.deleteItem(i)
                }
                return .normal
            }
        case .slice(let object, let lower, let upper, let step, let pos):
            let o = try expression(object)
            let parts = try [lower, upper, step].map { try $0.map(expression) }
            return { f in
                let obj = try o(f)
                let b = try parts.map { try $0?(f) ?? .none }
                try at(pos) {
                    guard case .object(let ob) = obj else {
                        throw KilnError.type("'\(obj.typeName)' object does not support item deletion")
                    }
                    try ob.deleteItem(.object(KSlice(lower: b[0], upper: b[1], step: b[2])))
                }
                return .normal
            }
        case .tuple(let items, _), .list(let items, _):
            return block(try items.map(deletion))
        default:
            throw KilnError.syntax("cannot delete \(Compiler.describe(target))", at: target.position)
        }
    }

    /// Makes a name unbound again after `del`.
    static func unbind(_ id: Identifier, _ f: Frame, _ globals: GlobalTable) {
        switch id.binding {
        case .local(let s)?: f.locals[s] = nil
        case .cell(let s)?: cell(f, s).value = nil
        case .global(let g)?: globals.values[g] = nil
        default: break
        }
    }
}

extension Interpreter {
    /// `object.name = value`.
    public func setAttribute(_ object: Value, _ name: String, _ value: Value) throws {
        guard case .object(let o) = object else {
            throw KilnError.attribute("'\(object.typeName)' object attribute '\(name)' is read-only")
        }
        try o.setAttribute(name, value)
    }
}
