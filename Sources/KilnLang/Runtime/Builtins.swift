/// The predeclared functions of every Kiln module: Starlark's built-ins plus the Python ones
/// notebooks use, each declared once with its Python signature and docstring. This file holds
/// the general ones (printing, iteration, introspection); the type conversions (`int`, `str`,
/// `list` …) are in BuiltinTypes.swift, the arithmetic ones in BuiltinsNumeric.swift, and the
/// methods of str, list, tuple, dict and set in their own files.

extension Interpreter {
    /// Installs every built-in function and the methods of the built-in types.
    func installCoreBuiltins() {
        installTypes()
        defineBuiltins(generalBuiltins)
        defineBuiltins(iterationBuiltins)
        defineBuiltins(numericBuiltins)
        installStringMethods()
        installListMethods()
        installDictMethods()
        installSetMethods()
    }

    private var generalBuiltins: [KBuiltin] {
        [
            KBuiltin("print", "*args, sep=None, end=None, flush=False", doc: """
                Print the values, converted with str() and separated by sep (default a space), \
                followed by end (default a newline).
                """) { a in
                func text(_ i: Int, _ name: String, _ fallback: String) throws -> String {
                    if a.isNone(i) { return fallback }
                    guard case .string(let s) = a[i] else {
                        throw KilnError.type("\(name) must be None or a string, not \(a[i].typeName)")
                    }
                    return s
                }
                let items = try a.interpreter.iterate(a[0]).map { Repr.str($0) }
                a.interpreter.output(items.joined(separator: try text(1, "sep", " ")) + (try text(2, "end", "\n")))
                return .none
            },
            KBuiltin("len", "obj, /", doc: "The number of items in a container or characters in a string.") { a in
                .int(try a.interpreter.length(a[0]))
            },
            KBuiltin("repr", "obj, /", doc: "The text that reads back as the object: repr('a') is \"'a'\".") { a in
                .string(Repr.repr(a[0]))
            },
            KBuiltin("ascii", "obj, /", doc: "repr(obj) with non-ASCII characters escaped.") { a in
                .string(Format.ascii(a[0]))
            },
            KBuiltin("format", "value, format_spec='', /", doc: """
                Format a value with a format spec, as an f-string field does: format(0.5, '.1%') is '50.0%'.
                """) { a in
                .string(try Format.apply(a[0], spec: try a.string(1)))
            },
            KBuiltin("hash", "obj, /", doc: "The hash of a hashable value (equal values hash alike).") { a in
                .int(try a[0].hashValue())
            },
            KBuiltin("id", "obj, /", doc: "A number identifying the object for as long as it lives.") { a in
                if case .object(let o) = a[0] { return .int(Int(bitPattern: Unmanaged.passUnretained(o).toOpaque())) }
                return .int(((try? a[0].hashValue()) ?? 0) ^ a[0].typeName.hashValue)
            },
            KBuiltin("callable", "obj, /", doc: "Whether the object can be called.") { a in
                if case .object(let o) = a[0] { return .bool(o.isCallable) }
                return .false
            },
            KBuiltin("isinstance", "obj, class_or_tuple, /", doc: """
                Whether obj is of the type, or of one of a tuple of types: isinstance(x, (int, float)).
                """) { a in
                .bool(try Interpreter.isInstance(a[0], a[1]))
            },
            KBuiltin("getattr", "obj, name, /, *default", doc: """
                The attribute of obj called name; default (when given) if there is none.
                """) { a in
                let name = try Interpreter.attributeName(a[1])
                let defaults = a[2].as(KTuple.self)?.items ?? []
                if defaults.count > 1 {
                    throw KilnError.type("getattr expected at most 3 arguments, got \(defaults.count + 2)")
                }
                do {
                    return try a.interpreter.getAttribute(a[0], name)
                } catch let e as KilnError where e.type == "AttributeError" && !defaults.isEmpty {
                    return defaults[0]
                }
            },
            KBuiltin("hasattr", "obj, name, /", doc: "Whether obj has an attribute called name.") { a in
                let name = try Interpreter.attributeName(a[1])
                do {
                    _ = try a.interpreter.getAttribute(a[0], name)
                    return .true
                } catch let e as KilnError where e.type == "AttributeError" {
                    return .false
                }
            },
            KBuiltin("dir", "*obj", doc: """
                The sorted attribute and method names of an object; with no argument, the names \
                defined in the session.
                """) { a in
                let objects = a[0].as(KTuple.self)?.items ?? []
                if objects.count > 1 { throw KilnError.type("dir expected at most 1 argument, got \(objects.count)") }
                guard let object = objects.first else {
                    return .object(KList(a.interpreter.globals.boundNames.sorted().map { .string($0) }))
                }
                return .object(KList(a.interpreter.attributeNames(of: object).map { .string($0) }))
            },
            KBuiltin("help", "*obj", doc: """
                Print the documentation of a function, type or module: its signature, what it does, \
                and its methods or members.
                """) { a in
                let objects = a[0].as(KTuple.self)?.items ?? []
                if objects.count > 1 { throw KilnError.type("help expected at most 1 argument, got \(objects.count)") }
                a.interpreter.output(a.interpreter.helpText(for: objects.first) + "\n")
                return .none
            },
            KBuiltin("fail", "*args, sep=' '", doc: "Stop with an error whose message is the arguments, as print would show them.") { a in
                let message = try a.interpreter.iterate(a[0]).map { Repr.str($0) }.joined(separator: try a.string(1))
                throw KilnError("Exception", message)
            },
            KBuiltin("struct", "**fields", doc: "An immutable record with the given fields: struct(x=1, y=2).x is 1.") { a in
                let fields = a[0].as(KDict.self)?.table.entries ?? []
                return .object(KStruct(fields.map { (name: Repr.str($0.key), value: $0.value) }))
            },
            KBuiltin("module", "name, /, **members", doc: "A module value with the given members: module('cfg', lr=0.1).") { a in
                let members = a[1].as(KDict.self)?.table.entries ?? []
                var table: [String: Value] = [:]
                for (k, v) in members { table[Repr.str(k)] = v }
                return .object(KModule(try a.string(0), members: table))
            },
        ]
    }

