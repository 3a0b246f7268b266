/// The `np` module (`import numpy as np`): array creation, shape functions, elementwise math,
/// reductions, comparisons, sorting, the dtype objects and constants, and `np.random`.

import Foundation
import KilnLang

enum NumpyModule {
    static func make(_ rng: NumpyRandom) -> KModule {
        let m = KModule("numpy", doc: "Arrays as numpy has them: the subset notebooks use, printed and computed as numpy does.")
        m.set("pi", .float(Double.pi))
        m.set("e", .float(M_E))
        m.set("inf", .float(.infinity))
        m.set("nan", .float(.nan))
        m.set("newaxis", .none)
        for d in DType.allCases { m.set(d.rawValue, .object(DTypeObject.scalarType(d))) }
        for (alias, d) in [("bool_", DType.bool), ("int_", .int64), ("intp", .int64), ("double", .float64), ("single", .float32)] {
            m.set(alias, .object(DTypeObject.scalarType(d)))
        }
        m.set("random", .object(NumpyRandomModule.make(rng)))
        m.add(ArrayMethods.shared.map(\.function))
        m.add(creation + shapes + math + comparisons + NumpyFiles.functions + NumpyText.functions)
        for (alias, name) in [("around", "round"), ("amin", "min"), ("amax", "max"), ("absolute", "abs"),
                              ("true_divide", "divide"), ("mod", "remainder")] {
            if let f = m.members[name] { m.set(alias, f) }
        }
        return m
    }

    // MARK: Creation

    private static let creation: [KBuiltin] = [
        KBuiltin("array", "object, dtype=None, *, copy=True, ndmin=0", doc: "An array from a number, nested lists or tuples, or another array (copied).") { a in
            let array = try NDArray.from(a["object"], dtype: try a.dtype()).copy()
            let missing = try a.int("ndmin") - array.ndim
            return .object(missing > 0 ? array.reshaped([Int](repeating: 1, count: missing) + array.shape) : array)
        },
        KBuiltin("asarray", "a, dtype=None", doc: "The argument as an array (not copied when it already is one of that dtype).") { a in
            .object(try NDArray.from(a["a"], dtype: try a.dtype()))
        },
        KBuiltin("dtype", "dtype", doc: "The dtype object for a name or type: np.dtype('float32').") { a in
            guard let d = try a.dtype() else { throw KilnError.type("Cannot interpret 'None' as a data type") }
            return .object(DTypeObject.instance(d))
        },
        filled("zeros", "shape, dtype=None", doc: "An array of zeros (float64 unless dtype says otherwise).") { _ in .float(0) },
        filled("empty", "shape, dtype=None", doc: "A new array (Kiln fills it with zeros).") { _ in .float(0) },
        filled("ones", "shape, dtype=None", doc: "An array of ones (float64 unless dtype says otherwise).") { _ in .float(1) },
        filled("full", "shape, fill_value, dtype=None", doc: "An array filled with fill_value (its dtype unless dtype is given).") { $0["fill_value"] },
        filledLike("zeros_like", "a, dtype=None", doc: "Zeros with the shape and dtype of a.") { _ in .float(0) },
        filledLike("empty_like", "a, dtype=None", doc: "A new array with the shape and dtype of a (zeros in Kiln).") { _ in .float(0) },
        filledLike("ones_like", "a, dtype=None", doc: "Ones with the shape and dtype of a.") { _ in .float(1) },
        filledLike("full_like", "a, fill_value, dtype=None", doc: "fill_value with the shape and dtype of a.") { $0["fill_value"] },
        KBuiltin("arange", "start, stop=None, step=None, dtype=None", doc: "Evenly spaced values in [start, stop): arange(5), arange(1, 2, 0.25).") { a in
            .object(try arange(a))
        },
        KBuiltin("linspace", "start, stop, num=50, endpoint=True, retstep=False, dtype=None", doc: "num evenly spaced values from start to stop.") { a in
            try linspace(a)
        },
        KBuiltin("eye", "N, M=None, k=0, dtype=None", doc: "An N×M array with ones on diagonal k.") { a in
            let n = try a.int("N"), cols = try a.isNone("M") ? n : a.int("M"), k = try a.int("k")
            let dtype = try a.dtype() ?? .float64
            _ = try NDArray.checkedCount([n, cols], dtype)
            return .object(NDArray(dtype, [n, cols], ints: (0..<n * cols).map { $0 % cols - $0 / cols == k ? 1 : 0 }))
        },
        KBuiltin("identity", "n, dtype=None", doc: "The n×n identity matrix.") { a in
            let n = try a.int("n"), dtype = try a.dtype() ?? .float64
            _ = try NDArray.checkedCount([n, n], dtype)
            return .object(NDArray(dtype, [n, n], ints: (0..<n * n).map { $0 % n == $0 / n ? 1 : 0 }))
        },
    ]

