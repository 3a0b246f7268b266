/// numpy's indexing, for reading (`a[key]`) and assignment (`a[key] = value`): integers
/// (negative from the end), slices with steps on any axis, `None` (np.newaxis), boolean
/// masks and integer arrays or lists ("fancy" indexing, combined with the other kinds by
/// numpy's rules), with numpy's IndexError wording.
///
/// A key is turned into the flat offsets of the selected elements: each output dimension
/// group (a slice, a new axis, the broadcast block of the array indices) contributes offsets,
/// and the result is their outer sum in output order. Trailing whole axes are kept as
/// contiguous blocks, so `x[:100]` and `x[perm]` copy rows, not elements.

import KilnLang

struct ArrayIndex {
    /// The shape of `a[key]`.
    let shape: [Int]
    /// Offsets of the selected blocks in the source, in row-major order of the result.
    let offsets: [Int]
    /// Elements per block (the product of the trailing whole axes).
    let blockSize: Int
    /// Whether an integer array or mask took part (numpy words assignment errors differently).
    let isAdvanced: Bool

    private enum Entry {
        /// A slice of `axis`: the selected indices.
        case slice(axis: Int, indices: [Int])
        /// `None` (size 1), or a bool scalar (size 1 for True, 0 for False).
        case newAxis(size: Int)
        case integer(axis: Int, index: Int)
        /// An integer array (one per axis: a mask of k dimensions gives k arrays) on `axis`.
        case array(axis: Int, indices: [Int], shape: [Int])
    }

    init(_ key: Value, of sourceShape: [Int]) throws {
        let items = key.as(KTuple.self)?.items ?? [key]
        var entries: [Entry] = []
        var axis = 0
        let indexed = try items.reduce(0) { n, item in n + (try ArrayIndex.dimensionsUsed(by: item)) }
        if indexed > sourceShape.count {
            throw KilnError.index("too many indices for array: array is \(sourceShape.count)-dimensional, but \(indexed) were indexed")
        }
        for item in items {
            switch item {
            case .none:
                entries.append(.newAxis(size: 1))
            case .bool(let b):
                entries.append(.newAxis(size: b ? 1 : 0))
            case .int(let i):
                entries.append(.integer(axis: axis, index: try ArrayIndex.resolve(i, axis: axis, size: sourceShape[axis])))
                axis += 1
            default:
                if let slice = item.as(KSlice.self) {
                    entries.append(.slice(axis: axis, indices: Array(try SequenceIndex.indices(slice, count: sourceShape[axis]))))
                    axis += 1
                    continue
                }
                let array = try ArrayIndex.indexArray(item)
                if array.dtype == .bool {
                    let maskShape = Array(sourceShape[axis..<axis + array.ndim])
                    for (k, (size, maskSize)) in zip(maskShape, array.shape).enumerated() where size != maskSize {
                        throw KilnError.index("boolean index did not match indexed array along axis \(axis + k); size of axis is \(size) but size of corresponding boolean axis is \(maskSize)")
                    }
                    for (k, positions) in ArrayIndex.nonzero(array).enumerated() {
                        entries.append(.array(axis: axis + k, indices: positions, shape: [positions.count]))
                    }
                    axis += array.ndim
                } else {
                    let indices = try array.storage.ints.map { try ArrayIndex.resolve($0, axis: axis, size: sourceShape[axis]) }
                    entries.append(.array(axis: axis, indices: indices, shape: array.shape))
                    axis += 1
                }
            }
        }
        while axis < sourceShape.count {
            entries.append(.slice(axis: axis, indices: Array(0..<sourceShape[axis])))
            axis += 1
        }
        try self.init(entries, sourceShape)
    }

    private init(_ entries: [Entry], _ sourceShape: [Int]) throws {
        var strides = [Int](repeating: 1, count: sourceShape.count)
        for k in stride(from: sourceShape.count - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * sourceShape[k + 1] }

        // Output groups in order: (dimensions, offset contributions).
        var groups: [(dims: [Int], contributions: [Int], wholeAxis: Int?)] = []
        let arrayPositions = entries.indices.filter {
            if case .array = entries[$0] { return true } else { return false }
        }
        isAdvanced = !arrayPositions.isEmpty
        var advanced: (dims: [Int], contributions: [Int])?
        if isAdvanced {
            // With array indices present, integers count as 0-d arrays (numpy's rule).
            var arrays: [(axis: Int, indices: [Int], shape: [Int])] = []
            var positions: [Int] = []
            for (p, e) in entries.enumerated() {
                switch e {
                case .array(let axis, let indices, let shape): arrays.append((axis, indices, shape)); positions.append(p)
                case .integer(let axis, let index): arrays.append((axis, [index], [])); positions.append(p)
                default: break
                }
            }
            let block = try Broadcast.shape(arrays.map(\.shape))
            var contributions = [Int](repeating: 0, count: block.reduce(1, *))
            for a in arrays {
                let expanded = Broadcast.expand(a.indices, from: a.shape, to: block)
                for i in contributions.indices { contributions[i] += expanded[i] * strides[a.axis] }
            }
            advanced = (block, contributions)
            let adjacent = positions.last.map { $0 - positions[0] + 1 == positions.count } ?? true
            if !adjacent { groups.append((block, contributions, nil)) }
            var placed = !adjacent
            for (p, e) in entries.enumerated() {
                switch e {
                case .array, .integer:
                    if !placed, p == positions[0], let a = advanced {
                        groups.append((a.dims, a.contributions, nil))
                        placed = true
                    }
                default:
                    groups.append(ArrayIndex.group(e, strides, sourceShape))
                }
            }
        } else {
            groups = entries.map { ArrayIndex.group($0, strides, sourceShape) }
        }

        // Trailing whole axes (the last axes, in order) stay contiguous blocks.
        var blockSize = 1
        var lastAxis = sourceShape.count - 1
        while let g = groups.last, let a = g.wholeAxis, a == lastAxis {
            blockSize *= sourceShape[a]
            lastAxis -= 1
            groups.removeLast()
        }
        var offsets = [0]
        var shape: [Int] = []
        for g in groups {
            shape += g.dims
            var next: [Int] = []
            next.reserveCapacity(offsets.count * g.contributions.count)
            for o in offsets {
                for c in g.contributions { next.append(o + c) }
            }
            offsets = next
        }
        self.shape = shape + sourceShape.suffix(sourceShape.count - 1 - lastAxis)
        self.offsets = offsets
        self.blockSize = blockSize
    }

