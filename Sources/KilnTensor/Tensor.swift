/// `Tensor`: an n-dimensional array of Float32 in row-major (C) order, channels last (NHWC)
/// for images, with copy-on-write storage so passing tensors around never copies data.

/// The element buffer behind one or more tensors; copied only when a shared buffer is written.
public final class TensorStorage {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Storage whose elements the caller writes before reading (kernels fill their outputs).
    init(uninitializedCount count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
    }

    deinit {
        pointer.deallocate()
    }

    func copy() -> TensorStorage {
        let s = TensorStorage(count: count)
        s.pointer.update(from: pointer, count: count)
        return s
    }
}

/// A shape error, named as Keras and numpy name them: what was expected and what was given.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An n-dimensional Float32 array (row-major). A scalar has shape `[]` and one element.
public struct Tensor {
    public private(set) var shape: [Int]
    public private(set) var storage: TensorStorage

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        storage = TensorStorage(count: Tensor.count(of: shape))
        if value != 0 { storage.pointer.update(repeating: value, count: storage.count) }
    }

    /// A tensor of `shape` holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) throws {
        let n = Tensor.count(of: shape)
        guard values.count == n else {
            throw ShapeError("cannot make a tensor of shape \(Tensor.describe(shape)) from \(values.count) values")
        }
        self.shape = shape
        storage = TensorStorage(count: n)
        values.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { storage.pointer.update(from: base, count: n) }
        }
    }

    /// A rank-0 tensor.
    public init(scalar: Float) {
        shape = []
        storage = TensorStorage(count: 1)
        storage.pointer[0] = scalar
    }

    init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// A tensor whose elements `fill` writes, all of them, through the pointer it is given.
    @inline(__always)
    static func filled(shape: [Int], _ fill: (UnsafeMutablePointer<Float>) throws -> Void) rethrows -> Tensor {
        let storage = TensorStorage(uninitializedCount: Tensor.count(of: shape))
        try fill(storage.pointer)
        return Tensor(shape: shape, storage: storage)
    }

    /// The first element (for reading scalars and one-element tensors).
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// Number of elements of a shape (1 for a scalar).
    public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// `(None, 62, 62, 32)`-style text of a shape.
    public static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// Read access to the elements.
    @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Write access to the elements; copies them first if the storage is shared.
    @inline(__always)
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// The same elements viewed with another shape of equal element count (no copy).
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw ShapeError("cannot reshape array of size \(count) into shape \(Tensor.describe(newShape))")
            }
            resolved[unknown] = count / known
        }
        guard Tensor.count(of: resolved) == count, !resolved.contains(where: { $0 < 0 }) else {
            throw ShapeError("cannot reshape array of size \(count) into shape \(Tensor.describe(newShape))")
        }
        return Tensor(shape: resolved, storage: storage)
    }

    /// Element at a multi-dimensional index (no bounds checks beyond Swift's; for tests and printing).
    public subscript(_ index: [Int]) -> Float {
        var offset = 0
        for (i, d) in zip(index, shape) { offset = offset * d + i }
        return storage.pointer[offset]
    }
}