    private var iterationBuiltins: [KBuiltin] {
        [
            KBuiltin("all", "iterable, /", doc: "Whether every item is truthy (True for no items).") { a in
                let it = try a.interpreter.makeIterator(a[0])
                while let v = try it.next() {
                    if !(try v.truthValue()) { return .false }
                }
                return .true
            },
            KBuiltin("any", "iterable, /", doc: "Whether some item is truthy (False for no items).") { a in
                let it = try a.interpreter.makeIterator(a[0])
                while let v = try it.next() {
                    if try v.truthValue() { return .true }
                }
                return .false
            },
            KBuiltin("enumerate", "iterable, start=0", doc: "A list of (index, item) pairs, counting from start.") { a in
                let start = try a.index(1)
                let pairs = try a.interpreter.iterate(a[0]).enumerated().map { i, item in
                    Value.object(KTuple([try Operators.intOp(.add, start, i), item]))
                }
                return .object(KList(pairs))
            },
            KBuiltin("zip", "*iterables, strict=False", doc: """
                A list of tuples pairing up the items of the iterables, as long as the shortest \
                (strict=True: the lengths must agree).
                """) { a in
                let lists = try (a[0].as(KTuple.self)?.items ?? []).map { try a.interpreter.iterate($0) }
                let length = lists.map(\.count).min() ?? 0
                if a.bool(1), let first = lists.first, let bad = lists.firstIndex(where: { $0.count != first.count }) {
                    let relation = lists[bad].count < first.count ? "shorter" : "longer"
                    let others = bad == 1 ? "argument 1" : "arguments 1-\(bad)"
                    throw KilnError.value("zip() argument \(bad + 1) is \(relation) than \(others)")
                }
                return .object(KList((0..<length).map { i in .object(KTuple(lists.map { $0[i] })) }))
            },
            KBuiltin("map", "function, iterable, /, *iterables", doc: """
                A list of function(item) for each item (with several iterables, function takes \
                one item from each).
                """) { a in
                let lists = try ([a[1]] + (a[2].as(KTuple.self)?.items ?? [])).map { try a.interpreter.iterate($0) }
                let length = lists.map(\.count).min() ?? 0
                var results: [Value] = []
                results.reserveCapacity(length)
                for i in 0..<length {
                    results.append(try a.interpreter.call(a[0], Arguments(lists.map { $0[i] })))
                }
                return .object(KList(results))
            },
            KBuiltin("filter", "function, iterable, /", doc: "A list of the items for which function(item) is truthy (function None: the truthy items).") { a in
                let keep = try a.interpreter.iterate(a[1]).filter { item in
                    try a.isNone(0) ? item.isTruthy : a.interpreter.call(a[0], Arguments([item])).isTruthy
                }
                return .object(KList(keep))
            },
            KBuiltin("reversed", "sequence, /", doc: "A list of the items of a sequence in reverse order.") { a in
                switch a[0] {
                case .string, .object(is KList), .object(is KTuple), .object(is KRange), .object(is KDict):
                    return .object(KList(try a.interpreter.iterate(a[0]).reversed()))
                case .object(let o) where !(o is KSet) && o.count != nil:
                    if let it = try o.makeIterator() {
                        var items: [Value] = []
                        while let v = try it.next() { items.append(v) }
                        return .object(KList(items.reversed()))
                    }
                default:
                    break
                }
                throw KilnError.type("'\(a[0].typeName)' object is not reversible")
            },
            KBuiltin("sorted", "iterable, /, *, key=None, reverse=False", doc: """
                A new sorted list of the items. key: a function giving each item's sort key; \
                reverse: largest first. The sort is stable.
                """) { a in
                .object(KList(try Sorting.sorted(try a.interpreter.iterate(a[0]), key: a[1], reverse: a.bool(2), a.interpreter)))
            },
            KBuiltin("max", "*args, key=None, **kwargs", doc: """
                The largest item of an iterable, or of the arguments: max(xs), max(a, b), \
                max(xs, key=len), max(xs, default=0).
                """) { a in
                try Interpreter.extreme("max", a, .gt)
            },
            KBuiltin("min", "*args, key=None, **kwargs", doc: """
                The smallest item of an iterable, or of the arguments: min(xs), min(a, b), \
                min(xs, key=len), min(xs, default=0).
                """) { a in
                try Interpreter.extreme("min", a, .lt)
            },
            KBuiltin("sum", "iterable, /, start=0", doc: "start plus the sum of the items (numbers, or lists with start=[]).") { a in
                if case .string = a[1] {
                    throw KilnError.type("sum() can't sum strings [use ''.join(seq) instead]")
                }
                var total = a[1]
                for item in try a.interpreter.iterate(a[0]) {
                    total = try Operators.binary(.add, total, item)
                }
                return total
            },
        ]
    }

