/// Notebook files on disk, by extension: `.ipynb` JSON (nbformat 4), anything else `.kiln`
/// percent text.

import Foundation

public enum NotebookFile {
    /// The notebook in the file at `path`; errors name the file (and the line or cell).
    public static func read(atPath path: String) throws -> Notebook {
        if isIpynb(path) {
            switch readFileData(atPath: path) {
            case .success(let data):
                do {
                    return try IpynbFormat.parse(data, filename: path)
                } catch let error as IpynbFormatError {
                    throw NotebookFileError(error.description)
                }
            case .failure(let reason): throw NotebookFileError("can't open file '\(path)': \(reason.message)")
            }
        }
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
        let text = isIpynb(path) ? IpynbFormat.write(notebook) : PercentFormat.write(notebook)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    public static func isIpynb(_ path: String) -> Bool { path.lowercased().hasSuffix(".ipynb") }
}

/// A notebook file that cannot be read or written, in words that name it.
public struct NotebookFileError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Why a file could not be read, in the system's words ("No such file or directory").
public struct FileReadError: Error, Equatable {
    public var message: String
}

/// The bytes of the file at `path`, or why they cannot be had, in the system's words.
func readFileData(atPath path: String) -> Result<Data, FileReadError> {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        return .failure(FileReadError(message: "No such file or directory"))
    }
    if isDirectory.boolValue {
        return .failure(FileReadError(message: "Is a directory"))
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        let readable = FileManager.default.isReadableFile(atPath: path)
        return .failure(FileReadError(message: readable ? "cannot be read" : "Permission denied"))
    }
    return .success(data)
}

/// The UTF-8 text of the file at `path`, or why it cannot be had (`kiln run`, `%load`, `%run`).
public func readTextFile(atPath path: String) -> Result<String, FileReadError> {
    readFileData(atPath: path).flatMap { data in
        String(data: data, encoding: .utf8).map { .success($0) } ?? .failure(FileReadError(message: "not UTF-8 text"))
    }
}
