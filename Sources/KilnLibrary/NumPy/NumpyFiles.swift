/// Arrays in files: `np.save` / `np.load` of numpy's `.npy` format (versions 1.0, 2.0 and 3.0
/// headers; little-endian float32, float64, int64, int32, uint8 and bool in C order),
/// `np.savez` / `np.savez_compressed` and `np.load` of `.npz` archives (zip files of `.npy`
/// members), with numpy's errors for files Kiln cannot read. Object arrays load only with
/// `allow_pickle=True`, through the restricted unpickler (numpy arrays, lists, dicts, tuples,
/// numbers and strings; no other globals); Kiln's arrays hold numbers, so an object array
/// loads as (nested) lists of its elements.

import Foundation
import KilnLang
import KilnTensor

enum NumpyFiles {
    static let functions: [KBuiltin] = [
        KBuiltin("save", "file, arr, allow_pickle=True", doc: "Writes arr to file in numpy's .npy format ('.npy' is appended when missing).") { a in
            var path = try filePath(a, "file")
            if !path.hasSuffix(".npy") { path += ".npy" }
            try writeFile(path, NpyFormat.encode(try a.array("arr")))
            return .none
        },
        KBuiltin("savez", "file, *args, **kwds", doc: "Writes arrays to an uncompressed .npz archive: positional ones as arr_0, arr_1, …, keyword ones by name.") { a in
            try savez(a, compressed: false)
        },
        KBuiltin("savez_compressed", "file, *args, **kwds", doc: "Writes arrays to a deflate-compressed .npz archive: positional ones as arr_0, arr_1, …, keyword ones by name.") { a in
            try savez(a, compressed: true)
        },
        KBuiltin("load", "file, mmap_mode=None, allow_pickle=False, fix_imports=True, encoding='ASCII', *, max_header_size=10000",
                 doc: "The array in a .npy file, or a dict-like NpzFile for a .npz archive (data['x'], data.files).") { a in
            let path = try filePath(a, "file")
            let bytes = try readFile(path)
            if ZipArchive.isZip(bytes) {
                return .object(NpzFile(try ZipArchive(bytes, filename: path), allowPickle: a.bool("allow_pickle"),
                                           maxHeaderSize: try a.int("max_header_size")))
            }
            guard bytes.starts(with: NpyFormat.magic) else {
                if !a.bool("allow_pickle") {
                    throw KilnError.value("This file contains pickled (object) data. If you trust the file you can load it unsafely using the `allow_pickle=` keyword argument or `pickle.load()`.")
                }
                throw KilnError.value("Failed to interpret file '\(path)' as a pickle: Kiln reads .npy and .npz files only")
            }
            return try NpyFormat.read(bytes, allowPickle: a.bool("allow_pickle"), maxHeaderSize: try a.int("max_header_size"), source: path).value()
        },
    ]

    /// A file-name argument (Kiln has no file objects).
    static func filePath(_ a: BoundArguments, _ name: String) throws -> String {
        guard case .string(let path) = a[name] else {
            throw KilnError.type("\(a.function)() argument '\(name)' must be a file name (str), not \(a[name].typeName)")
        }
        return path
    }

    private static func savez(_ a: BoundArguments, compressed: Bool) throws -> Value {
        var path = try filePath(a, "file")
        if !path.hasSuffix(".npz") { path += ".npz" }
        var members: [(name: String, data: [UInt8])] = []
        var names = Set<String>()
        let keywords = a["kwds"].as(KDict.self)?.table.entries ?? []
        for (key, _) in keywords { if case .string(let k) = key { names.insert(k) } }
        // numpy's order: the keyword arrays, then arr_0, arr_1, …
        for (key, value) in keywords {
            guard case .string(let name) = key else { continue }
            members.append((name + ".npy", NpyFormat.encode(try NDArray.from(value))))
        }
        for (i, value) in try a.list(a.position("args")).enumerated() {
            let name = "arr_\(i)"
            if names.contains(name) { throw KilnError.value("Cannot use un-named variables and keyword \(name)") }
            members.append((name + ".npy", NpyFormat.encode(try NDArray.from(value))))
        }
        try writeFile(path, try ZipArchive.write(members, compressed: compressed))
        return .none
    }

