/// The attributes and methods of arrays (`a.shape`, `a.T`, `a.reshape(2, 3)`, `a.sum(axis=0)`,
/// `a.astype('float32')`, …). Operations that are also module functions (`np.sum`) are
/// declared once as `ArrayFunction`s in `shared` and installed in both places.

import Foundation
import KilnLang

enum ArrayMethods {
    /// Operations that are both `np.f(a, …)` and `a.f(…)`.
    static let shared: [ArrayFunction] = [
        reduction("sum", "axis=None, dtype=None, out=None, keepdims=False", "Sum of the elements (over an axis or all).") { _ in .sum },
        reduction("prod", "axis=None, dtype=None, out=None, keepdims=False", "Product of the elements.") { _ in .prod },
        reduction("mean", "axis=None, dtype=None, out=None, keepdims=False", "Arithmetic mean.") { _ in .mean },
        reduction("var", "axis=None, dtype=None, out=None, ddof=0, keepdims=False", "Variance: mean of squared deviations (divided by n - ddof).") {
            .variance(ddof: try $0.int("ddof"))
        },
        reduction("std", "axis=None, dtype=None, out=None, ddof=0, keepdims=False", "Standard deviation: the square root of var.") {
            .standardDeviation(ddof: try $0.int("ddof"))
        },
        reduction("min", "axis=None, out=None, keepdims=False", "Smallest element (nan if any element is nan).") { _ in .min },
        reduction("max", "axis=None, out=None, keepdims=False", "Largest element (nan if any element is nan).") { _ in .max },
        reduction("argmin", "axis=None, out=None, *, keepdims=False", "Index of the first smallest element (in the flattened array when axis is None).") { _ in .argmin },
        reduction("argmax", "axis=None, out=None, *, keepdims=False", "Index of the first largest element (in the flattened array when axis is None).") { _ in .argmax },
        reduction("any", "axis=None, out=None, keepdims=False", "Whether any element is non-zero.") { _ in .any },
        reduction("all", "axis=None, out=None, keepdims=False", "Whether every element is non-zero.") { _ in .all },
        ArrayFunction("round", "decimals=0", doc: "Elements rounded to the given number of decimals (halves to even).") { a, args in
            rounded(a, decimals: try args.int("decimals")).valueOrScalar
        },
        ArrayFunction("argsort", "axis=-1, kind=None", doc: "Indices that sort the array along an axis (a stable sort).") { a, args in
            .object(try Sorting.argsort(a, axis: args["axis"]))
        },
        ArrayFunction("squeeze", "axis=None", doc: "The array without its length-1 axes (or the ones named).") { a, args in
            .object(try Shapes.squeeze(a, args["axis"]))
        },
        ArrayFunction("ravel", "", doc: "The elements as a 1-d array.") { a, _ in .object(a.reshaped([a.size])) },
        ArrayFunction("copy", "", doc: "A copy of the array.") { a, _ in .object(a.copy()) },
        ArrayFunction("dot", "b", doc: "Dot product (matrix product for 2-d arrays).") { a, args in
            try LinearAlgebra.dot(a, try args.array("b"))
        },
    ]

    /// A reduction with numpy's parameters (`axis`, `dtype`, `out`, `keepdims`, …).
    private static func reduction(_ name: String, _ parameters: String, _ doc: String,
                                  _ operation: @escaping (BoundArguments) throws -> Reduction) -> ArrayFunction {
        ArrayFunction(name, parameters, doc: doc) { a, args in
            try args.unsupported("out")
            var a = a
            if args.names.contains("dtype"), let d = try args.dtype() { a = a.converted(to: d) }
            return try Reduction.apply(try operation(args), to: a, axis: args["axis"], keepdims: args.bool("keepdims"))
        }
    }

