/// The syntax tree the `Parser` builds. Expressions and statements are value enums; the few
/// nodes the `Resolver` annotates (identifiers, functions, comprehensions) are classes so that
/// binding information can be attached in place, as starlark-go's resolver does.

/// Where the resolver bound a name.
public enum Binding: Equatable, Sendable {
    /// A slot in the current function's frame.
    case local(Int)
    /// A frame slot that holds a shared `Cell` because an inner function captures it.
    case cell(Int)
    /// The i-th captured cell of the current function (a variable of an enclosing function).
    case free(Int)
    /// A slot in the module's global table.
    case global(Int)
    /// A predeclared built-in (`len`, `print`, …).
    case builtin(Int)
}

/// A use or definition of a name. `binding` is nil until the resolver has run.
public final class Identifier: @unchecked Sendable {
    public let name: String
    public let position: Position
    public var binding: Binding?

    public init(_ name: String, _ position: Position) {
        self.name = name
        self.position = position
    }
}

public enum Literal: Equatable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

public enum UnaryOp: String, Sendable {
    case plus = "+", minus = "-", invert = "~", not = "not"
}

public enum BinaryOp: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//",
         modulo = "%", power = "**", matmul = "@", bitAnd = "&", bitOr = "|", bitXor = "^",
         shiftLeft = "<<", shiftRight = ">>"
}

public enum CompareOp: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case `in` = "in", notIn = "not in", `is` = "is", isNot = "is not"
}

public enum BoolOp: String, Sendable {
    case and, or
}

/// One argument at a call site.
public enum Argument {
    case positional(Expr)
    /// `name=value`; position is that of the name.
    case keyword(String, Expr, Position)
    /// `*iterable`
    case star(Expr)
    /// `**mapping`
    case starStar(Expr)
}

/// A parsed f-string piece: literal text or `{expr!conversion:spec}`.
public enum FStringPart {
    case literal(String)
    case field(Expr, conversion: Character?, formatSpec: [FStringPart])
}

public indirect enum Expr {
    case name(Identifier)
    case literal(Literal, Position)
    case fstring([FStringPart], Position)
    /// Position of the operator.
    case unary(UnaryOp, Expr, Position)
    /// Position of the operator.
    case binary(BinaryOp, Expr, Expr, Position)
    /// `a < b <= c`: the first operand, then each operator (with its position) and right operand.
    case compare(Expr, [(CompareOp, Expr, Position)])
    /// `a and b`, `a or b`; position of the operator.
    case boolean(BoolOp, Expr, Expr, Position)
    /// `then if condition else otherwise`; position of `if`.
    case conditional(condition: Expr, then: Expr, otherwise: Expr, Position)
    /// Position of the opening parenthesis.
    case call(Expr, [Argument], Position)
    /// `object.name`; position of the name after the dot.
    case attribute(Expr, String, Position)
    /// `object[index]`; position of the opening bracket.
    case index(Expr, Expr, Position)
    /// `object[lower:upper:step]`; position of the opening bracket.
    case slice(Expr, lower: Expr?, upper: Expr?, step: Expr?, Position)
    /// A `lower:upper:step` item of a tuple subscript (`a[1:3, 0]`); it appears only as an
    /// element of the tuple key of an `.index` and evaluates to a slice object. Position of
    /// its first token.
    case sliceItem(lower: Expr?, upper: Expr?, step: Expr?, Position)
    case list([Expr], Position)
    case tuple([Expr], Position)
    case dict([(key: Expr, value: Expr)], Position)
    case set([Expr], Position)
    case comprehension(Comprehension)
    case lambda(FunctionDef)
    /// `*xs` in a list/tuple display or as an assignment target.
    case starred(Expr, Position)
    /// A Hyperas template `{{ prior }}`.
    case template(Template)

    /// The position reported for errors in this expression.
    public var position: Position {
        switch self {
        case .name(let id): return id.position
        case .literal(_, let p), .fstring(_, let p), .unary(_, _, let p), .binary(_, _, _, let p),
             .boolean(_, _, _, let p), .conditional(_, _, _, let p), .call(_, _, let p),
             .attribute(_, _, let p), .index(_, _, let p), .slice(_, _, _, _, let p), .sliceItem(_, _, _, let p),
             .list(_, let p), .tuple(_, let p), .dict(_, let p), .set(_, let p), .starred(_, let p):
            return p
        case .compare(_, let rest): return rest.first?.2 ?? Position(line: 0, column: 0)
        case .comprehension(let c): return c.position
        case .lambda(let f): return f.position
        case .template(let t): return t.position
        }
    }
}

/// A Hyperas template `{{ expr }}`: a hyperparameter written where its value is used. Its
/// expression (a prior such as `choice([256, 512])`) is resolved at module scope, as Hyperas
/// evaluates it in a generated module; `hyperas.optim.minimize` draws a value for each
/// template of the model function and the template evaluates to it.
public final class Template {
    /// The expression between the braces.
    public let body: Expr
    /// The text between the braces, as written (Hyperas compares templates by their text).
    public let source: String
    /// The name written just before the template, as Hyperas finds it with its pattern
    /// `\w+\s*[=(]\s*{{`: `Dense` in `Dense({{…}})`, `rate` in `rate={{…}}`, `x` in `x = {{…}}`.
    public let context: String?
    /// Position of the opening `{{`.
    public let position: Position

