/// Compiling expressions to `Eval` closures, with fast paths for the int and float cases
/// that dominate loops, and conditions that never box their Bool.

extension Compiler {
    func expression(_ expr: Expr) throws -> Eval {
        switch expr {
        case .name(let id):
            return try load(id)
        case .literal(let lit, _):
            let v = Compiler.value(of: lit)
            return { _ in v }
        case .fstring(let parts, _):
            return try fstring(parts)
        case .unary(let op, let operand, let pos):
            if op == .minus, case .literal(.int(let i), _) = operand, i != Int.min {
                return { _ in .int(-i) }
            }
            if op == .minus, case .literal(.float(let d), _) = operand {
                return { _ in .float(-d) }
            }
            if op == .not {
                let c = try condition(operand)
                return { f in .bool(!(try c(f))) }
            }
            let e = try expression(operand)
            return { f in
                let v = try e(f)
                return try at(pos) { try Operators.unary(op, v) }
            }
        case .binary(let op, let l, let r, let pos):
            return try binary(op, l, r, pos)
        case .boolean(let op, let l, let r, _):
            // `and`/`or` yield an operand, not a bool.
            let a = try expression(l), b = try expression(r)
            let pos = l.position
            if op == .and {
                return { f in
                    let v = try a(f)
                    return try at(pos) { try v.truthValue() } ? try b(f) : v
                }
            }
            return { f in
                let v = try a(f)
                return try at(pos) { try v.truthValue() } ? v : try b(f)
            }
        case .compare(let first, let rest):
            return try comparisonValue(first, rest)
        case .conditional(let cond, let then, let otherwise, _):
            let c = try condition(cond), t = try expression(then), o = try expression(otherwise)
            return { f in try c(f) ? try t(f) : try o(f) }
        case .call(let callee, let args, _):
            return try call(callee, args)
        case .attribute(let object, let name, let pos):
            let o = try expression(object)
            let interp = interpreter
            return { [unowned(unsafe) interp] f in
                let v = try o(f)
                return try at(pos) { try interp.getAttribute(v, name) }
            }
        case .index(let object, let key, let pos):
            let o = try expression(object), k = try expression(key)
            let interp = interpreter
            return { [unowned(unsafe) interp] f in
                let v = try o(f)
                let i = try k(f)
                if case .object(let obj) = v, let list = obj as? KList, case .int(let n) = i, n >= 0, n < list.items.count {
                    return list.items[n]
                }
                return try at(pos) { try interp.getItem(v, i) }
            }
        case .slice(let object, let lower, let upper, let step, let pos):
            let o = try expression(object)
            let slice = try sliceObject(lower, upper, step)
            let interp = interpreter
            return { [unowned(unsafe) interp] f in
                let v = try o(f)
                let key = try slice(f)
                return try at(pos) { try interp.getItem(v, key) }
            }
        case .sliceItem(let lower, let upper, let step, _):
            return try sliceObject(lower, upper, step)
        case .list(let items, _):
            let build = try elements(items)
            return { f in .object(KList(try build(f))) }
        case .tuple(let items, _):
            let build = try elements(items)
            return { f in .object(KTuple(try build(f))) }
        case .set(let items, let pos):
            let build = try elements(items)
            return { f in
                let values = try build(f)
                return try at(pos) { .object(try KSet(values)) }
            }
        case .dict(let entries, _):
            let compiled = try entries.map { (try expression($0.key), try expression($0.value), $0.key.position) }
            return { f in
                let d = KDict()
                for (k, v, pos) in compiled {
                    let key = try k(f)
                    let value = try v(f)
                    try at(pos) { try d.set(key, value) }
                }
                return .object(d)
            }
        case .comprehension(let c):
            return try comprehension(c)
        case .lambda(let def):
            return try function(def)
        case .starred(_, let pos):
            throw KilnError.syntax("can't use starred expression here", at: pos)
        case .template(let t):
            return try template(t)
        }
    }

    static func value(of literal: Literal) -> Value {
        switch literal {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        }
    }

    /// A slice object `lower:upper:step` (missing bounds are None).
    private func sliceObject(_ lower: Expr?, _ upper: Expr?, _ step: Expr?) throws -> Eval {
        let parts = try [lower, upper, step].map { try $0.map(expression) }
        return { f in
            let bounds = try parts.map { try $0?(f) ?? .none }
            return .object(KSlice(lower: bounds[0], upper: bounds[1], step: bounds[2]))
        }
    }

