/// The text `help(obj)` prints (and the REPL's `obj?` shows): the signature and docstring of
/// a native function, the parameters of a Kiln function, the conversion and methods of a type,
/// the members of a module.

extension Interpreter {
    /// The help text for a value; for nil, an overview of the built-ins.
    public func helpText(for value: Value?) -> String {
        guard let value = value else {
            let names = builtinIndex.keys.sorted().joined(separator: ", ")
            return "Built-in functions and types:\n" + wrapped(names, indent: "    ")
                + "\n\nhelp(obj) describes a function, type, module or value."
        }
        guard case .object(let o) = value else { return helpText(forTypeOf: value) }
        switch o {
        case let f as KBuiltin:
            return signatureLine(f) + docBlock(f.doc)
        case let f as KFunction:
            return "def " + f.name + "(" + parameterText(f) + ")"
        case let t as KType:
            var text = "class " + t.name
            if let c = t.constructor { text += "(" + c.signature.text + ")" + docBlock(c.doc) }
            return text + methodList(t.name)
        case let m as KModule:
            var text = "module " + m.name + docBlock(m.doc)
            let members = m.members.keys.sorted()
            if !members.isEmpty {
                text += "\n\nMembers:"
                for name in members {
                    text += "\n    " + name + memberSummary(m.members[name])
                }
            }
            return text
        default:
            return helpText(forTypeOf: value)
        }
    }

    /// Help for a value without its own documentation: its repr, type and methods.
    private func helpText(forTypeOf value: Value) -> String {
        let type = value.typeName
        if let t = builtin(type)?.as(KType.self), t.name == type {
            return Repr.repr(value) + " is of type " + type + ":\n\n" + helpText(for: .object(t))
        }
        return Repr.repr(value) + " is of type " + type + methodList(type)
    }

    private func signatureLine(_ f: KBuiltin) -> String {
        if case .none = f.receiver { return f.name + "(" + f.signature.text + ")" }
        return f.receiver.typeName + "." + f.name + "(" + f.signature.text + ")"
    }

    private func docBlock(_ doc: String) -> String {
        doc.isEmpty ? "" : "\n\n" + wrapped(doc, indent: "    ")
    }

    /// One line about a module member: a function's signature or the value's repr.
    private func memberSummary(_ value: Value?) -> String {
        switch value {
        case .object(let f as KBuiltin)?: return "(" + f.signature.text + ")"
        case .object(let f as KFunction)?: return "(" + parameterText(f) + ")"
        case .object(let m as KModule)?: return ": module " + m.name
        case let v?:
            let text = Repr.repr(v)
            return " = " + (text.count > 60 ? String(text.prefix(57)) + "..." : text)
        case nil: return ""
        }
    }

    /// The methods of a type, with the signature and first doc line of those declared here.
    private func methodList(_ typeName: String) -> String {
        let methods = methodNames(of: typeName)
        guard !methods.isEmpty else { return "" }
        let documented = builtin(typeName)?.as(KType.self)?.methods ?? [:]
        var text = "\n\nMethods:"
        for name in methods {
            text += "\n    " + name
            if let f = documented[name] {
                text += "(" + f.signature.text + ")"
                if let line = f.doc.split(separator: "\n").first { text += "  " + line }
            }
        }
        return text
    }

    /// The parameter list of a Kiln function as written: `a, b=1, *args, c, **kw`.
    func parameterText(_ f: KFunction) -> String {
        let p = f.code.parameters
        var parts: [String] = []
        var starred = false
        for (i, name) in p.names.enumerated() {
            switch p.kinds[i] {
            case .varargs:
                parts.append("*" + name)
                starred = true
            case .kwargs:
                parts.append("**" + name)
            case .keywordOnly:
                if !starred {
                    parts.append("*")
                    starred = true
                }
                fallthrough
            default:
                let d = i < f.defaults.count ? f.defaults[i] : nil
                parts.append(name + (d.map { "=" + Repr.repr($0) } ?? ""))
            }
            if p.kinds[i] == .positionalOnly && (i + 1 == p.names.count || p.kinds[i + 1] != .positionalOnly) {
                parts.append("/")
            }
        }
        return parts.joined(separator: ", ")
    }

    /// `text` folded to lines of at most 88 characters, each indented.
    private func wrapped(_ text: String, indent: String) -> String {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && line.count + word.count + 1 > 88 - indent.count {
                    lines.append(indent + line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(indent + line)
        }
        return lines.joined(separator: "\n")
    }
}
