/// Jupyter's `.ipynb` format (nbformat 4), read and written so notebooks move between Kiln and
/// Jupyter.
///
/// Reading accepts nbformat 4.0 to 4.5 (and later 4.x minors, whose extra fields are ignored):
/// cells with their source (a string or a list of lines), id, tags, other metadata (kept as
/// JSON text so that it survives a round trip), execution count and outputs. Streams, results,
/// displays and errors become the store's `StoredOutput` records; base64 MIME data (`image/png`
/// …) is decoded into bytes, text and JSON data kept as text, and ANSI colour codes are removed
/// from error tracebacks.
///
/// Writing produces nbformat 4.5 as Jupyter lays it out (one-space indents, sorted keys, source
/// and text as lists of lines, a final newline): every cell gets a valid unique id, and the
/// notebook names Kiln as its kernel and language.

import Foundation
import KilnStore

/// A `.ipynb` file that could not be read: what is wrong and where.
public struct IpynbFormatError: Error, Equatable, CustomStringConvertible {
    /// The file's name, as given to `IpynbFormat.parse`.
    public var filename: String
    /// Where in the notebook: `cell 3` or `cell 3, output 2` (counting from 1), or "" when the
    /// problem is the file as a whole.
    public var place: String
    public var message: String

    public init(filename: String, place: String = "", message: String) {
        self.filename = filename
        self.place = place
        self.message = message
    }

    /// `nb.ipynb: cell 3: "source" must be a string or a list of strings, not a number`.
    public var description: String {
        place.isEmpty ? "\(filename): \(message)" : "\(filename): \(place): \(message)"
    }
}

/// Converts between `Notebook` and the text of an `.ipynb` file: `parse` reads nbformat 4,
/// `write` produces nbformat 4.5.
public enum IpynbFormat {
    /// The notebook in the `.ipynb` file whose bytes are `data`; `filename` names the file in
    /// errors. Cells' `firstLine` is 1: lines in errors count from the start of the cell.
    public static func parse(_ data: Data, filename: String) throws -> Notebook {
        try NotebookReader(filename: filename).notebook(from: data)
    }

    /// The notebook as nbformat 4.5 JSON text, laid out as Jupyter writes it.
    public static func write(_ notebook: Notebook) -> String {
        let ids = cellIDs(notebook.cells)
        var metadata = notebook.metadata.map { JSONMember(key: $0.key, value: jsonValue(ofText: $0.json)) }
        metadata.set("kernelspec", kernelspec)
        metadata.set("language_info", languageInfo)
        let document = JSONValue.object([
            JSONMember(key: "cells", value: .array(zip(notebook.cells, ids).map { cellJSON($0, id: $1) })),
            JSONMember(key: "metadata", value: .object(metadata)),
            JSONMember(key: "nbformat", value: .int(4)),
            JSONMember(key: "nbformat_minor", value: .int(5)),
        ])
        return document.jupyterText + "\n"
    }

    /// The kernel written into every notebook: Kiln.
    static let kernelspec = JSONValue.object([
        JSONMember(key: "display_name", value: .string("Kiln")),
        JSONMember(key: "language", value: .string("kiln")),
        JSONMember(key: "name", value: .string("kiln")),
    ])

    /// The language written into every notebook: Kiln, highlighted as Python by Jupyter's
    /// editors (CodeMirror, Pygments), which know no Kiln mode and whose Python mode fits
    /// Kiln's Python-like syntax.
    static let languageInfo = JSONValue.object([
        JSONMember(key: "codemirror_mode", value: .string("python")),
        JSONMember(key: "file_extension", value: .string(".kiln")),
        JSONMember(key: "mimetype", value: .string("text/x-kiln")),
        JSONMember(key: "name", value: .string("kiln")),
        JSONMember(key: "pygments_lexer", value: .string("python3")),
    ])

    // MARK: - Writing cells

    private static func cellJSON(_ cell: Cell, id: String) -> JSONValue {
        var metadata = cell.metadata.map { JSONMember(key: $0.key, value: jsonValue(ofText: $0.json)) }
        if !cell.title.isEmpty { metadata.set("title", .string(cell.title)) }
        let tags = validTags(cell.tags)
        if !tags.isEmpty { metadata.set("tags", .array(tags.map(JSONValue.string))) }
        var members = [
            JSONMember(key: "cell_type", value: .string(cell.kind.rawValue)),
            JSONMember(key: "id", value: .string(id)),
            JSONMember(key: "metadata", value: .object(metadata)),
            JSONMember(key: "source", value: lines(cell.source)),
        ]
        if cell.kind == .code {
            let count: JSONValue = cell.executionCount.map(JSONValue.int) ?? .null
            members.append(JSONMember(key: "execution_count", value: count))
            members.append(JSONMember(key: "outputs", value: .array(cell.outputs.map { outputJSON($0, executionCount: count) })))
        }
        return .object(members)
    }