    // MARK: Files

    /// Python's OSError subclass and message for the C library's `errno` on `path`.
    static func osError(_ code: Int32, _ path: String) -> KilnError {
        let type: String
        switch code {
        case ENOENT: type = "FileNotFoundError"
        case EACCES, EPERM: type = "PermissionError"
        case EISDIR: type = "IsADirectoryError"
        case ENOTDIR: type = "NotADirectoryError"
        default: type = "OSError"
        }
        return KilnError(type, "[Errno \(code)] \(String(cString: strerror(code))): \(Repr.repr(.string(path)))")
    }

    /// The whole contents of a file (one the sandbox allows, see `FileSandbox`).
    static func readFile(_ path: String) throws -> [UInt8] {
        try FileSandbox.check(path, writing: false)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw osError(errno, path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw osError(errno, path) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw osError(EISDIR, path) }
        var result: [UInt8] = []
        result.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw osError(errno, path) }
            if n == 0 { break }
            result += chunk[0..<n]
        }
        return result
    }

    /// Writes `bytes` to a file (one the sandbox allows), replacing it.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try FileSandbox.check(path, writing: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw osError(errno, path) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { write(fd, $0 + offset, buffer.count - offset) } ?? 0
            }
            if n < 0 { throw osError(errno, path) }
            offset += n
        }
    }
}

/// numpy's `.npy` format: the magic string, a version, a header (a Python dict literal with
/// 'descr', 'fortran_order' and 'shape') padded to 64 bytes, then the elements.
enum NpyFormat {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The format's type string of a dtype (little-endian).
    static func descr(_ d: DType) -> String {
        switch d {
        case .bool: return "|b1"
        case .uint8: return "|u1"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .float32: return "<f4"
        case .float64: return "<f8"
        }
    }

    // MARK: Writing

    /// The file contents for `array` (version 1.0 unless the header needs 2.0).
    static func encode(_ array: NDArray) -> [UInt8] {
        let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '\(descr(array.dtype))', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let big = header.count + 1 + 10 > 65535
        let prefix = big ? 12 : 10
        let padding = (64 - (prefix + header.count + 1) % 64) % 64
        header += [UInt8](repeating: 0x20, count: padding) + [0x0A]
        var out = magic + (big ? [2, 0] : [1, 0])
        var length = ByteWriter()
        if big { length.u32(UInt32(header.count)) } else { length.u16(UInt16(header.count)) }
        out += length.bytes + header
        out.reserveCapacity(out.count + array.size * array.dtype.itemSize)
        appendElements(array, to: &out)
        return out
    }

    private static func appendElements(_ array: NDArray, to out: inout [UInt8]) {
        switch (array.dtype, array.storage) {
        case (.float32, .float32(let t)):
            t.withUnsafeBufferPointer { for x in $0 { append(x.bitPattern, 4, &out) } }
        case (.float64, .float64(let v)):
            for x in v { append(x.bitPattern, 8, &out) }
        case (_, .integer(let v)):
            let size = array.dtype.itemSize
            for x in v { append(UInt64(bitPattern: Int64(x)), size, &out) }
        default:
            for x in array.storage.doubles { append(x.bitPattern, 8, &out) }
        }
    }

    @inline(__always)
    private static func append<T: FixedWidthInteger>(_ v: T, _ size: Int, _ out: inout [UInt8]) {
        var x = UInt64(truncatingIfNeeded: v)
        for _ in 0..<size { out.append(UInt8(x & 0xFF)); x >>= 8 }
    }

    // MARK: Reading

    /// The array in a `.npy` file's bytes (a numeric one: object arrays are refused as numpy
    /// refuses them with allow_pickle=False).
    static func decode(_ bytes: [UInt8], maxHeaderSize: Int = 10000) throws -> NDArray {
        guard case .array(let array) = try read(bytes, allowPickle: false, maxHeaderSize: maxHeaderSize, source: "") else {
            throw KilnError.value("Object arrays cannot be loaded when allow_pickle=False")
        }
        return array
    }

    /// What a `.npy` file holds: a numeric array, or an object array (allowed with
    /// `allowPickle`) read from its pickle by the restricted unpickler.
    enum Contents {
        case array(NDArray)
        case objects(Pickle)

