/// Layers that merge several inputs: `Add` (elementwise sum, for residual connections) and
/// `Concatenate` (along an axis).

import KilnTensor

/// `Add()` / `layers.add([a, b, …])`: the elementwise sum of inputs of one shape.
public final class Add: Layer {
    public init(name: String?, backend: Backend) {
        super.init(className: "Add", name: name, backend: backend)
    }

    public override var inputCount: Int? { nil }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        guard inputs.count >= 2 else {
            throw LayerError("A merge layer should be called on a list of at least 2 inputs. Got \(inputs.count) inputs.")
        }
        var result = inputs[0]
        for other in inputs.dropFirst() {
            guard other.rank == result.rank else { throw incompatible(inputs[0], other) }
            var dims: [Int?] = []
            for (a, b) in zip(result.dims, other.dims) {
                switch (a, b) {
                case let (x?, y?) where x == y: dims.append(x)
                case let (x?, 1): dims.append(x)
                case let (1, y?): dims.append(y)
                case (nil, _), (_, nil): dims.append(a ?? b)
                default:
                    throw incompatible(inputs[0], other)
                }
            }
            result = Shape(dims)
        }
        return result
    }

    private func incompatible(_ a: Shape, _ b: Shape) -> LayerError {
        LayerError("Layer \"\(name)\": inputs have incompatible shapes. Received shapes \(a) and \(b)")
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        guard var sum = inputs.first else { throw LayerError("A merge layer should be called on a list of inputs.") }
        for x in inputs.dropFirst() {
            do {
                sum = try sum.adding(x)
            } catch let e as ShapeError {
                throw LayerError("Inputs have incompatible shapes in layer \"\(name)\": \(e.message)")
            }
        }
        return sum
    }

    /// Each input receives the gradient, summed over the axes it was broadcast along.
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let y = try forward(inputs, training: true)
        let shapes = inputs.map(\.shape)
        return Recorded(output: y) { g in LayerGradients(inputs: try shapes.map { try g.summed(toShape: $0) }) }
    }
}

/// `Concatenate(axis=-1)` / `layers.concatenate([a, b], axis)`: inputs joined along `axis`.
public final class Concatenate: Layer {
    public let axis: Int

    public init(axis: Int, name: String?, backend: Backend) {
        self.axis = axis
        super.init(className: "Concatenate", name: name, backend: backend)
    }

    public override var inputCount: Int? { nil }

    public override func computeOutputShape(_ inputs: [Shape]) throws -> Shape {
        guard inputs.count >= 2 else {
            throw LayerError("A `Concatenate` layer should be called on a list of at least 1 input. Received: input_shape=\(inputs)")
        }
        let rank = inputs[0].rank
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank, inputs.allSatisfy({ $0.rank == rank }) else {
            throw LayerError("A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=\(inputs.map(\.description))")
        }
        var dims = inputs[0].dims
        for other in inputs.dropFirst() {
            for i in 0..<rank where i != a {
                if let x = dims[i], let y = other.dims[i], x != y {
                    throw LayerError("A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=\(inputs.map(\.description))")
                }
            }
            if let x = dims[a], let y = other.dims[a] { dims[a] = x + y } else { dims[a] = nil }
        }
        return Shape(dims)
    }

    public override func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        guard let first = inputs.first else { throw LayerError("A merge layer should be called on a list of inputs.") }
        return try Tensor.concatenate(inputs, axis: axis < 0 ? axis + first.rank : axis)
    }

    /// Each input receives its slice of the gradient along the concatenation axis.
    public override func record(_ inputs: [Tensor]) throws -> Recorded {
        let y = try forward(inputs, training: true)
        guard let first = inputs.first else { throw LayerError("A merge layer should be called on a list of inputs.") }
        let a = axis < 0 ? axis + first.rank : axis
        let sizes = inputs.map { $0.shape[a] }
        return Recorded(output: y) { g in
            var start = 0
            return LayerGradients(inputs: try sizes.map { size in
                defer { start += size }
                return try g.sliced(axis: a, start..<(start + size))
            })
        }
    }
}