    // Filled by the resolver: the frame layout of the body's module-level scope.
    public var localCount = 0
    public var cellSlots: [Int] = []

    public init(body: Expr, source: String, context: String?, position: Position) {
        self.body = body
        self.source = source
        self.context = context
        self.position = position
    }
}

/// `[body for x in xs if cond]`, `{k: v for …}`, `{x for …}`; generator expressions parse as
/// list comprehensions (Kiln has no generators). Loop variables are local to the
/// comprehension, as in Python 3.
public final class Comprehension {
    public enum Kind: Sendable { case list, set, dict }
    public enum Clause {
        /// `for target in iterable`; position of `for`.
        case `for`(target: Expr, iterable: Expr, Position)
        /// `if condition`; position of `if`.
        case `if`(Expr, Position)
    }

    public let kind: Kind
    /// The element expression; for a dict comprehension, the key.
    public let body: Expr
    /// For a dict comprehension, the value expression.
    public let value: Expr?
    public let clauses: [Clause]
    public let position: Position

    public init(kind: Kind, body: Expr, value: Expr?, clauses: [Clause], position: Position) {
        self.kind = kind
        self.body = body
        self.value = value
        self.clauses = clauses
        self.position = position
    }
}

public struct Parameter {
    public enum Kind: Sendable {
        /// `a` or `a=default` before any `*`.
        case positional
        /// `a` or `a=default` after `*` or `*args`.
        case keywordOnly
        /// `*args`
        case varargs
        /// `**kwargs`
        case kwargs
    }

    public var name: Identifier
    public var defaultValue: Expr?
    public var kind: Kind

    public init(name: Identifier, defaultValue: Expr?, kind: Kind) {
        self.name = name
        self.defaultValue = defaultValue
        self.kind = kind
    }
}

/// A `def` statement or a `lambda` (whose body is a single `return`).
/// The resolver fills in the frame layout.
public final class FunctionDef {
    /// nil for a lambda.
    public let name: Identifier?
    public let parameters: [Parameter]
    public let body: [Stmt]
    /// Position of `def` or `lambda`.
    public let position: Position

    // Filled by the resolver.
    /// Number of frame slots (parameters first, in order, then other locals).
    public var localCount = 0
    /// Frame slots that hold cells (captured by inner functions).
    public var cellSlots: [Int] = []
    /// Bindings in the enclosing function that this function captures, in `free` index order.
    public var freeVariables: [Binding] = []

    public init(name: Identifier?, parameters: [Parameter], body: [Stmt], position: Position) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.position = position
    }
}

/// `import a.b.c as d`: the dotted module path and the name bound (`d`, or `a` without `as`).
public struct ImportName {
    public var path: [String]
    public var alias: Identifier?
    /// The identifier bound in scope: `alias`, or one for `path[0]` when there is no alias.
    public var bound: Identifier
    public var position: Position

    public init(path: [String], alias: Identifier?, bound: Identifier, position: Position) {
        self.path = path
        self.alias = alias
        self.bound = bound
        self.position = position
    }
}

public indirect enum Stmt {
    case expression(Expr)
    /// `a = b = value`: every target, left to right; position of the first `=`.
    case assign(targets: [Expr], value: Expr, Position)
    /// `target op= value`; position of the operator.
    case augmentedAssign(target: Expr, op: BinaryOp, value: Expr, Position)
    case def(FunctionDef)
    /// Position of `return`.
    case `return`(Expr?, Position)
    /// `if`/`elif` branches in order, then the optional `else` block; position of `if`.
    case `if`(branches: [(condition: Expr, body: [Stmt])], orElse: [Stmt]?, Position)
    /// Position of `for`.
    case `for`(target: Expr, iterable: Expr, body: [Stmt], Position)
    /// Position of `while`.
    case `while`(condition: Expr, body: [Stmt], Position)
    case `break`(Position)
    case `continue`(Position)
    case pass(Position)
    /// `import a.b as c, d`; position of `import`.
    case `import`([ImportName], Position)
    /// `from a.b import x, y as z`: the module path and (name, bound identifier) pairs;
    /// position of `from`.
    case fromImport(module: [String], names: [(name: String, bound: Identifier)], Position)
    /// `assert condition, message`; position of `assert`.
    case assert(Expr, message: Expr?, Position)
    /// `del a[i], b.x, c`; position of `del`.
    case del([Expr], Position)

    public var position: Position {
        switch self {
        case .expression(let e): return e.position
        case .assign(_, _, let p), .augmentedAssign(_, _, _, let p), .return(_, let p), .if(_, _, let p),
             .for(_, _, _, let p), .while(_, _, let p), .break(let p), .continue(let p), .pass(let p),
             .import(_, let p), .fromImport(_, _, let p), .assert(_, _, let p), .del(_, let p):
            return p
        case .def(let f): return f.position
        }
    }
}

/// A parsed cell or file: its statements.
public struct Program {
    public var statements: [Stmt]
    public init(statements: [Stmt]) { self.statements = statements }
}
