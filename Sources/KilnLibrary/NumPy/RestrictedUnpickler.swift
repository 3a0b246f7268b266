/// A restricted unpickler: reads the Python pickles (protocols 2 to 4) that hold numpy arrays
/// and plain data, as Keras' data set files do (the object arrays of lists of ints in
/// imdb.npz and reuters.npz, the dicts of the CIFAR batches), and nothing else. The only
/// globals it accepts are the three numpy needs to rebuild an array: `numpy.ndarray`,
/// `numpy.dtype` and `multiarray._reconstruct` (under numpy 1's `numpy.core` and numpy 2's
/// `numpy._core` names), which is Keras' own `RestrictedUnpickler` list; any other global is
/// refused by name, so a pickle cannot make Kiln run code. Python 2 strings stay bytes until a
/// use decides (array data, a dict key, a str). Damaged or truncated data is an UnpicklingError naming the
/// file, never a crash: containers refer to each other by index into one flat `Pickle`, so
/// deep nesting or a list that contains itself cannot overflow the stack.

import KilnLang

/// A pickled value: scalars inline, containers as an index into their `Pickle`'s tables.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// Python 3 bytes, or a Python 2 str (`python2`): a range of the pickle's bytes.
    case bytes(Range<Int>, python2: Bool)
    case tuple(Int)
    case list(Int)
    case dict(Int)
    case array(Int)
    case dtype(Int)
    /// One of the allowed numpy globals, not called yet.
    case global(NumpyGlobal)

    /// The numpy names a pickle may refer to.
    enum NumpyGlobal: String {
        case ndarray = "numpy.ndarray", dtype = "numpy.dtype", reconstruct = "numpy.core.multiarray._reconstruct"
    }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes(_, let python2): return python2 ? "str (Python 2)" : "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .array: return "numpy.ndarray"
        case .dtype: return "numpy.dtype"
        case .global(let g): return g.rawValue
        }
    }
}

/// A numpy dtype as pickled: `dtype(typestr)`, then its state's byte order.
struct PickledDType {
    /// numpy's type string without byte order (`u1`, `i8`, `f4`, `O8`).
    var code: String
    /// `<`, `>`, `=` or `|`.
    var byteOrder = "|"

    var isObject: Bool { code.hasPrefix("O") }
    /// The `.npy` type string (`|u1`, `<i8`).
    var descr: String { byteOrder + code }
}

/// A numpy array as pickled: `_reconstruct(ndarray, (0,), b'b')`, then its state: the shape,
/// the dtype, and the raw little-endian elements (or, for an object array, a list of them).
struct PickledArray {
    enum Contents {
        /// A range of the pickle's bytes.
        case raw(Range<Int>)
        case objects([PickleValue])
    }

    var shape: [Int] = [0]
    var dtype = PickledDType(code: "f8")
    var contents = Contents.objects([])

    /// The number of elements (product of the shape).
    var count: Int { shape.reduce(1, *) }
}

/// An unpickled value (`root`) and the containers it refers to, held flat.
struct Pickle {
    /// The buffer the pickle was read from (bytes values are ranges of it).
    let bytes: [UInt8]
    /// Where the pickle came from (a file, or a member of an archive), for error messages.
    let source: String
    var root = PickleValue.none
    var tuples: [[PickleValue]] = []
    var lists: [[PickleValue]] = []
    var dicts: [[(key: PickleValue, value: PickleValue)]] = []
    var dtypes: [PickledDType] = []
    var arrays: [PickledArray] = []

    /// The text of a str, or of bytes decoded as UTF-8 (the keys of Python 2 pickles).
    func text(_ v: PickleValue) -> String? {
        switch v {
        case .string(let s): return s
        case .bytes(let r, _): return String(validating: bytes[r], as: UTF8.self)
        default: return nil
        }
    }