        /// The language value: the array, or the object array's elements as (nested) lists.
        func value() throws -> Value {
            switch self {
            case .array(let a): return .object(a)
            case .objects(let pickle): return try pickle.value(pickle.root)
            }
        }
    }

    /// The contents of a `.npy` file's bytes, read from `source` (named in unpickling errors).
    /// As in numpy, `allowPickle` also lifts the header size limit.
    static func read(_ bytes: [UInt8], allowPickle: Bool, maxHeaderSize: Int, source: String) throws -> Contents {
        guard bytes.starts(with: magic), bytes.count >= 10 else {
            throw KilnError.value("the magic string is not correct; expected b'\\x93NUMPY', got \(ByteText.pythonRepr(bytes.prefix(6)))")
        }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        let r = ByteReader(bytes)
        let headerLength: Int, start: Int
        switch major {
        case 1: headerLength = Int(r.u16(8)); start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw eof("array header length", expected: 4, got: bytes.count - 8) }
            headerLength = Int(r.u32(8)); start = 12
        default:
            throw KilnError.value("we only support format version (1,0), (2,0), and (3,0), not (\(major), \(minor))")
        }
        if headerLength > maxHeaderSize && !allowPickle {
            throw KilnError.value("Header info length (\(headerLength)) is large and may not be safe to load securely. To allow loading, adjust `max_header_size` or fully trust the `.npy` file using `allow_pickle=True`. For safety against large resource use or crashes, sandboxing may be necessary.")
        }
        guard start + headerLength <= bytes.count else {
            throw eof("array header", expected: headerLength, got: bytes.count - start)
        }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        let (type, shape) = try parseHeader(text)
        let dataStart = start + headerLength
        guard let dtype = type else {
            guard allowPickle else { throw KilnError.value("Object arrays cannot be loaded when allow_pickle=False") }
            return .objects(try RestrictedUnpickler.load(bytes, from: dataStart, source: source))
        }
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= Int.max / 8 else {
                throw KilnError.value("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.")
            }
            count = product
        }
        let expected = count * dtype.itemSize, found = bytes.count - dataStart
        guard found >= expected else { throw eof("array data", expected: expected, got: found) }
        return .array(NDArray(dtype, shape, elements(bytes[dataStart...], count: count, dtype)))
    }

    /// numpy's error for a file that ends too soon.
    static func eof(_ what: String, expected: Int, got: Int) -> KilnError {
        KilnError.value("EOF: reading \(what), expected \(expected) bytes got \(got)")
    }

    /// The dtype (nil for numpy's object dtype) and shape a header declares, or numpy's (or
    /// Kiln's) error for what Kiln cannot read.
    static func parseHeader(_ text: String) throws -> (dtype: DType?, shape: [Int]) {
        let bad = KilnError.value("Cannot parse header: \(Repr.repr(.string(text)))")
        var parser = LiteralParser(text)
        guard case .dict(let fields)? = try? parser.parse() else { throw bad }
        let keys = Set(fields.map(\.key))
        guard keys == ["descr", "fortran_order", "shape"] else {
            throw KilnError.value("Header does not contain the correct keys: \(fields.map { "'\($0.key)'" })")
        }
        let value = { (key: String) in fields.first { $0.key == key }!.value }
        guard case .tuple(let dims) = value("shape") else { throw KilnError.value("shape is not valid: \(value("shape"))") }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let n) = d, n >= 0 else { throw KilnError.value("shape is not valid: \(value("shape"))") }
            shape.append(n)
        }
        guard case .bool(let fortran) = value("fortran_order") else { throw KilnError.value("fortran_order is not a valid bool") }
        guard case .string(let descr) = value("descr") else {
            throw KilnError.value("Kiln cannot read structured arrays (descr \(value("descr")))")
        }
        let dtype = isObject(descr) ? nil : try dtypeOf(descr)
        if fortran && dtype != nil {
            throw KilnError.value("this .npy file holds a Fortran-order array (fortran_order: True); Kiln reads C-order arrays only (save np.ascontiguousarray(a) in numpy)")
        }
        return (dtype, shape)
    }

    /// Whether a type string is numpy's object dtype (elements stored as a pickle).
    static func isObject(_ descr: String) -> Bool { descr == "|O" || descr == "O" }

    /// The dtype a (numeric) type string names.
    static func dtypeOf(_ descr: String) throws -> DType {
        if isObject(descr) { throw KilnError.value("Object arrays cannot be loaded when allow_pickle=False") }
        let order = descr.first, code = String(descr.dropFirst())
        let known: [String: DType] = ["b1": .bool, "u1": .uint8, "i4": .int32, "i8": .int64, "f4": .float32, "f8": .float64]
        guard let order, "<>|=".contains(order), let dtype = known[code] else {
            throw KilnError.type("Kiln cannot read arrays of dtype '\(descr)'; it reads float32 ('<f4'), float64 ('<f8'), int64 ('<i8'), int32 ('<i4'), uint8 ('|u1') and bool ('|b1')")
        }
        if order == ">" && dtype.itemSize > 1 {
            throw KilnError.value("big-endian dtype '\(descr)' is not supported; Kiln reads little-endian arrays (save a.astype(a.dtype.newbyteorder('<')) in numpy)")
        }
        return dtype
    }

    /// The first `count` elements of `dtype` stored little-endian in `bytes` (which holds
    /// at least `count * dtype.itemSize` bytes).
    static func elements(_ bytes: ArraySlice<UInt8>, count: Int, _ dtype: DType) -> Storage {
        bytes.withUnsafeBytes { raw in
            guard count > 0, let base = raw.baseAddress else { return Storage.zeros(dtype, count: 0) }
            switch dtype {
            case .float32:
                var t = Tensor(shape: [count])
                t.withUnsafeMutableBufferPointer { out in
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                }
                return .float32(t)
            case .float64:
                return .float64((0..<count).map { Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) })
            case .int64:
                return .integer((0..<count).map { Int(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) })
            case .int32:
                return .integer((0..<count).map { Int(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) })
            case .uint8:
                return .integer((0..<count).map { Int(base.load(fromByteOffset: $0, as: UInt8.self)) })
            case .bool:
                return .integer((0..<count).map { base.load(fromByteOffset: $0, as: UInt8.self) != 0 ? 1 : 0 })
            }
        }
    }
}

