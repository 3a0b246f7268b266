/// KilnLibrary binds the Kiln language to the engine: the native modules (`keras`, `np`,
/// `hyperopt`, …) and the library modules written in Kiln itself under `stdlib/`.
///
/// This file gives access to the latter. Their sources are compiled into the binary by the
/// EmbedStdlib build-tool plugin (see Sources/EmbedStdlibPlugin), which generates
/// `embeddedStdlibSources`; nothing is read from disk at run time.

/// The library modules written in Kiln (`stdlib/*.kiln`), as shipped inside the binary.
public enum Stdlib {
    /// Names of the embedded modules (`"statistics"`, …), sorted.
    public static var moduleNames: [String] { embeddedStdlibSources.keys.sorted() }

    /// The exact source text of module `name`, or nil if there is no such stdlib module.
    public static func source(ofModule name: String) -> String? { embeddedStdlibSources[name] }

    /// The filename to show in tracebacks for module `name` (`<stdlib>/statistics.kiln`).
    public static func displayFilename(ofModule name: String) -> String {
        "<stdlib>/" + name.split(separator: ".", omittingEmptySubsequences: false).joined(separator: "/") + ".kiln"
    }
}
