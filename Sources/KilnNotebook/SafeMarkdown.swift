/// Markdown rendered to HTML for exported notebooks, by a small safe subset of CommonMark.
///
/// Blocks: ATX (`# Title`) and setext (`Title` over `===`) headings, paragraphs, fenced and
/// indented code blocks (fences marked `python`, `py` or `kiln` are highlighted), bullet and
/// numbered lists (nested by indentation), block quotes and thematic breaks. Inline: code
/// spans, `*emphasis*`, `**strong**` (and with `_`), backslash escapes, links to `http:`,
/// `https:` and `mailto:` URLs, and images whose source is a base64 PNG, JPEG or GIF `data:`
/// URI. Everything else, raw HTML included, is shown as text: every character of the source
/// reaches the page escaped, and the only markup is the tags this renderer writes.

enum SafeMarkdown {
    /// Nesting (quotes in quotes, lists in lists, emphasis in emphasis) deeper than this is
    /// shown as text, so that no input can exhaust the stack.
    static let maximumDepth = 12

    static func html(_ markdown: String) -> String {
        let lines = markdown.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map { expandTabs(String($0)) }
        return blocks(lines[...], depth: 0, tight: false)
    }

    // MARK: - Blocks

    private static func blocks(_ lines: ArraySlice<String>, depth: Int, tight: Bool) -> String {
        var out = ""
        var paragraph: [String] = []
        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            let text = inline(paragraph.joined(separator: "\n"), depth: depth)
            out += tight ? text + "\n" : "<p>" + text + "</p>\n"
            paragraph = []
        }