    // MARK: Helpers

    /// `max`/`min`: one iterable or several arguments, `key=`, `default=`; `op` is `>` for max.
    private static func extreme(_ name: String, _ a: BoundArguments, _ op: CompareOp) throws -> Value {
        let args = a[0].as(KTuple.self)?.items ?? []
        var fallback: Value?
        for (k, v) in a[2].as(KDict.self)?.table.entries ?? [] {
            guard case .string("default") = k else {
                throw KilnError.type("\(Repr.repr(k)) is an invalid keyword argument for \(name)()")
            }
            fallback = v
        }
        guard let first = args.first else {
            throw KilnError.type("\(name) expected at least 1 argument, got 0")
        }
        if args.count > 1 && fallback != nil {
            throw KilnError.type("Cannot specify a default for \(name)() with multiple positional arguments")
        }
        let items = args.count == 1 ? try a.interpreter.iterate(first) : args
        guard !items.isEmpty else {
            if let f = fallback { return f }
            throw KilnError.value("\(name)() arg is an empty sequence")
        }
        var best = items[0]
        var bestKey = try Sorting.key(best, a[1], a.interpreter)
        for item in items.dropFirst() {
            let k = try Sorting.key(item, a[1], a.interpreter)
            if try Operators.compare(op, k, bestKey) {
                best = item
                bestKey = k
            }
        }
        return best
    }

    /// Whether `value` is an instance of a type object or of one in a (nested) tuple of them.
    static func isInstance(_ value: Value, _ classInfo: Value) throws -> Bool {
        if let t = classInfo.as(KType.self) {
            if case .bool = value, t.name == "int" { return true }
            return value.typeName == t.name
        }
        if let tuple = classInfo.as(KTuple.self) {
            return try tuple.items.contains { try isInstance(value, $0) }
        }
        if let test = classInfo.as(KBuiltin.self)?.instanceTest { return test(value) }
        throw KilnError.type("isinstance() arg 2 must be a type, a tuple of types, or a union")
    }

    /// The attribute name argument of getattr and hasattr.
    private static func attributeName(_ v: Value) throws -> String {
        guard case .string(let s) = v else {
            throw KilnError.type("attribute name must be string, not '\(v.typeName)'")
        }
        return s
    }

    /// What `dir(value)` lists: its attributes and the methods of its type, sorted.
    public func attributeNames(of value: Value) -> [String] {
        var names = Set(methodNames(of: value.typeName))
        if case .object(let o) = value {
            names.formUnion(o.attributeNames)
            if let t = o as? KType {
                names.formUnion(methodNames(of: t.name))
                names.formUnion(t.staticMembers.keys)
            }
        }
        return names.sorted()
    }
}

extension BoundArguments {
    /// An integer argument where Python wants an index (`range`, `chr`, `round`'s ndigits):
    /// ints and bools only, with Python's "'float' object cannot be interpreted as an integer".
    public func index(_ i: Int) throws -> Int {
        if let v = values[i].asInt { return v }
        throw KilnError.type("'\(values[i].typeName)' object cannot be interpreted as an integer")
    }
}