/// The Python literals of a `.npy` header: dicts, tuples, lists, strings, ints, booleans, None.
indirect enum Literal: CustomStringConvertible {
    case dict([(key: String, value: Literal)]), tuple([Literal]), list([Literal]), string(String), int(Int), bool(Bool), none

    var description: String {
        switch self {
        case .dict(let f): return "{" + f.map { "'\($0.key)': \($0.value)" }.joined(separator: ", ") + "}"
        case .tuple(let t): return t.count == 1 ? "(\(t[0]),)" : "(" + t.map(\.description).joined(separator: ", ") + ")"
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .string(let s): return "'\(s)'"
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        }
    }
}

/// A recursive-descent parser of `Literal`s.
struct LiteralParser {
    private let chars: [Character]
    private var i = 0
    private struct Failure: Error {}

    init(_ text: String) { chars = Array(text) }

    mutating func parse() throws -> Literal {
        let v = try value()
        skipSpace()
        guard i == chars.count else { throw Failure() }
        return v
    }

    private mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    private mutating func eat(_ c: Character) -> Bool {
        skipSpace()
        if i < chars.count, chars[i] == c { i += 1; return true }
        return false
    }

    /// Items up to `close`, separated by commas (a trailing comma allowed).
    private mutating func items<T>(_ close: Character, _ item: (inout LiteralParser) throws -> T) throws -> (items: [T], trailingComma: Bool) {
        var result: [T] = []
        var comma = false
        while !eat(close) {
            guard result.isEmpty || comma else { throw Failure() }
            result.append(try item(&self))
            comma = eat(",")
        }
        return (result, comma)
    }

