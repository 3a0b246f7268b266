/// Line magics (`%time x = f()`): the table of them, how an input reaches one, and how their
/// arguments are read (as IPython's `parse_options`).

import Foundation
import KilnNotebook

/// A line magic: its name, usage line, description, and what it does with its arguments in
/// a session, as input number `count`.
struct Magic {
    var name: String
    var aliases: [String] = []
    var usage: String
    var description: String
    var action: (_ session: ReplSession, _ arguments: String, _ count: Int) throws -> InputRun

    /// What `%name?` shows: the usage line, then the description folded to lines of at most
    /// 88 characters and indented, as `help(obj)` shows a docstring.
    var help: String {
        var lines: [String] = []
        var line = ""
        for word in description.split(separator: " ") {
            if !line.isEmpty && line.count + word.count + 1 > 84 {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        lines.append(line)
        return "Usage: \(usage)\n\n" + lines.map { "    " + $0 }.joined(separator: "\n")
    }

    /// Every magic, in the order `%lsmagic` lists them.
    static let all: [Magic] = timingMagics + namespaceMagics + historyMagics + fileMagics + sessionMagics

    private static let table: [String: Magic] = {
        var table: [String: Magic] = [:]
        for magic in all {
            for name in [magic.name] + magic.aliases { table[name] = magic }
        }
        return table
    }()

    /// The names and aliases of every magic, sorted.
    static var names: [String] { table.keys.sorted() }

    static func named(_ name: String) -> Magic? { table[name] }

    /// Runs `%name arguments` in `session` as input `count`. `%name?` shows the magic's help;
    /// an unknown name is IPython's UsageError.
    static func run(_ name: String, arguments: String, in session: ReplSession, count: Int) -> InputRun {
        if name.hasSuffix("?") {
            session.capture.write(helpText(for: "%" + name.trimmingCharacters(in: ["?"]), in: session.interpreter) + "\n")
            return .done
        }
        guard let magic = table[name] else {
            return .usageError(name.hasPrefix("%") ? "Cell magic `%\(name)` not found." : "Line magic function `%\(name)` not found.")
        }
        do {
            return try magic.action(session, arguments, count)
        } catch let error as UsageError {
            return .usageError(error.message)
        } catch {
            return .usageError("\(error)")
        }
    }

    static let sessionMagics = [
        Magic(name: "quit", aliases: ["exit"], usage: "%quit", description: "End the session (as Ctrl-D does).") { session, _, _ in
            session.quitRequested = true
            return .done
        },
        Magic(name: "lsmagic", usage: "%lsmagic", description: "List the magics.") { session, _, _ in
            let names = all.map { "%" + $0.name }.sorted().joined(separator: "  ")
            session.capture.write("Available line magics:\n\(names)\n\n%magic? describes one.\n")
            return .done
        },
    ]
}

/// A magic's arguments read as IPython's `parse_options` reads them: options first (`-f`,
/// `-n 5` or `-n5`, several letters in one word as `-fa`), ending at the first word that is
/// not an option or after `--`; the rest is kept as typed.
struct MagicOptions {
    var flags: Set<Character> = []
    var values: [Character: String] = [:]
    var rest: String

    /// Reads `text`, where `flags` are the letters of options without values and `valued`
    /// those that take one.
    init(_ text: String, flags allowedFlags: String = "", valued: String = "") throws {
        var rest = Substring(text)
        func nextWord() -> Substring? {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { return nil }
            let word = rest.prefix { $0 != " " && $0 != "\t" }
            rest = rest.dropFirst(word.count)
            return word
        }
        while true {
            let start = rest
            guard let word = nextWord(), word.first == "-", word.count > 1, word.dropFirst().first?.isLetter == true || word == "--" else {
                rest = start
                break
            }
            if word == "--" { break }
            var letters = word.dropFirst()
            while let letter = letters.popFirst() {
                if allowedFlags.contains(letter) {
                    flags.insert(letter)
                } else if valued.contains(letter) {
                    guard let value = letters.isEmpty ? nextWord() : letters else {
                        throw UsageError("option -\(letter) requires argument")
                    }
                    values[letter] = String(value)
                    letters = ""
                } else {
                    throw UsageError("option -\(letter) not recognized")
                }
            }
        }
        self.rest = String(rest).trimmingWhitespace
    }

    /// The value of option `letter` as a positive integer, or nil when it is not given.
    func positiveInteger(_ letter: Character) throws -> Int? {
        guard let text = values[letter] else { return nil }
        guard let value = Int(text), value > 0 else { throw UsageError("option -\(letter) needs a positive integer, not '\(text)'") }
        return value
    }

    /// The rest split into words as a shell would (quotes group, backslash escapes).
    var words: [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in rest {
            if escaped {
                word.append(c)
                escaped = false
            } else if c == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(c)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
