/// papermill's parameters for `kiln run -p NAME VALUE`: each value a Kiln literal (a number,
/// a quoted string, True/False/None, or a list, tuple or dict of those), injected as a new code
/// cell tagged `injected-parameters` right after the cell tagged `parameters`, or at the top of
/// the notebook when no cell is tagged so (as papermill does).

import KilnLang

/// A usage mistake: a `kiln` command line (exit status 2) or a REPL magic used wrongly
/// (IPython's `UsageError: …`).
public struct UsageError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Validated `name = value` assignments.
public struct NotebookParameters: Equatable {
    public private(set) var assignments: [(name: String, value: String)]

    /// Checks each name is an identifier and each value a literal.
    public init(_ pairs: [(name: String, value: String)]) throws {
        assignments = []
        for (name, value) in pairs {
            guard NotebookParameters.isIdentifier(name) else {
                throw UsageError("parameter name \(Repr.repr(.string(name))) is not an identifier")
            }
            guard NotebookParameters.isLiteral(value) else {
                throw UsageError("the value of parameter \(name), \(Repr.repr(.string(value))), is not a Kiln literal (a number, a quoted string such as \"'adam'\", True, False, None, or a list, tuple or dict of those)")
            }
            assignments.append((name, value.trimmingCharacters(in: .whitespaces)))
        }
    }

    public static func == (a: NotebookParameters, b: NotebookParameters) -> Bool {
        a.assignments.elementsEqual(b.assignments) { $0 == $1 }
    }

    /// `notebook` with the parameters cell injected (unchanged when there are no parameters).
    public func inject(into notebook: Notebook) -> Notebook {
        guard !assignments.isEmpty else { return notebook }
        var result = notebook
        let source = "# Parameters\n" + assignments.map { "\($0.name) = \($0.value)" }.joined(separator: "\n")
        let cell = Cell(kind: .code, source: source, tags: ["injected-parameters"])
        let at = notebook.cells.firstIndex { $0.tags.contains("parameters") }.map { $0 + 1 } ?? 0
        result.cells.insert(cell, at: at)
        return result
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isXIDStart else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isXIDContinue }
    }

    /// True when `text` is one expression made only of literals.
    static func isLiteral(_ text: String) -> Bool {
        guard let program = try? Parser.parse(text), program.statements.count == 1,
              case .expression(let expr) = program.statements[0] else { return false }
        return isLiteral(expr)
    }

    private static func isLiteral(_ expr: Expr) -> Bool {
        switch expr {
        case .literal: return true
        case .unary(let op, let operand, _):
            guard op == .minus || op == .plus, case .literal(let value, _) = operand else { return false }
            if case .int = value { return true }
            if case .float = value { return true }
            return false
        case .list(let items, _), .tuple(let items, _), .set(let items, _): return items.allSatisfy(isLiteral)
        case .dict(let pairs, _): return pairs.allSatisfy { isLiteral($0.key) && isLiteral($0.value) }
        default: return false
        }
    }
}