    private mutating func value() throws -> Literal {
        skipSpace()
        guard i < chars.count else { throw Failure() }
        let c = chars[i]
        switch c {
        case "{":
            i += 1
            return .dict(try items("}") { p in
                guard case .string(let k) = try p.value(), p.eat(":") else { throw Failure() }
                return (k, try p.value())
            }.items)
        case "(":
            i += 1
            let (t, comma) = try items(")") { try $0.value() }
            guard t.count != 1 || comma else { return t[0] }
            return .tuple(t)
        case "[":
            i += 1
            return .list(try items("]") { try $0.value() }.items)
        case "'", "\"":
            i += 1
            var s = ""
            while i < chars.count, chars[i] != c { s.append(chars[i]); i += 1 }
            guard i < chars.count else { throw Failure() }
            i += 1
            return .string(s)
        default:
            var word = ""
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "-" || chars[i] == "_" { word.append(chars[i]); i += 1 }
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
                guard let n = Int(digits) else { throw Failure() }
                return .int(n)
            }
        }
    }
}

/// What `np.load` returns for a `.npz` archive: a read-only mapping from member names (without
/// '.npy') to arrays, read when asked for.
final class NpzFile: KObject {
    let archive: ZipArchive
    let allowPickle: Bool
    let maxHeaderSize: Int

    init(_ archive: ZipArchive, allowPickle: Bool, maxHeaderSize: Int) {
        self.archive = archive
        self.allowPickle = allowPickle
        self.maxHeaderSize = maxHeaderSize
    }

    /// The member names, '.npy' dropped (numpy's `files`).
    var files: [String] { archive.entries.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name } }

    override var typeName: String { "NpzFile" }
    override func repr() -> String { "NpzFile \(Repr.repr(.string(archive.filename))) with keys: " + files.joined(separator: ", ") }
    override var count: Int? { archive.entries.count }
    override var attributeNames: [String] { ["close", "files", "get", "items", "keys", "values"] }
    override func makeIterator() throws -> KIterator? { ArrayIterator(files.map { .string($0) }) }
    override func contains(_ value: Value) throws -> Bool? {
        guard case .string(let key) = value else { return false }
        return entry(key) != nil
    }

    private func entry(_ key: String) -> ZipArchive.Entry? {
        archive.entries.first { $0.name == key } ?? archive.entries.first { $0.name == key + ".npy" }
    }

    override func getItem(_ key: Value) throws -> Value {
        guard case .string(let name) = key, let e = entry(name) else {
            var text = Repr.repr(key)
            if case .string(let s) = key { text = s }
            throw KilnError.key(Repr.repr(.string("\(text) is not a file in the archive")))
        }
        let bytes = try archive.contents(of: e)
        guard bytes.starts(with: NpyFormat.magic) else {
            throw KilnError.value("member '\(e.name)' of \(archive.filename) is not a .npy file; Kiln reads arrays only")
        }
        return try NpyFormat.read(bytes, allowPickle: allowPickle, maxHeaderSize: maxHeaderSize, source: "\(e.name) in \(archive.filename)").value()
    }

    override func attribute(_ name: String, _ interpreter: Interpreter) throws -> Value? {
        if name == "files" { return .object(KList(files.map { .string($0) })) }
        guard let method = NpzFile.methods[name] else { return nil }
        return .object(method.bound(to: .object(self)))
    }

    override func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value {
        guard let method = NpzFile.methods[name] else { return try super.callMethod(name, args, interpreter) }
        return try method.invoke(receiver: .object(self), args, interpreter)
    }

    static let methods: [String: KBuiltin] = Dictionary(uniqueKeysWithValues: [
        KBuiltin("keys", "", doc: "The member names.") { a in .object(KList(a.receiver(NpzFile.self).files.map { .string($0) })) },
        KBuiltin("values", "", doc: "The arrays, in member order.") { a in
            let f = a.receiver(NpzFile.self)
            return .object(KList(try f.files.map { try f.getItem(.string($0)) }))
        },
        KBuiltin("items", "", doc: "(name, array) pairs, in member order.") { a in
            let f = a.receiver(NpzFile.self)
            return .object(KList(try f.files.map { .object(KTuple([.string($0), try f.getItem(.string($0))])) }))
        },
        KBuiltin("get", "key, default=None", doc: "The array named key, or default when there is none.") { a in
            let f = a.receiver(NpzFile.self)
            guard case .string(let k) = a[0], f.entry(k) != nil else { return a[1] }
            return try f.getItem(a[0])
        },
        KBuiltin("close", "", doc: "Does nothing (Kiln reads the archive into memory).") { _ in .none },
    ].map { ($0.name, $0) })
}