    /// The ids written for `cells`, in order: each cell's own id when it is valid
    /// (`^[a-zA-Z0-9-_]+$`, 1 to 64 characters) and not taken by an earlier cell, otherwise
    /// `cell-<position from 1>` (with `-2`, `-3` … added if another cell has that id), so the
    /// same notebook always gets the same ids.
    static func cellIDs(_ cells: [Cell]) -> [String] {
        var used = Set<String>()
        let kept: [String?] = cells.map { cell in
            guard let id = cell.id, isValidCellID(id), used.insert(id).inserted else { return nil }
            return id
        }
        return kept.enumerated().map { index, id in
            if let id { return id }
            let base = "cell-\(index + 1)"
            var candidate = base
            var suffix = 1
            while used.contains(candidate) {
                suffix += 1
                candidate = "\(base)-\(suffix)"
            }
            used.insert(candidate)
            return candidate
        }
    }

    static func isValidCellID(_ id: String) -> Bool {
        (1...64).contains(id.unicodeScalars.count) && id.unicodeScalars.allSatisfy(cellIDCharacters.contains)
    }

    private static let cellIDCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".unicodeScalars)

    /// Tags as nbformat allows them: unique, non-empty and without commas (a tag holding
    /// commas is split at them, as Jupyter's tag editor splits what is typed).
    static func validTags(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    // MARK: - Writing outputs

    private static func outputJSON(_ output: StoredOutput, executionCount: JSONValue) -> JSONValue {
        switch output.type {
        case .stream:
            return .object([
                JSONMember(key: "name", value: .string(output.name ?? "stdout")),
                JSONMember(key: "output_type", value: .string("stream")),
                JSONMember(key: "text", value: lines(output.plainText ?? "")),
            ])
        case .result:
            return .object([
                JSONMember(key: "data", value: mimeBundle(output.items)),
                JSONMember(key: "execution_count", value: executionCount),
                JSONMember(key: "metadata", value: .object([])),
                JSONMember(key: "output_type", value: .string("execute_result")),
            ])
        case .display:
            return .object([
                JSONMember(key: "data", value: mimeBundle(output.items)),
                JSONMember(key: "metadata", value: .object([])),
                JSONMember(key: "output_type", value: .string("display_data")),
            ])
        case .error:
            let ename = output.name ?? "Error"
            var tracebackLines = (output.plainText ?? "").split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            if tracebackLines.last == "" { tracebackLines.removeLast() }
            return .object([
                JSONMember(key: "ename", value: .string(ename)),
                JSONMember(key: "evalue", value: .string(errorValue(tracebackLines: tracebackLines, ename: ename))),
                JSONMember(key: "output_type", value: .string("error")),
                JSONMember(key: "traceback", value: .array(tracebackLines.map { .string(String($0)) })),
            ])
        }
    }

    /// The message of error `ename` whose formatted traceback has the lines `tracebackLines`:
    /// what follows `ename: ` on the last line that starts so (and any lines after it).
    static func errorValue(tracebackLines lines: [Substring], ename: String) -> String {
        guard !ename.isEmpty, let index = lines.lastIndex(where: { $0 == ename || $0.hasPrefix(ename + ":") }) else { return "" }
        var message = ([lines[index].dropFirst(ename.count + 1)] + lines[(index + 1)...]).joined(separator: "\n")
        if message.hasPrefix(" ") { message.removeFirst() }
        while message.hasSuffix("\n") { message.removeLast() }
        return message
    }

    private static func mimeBundle(_ items: [OutputItem]) -> JSONValue {
        var members: [JSONMember] = []
        for item in items {
            let value: JSONValue
            if MimeType.isJSON(item.mime), let text = item.text {
                value = jsonValue(ofText: text)
            } else if MimeType.isBinary(item.mime), let data = item.data {
                value = .string(data.base64EncodedString())
            } else if let text = item.text ?? item.data.flatMap({ String(data: $0, encoding: .utf8) }) {
                value = MimeType.isWrittenAsLines(item.mime) ? lines(text) : .string(text)
            } else if let data = item.data {
                value = .string(data.base64EncodedString())
            } else {
                continue
            }
            members.set(item.mime, value)
        }
        return .object(members)
    }

    /// `text` as nbformat writes multi-line strings: a list of its lines, each with its `\n`.
    private static func lines(_ text: String) -> JSONValue {
        var lines: [JSONValue] = []
        var line = ""
        for scalar in text.unicodeScalars {
            line.unicodeScalars.append(scalar)
            if scalar == "\n" {
                lines.append(.string(line))
                line = ""
            }
        }
        if !line.isEmpty { lines.append(.string(line)) }
        return .array(lines)
    }

    /// The JSON value in `text`, or `text` as a JSON string if it is not JSON.
    private static func jsonValue(ofText text: String) -> JSONValue {
        (try? JSONParser.parse(text)) ?? .string(text)
    }
}

// MARK: - Reading

/// Reads one `.ipynb` file, naming the file and the place of anything it cannot read.
private struct NotebookReader {
    let filename: String