    /// Methods only arrays have.
    private static let own: [KBuiltin] = [
        KBuiltin("reshape", "*shape", doc: "The elements with a new shape: a.reshape(2, 3) or a.reshape((2, 3)); one dimension may be -1.") { args in
            .object(try Shapes.reshape(args.receiver(NDArray.self), try Shapes.read(arguments: try args.list(0))))
        },
        KBuiltin("transpose", "*axes", doc: "The array with its axes reversed, or in the given order.") { args in
            let axes = try args.list(0)
            return .object(try Shapes.transpose(args.receiver(NDArray.self), axes.isEmpty ? nil : try Shapes.read(arguments: axes)))
        },
        KBuiltin("astype", "dtype, copy=True", doc: "A copy of the array converted to a dtype ('float32', np.int64, float…).") { args in
            guard let dtype = try args.dtype() else { return .object(args.receiver(NDArray.self).converted(to: .float64).copy()) }
            return .object(args.receiver(NDArray.self).converted(to: dtype).copy())
        },
        KBuiltin("tolist", "", doc: "The elements as nested lists of Python numbers.") { args in args.receiver(NDArray.self).toList() },
        KBuiltin("item", "*args", doc: "One element as a Python number: a.item() for a one-element array, a.item(i) or a.item(i, j).") { args in
            let a = args.receiver(NDArray.self)
            let position = try args.list(0)
            if position.isEmpty {
                guard a.size == 1 else { throw KilnError.value("can only convert an array of size 1 to a Python scalar") }
                return a.pythonValue(at: 0)
            }
            if position.count == 1, let i = position[0].asInt {
                guard i >= -a.size && i < a.size else { throw KilnError.index("index \(i) is out of bounds for size \(a.size)") }
                return a.pythonValue(at: i < 0 ? i + a.size : i)
            }
            let index = try ArrayIndex(.object(KTuple(position)), of: a.shape)
            guard index.shape.isEmpty else { throw KilnError.value("incorrect number of indices for array") }
            return a.pythonValue(at: index.offsets[0])
        },
        KBuiltin("flatten", "", doc: "A 1-d copy of the elements.") { args in
            let a = args.receiver(NDArray.self)
            return .object(a.copy().reshaped([a.size]))
        },
        KBuiltin("fill", "value", doc: "Sets every element to value (in place).") { args in
            let a = args.receiver(NDArray.self)
            try a.setItem(.object(KTuple([])), args[0])
            return .none
        },
        KBuiltin("sort", "axis=-1, kind=None", doc: "Sorts the array in place along an axis.") { args in
            let a = args.receiver(NDArray.self)
            a.storage = try Sorting.sorted(a, axis: args["axis"]).storage
            return .none
        },
        KBuiltin("clip", "min=None, max=None", doc: "Elements limited to [min, max].") { args in
            try clip(args.receiver(NDArray.self), args[0], args[1])
        },
    ]

    /// Every method, by name.
    static let methods: [String: KBuiltin] = {
        var table: [String: KBuiltin] = [:]
        for f in shared { table[f.name] = f.method }
        for m in own { table[m.name] = m }
        return table
    }()

    static let attributeNames = (["T", "dtype", "itemsize", "nbytes", "ndim", "shape", "size"] + methods.keys).sorted()

    /// `a.name`: a property, or a method bound to the array.
    static func attribute(_ a: NDArray, _ name: String) throws -> Value? {
        switch name {
        case "shape": return a.shapeValue
        case "ndim": return .int(a.ndim)
        case "size": return .int(a.size)
        case "dtype": return .object(DTypeObject.instance(a.dtype))
        case "T": return .object(try Shapes.transpose(a, nil))
        case "itemsize": return .int(a.dtype.itemSize)
        case "nbytes": return .int(a.size * a.dtype.itemSize)
        default: return methods[name].map { .object($0.bound(to: .object(a))) }
        }
    }

    // MARK: Bodies shared by functions and methods with different parameter names

    /// `np.clip(a, a_min, a_max)` / `a.clip(min, max)`: elements limited to the bounds (either
    /// may be None), broadcast together.
    static func clip(_ a: NDArray, _ low: Value, _ high: Value) throws -> Value {
        if case .none = low, case .none = high { throw KilnError.value("One of max or min must be given") }
        var result = Value.object(a)
        if case .none = low {} else { result = try Elementwise.apply(BinaryKernel.maximum, result, low) ?? result }
        if case .none = high {} else { result = try Elementwise.apply(BinaryKernel.minimum, result, high) ?? result }
        return result
    }

    /// numpy's round: x·10^d rounded half to even, divided back (each step in the dtype).
    static func rounded(_ a: NDArray, decimals: Int) -> NDArray {
        if !a.dtype.isFloat && decimals >= 0 { return a.copy() }
        let compute = a.dtype.isFloat ? a.dtype : .float64
        let r = compute.round
        let scale = r(pow(10, Double(abs(decimals))))
        let values = a.storage.doubles.map { x in
            decimals >= 0 ? r(r(r(x * scale).rounded(.toNearestOrEven)) / scale) : r(r(x / scale).rounded(.toNearestOrEven) * scale)
        }
        return NDArray(a.dtype, a.shape, doubles: values)
    }
}

extension NDArray {
    /// An independent copy (the buffer is shared until either array is written).
    func copy() -> NDArray { NDArray(dtype, shape, storage) }
}
