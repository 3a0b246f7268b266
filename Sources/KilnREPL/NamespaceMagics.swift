/// `%who` and `%reset`: the names the user has defined.

extension Magic {
    static let namespaceMagics = [
        Magic(name: "who", usage: "%who [type ...]", description: """
            List the names you have defined (not those starting with _), sorted, as IPython \
            does; with type names (int, function, module, …), only the names of values of those types.
            """) { session, arguments, _ in
            let types = Set(try MagicOptions(arguments).words)
            let names = userNames(in: session).filter { name in
                types.isEmpty || session.interpreter.globals[name].map { types.contains($0.typeName) } == true
            }
            session.capture.write(whoListing(names, filtered: !types.isEmpty))
            return .done
        },
        Magic(name: "reset", usage: "%reset [-f]", description: """
            Forget every name you have defined (and _, __, ___), after asking; -f does not ask. \
            The inputs keep their numbers and stay in %history.
            """) { session, arguments, _ in
            let options = try MagicOptions(arguments, flags: "f")
            guard options.flags.contains("f")
                || session.askYesNo("Once deleted, variables cannot be recovered. Proceed (y/[n])?") else {
                session.capture.write("Nothing done.\n")
                return .done
            }
            session.interpreter.globals.removeAll()
            return .done
        },
    ]

    /// The names `%who` lists: bound globals not starting with `_`, sorted.
    static func userNames(in session: ReplSession) -> [String] {
        session.interpreter.globals.boundNames.filter { !$0.hasPrefix("_") }.sorted()
    }

    /// IPython's `%who` output: each name followed by a tab and a space, nine to a line.
    static func whoListing(_ names: [String], filtered: Bool) -> String {
        guard !names.isEmpty else {
            return filtered ? "No variables match your requested type.\n" : "Interactive namespace is empty.\n"
        }
        var text = ""
        for (index, name) in names.enumerated() {
            text += name + "\t "
            if index % 9 == 8 { text += "\n" }
        }
        return text + "\n"
    }
}
