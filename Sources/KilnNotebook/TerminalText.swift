/// Text written for a terminal, as it should read on a page: without ANSI colour codes, and
/// with carriage returns and backspaces applied as Jupyter applies them.

enum TerminalText {
    /// `text` without ANSI escape sequences: CSI (`ESC [ … final byte`, colours and cursor
    /// moves), OSC (`ESC ] … BEL` or `ESC ] … ESC \`) and two-character escapes.
    static func strippingANSI(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{1B}") else { return text }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "\u{1B}" else {
                out.append(scalar)
                continue
            }
            switch scalars.popFirst() {
            case "[":
                // Parameter and intermediate bytes (0x20–0x3F), then one final byte (0x40–0x7E).
                while let next = scalars.popFirst(), !(0x40...0x7E).contains(next.value) {}
            case "]":
                while let next = scalars.popFirst() {
                    if next == "\u{7}" { break }
                    if next == "\u{1B}", scalars.first == "\\" {
                        scalars.removeFirst()
                        break
                    }
                }
            default:
                break
            }
        }
        return String(out)
    }

    /// `text` as Jupyter shows a stream: ANSI codes removed; on each line only the text after
    /// its last carriage return (a progress bar redrawn in place shows its final state; a
    /// line ending in a return keeps the text before it); each backspace erasing the
    /// character before it.
    static func rendered(_ text: String) -> String {
        let plain = strippingANSI(text)
        guard plain.contains(where: { $0 == "\r" || $0 == "\u{8}" }) else { return plain }
        // "\r\n" is one Character in Swift: a line end, not a return to the line's start.
        let lines = plain.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        return lines.map { line -> String in
            var shown = ""
            for character in line.split(separator: "\r").last ?? "" {
                if character == "\u{8}" {
                    if !shown.isEmpty { shown.removeLast() }
                } else {
                    shown.append(character)
                }
            }
            return shown
        }.joined(separator: "\n")
    }
}
