/// Zip archives as `.npz` files use them: reading the central directory (zip64 included) and
/// members that are stored or deflated, and writing archives of stored or deflated members.
/// Deflate and CRC-32 come from the system zlib.

import CZlib
import KilnLang

/// A zip archive's members, read from the archive's bytes.
struct ZipArchive {
    /// One member: its name, how it is compressed, and where its data lies.
    struct Entry {
        var name: String
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let entries: [Entry]
    /// The archive's file name, for error messages.
    let filename: String

    /// Whether `bytes` starts as a zip archive does (a local header or an empty archive).
    static func isZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B
            && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6))
    }

    /// Python's `zipfile.BadZipFile`.
    static func bad(_ message: String) -> KilnError { KilnError("BadZipFile", message) }

    /// Reads the central directory of `bytes`.
    init(_ bytes: [UInt8], filename: String) throws {
        self.bytes = bytes
        self.filename = filename
        let r = ByteReader(bytes)
        // The end of central directory record: the last signature within its maximum size.
        var end = -1
        var i = bytes.count - 22
        while i >= max(0, bytes.count - 22 - 65535) {
            if r.u32(i) == 0x0605_4B50 { end = i; break }
            i -= 1
        }
        guard end >= 0 else { throw ZipArchive.bad("File is not a zip file: \(filename)") }
        var count = Int(r.u16(end + 10))
        var directoryOffset = Int(r.u32(end + 16))
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF {
            // zip64: a locator just before the record points at the zip64 end record.
            let locator = end - 20
            guard locator >= 0, r.u32(locator) == 0x0706_4B50 else { throw ZipArchive.bad("File is not a zip file: \(filename)") }
            let record = try r.int64(locator + 8)
            guard record >= 0, record + 56 <= bytes.count, r.u32(record) == 0x0606_4B50 else {
                throw ZipArchive.bad("Corrupt zip64 end of central directory record")
            }
            count = try r.int64(record + 32)
            directoryOffset = try r.int64(record + 48)
        }
        var entries: [Entry] = []
        var p = directoryOffset
        for _ in 0..<count {
            guard p >= 0, p + 46 <= bytes.count, r.u32(p) == 0x0201_4B50 else {
                throw ZipArchive.bad("Bad magic number for central directory")
            }
            let nameLength = Int(r.u16(p + 28)), extraLength = Int(r.u16(p + 30)), commentLength = Int(r.u16(p + 32))
            guard p + 46 + nameLength + extraLength <= bytes.count else { throw ZipArchive.bad("Truncated central directory") }
            var entry = Entry(
                name: String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self),
                method: Int(r.u16(p + 10)), crc: r.u32(p + 16),
                compressedSize: Int(r.u32(p + 20)), size: Int(r.u32(p + 24)), localHeaderOffset: Int(r.u32(p + 42)))
            try ZipArchive.readZip64Extra(r, from: p + 46 + nameLength, length: extraLength, into: &entry)
            entries.append(entry)
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// Replaces the sizes and offset saturated at 0xFFFFFFFF by the zip64 extra field's values.
    private static func readZip64Extra(_ r: ByteReader, from start: Int, length: Int, into entry: inout Entry) throws {
        var q = start
        while q + 4 <= start + length {
            let id = r.u16(q), size = Int(r.u16(q + 2))
            if id == 1 {
                var field = q + 4
                func next() throws -> Int {
                    defer { field += 8 }
                    guard field + 8 <= q + 4 + size else { throw ZipArchive.bad("Corrupt zip64 extra field") }
                    return try r.int64(field)
                }
                if entry.size == 0xFFFF_FFFF { entry.size = try next() }
                if entry.compressedSize == 0xFFFF_FFFF { entry.compressedSize = try next() }
                if entry.localHeaderOffset == 0xFFFF_FFFF { entry.localHeaderOffset = try next() }
            }
            q += 4 + size
        }
    }

    /// The uncompressed bytes of `entry`, checked against its CRC-32.
    func contents(of entry: Entry) throws -> [UInt8] {
        let r = ByteReader(bytes)
        let h = entry.localHeaderOffset
        guard h >= 0, h + 30 <= bytes.count, r.u32(h) == 0x0403_4B50 else { throw ZipArchive.bad("Bad magic number for file header") }
        let start = h + 30 + Int(r.u16(h + 26)) + Int(r.u16(h + 28))
        guard entry.compressedSize >= 0, entry.size >= 0, start + entry.compressedSize <= bytes.count else {
            throw ZipArchive.bad("Truncated file header for '\(entry.name)' in \(filename)")
        }
        var out: [UInt8]
        switch entry.method {
        case 0:
            out = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            // A deflate stream expands at most about 1032 times; a larger claim is damage.
            guard entry.size / 1032 <= entry.compressedSize + 1 else { throw ZipArchive.bad("Bad size for file '\(entry.name)'") }
            out = [UInt8](repeating: 0, count: entry.size)
            let rc = bytes.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    guard let base = src.baseAddress else { return Z_DATA_ERROR }
                    return kiln_inflate_raw(base + start, entry.compressedSize, dst.baseAddress, entry.size)
                }
            }
            guard rc == Z_OK else {
                throw KilnError("zlib.error", "Error \(rc) while decompressing data for '\(entry.name)' in \(filename)")
            }
        default:
            throw KilnError("NotImplementedError", "That compression method is not supported (method \(entry.method) for '\(entry.name)')")
        }
        guard ZipArchive.crc32(out) == entry.crc else { throw ZipArchive.bad("Bad CRC-32 for file '\(entry.name)'") }
        return out
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        UInt32(truncatingIfNeeded: data.withUnsafeBufferPointer { kiln_crc32($0.baseAddress, $0.count) })
    }

    // MARK: Writing

    /// A zip archive of `members` (name, bytes), each stored or deflated, as Python's zipfile
    /// writes them for numpy (timestamps 1980-01-01 00:00).
    static func write(_ members: [(name: String, data: [UInt8])], compressed: Bool) throws -> [UInt8] {
        var out = ByteWriter()
        var directory = ByteWriter()
        for (name, data) in members {
            let payload = compressed ? try deflate(data) : data
            let offset = out.bytes.count
            guard offset <= 0xFFFF_FFFE, payload.count <= 0xFFFF_FFFE, data.count <= 0xFFFF_FFFE else {
                throw KilnError.value("Kiln writes .npz archives of at most 4 GiB")
            }
            let nameBytes = Array(name.utf8)
            let crc = crc32(data), method: UInt16 = compressed ? 8 : 0
            out.u32(0x0403_4B50); out.u16(20); out.u16(0); out.u16(method); out.u16(0); out.u16(0x21)
            out.u32(crc); out.u32(UInt32(payload.count)); out.u32(UInt32(data.count))
            out.u16(UInt16(nameBytes.count)); out.u16(0)
            out.bytes += nameBytes
            out.bytes += payload
            directory.u32(0x0201_4B50); directory.u16(0x0314); directory.u16(20); directory.u16(0); directory.u16(method)
            directory.u16(0); directory.u16(0x21); directory.u32(crc); directory.u32(UInt32(payload.count)); directory.u32(UInt32(data.count))
            directory.u16(UInt16(nameBytes.count)); directory.u16(0); directory.u16(0); directory.u16(0); directory.u16(0)
            directory.u32(0o600 << 16); directory.u32(UInt32(offset))
            directory.bytes += nameBytes
        }
        let directoryOffset = out.bytes.count
        guard directoryOffset <= 0xFFFF_FFFE, members.count < 0xFFFF else { throw KilnError.value("Kiln writes .npz archives of at most 4 GiB") }
        out.bytes += directory.bytes
        out.u32(0x0605_4B50); out.u16(0); out.u16(0); out.u16(UInt16(members.count)); out.u16(UInt16(members.count))
        out.u32(UInt32(directory.bytes.count)); out.u32(UInt32(directoryOffset)); out.u16(0)
        return out.bytes
    }

    /// `data` as a raw deflate stream.
    static func deflate(_ data: [UInt8]) throws -> [UInt8] {
        let capacity = kiln_deflate_bound(data.count)
        var out = [UInt8](repeating: 0, count: capacity)
        var written = 0
        let rc = data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                kiln_deflate_raw(src.baseAddress, src.count, dst.baseAddress, capacity, &written)
            }
        }
        guard rc == Z_OK else { throw KilnError("zlib.error", "Error \(rc) while compressing data") }
        out.removeSubrange(written...)
        return out
    }
}

/// Little-endian integers at byte offsets of a buffer (offsets checked by the callers).
struct ByteReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }

    /// A 64-bit size or offset, refused when it does not fit an Int.
    func int64(_ i: Int) throws -> Int {
        guard i >= 0, i + 8 <= bytes.count, let v = Int(exactly: u64(i)) else { throw ZipArchive.bad("Corrupt zip64 field") }
        return v
    }
}

/// Little-endian integers appended to a buffer.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { u16(UInt16(v & 0xFFFF)); u16(UInt16(v >> 16)) }
}
