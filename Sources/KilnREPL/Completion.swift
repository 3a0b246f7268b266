/// Tab completion: the names, module members, object attributes, module names and magics that
/// can follow the word before the cursor.

import Foundation
import KilnLang

/// Completes the word before the cursor against the session's state.
///
/// A word is the run of identifier characters, dots and `%` before the cursor
/// (`wordBreakCharacters` end it), so `layers.Sep` completes to `layers.SeparableConv1D`
/// and `layers.SeparableConv2D`: each completion replaces the whole word. Attributes are found
/// by looking names up, never by calling anything; names starting with `_` are offered only
/// when the word's last part starts with `_`.
public struct Completer {
    let interpreter: Interpreter
    let magicNames: [String]

    /// The characters that end a completion word, for readline.
    public static let wordBreakCharacters = " \t\n\"'`~!@#$^&*()-=+[{]}\\|;:,<>/?"

    /// Magics whose argument is a file name: their words complete as file names.
    static let fileMagics: Set<String> = ["%run", "%load", "%save"]

    /// Keywords a statement or expression can use (not the reserved ones Kiln rejects).
    static let keywords: [String] = {
        let unsupported: Set<Keyword> = [.class, .try, .except, .finally, .raise, .with, .yield, .global, .nonlocal, .async, .await]
        return Keyword.allCases.filter { !unsupported.contains($0) }.map(\.rawValue)
    }()

    init(interpreter: Interpreter, magicNames: [String]) {
        self.interpreter = interpreter
        self.magicNames = magicNames
    }

    /// The sorted completions of `word`, where `before` is the text of the input line before
    /// the word. nil when the word is a file name (the argument of `%run`, `%load`, `%save`),
    /// which the line editor completes itself.
    public func completions(of word: String, after before: String) -> [String]? {
        let words = before.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if let first = words.first, Completer.fileMagics.contains(first) { return nil }
        if words.isEmpty && word.hasPrefix("%") {
            return magicNames.map { "%" + $0 }.filter { $0.hasPrefix(word) }
        }
        if let imported = importContext(words, endsWithSpace: before.last == " " || before.last == "\t") {
            return complete(word, among: imported)
        }
        if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot])
            guard let value = DottedName(base)?.value(in: interpreter) else { return [] }
            let prefix = String(word[word.index(after: dot)...])
            return complete(prefix, among: interpreter.attributeNames(of: value)).map { base + "." + $0 }
        }
        let names = Set(interpreter.globals.boundNames).union(interpreter.builtinNames).union(Completer.keywords)
        return complete(word, among: Array(names))
    }

    /// After `import` or `from`, the module names; after `from m import`, the members of m.
    private func importContext(_ words: [String], endsWithSpace: Bool) -> [String]? {
        guard let first = words.first else { return nil }
        if first == "import" || (first == "from" && words.count == 1 && endsWithSpace) {
            return interpreter.modules.moduleNames
        }
        guard first == "from", words.count >= 3, words[2] == "import", let module = DottedName(words[1]) else {
            return nil
        }
        guard let loaded = try? interpreter.importModule(module.parts) else { return [] }
        return interpreter.attributeNames(of: .object(loaded))
    }

    private func complete(_ prefix: String, among names: [String]) -> [String] {
        let showPrivate = prefix.hasPrefix("_")
        return Set(names.filter { $0.hasPrefix(prefix) && (showPrivate || !$0.hasPrefix("_")) }).sorted()
    }
}
