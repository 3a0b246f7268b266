/// Compiling calls (with a fast path that binds a Kiln function's positional arguments
/// straight into its new frame, and method calls that allocate no bound method) and
/// comprehensions.

extension Compiler {
    func call(_ calleeExpr: Expr, _ args: [Argument]) throws -> Eval {
        let pos = calleeExpr.position
        let interp = interpreter
        let plain = args.allSatisfy { if case .positional = $0 { return true } else { return false } }

        if case .attribute(let objectExpr, let name, let namePos) = calleeExpr {
            let object = try expression(objectExpr)
            let arguments = try self.arguments(args)
            return { [unowned(unsafe) interp] f in
                let receiver = try object(f)
                let a = try arguments(f)
                return try at(namePos) { try interp.callMethod(receiver, name, a) }
            }
        }

        let callee = try expression(calleeExpr)
        guard plain else {
            let arguments = try self.arguments(args)
            return { [unowned(unsafe) interp] f in
                let c = try callee(f)
                let a = try arguments(f)
                return try at(pos) { try interp.call(c, a) }
            }
        }
        let evals: [Eval] = try args.map {
            if case .positional(let e) = $0 { return try expression(e) }
            return { _ in .none }
        }
        /// Binds already evaluated arguments straight into a simple function's frame.
        func direct(_ fn: KFunction, _ values: [Value]) throws -> Value {
            try interp.withFrame(fn) { locals in
                for (i, v) in values.enumerated() { locals[i] = v }
            }
        }
        switch evals.count {
        case 0:
            return { [unowned(unsafe) interp] f in
                let c = try callee(f)
                return try at(pos) { try interp.call(c, Arguments()) }
            }
        case 1:
            let a0 = evals[0]
            return { [unowned(unsafe) interp] f in
                let c = try callee(f)
                let v0 = try a0(f)
                if case .object(let o) = c, let fn = o as? KFunction, fn.code.isSimple, fn.code.parameters.names.count == 1 {
                    return try at(pos) { try interp.withFrame(fn) { $0[0] = v0 } }
                }
                return try at(pos) { try interp.call(c, Arguments([v0])) }
            }
        case 2:
            let a0 = evals[0], a1 = evals[1]
            return { [unowned(unsafe) interp] f in
                let c = try callee(f)
                let v0 = try a0(f)
                let v1 = try a1(f)
                if case .object(let o) = c, let fn = o as? KFunction, fn.code.isSimple, fn.code.parameters.names.count == 2 {
                    return try at(pos) {
                        try interp.withFrame(fn) { locals in
                            locals[0] = v0
                            locals[1] = v1
                        }
                    }
                }
                return try at(pos) { try interp.call(c, Arguments([v0, v1])) }
            }
        default:
            return { [unowned(unsafe) interp] f in
                let c = try callee(f)
                var values: [Value] = []
                values.reserveCapacity(evals.count)
                for e in evals { values.append(try e(f)) }
                if case .object(let o) = c, let fn = o as? KFunction, fn.code.isSimple, fn.code.parameters.names.count == values.count {
                    return try at(pos) { try direct(fn, values) }
                }
                return try at(pos) { try interp.call(c, Arguments(values)) }
            }
        }
    }

    /// The arguments of a call site, with `*iterable` and `**mapping` expanded.
    func arguments(_ args: [Argument]) throws -> (Frame) throws -> Arguments {
        enum Part {
            case positional(Eval)
            case keyword(String, Eval)
            case star(Eval, Position)
            case starStar(Eval, Position)
        }
        let parts: [Part] = try args.map { a in
            switch a {
            case .positional(let e): return .positional(try expression(e))
            case .keyword(let name, let e, _): return .keyword(name, try expression(e))
            case .star(let e): return .star(try expression(e), e.position)
            case .starStar(let e): return .starStar(try expression(e), e.position)
            }
        }
        let interp = interpreter
        return { [unowned(unsafe) interp] f in
            var result = Arguments()
            for p in parts {
                switch p {
                case .positional(let e):
                    result.positional.append(try e(f))
                case .keyword(let name, let e):
                    result.keywords.append((name, try e(f)))
                case .star(let e, let pos):
                    let v = try e(f)
                    result.positional += try at(pos) {
                        do {
                            return try interp.iterate(v)
                        } catch let error as KilnError where error.type == "TypeError" {
                            throw KilnError.type("argument after * must be an iterable, not \(v.typeName)")
                        }
                    }
                case .starStar(let e, let pos):
                    let v = try e(f)
                    guard let d = v.as(KDict.self) else {
                        throw KilnError("TypeError", "argument after ** must be a mapping, not \(v.typeName)", at: pos)
                    }
                    for (k, value) in d.table.entries {
                        guard case .string(let name) = k else {
                            throw KilnError("TypeError", "keywords must be strings", at: pos)
                        }
                        result.keywords.append((name, value))
                    }
                }
            }
            return result
        }
    }

    // MARK: Comprehensions

    /// A comprehension: nested loops over its clauses feeding a new list, set or dict.
    func comprehension(_ c: Comprehension) throws -> Eval {
        let pos = c.position
        typealias Emit = (Frame, KObject) throws -> Void
        var emit: Emit
        let body = try expression(c.body)
        switch c.kind {
        case .list:
            emit = { f, out in
                // The accumulator is created below with the matching type.
                (out as? KList)?.items.append(try body(f))
            }
        case .set:
            emit = { f, out in
                let v = try body(f)
                try at(pos) { try (out as? KSet)?.table.set(v, .none) }
            }
        case .dict:
            let value = try c.value.map(expression) ?? { _ in .none }
            emit = { f, out in
                let k = try body(f)
                let v = try value(f)
                try at(pos) { try (out as? KDict)?.set(k, v) }
            }
        }
        let interp = interpreter
        for clause in c.clauses.reversed() {
            let inner = emit
            switch clause {
            case .for(let target, let iterable, let forPos):
                let iter = try expression(iterable)
                let assign = try assigner(target)
                emit = { [unowned(unsafe) interp] f, out in
                    let it = try iter(f)
                    try at(forPos) {
                        try interp.forEach(it) { v in
                            try assign(f, v)
                            try inner(f, out)
                            return true
                        }
                    }
                }
            case .if(let cond, _):
                let test = try condition(cond)
                emit = { f, out in
                    if try test(f) { try inner(f, out) }
                }
            }
        }
        let run = emit
        let kind = c.kind
        return { f in
            let out: KObject
            switch kind {
            case .list: out = KList()
            case .set: out = KSet()
            case .dict: out = KDict()
            }
            try run(f, out)
            return .object(out)
        }
    }
}

extension Interpreter {
    /// Calls `body` with each element of an iterable until it returns false; lists, tuples and
    /// ranges are walked without an iterator object. Each element counts as one step.
    func forEach(_ iterable: Value, _ body: (Value) throws -> Bool) throws {
        if case .object(let o) = iterable {
            if let r = o as? KRange {
                var i = r.start
                while r.step > 0 ? i < r.stop : i > r.stop {
                    try tick()
                    guard try body(.int(i)) else { return }
                    let (next, overflow) = i.addingReportingOverflow(r.step)
                    if overflow { return }
                    i = next
                }
                return
            }
            if let l = o as? KList {
                for v in l.items {
                    try tick()
                    guard try body(v) else { return }
                }
                return
            }
            if let t = o as? KTuple {
                for v in t.items {
                    try tick()
                    guard try body(v) else { return }
                }
                return
            }
        }
        let it = try makeIterator(iterable)
        while let v = try it.next() {
            try tick()
            guard try body(v) else { return }
        }
    }
}
