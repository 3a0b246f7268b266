/// Notebook files on disk, by extension: `.kiln` percent text and `.ipynb` JSON.

import Foundation

public enum NotebookFile {
    /// The notebook in the file at `path`; errors name the file (and the line or cell).
    public static func read(atPath path: String) throws -> Notebook {
        let text: String
        switch readTextFile(atPath: path) {
        case .success(let contents): text = contents
        case .failure(let reason): throw NotebookFileError("can't open file '\(path)': \(reason.message)")
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw NotebookFileError("\(path): the notebook is empty") }
        do {
            return try PercentFormat.parse(text)
        } catch let error as PercentFormatError {
            throw NotebookFileError("\(path):\(error.line): \(error.message)")
        }
    }

    /// Writes `notebook` to `path` in the format its extension names.
    public static func write(_ notebook: Notebook, toPath path: String) throws {
        try Data(PercentFormat.write(notebook).utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// A notebook file that cannot be read or written, in words that name it.
public struct NotebookFileError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