        var i = lines.startIndex
        while i < lines.endIndex {
            let line = lines[i]
            let indent = leadingSpaces(line)
            let content = line.dropFirst(indent)
            if content.isEmpty {
                flushParagraph()
                i += 1
            } else if indent >= 4 && paragraph.isEmpty {
                var end = i
                var code: [String] = []
                while end < lines.endIndex, lines[end].allSatisfy({ $0 == " " }) || leadingSpaces(lines[end]) >= 4 {
                    code.append(String(lines[end].dropFirst(min(4, leadingSpaces(lines[end])))))
                    end += 1
                }
                while code.last?.isEmpty == true { code.removeLast() }
                out += "<pre><code>" + HTMLEscaping.escape(code.joined(separator: "\n")) + "</code></pre>\n"
                i = end
            } else if indent < 4, let fence = Fence(opening: content) {
                flushParagraph()
                var end = i + 1
                while end < lines.endIndex, !fence.isClosed(by: lines[end]) { end += 1 }
                let code = lines[(i + 1)..<end].map { String($0.dropFirst(min(indent, leadingSpaces($0)))) }.joined(separator: "\n")
                let highlighted = ["python", "py", "python3", "kiln"].contains(fence.language.lowercased())
                out += highlighted ? "<pre><code>" + CodeHighlighter.html(code) + "</code></pre>\n"
                                   : "<pre><code>" + HTMLEscaping.escape(code) + "</code></pre>\n"
                i = min(end + 1, lines.endIndex)
            } else if indent < 4, let (level, text) = atxHeading(content) {
                flushParagraph()
                out += "<h\(level)>" + inline(text, depth: depth) + "</h\(level)>\n"
                i += 1
            } else if indent < 4, !paragraph.isEmpty, let level = setextLevel(content) {
                let text = inline(paragraph.joined(separator: "\n"), depth: depth)
                paragraph = []
                out += "<h\(level)>" + text + "</h\(level)>\n"
                i += 1
            } else if indent < 4, isThematicBreak(content) {
                flushParagraph()
                out += "<hr>\n"
                i += 1
            } else if indent < 4, content.first == ">", depth < maximumDepth {
                flushParagraph()
                var end = i
                var quoted: [String] = []
                while end < lines.endIndex, leadingSpaces(lines[end]) < 4, lines[end].drop(while: { $0 == " " }).first == ">" {
                    let body = lines[end].drop { $0 == " " }.dropFirst()
                    quoted.append(String(body.first == " " ? body.dropFirst() : body))
                    end += 1
                }
                out += "<blockquote>\n" + blocks(quoted[...], depth: depth + 1, tight: false) + "</blockquote>\n"
                i = end
            } else if indent < 4, let marker = ListMarker(line), depth < maximumDepth, paragraph.isEmpty || marker.canInterruptParagraph {
                flushParagraph()
                i = list(lines, from: i, first: marker, depth: depth, into: &out)
            } else {
                paragraph.append(String(content))
                i += 1
            }
        }
        flushParagraph()
        return out
    }

    /// Renders the list starting at `start` into `out`; returns the index of the first line
    /// after it. An item is its marker line plus the lines indented under it (blank lines
    /// between them allowed) and lines running on from its text.
    private static func list(_ lines: ArraySlice<String>, from start: Int, first: ListMarker, depth: Int, into out: inout String) -> Int {
        var items: [[String]] = []
        var i = start
        while i < lines.endIndex, let marker = ListMarker(lines[i]), marker.ordered == first.ordered {
            var item = [String(lines[i].dropFirst(marker.width))]
            i += 1
            while i < lines.endIndex {
                let line = lines[i]
                let blank = line.allSatisfy { $0 == " " }
                if blank {
                    // Blank lines belong to the item only if the item goes on after them.
                    guard let next = lines[i...].firstIndex(where: { !$0.allSatisfy { $0 == " " } }),
                          leadingSpaces(lines[next]) >= marker.width else { break }
                    item += repeatElement("", count: next - i)
                    i = next
                    continue
                } else if leadingSpaces(line) >= marker.width {
                    item.append(String(line.dropFirst(marker.width)))
                } else if ListMarker(line) == nil, item.last?.isEmpty == false, !startsBlock(line) {
                    item.append(line.trimmingLeadingSpaces)
                } else {
                    break
                }
                i += 1
            }
            items.append(item)
            // Blank lines between two items of the list.
            var next = i
            while next < lines.endIndex, lines[next].allSatisfy({ $0 == " " }) { next += 1 }
            if next < lines.endIndex, let following = ListMarker(lines[next]), following.ordered == first.ordered { i = next }
        }
        let tag = first.ordered ? "ol" : "ul"
        let start = first.ordered && first.number != 1 ? " start=\"\(first.number)\"" : ""
        out += "<\(tag)\(start)>\n"
        for item in items {
            // A list whose items hold no blank line is tight: its text is not put in paragraphs.
            var body = blocks(item[...], depth: depth + 1, tight: !item.contains(""))
            if body.hasSuffix("\n") { body.removeLast() }
            out += "<li>" + body + "</li>\n"
        }
        out += "</\(tag)>\n"
        return i
    }

    /// Whether `line` starts a block other than a paragraph (so it does not run on a list
    /// item's text).
    private static func startsBlock(_ line: String) -> Bool {
        let content = line.trimmingLeadingSpaces
        return Fence(opening: Substring(content)) != nil || atxHeading(Substring(content)) != nil
            || isThematicBreak(Substring(content)) || content.first == ">"
    }

    private static func leadingSpaces<S: StringProtocol>(_ line: S) -> Int {
        line.prefix { $0 == " " }.count
    }

    /// Tabs replaced by spaces to the next multiple of four, as CommonMark counts them.
    private static func expandTabs(_ line: String) -> String {
        guard line.contains("\t") else { return line }
        var out = ""
        var column = 0
        for character in line {
            if character == "\t" {
                let spaces = 4 - column % 4
                out += String(repeating: " ", count: spaces)
                column += spaces
            } else {
                out.append(character)
                column += 1
            }
        }
        return out
    }

    /// `# text` … `###### text`: the level and the text without its closing `#`s.
    private static func atxHeading(_ content: Substring) -> (Int, String)? {
        let level = content.prefix { $0 == "#" }.count
        guard (1...6).contains(level) else { return nil }
        let rest = content.dropFirst(level)
        guard rest.isEmpty || rest.first == " " else { return nil }
        var text = rest.trimmingSpaces
        let closing = text.reversed().prefix { $0 == "#" }.count
        if closing == text.count || text.dropLast(closing).last == " " {
            text = String(text.dropLast(closing)).trimmingSpaces
        }
        return (level, text)
    }

    /// `===` under a paragraph makes it a level-1 heading, `---` level 2.
    private static func setextLevel(_ content: Substring) -> Int? {
        let marks = content.trimmingSpaces
        guard let first = marks.first, first == "=" || first == "-", marks.allSatisfy({ $0 == first }) else { return nil }
        return first == "=" ? 1 : 2
    }

    /// Three or more `-`, `*` or `_` (spaces allowed between them) and nothing else.
    private static func isThematicBreak(_ content: Substring) -> Bool {
        let marks = content.filter { $0 != " " }
        guard let first = marks.first, "-*_".contains(first) else { return false }
        return marks.count >= 3 && marks.allSatisfy { $0 == first }
    }

    /// The opening line of a fenced code block: three or more backticks or tildes.
    private struct Fence {
        var character: Character
        var count: Int
        var language: String

        init?(opening content: Substring) {
            guard let first = content.first, first == "`" || first == "~" else { return nil }
            let run = content.prefix { $0 == first }.count
            let info = content.dropFirst(run)
            guard run >= 3, first == "~" || !info.contains("`") else { return nil }
            character = first
            count = run
            language = String(info.trimmingSpaces.prefix { $0 != " " })
        }

        func isClosed(by line: String) -> Bool {
            let content = line.trimmingLeadingSpaces
            let run = content.prefix { $0 == character }.count
            return leadingSpaces(line) < 4 && run >= count && content.dropFirst(run).allSatisfy { $0 == " " }
        }
    }

    /// A list item's marker: `-`, `*` or `+`, or a number and `.` or `)`, followed by a space
    /// or the end of the line.
    private struct ListMarker {
        var ordered: Bool
        var number: Int
        /// Columns from the start of the line to the item's text.
        var width: Int

        init?(_ line: String) {
            let indent = SafeMarkdown.leadingSpaces(line)
            guard indent < 4 else { return nil }
            let content = line.dropFirst(indent)
            var markerLength = 1
            if let first = content.first, "-*+".contains(first) {
                ordered = false
                number = 0
            } else {
                let digits = content.prefix { $0.isASCII && $0.isNumber }
                guard (1...9).contains(digits.count), let value = Int(digits),
                      let delimiter = content.dropFirst(digits.count).first, delimiter == "." || delimiter == ")" else { return nil }
                ordered = true
                number = value
                markerLength = digits.count + 1
            }
            let after = content.dropFirst(markerLength)
            guard after.isEmpty || after.first == " " else { return nil }
            if SafeMarkdown.isThematicBreak(content) { return nil }
            let spaces = min(after.prefix { $0 == " " }.count, 4)
            width = indent + markerLength + max(spaces, 1)
        }

        /// A list interrupts a paragraph only with a bullet or the number 1 (CommonMark's rule,
        /// so that "in 1999." starting a line stays text).
        var canInterruptParagraph: Bool { !ordered || number == 1 }
    }

    // MARK: - Inline

    static func inline(_ text: String, depth: Int) -> String {
        var parser = InlineParser(chars: Array(text), depth: depth)
        return parser.html()
    }

    /// Renders one run of inline text. Each search for a closing delimiter that fails is
    /// remembered, since it would fail again from any later opener of the same kind: so text
    /// full of unmatched `*`, `` ` `` or `[` takes time in proportion to its length.
    private struct InlineParser {
        let chars: [Character]
        let depth: Int
        /// Kinds of opener (`*2`, `` `1 ``) for which no closer follows the last opener tried.
        private var unclosed = Set<String>()
        /// The last search for `]`: from where, and the index found (nil: none after it).
        private var bracketSearch: (from: Int, found: Int?)?

        init(chars: [Character], depth: Int) {
            self.chars = chars
            self.depth = depth
        }

        mutating func html() -> String {
            var out = ""
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if c == "\\", i + 1 < chars.count, chars[i + 1].isASCII, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                    out += HTMLEscaping.escape(String(chars[i + 1]))
                    i += 2
                } else if c == "`", let (code, end) = codeSpan(at: i) {
                    out += "<code>" + HTMLEscaping.escape(code) + "</code>"
                    i = end
                } else if c == "*" || c == "_", depth < maximumDepth, let (tags, inner, end) = emphasis(at: i) {
                    out += tags.map { "<\($0)>" }.joined() + SafeMarkdown.inline(inner, depth: depth + 1)
                        + tags.reversed().map { "</\($0)>" }.joined()
                    i = end
                } else if c == "!", i + 1 < chars.count, chars[i + 1] == "[", let (alt, target, end) = link(at: i + 1) {
                    if isEmbeddableImage(target) {
                        out += "<img alt=\"" + HTMLEscaping.escape(alt) + "\" src=\"" + HTMLEscaping.escape(target) + "\">"
                    } else {
                        out += HTMLEscaping.escape(alt)
                    }
                    i = end
                } else if c == "[", depth < maximumDepth, let (label, target, end) = link(at: i) {
                    let lower = target.lowercased()
                    let label = SafeMarkdown.inline(label, depth: depth + 1)
                    if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") {
                        out += "<a href=\"" + HTMLEscaping.escape(target) + "\">" + label + "</a>"
                    } else {
                        out += label
                    }
                    i = end
                } else {
                    // A run of the same character goes out whole, so that `**` that opens
                    // nothing is not tried again one character later.
                    var end = i + 1
                    if c == "*" || c == "_" || c == "`" {
                        while end < chars.count, chars[end] == c { end += 1 }
                    }
                    out += HTMLEscaping.escape(String(chars[i..<end]))
                    i = end
                }
            }
            return out
        }

        /// The length of the run of `chars[start]` that starts at `start`.
        private func run(at start: Int) -> Int {
            var end = start + 1
            while end < chars.count, chars[end] == chars[start] { end += 1 }
            return end - start
        }

        /// A code span opened by the backtick run at `start`: its text (a space at each end
        /// removed when both are there, newlines as spaces) and the index after its closing run.
        private mutating func codeSpan(at start: Int) -> (String, Int)? {
            let length = run(at: start)
            let kind = "`\(length)"
            guard !unclosed.contains(kind) else { return nil }
            var i = start + length
            while i < chars.count {
                guard chars[i] == "`" else {
                    i += 1
                    continue
                }
                let closing = run(at: i)
                if closing == length {
                    var code = String(chars[(start + length)..<i].map { $0 == "\n" ? " " : $0 })
                    if code.count >= 2, code.first == " ", code.last == " ", code.contains(where: { $0 != " " }) {
                        code = String(code.dropFirst().dropLast())
                    }
                    return (code, i + closing)
                }
                i += closing
            }
            unclosed.insert(kind)
            return nil
        }

        /// Emphasis opened by the `*` or `_` run at `start` (one: `em`, two: `strong`, three:
        /// both): the tags, the text inside and the index after the closing run. The opening
        /// run must be followed, and the closing run preceded, by a non-space; `_` must not
        /// touch letters or digits outside (so snake_case stays text).
        private mutating func emphasis(at start: Int) -> ([String], String, Int)? {
            let mark = chars[start]
            let length = run(at: start)
            guard length <= 3, start + length < chars.count, !chars[start + length].isWhitespace else { return nil }
            if mark == "_", start > 0, chars[start - 1].isLetter || chars[start - 1].isNumber { return nil }
            let kind = "\(mark)\(length)"
            guard !unclosed.contains(kind) else { return nil }
            var i = start + length + 1
            while i < chars.count {
                guard chars[i] == mark else {
                    i += 1
                    continue
                }
                let closing = run(at: i)
                let after = i + closing
                if closing == length, !chars[i - 1].isWhitespace,
                   mark == "*" || after == chars.count || !(chars[after].isLetter || chars[after].isNumber) {
                    let tags = length == 1 ? ["em"] : length == 2 ? ["strong"] : ["strong", "em"]
                    return (tags, String(chars[(start + length)..<i]), after)
                }
                i = after
            }
            unclosed.insert(kind)
            return nil
        }

        /// `[label](target)` starting at the `[` at `start`: the label, the target (its first
        /// word, so a `"title"` after it is dropped) and the index after the `)`.
        private mutating func link(at start: Int) -> (String, String, Int)? {
            guard let close = closingBracket(after: start), close + 1 < chars.count, chars[close + 1] == "(",
                  let end = chars[(close + 2)...].firstIndex(of: ")") else { return nil }
            let target = String(chars[(close + 2)..<end]).trimmingSpaces.prefix { $0 != " " }
            return (String(chars[(start + 1)..<close]), String(target), end + 1)
        }

        /// The first `]` after `start`, reusing the last search when it covers `start`.
        private mutating func closingBracket(after start: Int) -> Int? {
            if let last = bracketSearch, last.from <= start, last.found.map({ start < $0 }) ?? true {
                return last.found
            }
            let found = chars[(start + 1)...].firstIndex(of: "]")
            bracketSearch = (start, found)
            return found
        }
    }

    /// A `data:` URI of a base64 PNG, JPEG or GIF: safe as an `<img>` source, since it loads
    /// nothing and runs nothing.
    private static func isEmbeddableImage(_ target: String) -> Bool {
        for mime in MimeType.embeddableBitmaps.sorted() where target.hasPrefix("data:\(mime);base64,") {
            return target.dropFirst("data:\(mime);base64,".count).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }
        }
        return false
    }
}

private extension String {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
