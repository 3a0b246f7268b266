/// Reading a text file the user named (`%load`, `%run`), with the reasons `kiln run` gives.

/// The UTF-8 text of the file at `path`, or why it cannot be read in the system's words
/// ("No such file or directory"), as `kiln run` reports it.
public func readText(atPath path: String) -> Result<String, TextFileError> {
    readTextFile(atPath: path).mapError { TextFileError(message: $0.message) }
}

/// Why a text file could not be read.
public struct TextFileError: Error, Equatable {
    public var message: String
}
