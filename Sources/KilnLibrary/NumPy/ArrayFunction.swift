/// Declaring `np`'s operations once: an `ArrayFunction` is both the module function taking
/// the array first (`np.sum(a, axis=0)`) and the array method (`a.sum(axis=0)`), with one
/// signature, docstring and body. Also the argument readers they share (by parameter name).

import KilnLang

/// An operation offered as `np.name(a, …)` and as `a.name(…)`.
struct ArrayFunction {
    let name: String
    /// The parameters after the array, in Python syntax.
    let parameters: String
    let doc: String
    let body: (NDArray, BoundArguments) throws -> Value

    init(_ name: String, _ parameters: String, doc: String, _ body: @escaping (NDArray, BoundArguments) throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.doc = doc
        self.body = body
    }

    /// `np.name(a, …)`: the first argument may be anything array-like.
    var function: KBuiltin {
        let body = self.body
        return KBuiltin(name, parameters.isEmpty ? "a" : "a, " + parameters, doc: doc) { args in
            try body(try NDArray.from(args[0]), args)
        }
    }

    /// `a.name(…)`.
    var method: KBuiltin {
        let body = self.body
        return KBuiltin(name, parameters, doc: doc) { args in try body(args.receiver(NDArray.self), args) }
    }
}

extension BoundArguments {
    /// The position of parameter `name` (declared by `np`'s own signatures, so always there).
    func position(_ name: String) -> Int {
        guard let i = names.firstIndex(of: name) else { preconditionFailure("\(function)(): no parameter '\(name)'") }
        return i
    }

    subscript(_ name: String) -> Value { values[position(name)] }

    func int(_ name: String) throws -> Int { try int(position(name)) }
    func double(_ name: String) throws -> Double { try double(position(name)) }
    func bool(_ name: String) -> Bool { bool(position(name)) }
    func isNone(_ name: String) -> Bool { isNone(position(name)) }

    /// An array-like argument.
    func array(_ name: String) throws -> NDArray { try NDArray.from(self[name]) }

    /// A `dtype=` argument (nil for None).
    func dtype(_ name: String = "dtype") throws -> DType? { try DType.from(self[name]) }

    /// A shape argument (an int or a sequence of ints).
    func shape(_ name: String = "shape") throws -> [Int] { try Shapes.read(self[name]) }

    /// The elements of a sequence-of-arrays argument (`concatenate`, `stack`).
    func arrays(_ name: String) throws -> [NDArray] {
        try list(position(name)).map { try NDArray.from($0) }
    }

    /// Refuses arguments Kiln does not implement, when given (`out=`).
    func unsupported(_ parameterNames: String...) throws {
        for name in parameterNames where !isNone(name) {
            throw KilnError.type("not supported in Kiln: \(function)() argument '\(name)'")
        }
    }
}
