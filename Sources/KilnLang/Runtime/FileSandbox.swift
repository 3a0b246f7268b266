/// Which files Kiln code may read and write. By default every path (the REPL, tests); a
/// headless notebook run (`kiln run`) restricts it to the notebook's working directory and the
/// paths given with `--allow-path`, so a notebook from the internet cannot read `~/.ssh`.
/// Kiln's own caches (Keras' `~/.keras/datasets`) stay readable. Paths are compared after
/// `..` and symbolic links are resolved, so neither leads out of an allowed folder.

import Foundation

public enum FileSandbox {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var roots: [String]?
    nonisolated(unsafe) private static var readOnlyRoots: [String] = []

    /// Restricts file access to `roots` (read and write) and `readOnly` (read only).
    public static func restrict(to roots: [String], readOnly: [String]) {
        lock.lock()
        defer { lock.unlock() }
        self.roots = roots.map(resolved)
        readOnlyRoots = readOnly.map(resolved)
    }

    /// Lifts the restriction.
    public static func allowEverything() {
        lock.lock()
        defer { lock.unlock() }
        roots = nil
        readOnlyRoots = []
    }

    /// Throws a PermissionError naming `path` when it lies outside the allowed folders.
    public static func check(_ path: String, writing: Bool) throws {
        lock.lock()
        let (roots, readOnly) = (self.roots, readOnlyRoots)
        lock.unlock()
        guard let roots else { return }
        let full = resolved(path)
        let allowed = roots + (writing ? [] : readOnly)
        guard allowed.contains(where: { full == $0 || full.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            throw KilnError("PermissionError", "[Errno 13] Permission denied: \(Repr.repr(.string(path))) is outside the notebook's working directory and the paths allowed with --allow-path (\(full))")
        }
    }

    /// The absolute path with `.`/`..` removed and the symbolic links of its longest existing
    /// prefix resolved.
    static func resolved(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var components = URL(fileURLWithPath: absolute).standardized.pathComponents
        var tail: [String] = []
        while components.count > 1 {
            let candidate = NSString.path(withComponents: components)
            if let real = realpath(candidate, nil) {
                defer { free(real) }
                return ([String(cString: real)] + tail.reversed()).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
            }
            tail.append(components.removeLast())
        }
        return "/" + tail.reversed().joined(separator: "/")
    }
}