    func error(_ place: String, _ message: String) -> IpynbFormatError {
        IpynbFormatError(filename: filename, place: place, message: message)
    }

    func notebook(from data: Data) throws -> Notebook {
        var bytes = [UInt8](data)
        // Jupyter never writes a byte order mark, but editors on Windows may add one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw error("", "the file is empty; a notebook is a JSON object with \"cells\"")
        }
        guard !bytes.contains(0) else {
            throw error("", "this is a binary file, not a notebook (.ipynb files are JSON text)")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw error("", "the file is not UTF-8 text (Jupyter writes notebooks in UTF-8)")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(utf8: bytes)
        } catch let syntax as JSONSyntaxError {
            throw error("", "not valid JSON: \(syntax)")
        }
        guard case .object(let members) = root else {
            throw error("", "a notebook is a JSON object, but the file holds \(root.kindDescription)")
        }
        try checkVersion(root)
        guard let cellsValue = root["cells"] else {
            throw error("", "\"cells\" is missing: a notebook is a JSON object with a list of \"cells\"")
        }
        guard case .array(let cellValues) = cellsValue else {
            throw error("", "\"cells\" must be a list, not \(cellsValue.kindDescription)")
        }
        let cells = try cellValues.enumerated().map { try cell($1, place: "cell \($0 + 1)") }
        var metadata: [CellMetadataEntry] = []
        if members.contains(where: { $0.key == "metadata" }) {
            metadata = try object(root["metadata"], field: "metadata", place: "").map {
                CellMetadataEntry(key: $0.key, json: $0.value.compactText)
            }
        }
        return Notebook(cells: cells, metadata: metadata)
    }

    /// Accepts nbformat 4 and refuses other major versions, saying how to convert version 3.
    private func checkVersion(_ root: JSONValue) throws {
        guard let version = root["nbformat"] else {
            if root["worksheets"] != nil { throw error("", "\"nbformat\" is missing; this looks like an nbformat 3 notebook, which Kiln does not read") }
            throw error("", "\"nbformat\" is missing: this is not a Jupyter notebook")
        }
        guard case .number(let text) = version, let major = Int(text) else {
            throw error("", "\"nbformat\" must be an integer, not \(version.kindDescription)")
        }
        if major < 4 {
            throw error("", "nbformat \(major) notebooks are not supported; convert with `jupyter nbconvert --to notebook --nbformat 4`")
        }
        if major > 4 {
            throw error("", "nbformat \(major) notebooks are not supported; Kiln reads nbformat 4")
        }
        if let minor = root["nbformat_minor"] {
            guard case .number(let text) = minor, Int(text) != nil else {
                throw error("", "\"nbformat_minor\" must be an integer, not \(minor.kindDescription)")
            }
        }
    }

