/// Keras' cache of downloaded data sets, Kiln's side of `keras.utils.get_file`: the folder
/// (`$KERAS_HOME/datasets`, else `~/.keras/datasets`), where each file sits, and the check of a
/// file against the hash Keras publishes for it. Kiln never downloads: a missing file is a
/// FileNotFoundError saying where to put it, and a file whose hash differs (where Keras would
/// download it again) is loaded after a warning.

import Foundation
import KilnLang

enum DatasetCache {
    /// The folder Keras caches data sets in.
    static var folder: String {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["KERAS_HOME"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.keras")
        return home + "/datasets"
    }

    /// The cache file `name` that `keras.datasets.<dataset>.<function>()` reads (a path
    /// relative to the cache folder, or an absolute one, which Kiln also accepts), or a
    /// FileNotFoundError saying where to put it.
    static func path(_ name: String, dataset: String, function: String = "load_data") throws -> String {
        let full = name.hasPrefix("/") ? name : folder + "/" + name
        guard FileManager.default.fileExists(atPath: full) else {
            throw KilnError("FileNotFoundError", "keras.datasets.\(dataset): Kiln does not download data. Place Keras' cache file '\(name)' (the file keras.datasets.\(dataset).\(function)() downloads) at \(full)")
        }
        return full
    }

    /// The bytes of the cache file at `path`, checked against `hash`, the hash Keras publishes
    /// for it (64 hex digits: SHA-256, 32: MD5, as Keras' `hash_algorithm='auto'` decides). A
    /// mismatch is reported through `warn` as a UserWarning line; the file is still returned.
    static func read(_ path: String, hash: String, warn: (String) -> Void) throws -> [UInt8] {
        let bytes = try NumpyFiles.readFile(path)
        let algorithm = hash.count == 64 ? "sha256" : "md5"
        let digest = digests.digest(of: path, algorithm, bytes) { algorithm == "sha256" ? SHA256.hexDigest($0) : MD5.hexDigest($0) }
        if digest != hash.lowercased() {
            warn("UserWarning: A local file was found, but it seems to be incomplete or outdated because the \(algorithm) file hash does not match the original value of \(hash): \(path) (its \(algorithm) is \(digest)). Kiln does not download data, so it loads this file as it is.\n")
        }
        return bytes
    }

    /// Digests already computed in this process.
    private static let digests = DigestMemo()
}

/// The digest of each cache file, computed once per process: a file is hashed again only
/// when its path, size or modification time changed, or for another algorithm.
private final class DigestMemo: @unchecked Sendable {
    private struct Key: Hashable {
        var path: String
        var algorithm: String
        var size: Int
        var modified: Double
    }

    private var digests: [Key: String] = [:]
    private let lock = NSLock()

    func digest(of path: String, _ algorithm: String, _ bytes: [UInt8], _ compute: ([UInt8]) -> String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = Key(path: path, algorithm: algorithm, size: bytes.count, modified: modified)
        lock.lock()
        let known = digests[key]
        lock.unlock()
        if let known { return known }
        let digest = compute(bytes)
        lock.lock()
        digests[key] = digest
        lock.unlock()
        return digest
    }
}