    /// The items of a list or tuple.
    func items(_ v: PickleValue) -> [PickleValue]? {
        switch v {
        case .list(let i): return lists[i]
        case .tuple(let i): return tuples[i]
        default: return nil
        }
    }

    /// The entries of a dict.
    func entries(_ v: PickleValue) -> [(key: PickleValue, value: PickleValue)]? {
        guard case .dict(let i) = v else { return nil }
        return dicts[i]
    }

    /// A numpy array.
    func array(_ v: PickleValue) -> PickledArray? {
        guard case .array(let i) = v else { return nil }
        return arrays[i]
    }

    /// A numeric array as an NDArray (a TypeError for an object array).
    func ndarray(_ array: PickledArray) throws -> NDArray {
        guard case .raw(let range) = array.contents else {
            throw KilnError.type("expected a numeric array in \(source), found an object array")
        }
        let dtype = try NpyFormat.dtypeOf(array.dtype.descr)
        return NDArray(dtype, array.shape, NpyFormat.elements(bytes[range], count: array.count, dtype))
    }

    /// The language value for `v`: numeric arrays as arrays, object arrays as (nested) lists
    /// of their elements (Kiln's arrays hold numbers only), Python 2 strings as str decoded as
    /// ASCII (numpy's default `encoding`). Bytes have no Kiln type and are refused, as are
    /// dtypes and globals on their own.
    func value(_ v: PickleValue, depth: Int = 0) throws -> Value {
        guard depth < 1000 else { throw KilnError("RecursionError", "maximum recursion depth exceeded converting the pickle in \(source)") }
        func convert(_ items: [PickleValue]) throws -> [Value] { try items.map { try value($0, depth: depth + 1) } }
        switch v {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .tuple(let i): return .object(KTuple(try convert(tuples[i])))
        case .list(let i): return .object(KList(try convert(lists[i])))
        case .dict(let i):
            let d = KDict()
            for (key, item) in dicts[i] { try d.set(try value(key, depth: depth + 1), try value(item, depth: depth + 1)) }
            return .object(d)
        case .array(let i):
            let array = arrays[i]
            guard case .objects(let items) = array.contents else { return .object(try ndarray(array)) }
            let elements = try convert(items)
            guard !array.shape.isEmpty else { return elements.first ?? .none }
            // One list per index of every axis but the last: many, even with no elements, when
            // the last axis has length 0.
            var rows = 1
            for n in array.shape.dropLast() {
                let (product, overflow) = rows.multipliedReportingOverflow(by: n)
                guard !overflow, product <= 100_000_000 else {
                    throw KilnError("MemoryError", "the object array of shape \(NDArray.describe(array.shape)) in \(source) would need too many lists")
                }
                rows = product
            }
            var position = 0
            func nest(_ axis: Int) -> Value {
                if axis == array.shape.count - 1 {
                    defer { position += array.shape[axis] }
                    return .object(KList(Array(elements[position..<(position + array.shape[axis])])))
                }
                return .object(KList((0..<array.shape[axis]).map { _ in nest(axis + 1) }))
            }
            return nest(0)
        case .bytes(let r, python2: true):
            guard let ascii = bytes[r].firstIndex(where: { $0 >= 0x80 }) else { return .string(String(decoding: bytes[r], as: UTF8.self)) }
            throw KilnError("UnicodeDecodeError", "'ascii' codec can't decode byte 0x\(ByteText.hex([bytes[ascii]])) in position \(ascii - r.lowerBound): ordinal not in range(128) (a Python 2 str in \(source))")
        case .bytes:
            throw KilnError.type("the pickle in \(source) holds bytes, which Kiln has no type for")
        case .dtype, .global:
            throw KilnError.type("the pickle in \(source) holds a bare \(v.typeName), which Kiln does not represent")
        }
    }
}

