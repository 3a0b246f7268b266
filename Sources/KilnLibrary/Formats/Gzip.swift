/// gzip files, read whole as Python's `gzip.open(path).read()` reads them (members in a row,
/// zero padding allowed), with Python's error types and the file's name in every message.
/// Decompression and the CRC-32 and length checks are the system zlib's.

import CZlib
import Foundation
import KilnLang

/// Decompresses gzip files.
enum Gzip {
    /// The decompressed contents of the gzip data `bytes`, read from the file `filename`.
    static func decompress(_ bytes: [UInt8], filename: String) throws -> [UInt8] {
        // The last member's ISIZE (its length mod 2**32) sizes the output; deflate expands at
        // most about 1032 times, so a larger claim is damage and not trusted.
        var hint = 0
        if bytes.count >= 18 {
            hint = Int(ByteReader(bytes).u32(bytes.count - 4))
            if hint / 1032 > bytes.count { hint = 0 }
        }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0, at = 0
        var message: UnsafePointer<CChar>?
        // Like numpy's MemoryError, refuse what could not fit in memory (a gzip bomb).
        let limit = Int(ProcessInfo.processInfo.physicalMemory / 2)
        let rc = bytes.withUnsafeBufferPointer { src in
            kiln_gunzip(src.baseAddress, src.count, hint, limit, &out, &length, &at, &message)
        }
        defer { free(out) }
        switch rc {
        case Z_OK:
            guard let out else { return [] }
            return Array(UnsafeBufferPointer(start: out, count: length))
        case KILN_GZIP_NOT_GZIP:
            let magic = bytes[at..<min(at + 2, bytes.count)]
            throw KilnError("BadGzipFile", "Not a gzipped file (\(ByteText.pythonRepr(magic))): \(filename)")
        case Z_BUF_ERROR:
            throw KilnError("EOFError", "Compressed file ended before the end-of-stream marker was reached: \(filename)")
        case Z_DATA_ERROR:
            let reason = message.map { String(cString: $0) } ?? "invalid data"
            throw KilnError("BadGzipFile", "Damaged gzip data (\(reason)) at the member starting at byte \(at): \(filename)")
        case Z_MEM_ERROR:
            throw KilnError("MemoryError", "Out of memory decompressing \(filename) (more than half the machine's memory)")
        default:
            throw KilnError("zlib.error", "Error \(rc) while decompressing data: \(filename)")
        }
    }
}