    /// `zeros`-style creation: an array of `shape` holding one value.
    private static func filled(_ name: String, _ parameters: String, doc: String, _ value: @escaping (BoundArguments) -> Value) -> KBuiltin {
        KBuiltin(name, parameters, doc: doc) { a in
            try full(try a.shape(), value(a), try a.dtype())
        }
    }

    /// `zeros_like`-style creation: the shape (and dtype, unless given) of another array.
    private static func filledLike(_ name: String, _ parameters: String, doc: String, _ value: @escaping (BoundArguments) -> Value) -> KBuiltin {
        KBuiltin(name, parameters, doc: doc) { a in
            let like = try a.array("a")
            return try full(like.shape, value(a), try a.dtype() ?? like.dtype)
        }
    }

    /// An array of `shape` filled with `value` (broadcast), of `dtype` or else value's dtype.
    private static func full(_ shape: [Int], _ value: Value, _ dtype: DType?) throws -> Value {
        let element = try NDArray.from(value, dtype: dtype)
        let result = NDArray(element.dtype, shape, Storage.zeros(element.dtype, count: try NDArray.checkedCount(shape, element.dtype)))
        if element.size != 1 || element.storage.double(at: 0) != 0 {
            try result.setItem(.object(KTuple([])), .object(element))
        }
        return .object(result)
    }

    private static func arange(_ a: BoundArguments) throws -> NDArray {
        let (startValue, stopValue) = a.isNone("stop") ? (Value.int(0), a["start"]) : (a["start"], a["stop"])
        let stepValue = a.isNone("step") ? Value.int(1) : a["step"]
        let bounds = [startValue, stopValue, stepValue]
        guard bounds.allSatisfy({ $0.asDouble != nil }) else {
            throw KilnError.type("arange() arguments must be numbers")
        }
        let isInteger = bounds.allSatisfy { $0.asInt != nil }
        let dtype = try a.dtype() ?? (isInteger ? .int64 : .float64)
        let start = startValue.asDouble ?? 0, stop = stopValue.asDouble ?? 0, step = stepValue.asDouble ?? 1
        if step == 0 { throw KilnError.zeroDivision("division by zero") }
        let span = ((stop - start) / step).rounded(.up)
        guard !span.isNaN, span < 9.2e18 else { throw KilnError.value("Maximum allowed size exceeded") }
        let length = max(0, Int(span))
        _ = try NDArray.checkedCount([length], dtype)
        if isInteger, let s = startValue.asInt, let d = stepValue.asInt {
            return NDArray(dtype, [length], ints: (0..<length).map { s + $0 * d })
        }
        // numpy's fill: start + i * delta, where delta = (start + step) - start.
        let delta = (start + step) - start
        return NDArray(dtype, [length], doubles: (0..<length).map { start + Double($0) * delta })
    }

    private static func linspace(_ a: BoundArguments) throws -> Value {
        let start = try a.double("start"), stop = try a.double("stop"), num = try a.int("num")
        guard num >= 0 else { throw KilnError.value("Number of samples, \(num), must be non-negative.") }
        _ = try NDArray.checkedCount([num], .float64)
        let divisions = Double(a.bool("endpoint") ? num - 1 : num)
        let delta = stop - start
        // numpy: i * step + start; i / div * delta when the step underflows to 0; with no
        // divisions (0 or 1 samples with the endpoint) the step is undefined (nan).
        let step = divisions > 0 ? delta / divisions : .nan
        var values = (0..<num).map { i -> Double in
            let y = Double(i)
            if divisions <= 0 { return y * delta + start }
            return (step == 0 ? y / divisions * delta : y * step) + start
        }
        if a.bool("endpoint") && num > 1 { values[num - 1] = stop }
        let dtype = try a.dtype() ?? .float64
        let array = NDArray(dtype, [num], doubles: dtype.isFloat ? values : values.map { Foundation.floor($0) })
        guard a.bool("retstep") else { return .object(array) }
        return .object(KTuple([.object(array), .float(step)]))
    }

