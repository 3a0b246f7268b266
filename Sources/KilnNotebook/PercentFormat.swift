/// The `.kiln` text format: Python's "percent" notebook format, as jupytext writes it.
///
///     # %% [markdown]
///     # # A title
///     # Some *markdown*; each line is commented with `# `.
///
///     # %% tags=["parameters"]
///     epochs = 10
///
///     # %% Training
///     model.fit(x, y, epochs=epochs)
///
/// `# %%` starts a code cell, `# %% [markdown]` (or `[md]`) a markdown cell and `# %% [raw]` a
/// raw cell. After `# %%` come an optional title, the optional cell type, and `key=value`
/// metadata whose values are JSON (`tags=["parameters"]`). Text before the first marker is a
/// code cell of its own unless it is blank, so a file with no marker at all is one code cell.
/// Leading and trailing blank lines of a cell are not part of it; the writer separates cells
/// with one blank line.

/// A marker line that could not be read.
public struct PercentFormatError: Error, Equatable, CustomStringConvertible {
    /// 1-based line of the marker in the file.
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

public enum PercentFormat {
    /// Splits `text` into cells.
    public static func parse(_ text: String) throws -> Notebook {
        // "\r\n" is one Character in Swift, so it has to be named as a separator of its own.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last == "" { lines.removeLast() }

        var cells: [Cell] = []
        // The cell being read: its marker's header, and where its body starts.
        var header = Header()
        var bodyStart = 1
        var body: [Substring] = []
        var sawMarker = false

        func finishCell() {
            var first = 0
            var last = body.count
            while first < last, isBlank(body[first]) { first += 1 }
            while last > first, isBlank(body[last - 1]) { last -= 1 }
            // Blank text before the first marker is no cell at all.
            if !sawMarker && first == last { return }
            var sourceLines = Array(body[first..<last])
            if header.kind == .markdown { sourceLines = sourceLines.map(uncomment) }
            cells.append(Cell(
                kind: header.kind,
                source: sourceLines.joined(separator: "\n"),
                title: header.title,
                tags: header.tags,
                metadata: header.metadata,
                firstLine: bodyStart + first
            ))
        }

        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
            if let rest = markerRest(line) {
                finishCell()
                sawMarker = true
                header = try Header(parsing: rest, line: index + 1)
                bodyStart = index + 2
                body = []
            } else {
                body.append(line)
            }
        }
        finishCell()
        return Notebook(cells: cells)
    }

    /// The notebook as percent-format text; `parse` gives back the same cells.
    public static func write(_ notebook: Notebook) -> String {
        var out = ""
        for (index, cell) in notebook.cells.enumerated() {
            if index > 0 { out += "\n" }
            var marker = "# %%"
            if !cell.title.isEmpty { marker += " " + cell.title }
            switch cell.kind {
            case .code: break
            case .markdown: marker += " [markdown]"
            case .raw: marker += " [raw]"
            }
            if !cell.tags.isEmpty { marker += " tags=" + JSONValue.array(cell.tags.map(JSONValue.string)).compactText }
            for entry in cell.metadata { marker += " \(entry.key)=\(entry.json)" }
            out += marker + "\n"
            guard !cell.source.isEmpty else { continue }
            let lines = cell.source.split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines {
                if cell.kind == .markdown {
                    out += line.isEmpty ? "#\n" : "# \(line)\n"
                } else {
                    out += "\(line)\n"
                }
            }
        }
        return out
    }

    // MARK: - Lines

    /// If `line` is a cell marker (`# %%`, `#%%`, followed by a space or the end of the line),
    /// the text after `%%`; otherwise nil.
    static func markerRest(_ line: Substring) -> Substring? {
        guard line.first == "#" else { return nil }
        var rest = line.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard rest.hasPrefix("%%") else { return nil }
        rest = rest.dropFirst(2)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        return rest
    }

    static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
    }

    /// A markdown line without its comment mark: `# text` → `text`, `#` → ``.
    static func uncomment(_ line: Substring) -> Substring {
        if line.hasPrefix("# ") { return line.dropFirst(2) }
        if line.hasPrefix("#") { return line.dropFirst() }
        return line
    }
}

// MARK: - Marker line

/// What a marker line says after `# %%`: `Title [markdown] tags=["a"] key=1`.
private struct Header {
    var kind: CellKind = .code
    var title = ""
    var tags: [String] = []
    var metadata: [CellMetadataEntry] = []

    init() {}

    init(parsing text: Substring, line: Int) throws {
        var titleWords: [Substring] = []
        var sawKind = false
        var rest = text.drop(while: \.isWhitespace)
        while !rest.isEmpty {
            if !sawKind, let (kind, after) = Header.cellType(at: rest) {
                self.kind = kind
                sawKind = true
                rest = after
            } else if let (key, after) = Header.metadataKey(at: rest) {
                guard let (json, remainder) = Header.jsonValue(at: after), let value = try? JSONParser.parse(String(json)) else {
                    throw PercentFormatError(line: line, message: "the value of cell metadata '\(key)' is not valid JSON")
                }
                if key == "tags" {
                    guard let tags = value.strings else {
                        throw PercentFormatError(line: line, message: "cell tags must be a list of strings, like tags=[\"parameters\"]")
                    }
                    self.tags = tags
                } else {
                    metadata.append(CellMetadataEntry(key: String(key), json: String(json)))
                }
                rest = remainder
            } else {
                let word = rest.prefix { !$0.isWhitespace }
                titleWords.append(word)
                rest = rest.dropFirst(word.count)
            }
            rest = rest.drop(while: \.isWhitespace)
        }
        title = titleWords.joined(separator: " ")
    }

    /// `[markdown]`, `[md]` or `[raw]` at the start of `text`, and what follows it.
    static func cellType(at text: Substring) -> (CellKind, Substring)? {
        for (word, kind) in [("[markdown]", CellKind.markdown), ("[md]", .markdown), ("[raw]", .raw)] {
            if text.hasPrefix(word) {
                let after = text.dropFirst(word.count)
                if after.isEmpty || after.first!.isWhitespace { return (kind, after) }
            }
        }
        return nil
    }

    /// An identifier followed by `=` at the start of `text`, and the text after the `=`.
    static func metadataKey(at text: Substring) -> (Substring, Substring)? {
        guard let first = text.first, first == "_" || (first.isASCII && first.isLetter) else { return nil }
        let key = text.prefix { $0 == "_" || $0 == "-" || $0 == "." || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let after = text.dropFirst(key.count)
        guard after.first == "=" else { return nil }
        return (key, after.dropFirst())
    }

    /// The JSON value at the start of `text` (a bracketed or quoted value may contain spaces;
    /// anything else ends at whitespace), and what follows it; nil if brackets never close.
    static func jsonValue(at text: Substring) -> (Substring, Substring)? {
        guard let first = text.first, !first.isWhitespace else { return nil }
        guard first == "[" || first == "{" || first == "\"" else {
            let value = text.prefix { !$0.isWhitespace }
            return (value, text.dropFirst(value.count))
        }
        var depth = 0
        var inString = false
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if inString {
                if escaped { escaped = false }
                else if c == "\\" { escaped = true }
                else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "[" || c == "{" {
                depth += 1
            } else if c == "]" || c == "}" {
                depth -= 1
            }
            index = text.index(after: index)
            if !inString && depth == 0 { return (text[..<index], text[index...]) }
        }
        return nil
    }
}