    private func cell(_ value: JSONValue, place: String) throws -> Cell {
        guard case .object = value else { throw error(place, "a cell must be a JSON object, not \(value.kindDescription)") }
        guard let typeValue = value["cell_type"] else { throw error(place, "\"cell_type\" is missing") }
        guard case .string(let typeName) = typeValue, let kind = CellKind(rawValue: typeName) else {
            throw error(place, "unknown cell_type \(typeValue.compactText) (expected \"code\", \"markdown\" or \"raw\")")
        }
        guard value["source"] != nil else { throw error(place, "\"source\" is missing") }
        var cell = Cell(kind: kind, source: try text(value["source"], field: "source", place: place))
        if let id = value["id"] {
            guard case .string(let string) = id else { throw error(place, "\"id\" must be a string, not \(id.kindDescription)") }
            cell.id = string
        }
        if value["metadata"] != nil {
            for member in try object(value["metadata"], field: "metadata", place: place) {
                switch (member.key, member.value) {
                case ("tags", let tags):
                    guard let strings = tags.strings else { throw error(place, "metadata \"tags\" must be a list of strings") }
                    cell.tags = strings
                case ("title", .string(let title)) where !title.contains(where: \.isNewline):
                    cell.title = title
                default:
                    cell.metadata.append(CellMetadataEntry(key: member.key, json: member.value.compactText))
                }
            }
        }
        guard kind == .code else { return cell }
        switch value["execution_count"] {
        case nil, .null?: break
        case .number(let text)? where Int(text) != nil: cell.executionCount = Int(text)
        case let other?: throw error(place, "\"execution_count\" must be an integer or null, not \(other.kindDescription)")
        }
        if let outputs = value["outputs"] {
            guard case .array(let items) = outputs else { throw error(place, "\"outputs\" must be a list, not \(outputs.kindDescription)") }
            cell.outputs = try items.enumerated().map { try output($1, place: "\(place), output \($0 + 1)") }
        }
        return cell
    }

    private func output(_ value: JSONValue, place: String) throws -> StoredOutput {
        guard case .object = value else { throw error(place, "an output must be a JSON object, not \(value.kindDescription)") }
        guard let typeValue = value["output_type"] else { throw error(place, "\"output_type\" is missing") }
        switch typeValue {
        case .string("stream"):
            return .stream(try text(value["text"], field: "text", place: place), name: try string(value["name"], field: "name", place: place))
        case .string("execute_result"):
            return StoredOutput(type: .result, items: try items(value["data"], place: place))
        case .string("display_data"):
            return StoredOutput(type: .display, items: try items(value["data"], place: place))
        case .string("error"):
            let ename = try string(value["ename"], field: "ename", place: place)
            let evalue = try string(value["evalue"], field: "evalue", place: place)
            var traceback: [String] = []
            if let lines = value["traceback"] {
                guard let strings = lines.strings else { throw error(place, "\"traceback\" must be a list of strings") }
                traceback = strings
            }
            let text = traceback.isEmpty ? (evalue.isEmpty ? ename : "\(ename): \(evalue)") : traceback.joined(separator: "\n")
            return .error(ename, traceback: TerminalText.strippingANSI(text))
        default:
            throw error(place, "unknown output_type \(typeValue.compactText) (expected \"stream\", \"execute_result\", \"display_data\" or \"error\")")
        }
    }

    /// A MIME bundle's items in the file's order: base64 data of binary types decoded (kept
    /// as text when it is not base64), JSON values as JSON text, other values as text.
    private func items(_ value: JSONValue?, place: String) throws -> [OutputItem] {
        guard value != nil else { return [] }
        return try object(value, field: "data", place: place).map { member in
            if MimeType.isJSON(member.key) {
                return OutputItem(mime: member.key, text: member.value.compactText)
            }
            let content = try text(member.value, field: "data entry \"\(member.key)\"", place: place)
            if MimeType.isBinary(member.key), let data = Data(base64Encoded: content, options: .ignoreUnknownCharacters) {
                return OutputItem(mime: member.key, data: data)
            }
            return OutputItem(mime: member.key, text: content)
        }
    }

    private func object(_ value: JSONValue?, field: String, place: String) throws -> [JSONMember] {
        guard let value else { throw error(place, "\"\(field)\" is missing") }
        guard case .object(let members) = value else {
            throw error(place, "\"\(field)\" must be an object, not \(value.kindDescription)")
        }
        return members
    }

    private func string(_ value: JSONValue?, field: String, place: String) throws -> String {
        guard let value else { throw error(place, "\"\(field)\" is missing") }
        guard case .string(let string) = value else {
            throw error(place, "\"\(field)\" must be a string, not \(value.kindDescription)")
        }
        return string
    }

    /// nbformat's multi-line string: a string, or a list of strings to be joined.
    private func text(_ value: JSONValue?, field: String, place: String) throws -> String {
        let message = "\"\(field)\" must be a string or a list of strings"
        switch value {
        case nil: throw error(place, "\"\(field)\" is missing")
        case .string(let string)?: return string
        case .array(let items)?:
            return try items.map {
                guard case .string(let line) = $0 else { throw error(place, "\(message), but it holds \($0.kindDescription)") }
                return line
            }.joined()
        case let other?: throw error(place, "\(message), not \(other.kindDescription)")
        }
    }
}