    /// The values of a display's items, expanding `*iterable` items.
    private func elements(_ items: [Expr]) throws -> (Frame) throws -> [Value] {
        let hasStar = items.contains { if case .starred = $0 { return true } else { return false } }
        if !hasStar {
            let evals = try items.map(expression)
            return { f in
                var values: [Value] = []
                values.reserveCapacity(evals.count)
                for e in evals { values.append(try e(f)) }
                return values
            }
        }
        let interp = interpreter
        let parts: [(Eval, Bool, Position)] = try items.map { item in
            if case .starred(let inner, let pos) = item { return (try expression(inner), true, pos) }
            return (try expression(item), false, item.position)
        }
        return { [unowned(unsafe) interp] f in
            var values: [Value] = []
            for (e, star, pos) in parts {
                let v = try e(f)
                if star {
                    values += try at(pos) { try interp.iterate(v) }
                } else {
                    values.append(v)
                }
            }
            return values
        }
    }

    // MARK: Operators

    private func binary(_ op: BinaryOp, _ left: Expr, _ right: Expr, _ pos: Position) throws -> Eval {
        let l = try expression(left)
        if case .literal(.int(let c), _) = right, op == .add || op == .subtract {
            let isAdd = op == .add
            let r: Value = .int(c)
            return { f in
                let a = try l(f)
                if case .int(let x) = a {
                    let (s, o) = isAdd ? x.addingReportingOverflow(c) : x.subtractingReportingOverflow(c)
                    if !o { return .int(s) }
                }
                return try at(pos) { try Operators.binary(op, a, r) }
            }
        }
        let r = try expression(right)
        switch op {
        case .add: return Compiler.arithmetic(Add.self, l, r, pos)
        case .subtract: return Compiler.arithmetic(Subtract.self, l, r, pos)
        case .multiply: return Compiler.arithmetic(Multiply.self, l, r, pos)
        default:
            return { f in
                let a = try l(f), b = try r(f)
                return try at(pos) { try Operators.binary(op, a, b) }
            }
        }
    }

    /// `+`, `-` or `*` with inline int (overflow-checked) and float cases; anything else goes
    /// to `Operators.binary`. Specialised per operator at compile time, so no indirect call.
    private static func arithmetic<K: InlineArithmetic>(_: K.Type, _ l: @escaping Eval, _ r: @escaping Eval, _ pos: Position) -> Eval {
        return { f in
            let a = try l(f), b = try r(f)
            if case .int(let x) = a, case .int(let y) = b {
                let (s, o) = K.int(x, y)
                if !o { return .int(s) }
            } else if case .float(let x) = a, case .float(let y) = b {
                return .float(K.float(x, y))
            }
            return try at(pos) { try Operators.binary(K.op, a, b) }
        }
    }

    /// An expression evaluated for its truth, without boxing comparisons into Values.
    func condition(_ expr: Expr) throws -> Condition {
        switch expr {
        case .compare(let first, let rest) where rest.count == 1:
            let (op, right, pos) = rest[0]
            return try comparison(try expression(first), op, right, pos)
        case .compare(let first, let rest):
            let head = try expression(first)
            let links = try rest.map { (op: $0.0, value: try expression($0.1), pos: $0.2) }
            return { f in
                var left = try head(f)
                for link in links {
                    let right = try link.value(f)
                    guard try at(link.pos, { try Operators.compare(link.op, left, right) }) else { return false }
                    left = right
                }
                return true
            }
        case .boolean(.and, let l, let r, _):
            let a = try condition(l), b = try condition(r)
            return { f in try a(f) && b(f) }
        case .boolean(.or, let l, let r, _):
            let a = try condition(l), b = try condition(r)
            return { f in try a(f) || b(f) }
        case .unary(.not, let operand, _):
            let c = try condition(operand)
            return { f in !(try c(f)) }
        default:
            let e = try expression(expr)
            let pos = expr.position
            return { f in
                let v = try e(f)
                if case .object = v { return try at(pos) { try v.truthValue() } }
                return v.isTruthy
            }
        }
    }