    // MARK: Shapes

    private static let shapes: [KBuiltin] = [
        KBuiltin("reshape", "a, shape", doc: "The elements of a with a new shape (one dimension may be -1).") { a in
            .object(try Shapes.reshape(try a.array("a"), try a.shape()))
        },
        KBuiltin("transpose", "a, axes=None", doc: "a with its axes reversed, or in the given order.") { a in
            .object(try Shapes.transpose(try a.array("a"), a.isNone("axes") ? nil : try a.shape("axes")))
        },
        KBuiltin("expand_dims", "a, axis", doc: "a with a length-1 axis inserted at axis.") { a in
            .object(try Shapes.expandDims(try a.array("a"), try a.int("axis")))
        },
        KBuiltin("concatenate", "arrays, axis=0", doc: "Arrays joined along an existing axis (None: flattened first).") { a in
            .object(try Shapes.concatenate(try a.arrays("arrays"), axis: a["axis"]))
        },
        KBuiltin("stack", "arrays, axis=0", doc: "Arrays of one shape joined along a new axis.") { a in
            .object(try Shapes.stack(try a.arrays("arrays"), axis: a["axis"]))
        },
        KBuiltin("vstack", "tup", doc: "Arrays stacked as rows (1-d arrays become rows).") { a in
            .object(try Shapes.concatenate(try a.arrays("tup").map { $0.ndim < 2 ? $0.reshaped([1, $0.size]) : $0 }, axis: .int(0)))
        },
        KBuiltin("hstack", "tup", doc: "Arrays joined along their second axis (the first for 1-d arrays).") { a in
            let arrays = try a.arrays("tup").map { $0.ndim == 0 ? $0.reshaped([1]) : $0 }
            return .object(try Shapes.concatenate(arrays, axis: .int(arrays.first.map { $0.ndim == 1 ? 0 : 1 } ?? 0)))
        },
        KBuiltin("shape", "a", doc: "The shape of an array, as a tuple.") { a in try a.array("a").shapeValue },
        KBuiltin("ndim", "a", doc: "The number of dimensions of an array.") { a in .int(try a.array("a").ndim) },
        KBuiltin("size", "a", doc: "The number of elements of an array.") { a in .int(try a.array("a").size) },
    ]

    // MARK: Math

