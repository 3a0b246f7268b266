/// Callables and namespaces: functions defined in Kiln (`KFunction`), native functions and
/// methods declared with a Python-style signature (`KBuiltin`), the cells closures share,
/// modules, and `struct(**kw)` values.

/// A `def` or `lambda` after compilation: everything that is the same for every function
/// object the definition creates.
public final class CompiledFunction {
    public let name: String
    public let filename: String
    public let position: Position
    public let parameters: ParameterList
    let localCount: Int
    let cellSlots: [Int]
    /// True when calls can bind arguments straight into slots (positional parameters only).
    let isSimple: Bool
    var body: (Frame) throws -> Flow = { _ in .normal }
    /// The Hyperas templates in the body, nested functions' included, in source order.
    public internal(set) var templates: [CompiledTemplate] = []

    init(name: String, filename: String, position: Position, parameters: ParameterList, localCount: Int, cellSlots: [Int]) {
        self.name = name
        self.filename = filename
        self.position = position
        self.parameters = parameters
        self.localCount = localCount
        self.cellSlots = cellSlots
        self.isSimple = parameters.isSimple
    }
}

/// A function object: compiled code plus the defaults and captured cells of one evaluation
/// of its `def`.
public final class KFunction: KObject {
    public let code: CompiledFunction
    let defaults: [Value?]
    let freeCells: [KCell]
    /// Number of parameters without a default, for the fast call path.
    let requiredCount: Int

    init(code: CompiledFunction, defaults: [Value?], freeCells: [KCell]) {
        self.code = code
        self.defaults = defaults
        self.freeCells = freeCells
        self.requiredCount = defaults.prefix { $0 == nil }.count
    }

    public var name: String { code.name }
    public override var typeName: String { "function" }
    public override var isCallable: Bool { true }
    public override func repr() -> String { "<function \(code.name) at \(code.filename):\(code.position.line)>" }

    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        try interpreter.invoke(self, args)
    }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        name == "__name__" ? .string(code.name) : nil
    }
}

/// A variable shared between a function and the functions nested in it.
public final class KCell: KObject {
    var value: Value?
    init(_ value: Value?) { self.value = value }
    public override var typeName: String { "cell" }
}

/// A native function or method, declared once with its Python signature and docstring:
///
///     KBuiltin("round", "number, ndigits=None", doc: "Round a number…") { args in … }
///
/// Arguments are bound by the shared `ParameterList` rules, so every built-in reports
/// argument errors in Python's words. A method receives the object it was called on as
/// `args.receiver`.
public final class KBuiltin: KObject {
    public let name: String
    public let signature: Signature
    public let doc: String
    let body: (BoundArguments) throws -> Value
    /// For a bound method, the object it was looked up on.
    public let receiver: Value
    /// The name used in error messages (`Dense()` or `append()`).
    let displayName: String
    /// For a built-in that stands for a class (`keras.Model`, `LogisticRegression`): whether a
    /// value is one of its instances, which `isinstance` asks.
    public private(set) var instanceTest: ((Value) -> Bool)?

    public init(_ name: String, _ signature: String, doc: String = "", _ body: @escaping (BoundArguments) throws -> Value) {
        self.name = name
        self.signature = Signature(signature)
        self.doc = doc
        self.body = body
        self.receiver = .none
        self.displayName = name
    }

    private init(bound: KBuiltin, to receiver: Value) {
        self.name = bound.name
        self.signature = bound.signature
        self.doc = bound.doc
        self.body = bound.body
        self.receiver = receiver
        self.displayName = bound.displayName
    }

    /// This built-in, answering `isinstance(value, self)` with `test`.
    public func classifying(_ test: @escaping (Value) -> Bool) -> KBuiltin {
        instanceTest = test
        return self
    }

    /// This method bound to `receiver` (what `obj.method` evaluates to).
    public func bound(to receiver: Value) -> KBuiltin { KBuiltin(bound: self, to: receiver) }

    public override var typeName: String { "builtin_function_or_method" }
    public override var isCallable: Bool { true }

    public override func repr() -> String {
        if case .none = receiver { return "<built-in function \(name)>" }
        return "<built-in method \(name) of \(receiver.typeName) object>"
    }

    public override func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        try invoke(receiver: receiver, args, interpreter)
    }

    /// Calls the function with `receiver` as the method's object.
    public func invoke(receiver: Value, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        let parameters = signature.parameters
        let values: [Value]
        if args.keywords.isEmpty && parameters.isSimple && args.positional.count == parameters.names.count {
            values = args.positional
        } else {
            let n = parameters.names.count
            // One spare slot so the buffer always has a base address, even for no parameters.
            var slots = [Value?](repeating: nil, count: n + 1)
            try slots.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                try parameters.bind(displayName, args, defaults: signature.defaults, into: base)
            }
            slots.removeLast()
            values = slots.map { $0 ?? .none }
        }
        return try body(BoundArguments(function: displayName, names: parameters.names, values: values,
                                       receiver: receiver, interpreter: interpreter))
    }
}

/// A module: a named set of members (`math`, a `.kiln` file from stdlib/, `keras.layers`).
public final class KModule: KObject {
    public let name: String
    public private(set) var members: [String: Value]
    public let doc: String

    public init(_ name: String, members: [String: Value] = [:], doc: String = "") {
        self.name = name
        self.members = members
        self.doc = doc
    }

    /// Adds native functions as members.
    public func add(_ functions: [KBuiltin]) {
        for f in functions { members[f.name] = .object(f) }
    }

    public func set(_ name: String, _ value: Value) { members[name] = value }

    public override var typeName: String { "module" }
    public override func repr() -> String { "<module '\(name)'>" }
    public override var attributeNames: [String] { members.keys.sorted() }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        if name == "__name__" { return .string(self.name) }
        return members[name]
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let member = members[name] else {
            throw KilnError.attribute("module '\(self.name)' has no attribute '\(name)'")
        }
        return try interpreter.call(member, args)
    }
}

/// `struct(a=1, b=2)`: an immutable record with named fields.
public final class KStruct: KObject {
    public let fields: [(name: String, value: Value)]

    public init(_ fields: [(name: String, value: Value)]) { self.fields = fields }

    public override var typeName: String { "struct" }
    public override var attributeNames: [String] { fields.map(\.name).sorted() }

    public override func repr() -> String {
        Repr.guarded(self, "struct(...)") {
            "struct(" + fields.map { "\($0.name)=\(Repr.repr($0.value))" }.joined(separator: ", ") + ")"
        }
    }

    public override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        fields.first { $0.name == name }?.value
    }

    public override func isEqual(to other: Value) -> Bool {
        guard let o = other.as(KStruct.self) else { return false }
        return o.fields.count == fields.count
            && zip(fields, o.fields).allSatisfy { $0.name == $1.name && $0.value.equals($1.value) }
    }

    public override func hashValue() throws -> Int {
        var hasher = Hasher()
        for f in fields {
            hasher.combine(f.name)
            hasher.combine(try f.value.hashValue())
        }
        return hasher.finalize()
    }
}