    /// The output group of a non-array entry.
    private static func group(_ e: Entry, _ strides: [Int], _ sourceShape: [Int]) -> (dims: [Int], contributions: [Int], wholeAxis: Int?) {
        switch e {
        case .slice(let axis, let indices):
            let whole = indices == Array(0..<sourceShape[axis])
            return ([indices.count], indices.map { $0 * strides[axis] }, whole ? axis : nil)
        case .newAxis(let size):
            return ([size], [Int](repeating: 0, count: size), nil)
        case .integer(let axis, let index):
            return ([], [index * strides[axis]], nil)
        case .array:
            preconditionFailure("array entries form one group")
        }
    }

    private static func dimensionsUsed(by item: Value) throws -> Int {
        switch item {
        case .none, .bool: return 0
        case .int: return 1
        default:
            if item.as(KSlice.self) != nil { return 1 }
            let a = try indexArray(item)
            return a.dtype == .bool ? a.ndim : 1
        }
    }

    /// An index item that must be an integer or bool array (or a list of them).
    private static func indexArray(_ item: Value) throws -> NDArray {
        let invalid = KilnError.index("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices")
        let array: NDArray
        if let a = item.as(NDArray.self) {
            array = a
        } else if let s = item.as(KSequence.self) {
            array = s.items.isEmpty ? NDArray(.int64, [0], ints: []) : try NDArray.from(item)
        } else {
            throw invalid
        }
        if array.dtype.isFloat {
            throw item.as(NDArray.self) == nil ? invalid : KilnError.index("arrays used as indices must be of integer (or boolean) type")
        }
        return array
    }

    private static func resolve(_ i: Int, axis: Int, size: Int) throws -> Int {
        let index = i < 0 ? i + size : i
        guard index >= 0 && index < size else {
            throw KilnError.index("index \(i) is out of bounds for axis \(axis) with size \(size)")
        }
        return index
    }

    /// The positions of a mask's True elements, one index array per dimension.
    static func nonzero(_ mask: NDArray) -> [[Int]] {
        var result = [[Int]](repeating: [], count: mask.ndim)
        let values = mask.storage.ints
        for (flat, v) in values.enumerated() where v != 0 {
            var rest = flat
            for k in stride(from: mask.ndim - 1, through: 0, by: -1) {
                result[k].append(rest % mask.shape[k])
                rest /= mask.shape[k]
            }
        }
        return result
    }

    /// Every selected element's flat offset.
    private var elementOffsets: [Int] {
        if blockSize == 1 { return offsets }
        var out: [Int] = []
        out.reserveCapacity(offsets.count * blockSize)
        for o in offsets { out.append(contentsOf: o..<o + blockSize) }
        return out
    }

    // MARK: Reading and writing

    /// `a[key]`: a scalar when every axis was indexed by an integer, else a new array.
    func get(_ a: NDArray) -> Value {
        if shape.isEmpty { return a.scalar(at: offsets[0]) }
        if offsets.count == 1 && offsets[0] == 0 && blockSize == a.count { return .object(a.reshaped(shape)) }
        if offsets.count == 1 { return .object(NDArray(a.dtype, shape, a.storage.block(offsets[0]..<offsets[0] + blockSize))) }
        return .object(NDArray(a.dtype, shape, a.storage.gather(elementOffsets)))
    }

    /// `a[key] = value`, the value converted to `a`'s dtype and broadcast to the selection.
    func set(_ a: NDArray, _ value: Value) throws {
        let source = try NDArray.from(value, dtype: a.dtype)
        guard Broadcast.fits(source.shape, into: shape) else {
            let from = NDArray.describe(source.shape), to = NDArray.describe(shape)
            throw KilnError.value(isAdvanced
                ? "shape mismatch: value array of shape \(from) could not be broadcast to indexing result of shape \(to)"
                : "could not broadcast input array from shape \(from) into shape \(to)")
        }
        let n = shape.reduce(1, *)
        let values: Storage
        switch source.storage {
        case .integer(let v): values = .integer(Broadcast.expand(v, from: source.shape, to: shape))
        case .float64(let v): values = .float64(Broadcast.expand(v, from: source.shape, to: shape))
        case .float32:
            values = source.size == n ? source.storage : Storage.make(.float32, doubles: Broadcast.expand(source.storage.doubles, from: source.shape, to: shape))
        }
        a.storage.scatter(elementOffsets, values)
    }
}