    private static let math: [KBuiltin] = UnaryKernel.functions.map { kernel in
        KBuiltin(kernel.name, "x", doc: "np.\(kernel.name), elementwise.") { a in
            try Elementwise.map(try a.array("x"), kernel).valueOrScalar
        }
    } + UnaryKernel.predicates.map { name, test in
        KBuiltin(name, "x", doc: "np.\(name), elementwise: a bool array.") { a in
            let x = try a.array("x")
            return NDArray(.bool, x.shape, ints: x.storage.doubles.map { test($0) ? 1 : 0 }).valueOrScalar
        }
    } + [
        ("add", BinaryOp.add), ("subtract", .subtract), ("multiply", .multiply), ("divide", .divide),
        ("floor_divide", .floorDivide), ("remainder", .modulo), ("power", .power),
    ].compactMap { name, op in BinaryKernel.kernel(for: op).map { binary(name, $0) } } + [
        binary("maximum", BinaryKernel.maximum),
        binary("minimum", BinaryKernel.minimum),
        KBuiltin("matmul", "x1, x2", doc: "Matrix product (a @ b).") { a in
            try LinearAlgebra.matmul(try a.array("x1"), try a.array("x2"))
        },
        KBuiltin("clip", "a, a_min=None, a_max=None", doc: "Elements of a limited to [a_min, a_max].") { a in
            try ArrayMethods.clip(try a.array("a"), a["a_min"], a["a_max"])
        },
        KBuiltin("where", "condition, x=None, y=None", doc: "Elements of x where condition holds, else of y; with condition alone, the indices where it holds.") { a in
            let condition = try a.array("condition")
            switch (a.isNone("x"), a.isNone("y")) {
            case (true, true): return nonzero(condition)
            case (false, false): break
            default: throw KilnError.value("either both or neither of x and y should be given")
            }
            guard let x = try Operand.from(a["x"]), let y = try Operand.from(a["y"]) else {
                throw KilnError.type("where() arguments x and y must be numbers or arrays")
            }
            return try Elementwise.choose(condition, x, y).valueOrScalar
        },
        KBuiltin("nonzero", "a", doc: "The indices of the non-zero elements, one array per axis.") { a in nonzero(try a.array("a")) },
        KBuiltin("count_nonzero", "a, axis=None", doc: "The number of non-zero elements.") { a in
            try Reduction.apply(.sum, to: try a.array("a").converted(to: .bool), axis: a["axis"], keepdims: false)
        },
        KBuiltin("sort", "a, axis=-1, kind=None", doc: "A sorted copy of a (along an axis; None: flattened).") { a in
            .object(try Sorting.sorted(try a.array("a"), axis: a["axis"]))
        },
        KBuiltin("unique", "ar, return_index=False, return_inverse=False, return_counts=False", doc: "The sorted distinct elements, with optional first indices, inverse and counts.") { a in
            Sorting.unique(try a.array("ar"), returnIndex: a.bool("return_index"), returnInverse: a.bool("return_inverse"),
                           returnCounts: a.bool("return_counts"))
        },
    ]

    /// A two-argument ufunc as a function (`np.add(x1, x2)`).
    private static func binary(_ name: String, _ kernel: BinaryKernel) -> KBuiltin {
        KBuiltin(name, "x1, x2", doc: "np.\(name), elementwise with broadcasting.") { a in
            guard let r = try Elementwise.apply(kernel, a["x1"], a["x2"]) else {
                throw KilnError.type("ufunc '\(kernel.name)' not supported for the input types")
            }
            return r
        }
    }

    private static func nonzero(_ a: NDArray) -> Value {
        .object(KTuple(ArrayIndex.nonzero(a).map { .object(NDArray(.int64, [$0.count], ints: $0)) }))
    }

    // MARK: Comparisons

    private static let comparisons: [KBuiltin] = [
        KBuiltin("isclose", "a, b, rtol=1e-05, atol=1e-08, equal_nan=False", doc: "Whether |a - b| <= atol + rtol * |b|, elementwise.") { a in
            try closeness(a).valueOrScalar
        },
        KBuiltin("allclose", "a, b, rtol=1e-05, atol=1e-08, equal_nan=False", doc: "Whether every element of a is close to b's (see isclose).") { a in
            .bool(!(try closeness(a).storage.ints.contains(0)))
        },
        KBuiltin("array_equal", "a1, a2, equal_nan=False", doc: "Whether two arrays have the same shape and elements.") { a in
            let x = try a.array("a1"), y = try a.array("a2")
            guard x.shape == y.shape else { return .false }
            let (u, v) = (x.storage.doubles, y.storage.doubles)
            let equalNaN = a.bool("equal_nan")
            return .bool(zip(u, v).allSatisfy { $0 == $1 || (equalNaN && $0.isNaN && $1.isNaN) })
        },
    ]

    private static func closeness(_ a: BoundArguments) throws -> NDArray {
        let x = try a.array("a"), y = try a.array("b")
        let rtol = try a.double("rtol"), atol = try a.double("atol"), equalNaN = a.bool("equal_nan")
        let shape = try Broadcast.shape([x.shape, y.shape])
        let close = Broadcast.combine(x.storage.doubles, x.shape, y.storage.doubles, y.shape, into: shape) { u, v -> Int in
            if u.isNaN || v.isNaN { return equalNaN && u.isNaN && v.isNaN ? 1 : 0 }
            if u.isInfinite || v.isInfinite { return u == v ? 1 : 0 }
            return abs(u - v) <= atol + rtol * abs(v) ? 1 : 0
        }
        return NDArray(.bool, shape, ints: close)
    }
}