    /// A comparison used as a value: a bool, or an object's elementwise result (`a > 0` on a
    /// numpy array). A chain `a < b < c` yields the first false link's result, or the last.
    private func comparisonValue(_ first: Expr, _ rest: [(CompareOp, Expr, Position)]) throws -> Eval {
        if rest.count == 1 {
            let (op, right, pos) = rest[0]
            let l = try expression(first), r = try expression(right)
            return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b {
                    switch op {
                    case .lt, .le, .gt, .ge: return .bool(Operators.ordered(op, x, y))
                    case .eq: return .bool(x == y)
                    case .ne: return .bool(x != y)
                    default: break
                    }
                }
                return try at(pos) { try Operators.compareValue(op, a, b) }
            }
        }
        let head = try expression(first)
        let links = try rest.map { (op: $0.0, value: try expression($0.1), pos: $0.2) }
        return { f in
            var left = try head(f)
            var result = Value.true
            for link in links {
                let right = try link.value(f)
                let value = try at(link.pos) { try Operators.compareValue(link.op, left, right) }
                guard try at(link.pos, { try value.truthValue() }) else { return value }
                result = value
                left = right
            }
            return result
        }
    }

    private func comparison(_ l: @escaping Eval, _ op: CompareOp, _ right: Expr, _ pos: Position) throws -> Condition {
        if case .literal(.int(let c), _) = right, op == .lt || op == .le || op == .gt || op == .ge || op == .eq || op == .ne {
            let r: Value = .int(c)
            return { f in
                let a = try l(f)
                if case .int(let x) = a {
                    switch op {
                    case .lt: return x < c
                    case .le: return x <= c
                    case .gt: return x > c
                    case .ge: return x >= c
                    case .eq: return x == c
                    default: return x != c
                    }
                }
                return try at(pos) { try Operators.compare(op, a, r) }
            }
        }
        let r = try expression(right)
        switch op {
        case .lt, .le, .gt, .ge:
            return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return Operators.ordered(op, x, y) }
                if case .float(let x) = a, case .float(let y) = b { return Operators.ordered(op, x, y) }
                return try at(pos) { try Operators.compare(op, a, b) }
            }
        default:
            return { f in
                let a = try l(f), b = try r(f)
                return try at(pos) { try Operators.compare(op, a, b) }
            }
        }
    }

    // MARK: f-strings

    private func fstring(_ parts: [FStringPart]) throws -> Eval {
        let pieces = try fstringPieces(parts)
        return { f in
            var out = ""
            for p in pieces { out += try p(f) }
            return .string(out)
        }
    }

    private func fstringPieces(_ parts: [FStringPart]) throws -> [(Frame) throws -> String] {
        try parts.map { part in
            switch part {
            case .literal(let s):
                return { _ in s }
            case .field(let e, let conversion, let specParts):
                let value = try expression(e)
                let spec = try fstringPieces(specParts)
                let pos = e.position
                return { f in
                    var v = try value(f)
                    switch conversion {
                    case "r": v = .string(Repr.repr(v))
                    case "a": v = .string(Compiler.ascii(Repr.repr(v)))
                    case "s": v = .string(Repr.str(v))
                    default: break
                    }
                    if spec.isEmpty { return Repr.str(v) }
                    var specText = ""
                    for p in spec { specText += try p(f) }
                    return try at(pos) { try Format.apply(v, spec: specText) }
                }
            }
        }
    }

    /// Python's `ascii()`: non-ASCII characters escaped.
    static func ascii(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar.isASCII {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = String(scalar.value, radix: 16)
                let (prefix, width) = scalar.value <= 0xff ? ("\\x", 2) : scalar.value <= 0xffff ? ("\\u", 4) : ("\\U", 8)
                out += prefix + String(repeating: "0", count: width - hex.count) + hex
            }
        }
        return out
    }
}

/// An operator with inline fast paths for two ints and two floats.
protocol InlineArithmetic {
    static var op: BinaryOp { get }
    static func int(_ a: Int, _ b: Int) -> (partialValue: Int, overflow: Bool)
    static func float(_ a: Double, _ b: Double) -> Double
}

enum Add: InlineArithmetic {
    static var op: BinaryOp { .add }
    static func int(_ a: Int, _ b: Int) -> (partialValue: Int, overflow: Bool) { a.addingReportingOverflow(b) }
    static func float(_ a: Double, _ b: Double) -> Double { a + b }
}

enum Subtract: InlineArithmetic {
    static var op: BinaryOp { .subtract }
    static func int(_ a: Int, _ b: Int) -> (partialValue: Int, overflow: Bool) { a.subtractingReportingOverflow(b) }
    static func float(_ a: Double, _ b: Double) -> Double { a - b }
}

enum Multiply: InlineArithmetic {
    static var op: BinaryOp { .multiply }
    static func int(_ a: Int, _ b: Int) -> (partialValue: Int, overflow: Bool) { a.multipliedReportingOverflow(by: b) }
    static func float(_ a: Double, _ b: Double) -> Double { a * b }
}
