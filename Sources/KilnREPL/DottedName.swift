/// Looking up `a.b.c` in the session without running code, for completion and `obj?`: only
/// names and attributes are followed, nothing is called.

import Foundation
import KilnLang

/// A name followed by attributes, as in `layers.Dense` or `model.fit`.
struct DottedName: Equatable {
    var parts: [String]

    /// The parts of `text` when it is identifiers joined by dots (spaces around it ignored);
    /// nil for anything else (`x[0]`, `f()`, `1.5`).
    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy(DottedName.isIdentifier) else { return nil }
        self.parts = parts
    }

    /// The value the name has in `interpreter`'s session (a global, else a built-in), then
    /// each attribute in turn; nil when any part is missing.
    func value(in interpreter: Interpreter) -> Value? {
        guard let first = parts.first, var value = interpreter.globals[first] ?? interpreter.builtin(first) else {
            return nil
        }
        for name in parts.dropFirst() {
            guard let next = try? interpreter.getAttribute(value, name) else { return nil }
            value = next
        }
        return value
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isIdentifierStart(first) else { return false }
        return text.unicodeScalars.dropFirst().allSatisfy(isIdentifierContinue)
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || (c.value > 127 && c.properties.isXIDStart)
    }

    static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || ("0"..."9").contains(c) || (c.value > 127 && c.properties.isXIDContinue)
    }
}