/// Reads one pickle from a byte buffer into a `Pickle`.
struct RestrictedUnpickler {
    private var pickle: Pickle
    private var position: Int
    private var stack: [PickleValue] = []
    /// Stack heights at each MARK still open.
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// The value pickled in `bytes` from byte `start`, read from `source` (a file name, or
    /// an archive member and its archive).
    static func load(_ bytes: [UInt8], from start: Int = 0, source: String) throws -> Pickle {
        var unpickler = RestrictedUnpickler(pickle: Pickle(bytes: bytes, source: source), position: start)
        unpickler.pickle.root = try unpickler.run()
        return unpickler.pickle
    }

    private init(pickle: Pickle, position: Int) {
        self.pickle = pickle
        self.position = position
    }

    private func failure(_ message: String) -> KilnError {
        KilnError("UnpicklingError", "\(message) (reading \(pickle.source))")
    }

    // MARK: Reading bytes

    private mutating func take(_ n: Int) throws -> Range<Int> {
        guard n >= 0, n <= pickle.bytes.count - position else { throw failure("pickle data was truncated") }
        defer { position += n }
        return position..<(position + n)
    }

    private mutating func byte() throws -> UInt8 { pickle.bytes[try take(1).lowerBound] }

    /// An unsigned little-endian integer of `n` bytes (n ≤ 8), refused above Int.max.
    private mutating func length(_ n: Int) throws -> Int {
        var v: UInt64 = 0
        for (i, b) in pickle.bytes[try take(n)].enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        guard let length = Int(exactly: v) else { throw failure("pickle data was truncated") }
        return length
    }

    /// A two's-complement little-endian integer of `count` bytes (BININT, LONG1, LONG4).
    private mutating func signedInteger(_ count: Int) throws -> Int {
        let digits = pickle.bytes[try take(count)]
        guard let last = digits.last else { return 0 }
        let negative = last & 0x80 != 0
        // Bytes beyond the eighth may only extend the sign, and the eighth must agree with it.
        guard digits.dropFirst(8).allSatisfy({ $0 == (negative ? 0xFF : 0) }) else { throw failure("a pickled int does not fit Kiln's 64-bit int") }
        var v: UInt64 = negative ? ~0 : 0
        for (i, b) in digits.prefix(8).enumerated() {
            v = v & ~(UInt64(0xFF) << (8 * UInt64(i))) | UInt64(b) << (8 * UInt64(i))
        }
        let result = Int(Int64(bitPattern: v))
        guard (result < 0) == negative else { throw failure("a pickled int does not fit Kiln's 64-bit int") }
        return result
    }

    private mutating func text(_ n: Int) throws -> String {
        guard let s = String(validating: pickle.bytes[try take(n)], as: UTF8.self) else { throw failure("a pickled str is not valid UTF-8") }
        return s
    }

    /// A newline-terminated line (GLOBAL's module and name).
    private mutating func line() throws -> String {
        guard let end = pickle.bytes[position...].firstIndex(of: 0x0A) else { throw failure("pickle data was truncated") }
        defer { position = end + 1 }
        return String(decoding: pickle.bytes[position..<end], as: UTF8.self)
    }

    // MARK: The stack

    /// The height below which the stack belongs to an enclosing MARK.
    private var fence: Int { marks.last ?? 0 }

    private mutating func pop() throws -> PickleValue {
        guard stack.count > fence, let v = stack.popLast() else { throw failure("unpickling stack underflow") }
        return v
    }

    private func top() throws -> PickleValue {
        guard stack.count > fence, let v = stack.last else { throw failure("unpickling stack underflow") }
        return v
    }

    private mutating func pop(_ n: Int) throws -> [PickleValue] {
        guard stack.count - n >= fence else { throw failure("unpickling stack underflow") }
        defer { stack.removeLast(n) }
        return Array(stack.suffix(n))
    }

    /// The items pushed since the last MARK, which is closed.
    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw failure("could not find MARK") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func push(tuple items: [PickleValue]) {
        pickle.tuples.append(items)
        stack.append(.tuple(pickle.tuples.count - 1))
    }

