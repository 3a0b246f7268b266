/// Unpacking Keras arguments once for every layer: shapes and arrays from Kiln values,
/// int-or-tuple sizes, padding, activations and initializers by name or object, and the base
/// layer keyword arguments (`name`, `input_shape`, `input_dim`, `trainable`, …).

import KilnLang
import KilnNN
import KilnTensor

/// Arrays and shapes from Kiln values.
enum TensorArgument {
    /// A float32 tensor from an array, a (nested) list or tuple of numbers, or a number.
    static func tensor(_ value: Value, _ interpreter: Interpreter) throws -> Tensor {
        if let array = value.as(NDArray.self) { return try array.tensor() }
        if let scalar = value.asDouble { return Tensor(scalar: Float(scalar)) }
        var shape: [Int] = []
        var values: [Float] = []
        func walk(_ v: Value, depth: Int) throws {
            if let d = v.asDouble {
                guard depth == shape.count else { throw inhomogeneous() }
                values.append(Float(d))
                return
            }
            if let array = v.as(NDArray.self) {
                let t = try array.tensor()
                if depth == shape.count { shape += t.shape }
                guard Array(shape[depth...]) == t.shape else { throw inhomogeneous() }
                values += t.scalars
                return
            }
            guard case .object(let o) = v, o is KList || o is KTuple else {
                throw KilnError.type("Expected an array or a nested list of numbers, got \(v.typeName)")
            }
            let items = try interpreter.iterate(v)
            if depth == shape.count { shape.append(items.count) } else if depth > shape.count || shape[depth] != items.count {
                throw inhomogeneous()
            }
            for item in items { try walk(item, depth: depth + 1) }
        }
        func inhomogeneous() -> KilnError {
            KilnError.value("setting an array element with a sequence. The requested array has an inhomogeneous shape.")
        }
        try walk(value, depth: 0)
        return try Tensor(shape: shape, values: values)
    }

    /// A shape such as `(None, 28, 28, 1)` or `(784,)` or `10` (`allowNegative` for a `-1`
    /// to be inferred, as in Reshape, or negative axes).
    static func shape(_ value: Value, _ interpreter: Interpreter, name: String, allowNegative: Bool = false) throws -> [Int?] {
        if let n = value.asInt { return [n] }
        guard case .object(let o) = value, o is KList || o is KTuple else {
            throw KilnError.type("`\(name)` must be a tuple of integers, got \(Repr.repr(value))")
        }
        return try interpreter.iterate(value).map { item in
            if case .none = item { return nil }
            guard let n = item.asInt, n >= 0 || allowNegative else {
                throw KilnError.value("`\(name)` must contain non-negative integers or None, got \(Repr.repr(value))")
            }
            return n
        }
    }
}

/// A layer constructor's bound arguments, read by parameter name, with Keras' conversions.
struct LayerArguments {
    let bound: BoundArguments
    let className: String

    subscript(_ name: String) -> Value {
        guard let i = bound.names.firstIndex(of: name) else { return .none }
        return bound.values[i]
    }

    func isNone(_ name: String) -> Bool {
        if case .none = self[name] { return true }
        return false
    }

    func int(_ name: String) throws -> Int {
        guard let v = self[name].asInt else { throw typeError(name, "an integer") }
        return v
    }

    func float(_ name: String) throws -> Float {
        guard let v = self[name].asDouble else { throw typeError(name, "a float") }
        return Float(v)
    }

    func optionalFloat(_ name: String) throws -> Float? { isNone(name) ? nil : try float(name) }

    func bool(_ name: String) -> Bool { self[name].isTruthy }

    /// An int or a tuple of `rank` ints (`kernel_size=3` or `(3, 3)`).
    func sizes(_ name: String, rank: Int) throws -> [Int] {
        let v = self[name]
        if let n = v.asInt { return Array(repeating: n, count: rank) }
        let items: [Value]
        if case .object(let o) = v, o is KList || o is KTuple { items = try bound.interpreter.iterate(v) } else { items = [] }
        let ints = items.compactMap(\.asInt)
        guard ints.count == rank, items.count == rank else {
            throw KilnError.value("The `\(name)` argument must be a tuple of \(rank) integers. Received: \(name)=\(Repr.repr(v))")
        }
        return ints
    }

    func optionalSizes(_ name: String, rank: Int) throws -> [Int]? { isNone(name) ? nil : try sizes(name, rank: rank) }

    func padding(_ name: String = "padding") throws -> Padding {
        if case .string(let s) = self[name], let p = Padding(name: s.lowercased()) { return p }
        throw KilnError.value("The `padding` argument must be a string, one of 'valid', 'same'. Received: padding=\(Repr.repr(self[name]))")
    }

    /// `activation=None`, a name such as `'relu'`, or a function of `keras.activations`.
    func activation(_ name: String = "activation") throws -> Activation {
        let v = self[name]
        let key: String
        switch v {
        case .none: return .linear
        case .string(let s): key = s
        case .object(let o as KBuiltin): key = o.name
        default: throw KilnError.type("Could not interpret activation function identifier: \(Repr.repr(v))")
        }
        guard let a = Activation(name: key) else {
            throw KilnError.value("Unknown activation function: '\(key)' in layer \(className). Valid names: \(Activation.names.sorted().joined(separator: ", ")).")
        }
        return a
    }

    /// An initializer name (`'he_normal'`) or object (`initializers.RandomNormal(stddev=0.01)`).
    func initializer(_ name: String) throws -> Initializer {
        let v = self[name]
        if let object = v.as(InitializerValue.self) { return object.initializer }
        guard case .string(let s) = v else {
            throw KilnError.type("Could not interpret initializer identifier: \(Repr.repr(v)) for `\(name)` of \(className)")
        }
        guard let i = Initializer(name: s) else {
            throw KilnError.value("Unknown initializer: '\(s)' for `\(name)` of \(className). Valid names: \(Initializer.names.sorted().joined(separator: ", ")).")
        }
        return i
    }

    /// `data_format` must be channels_last.
    func requireChannelsLast() throws {
        if case .string(let s) = self["data_format"], s != "channels_last" {
            throw KilnError("NotImplementedError", "not supported in Kiln: data_format='\(s)' (\(className) works channels_last, as Keras does by default)")
        }
    }

    private func typeError(_ name: String, _ expected: String) -> KilnError {
        KilnError.type("\(className)() argument '\(name)' must be \(expected), not \(self[name].typeName)")
    }

    /// The base-layer keyword arguments every layer accepts.
    static let baseKeywords: Set<String> = ["name", "input_shape", "input_dim", "batch_input_shape", "batch_size",
                                             "trainable", "dtype", "weights", "input_length", "dynamic", "autocast"]
}