    private mutating func push(list items: [PickleValue]) {
        pickle.lists.append(items)
        stack.append(.list(pickle.lists.count - 1))
    }

    // MARK: Running

    private mutating func run() throws -> PickleValue {
        while true {
            let at = position
            let opcode = try byte()
            switch opcode {
            case 0x80:  // PROTO
                let version = try length(1)
                guard version <= 5 else { throw failure("unsupported pickle protocol: \(version)") }
            case 0x95: _ = try length(8)  // FRAME: frames only group the opcodes that follow
            case 0x2E:  // STOP
                let v = try pop()
                guard marks.isEmpty else { throw failure("the pickle ended inside a MARK") }
                return v
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: stack.append(try top())  // DUP
            case 0x4E: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            case 0x4A: stack.append(.int(try signedInteger(4)))  // BININT
            case 0x4B: stack.append(.int(try length(1)))  // BININT1
            case 0x4D: stack.append(.int(try length(2)))  // BININT2
            case 0x8A: stack.append(.int(try signedInteger(try length(1))))  // LONG1
            case 0x8B:  // LONG4
                let n = try signedInteger(4)
                guard n >= 0 else { throw failure("LONG pickle has negative byte count") }
                stack.append(.int(try signedInteger(n)))
            case 0x47:  // BINFLOAT, big-endian
                let bits = pickle.bytes[try take(8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                stack.append(.float(Double(bitPattern: bits)))
            case 0x8C: stack.append(.string(try text(try length(1))))  // SHORT_BINUNICODE
            case 0x58: stack.append(.string(try text(try length(4))))  // BINUNICODE
            case 0x8D: stack.append(.string(try text(try length(8))))  // BINUNICODE8
            case 0x43: stack.append(.bytes(try take(try length(1)), python2: false))  // SHORT_BINBYTES
            case 0x42: stack.append(.bytes(try take(try length(4)), python2: false))  // BINBYTES
            case 0x8E: stack.append(.bytes(try take(try length(8)), python2: false))  // BINBYTES8
            case 0x55: stack.append(.bytes(try take(try length(1)), python2: true))  // SHORT_BINSTRING
            case 0x54:  // BINSTRING
                let n = try signedInteger(4)
                guard n >= 0 else { throw failure("BINSTRING pickle has negative byte count") }
                stack.append(.bytes(try take(n), python2: true))
            case 0x29: push(tuple: [])  // EMPTY_TUPLE
            case 0x85: push(tuple: try pop(1))  // TUPLE1
            case 0x86: push(tuple: try pop(2))  // TUPLE2
            case 0x87: push(tuple: try pop(3))  // TUPLE3
            case 0x74: push(tuple: try popMark())  // TUPLE
            case 0x5D: push(list: [])  // EMPTY_LIST
            case 0x6C: push(list: try popMark())  // LIST
            case 0x61: try append(try pop(1))  // APPEND
            case 0x65: try append(try popMark())  // APPENDS
            case 0x7D:  // EMPTY_DICT
                pickle.dicts.append([])
                stack.append(.dict(pickle.dicts.count - 1))
            case 0x64:  // DICT
                let items = try popMark()
                pickle.dicts.append([])
                stack.append(.dict(pickle.dicts.count - 1))
                try setItems(items)
            case 0x73: try setItems(try pop(2))  // SETITEM
            case 0x75: try setItems(try popMark())  // SETITEMS
            case 0x71: memo[try length(1)] = try top()  // BINPUT
            case 0x72: memo[try length(4)] = try top()  // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()  // MEMOIZE
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let index = try length(opcode == 0x68 ? 1 : 4)
                guard let v = memo[index] else { throw failure("Memo value not found at index \(index)") }
                stack.append(v)
            case 0x63:  // GLOBAL
                let module = try line()
                stack.append(.global(try allowedGlobal(module, try line())))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case .string(let m) = module, case .string(let n) = name else { throw failure("STACK_GLOBAL requires str") }
                stack.append(.global(try allowedGlobal(m, n)))
            case 0x52:  // REDUCE
                let arguments = try pop()
                stack.append(try call(try pop(), arguments))
            case 0x62:  // BUILD
                let state = try pop()
                try build(try top(), state)
            default:
                throw unsupported(opcode, at: at)
            }
        }
    }

    /// The error for an opcode Kiln does not read: a named one (sets, objects, extensions,
    /// persistent ids, protocol 0 and 1 text, out-of-band buffers) or an invalid key.
    private func unsupported(_ opcode: UInt8, at offset: Int) -> KilnError {
        let names: [UInt8: String] = [
            0x8F: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x69: "INST", 0x6F: "OBJ",
            0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x50: "PERSID", 0x51: "BINPERSID", 0x49: "INT", 0x4C: "LONG", 0x46: "FLOAT",
            0x53: "STRING", 0x56: "UNICODE", 0x70: "PUT", 0x67: "GET", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
        ]
        guard let name = names[opcode] else { return failure("invalid load key, \(ByteText.pythonRepr([opcode]).dropFirst()) at byte \(offset)") }
        return failure("Kiln's restricted unpickler does not read the \(name) opcode (byte \(offset)); it reads numpy arrays, lists, dicts, tuples, numbers and strings")
    }

    /// A global Kiln allows, or the refusal naming it.
    private func allowedGlobal(_ module: String, _ name: String) throws -> PickleValue.NumpyGlobal {
        switch (module, name) {
        case ("numpy", "ndarray"): return .ndarray
        case ("numpy", "dtype"): return .dtype
        case ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"): return .reconstruct
        default:
            throw KilnError("UnpicklingError", "Refusing to deserialize `\(module).\(name)` while reading \(pickle.source): Kiln's restricted unpickler rebuilds numpy arrays, lists, dicts, tuples, numbers and strings only. The file may be corrupted or malicious.")
        }
    }

    private mutating func append(_ items: [PickleValue]) throws {
        let target = try top()
        guard case .list(let i) = target else { throw failure("APPEND to a \(target.typeName), not a list") }
        pickle.lists[i] += items
    }

    /// SETITEM(S): key/value pairs into the dict on top of the stack. Keys are scalars or
    /// tuples of scalars (all a dict key in these files can be).
    private mutating func setItems(_ items: [PickleValue]) throws {
        let target = try top()
        guard case .dict(let d) = target else { throw failure("SETITEM on a \(target.typeName), not a dict") }
        guard items.count % 2 == 0 else { throw failure("odd number of items for SETITEMS") }
        for k in stride(from: 0, to: items.count, by: 2) {
            let key = items[k]
            guard isScalar(key) || (pickle.items(key).map { $0.allSatisfy(isScalar) } ?? false) else {
                throw failure("Kiln reads dict keys that are str, bytes, numbers, None or tuples of them, not \(key.typeName)")
            }
            if let existing = pickle.dicts[d].firstIndex(where: { sameKey($0.key, key) }) {
                pickle.dicts[d][existing].value = items[k + 1]
            } else {
                pickle.dicts[d].append((key, items[k + 1]))
            }
        }
    }

    private func isScalar(_ v: PickleValue) -> Bool {
        switch v {
        case .none, .bool, .int, .float, .string, .bytes: return true
        default: return false
        }
    }

    /// Python's `==` between two dict keys.
    private func sameKey(_ a: PickleValue, _ b: PickleValue) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.string(let x), .string(let y)): return x == y
        case (.bytes(let x, _), .bytes(let y, _)): return pickle.bytes[x].elementsEqual(pickle.bytes[y])
        case (.tuple(let x), .tuple(let y)):
            let p = pickle.tuples[x], q = pickle.tuples[y]
            return p.count == q.count && zip(p, q).allSatisfy { isScalar($0) && sameKey($0, $1) }
        default:
            guard let x = number(a), let y = number(b) else { return false }
            return x == y
        }
    }

    private func number(_ v: PickleValue) -> Double? {
        switch v {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    // MARK: numpy's reconstruction

    /// REDUCE: `_reconstruct(ndarray, shape, typecode)` makes an empty array and
    /// `dtype(typestr, align, copy)` a dtype; BUILD then fills them in.
    private mutating func call(_ function: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .tuple(let t) = arguments else { throw failure("REDUCE arguments must be a tuple, not \(arguments.typeName)") }
        let args = pickle.tuples[t]
        switch function {
        case .global(.reconstruct):
            guard args.count == 3, case .global(.ndarray) = args[0] else { throw failure("_reconstruct is only read for numpy.ndarray") }
            pickle.arrays.append(PickledArray())
            return .array(pickle.arrays.count - 1)
        case .global(.dtype):
            guard let first = args.first, let code = pickle.text(first) else { throw failure("numpy.dtype needs a type string") }
            pickle.dtypes.append(PickledDType(code: code))
            return .dtype(pickle.dtypes.count - 1)
        default:
            throw failure("Kiln's restricted unpickler does not call \(function.typeName)")
        }
    }

    private mutating func build(_ target: PickleValue, _ state: PickleValue) throws {
        guard case .tuple(let s) = state else { throw failure("BUILD state must be a tuple, not \(state.typeName)") }
        let fields = pickle.tuples[s]
        switch target {
        case .dtype(let d):
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
            guard fields.count >= 5, let order = pickle.text(fields[1]), ["<", ">", "=", "|"].contains(order) else {
                throw failure("damaged numpy.dtype state")
            }
            for field in fields[2...4] {
                guard case .none = field else { throw failure("Kiln reads plain dtypes only, not structured or subarray ones") }
            }
            pickle.dtypes[d].byteOrder = order
        case .array(let a):
            pickle.arrays[a] = try arrayState(fields.count == 5 ? Array(fields.dropFirst()) : fields)
        default:
            throw failure("BUILD on \(target.typeName) is not supported")
        }
    }

    /// An array from its state: (shape, dtype, is_fortran, data), after a version number.
    private func arrayState(_ f: [PickleValue]) throws -> PickledArray {
        guard f.count == 4, case .tuple(let dims) = f[0], case .dtype(let d) = f[1] else { throw failure("damaged numpy.ndarray state") }
        var array = PickledArray(dtype: pickle.dtypes[d])
        array.shape = []
        var count = 1
        for dim in pickle.tuples[dims] {
            guard case .int(let n) = dim, n >= 0 else { throw failure("damaged numpy.ndarray shape") }
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw failure("numpy.ndarray shape too large") }
            array.shape.append(n)
            count = product
        }
        if case .bool(true) = f[2], array.shape.count > 1 {
            throw failure("this pickle holds a Fortran-order array; Kiln reads C-order arrays only")
        }
        let shape = NDArray.describe(array.shape)
        switch f[3] {
        case .list(let l) where array.dtype.isObject:
            let items = pickle.lists[l]
            guard items.count == count else { throw failure("numpy.ndarray state has \(items.count) objects for shape \(shape)") }
            array.contents = .objects(items)
        case .bytes(let raw, _) where !array.dtype.isObject:
            let size = try NpyFormat.dtypeOf(array.dtype.descr).itemSize
            let (expected, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, raw.count == expected else {
                throw failure("numpy.ndarray state has \(raw.count) bytes of data for shape \(shape) of \(array.dtype.descr)")
            }
            array.contents = .raw(raw)
        default:
            throw failure("damaged numpy.ndarray data (\(f[3].typeName) for dtype \(array.dtype.descr))")
        }
        return array
    }
}
