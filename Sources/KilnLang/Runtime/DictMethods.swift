/// The methods of `dict` (get, items, keys, values, pop, popitem, setdefault, update, fromkeys
/// …) and `set` (add, discard, remove, union, intersection, difference, the subset tests …),
/// with Python's KeyError messages (the repr of the key). Kiln has no view objects: keys(),
/// values() and items() return lists.

extension Interpreter {
    func installDictMethods() {
        let fromkeys = KBuiltin("fromkeys", "iterable, value=None, /", doc: "A new dict with the items of iterable as keys, each mapped to value.") { a in
            let d = KDict()
            for k in try a.interpreter.iterate(a[0]) { try d.set(k, a[1]) }
            return .object(d)
        }
        builtin("dict")?.as(KType.self)?.staticMembers["fromkeys"] = .object(fromkeys)
        installMethods(of: "dict", [
            fromkeys,
            KBuiltin("get", "key, default=None, /", doc: "The value for key, or default when key is absent.") { a in
                try a.receiver(KDict.self).get(a[0]) ?? a[1]
            },
            KBuiltin("keys", "", doc: "A list of the keys, in insertion order.") { a in
                .object(KList(a.receiver(KDict.self).table.orderedKeys))
            },
            KBuiltin("values", "", doc: "A list of the values, in insertion order.") { a in
                .object(KList(a.receiver(KDict.self).table.entries.map(\.value)))
            },
            KBuiltin("items", "", doc: "A list of (key, value) pairs, in insertion order.") { a in
                .object(KList(a.receiver(KDict.self).table.entries.map { .object(KTuple([$0.key, $0.value])) }))
            },
            KBuiltin("pop", "key, /, *default", doc: "Remove key and return its value; default (when given) if key is absent.") { a in
                let defaults = a[1].as(KTuple.self)?.items ?? []
                if defaults.count > 1 { throw KilnError.type("pop expected at most 2 arguments, got \(defaults.count + 1)") }
                if let v = try a.receiver(KDict.self).table.remove(a[0]) { return v }
                guard let fallback = defaults.first else { throw KilnError.key(Repr.repr(a[0])) }
                return fallback
            },
            KBuiltin("popitem", "", doc: "Remove and return the last inserted (key, value) pair.") { a in
                let d = a.receiver(KDict.self)
                guard let last = d.table.entries.last else { throw KilnError.key("'popitem(): dictionary is empty'") }
                try d.table.remove(last.key)
                return .object(KTuple([last.key, last.value]))
            },
            KBuiltin("setdefault", "key, default=None, /", doc: "The value for key, first setting it to default if key is absent.") { a in
                let d = a.receiver(KDict.self)
                if let v = try d.get(a[0]) { return v }
                try d.set(a[0], a[1])
                return a[1]
            },
            KBuiltin("update", "*args, **kwargs", doc: """
                Add the pairs of a dict or an iterable of (key, value) pairs, then the keyword arguments.
                """) { a in
                try a.interpreter.updateDict(a.receiver(KDict.self), a, function: "update")
                return .none
            },
            KBuiltin("clear", "", doc: "Remove every key.") { a in
                a.receiver(KDict.self).table.removeAll()
                return .none
            },
            KBuiltin("copy", "", doc: "A shallow copy of the dict.") { a in
                let copy = KDict()
                copy.table = a.receiver(KDict.self).table
                return .object(copy)
            },
        ])
    }

    /// `dict(...)` and `dict.update(...)`: `a[0]` holds at most one positional argument (a
    /// dict or an iterable of pairs), `a[1]` the keyword arguments.
    func updateDict(_ d: KDict, _ a: BoundArguments, function: String) throws {
        let positional = a[0].as(KTuple.self)?.items ?? []
        if positional.count > 1 {
            throw KilnError.type("\(function) expected at most 1 argument, got \(positional.count)")
        }
        if let source = positional.first {
            if let other = source.as(KDict.self) {
                for (k, v) in other.table.entries { try d.set(k, v) }
            } else {
                for (i, item) in try iterate(source).enumerated() {
                    let pair: [Value]
                    do {
                        pair = try iterate(item)
                    } catch let e as KilnError where e.type == "TypeError" {
                        throw KilnError.type("cannot convert dictionary update sequence element #\(i) to a sequence")
                    }
                    guard pair.count == 2 else {
                        throw KilnError.value("dictionary update sequence element #\(i) has length \(pair.count); 2 is required")
                    }
                    try d.set(pair[0], pair[1])
                }
            }
        }
        for (k, v) in a[1].as(KDict.self)?.table.entries ?? [] { try d.set(k, v) }
    }

    func installSetMethods() {
        installMethods(of: "set", [
            KBuiltin("add", "elem, /", doc: "Add an element.") { a in
                try a.receiver(KSet.self).table.set(a[0], .none)
                return .none
            },
            KBuiltin("discard", "elem, /", doc: "Remove an element if present.") { a in
                try a.receiver(KSet.self).table.remove(a[0])
                return .none
            },
            KBuiltin("remove", "elem, /", doc: "Remove an element; KeyError if absent.") { a in
                guard try a.receiver(KSet.self).table.remove(a[0]) != nil else { throw KilnError.key(Repr.repr(a[0])) }
                return .none
            },
            KBuiltin("pop", "", doc: "Remove and return an element (the oldest).") { a in
                let s = a.receiver(KSet.self)
                guard let first = s.table.orderedKeys.first else { throw KilnError.key("'pop from an empty set'") }
                try s.table.remove(first)
                return first
            },
            KBuiltin("clear", "", doc: "Remove every element.") { a in
                a.receiver(KSet.self).table.removeAll()
                return .none
            },
            KBuiltin("copy", "", doc: "A shallow copy of the set.") { a in
                let copy = KSet()
                copy.table = a.receiver(KSet.self).table
                return .object(copy)
            },
            KBuiltin("union", "*others", doc: "A new set of the elements in this set or any of the others.") { a in
                .object(try KSet(try a.setOperands().reduce(a.receiver(KSet.self).elements) { $0 + $1.elements }))
            },
            KBuiltin("intersection", "*others", doc: "A new set of the elements in this set and all the others.") { a in
                .object(try KSet(try a.intersection()))
            },
            KBuiltin("difference", "*others", doc: "A new set of the elements in this set but in none of the others.") { a in
                .object(try KSet(try a.difference()))
            },
            KBuiltin("symmetric_difference", "other, /", doc: "A new set of the elements in exactly one of the two sets.") { a in
                .object(try KSet(try a.symmetricDifference()))
            },
            KBuiltin("update", "*others", doc: "Add the elements of the others.") { a in
                let s = a.receiver(KSet.self)
                for other in try a.setOperands() {
                    for v in other.elements { try s.table.set(v, .none) }
                }
                return .none
            },
            KBuiltin("intersection_update", "*others", doc: "Keep only the elements also in all the others.") { a in
                try a.replaceElements(with: try a.intersection())
            },
            KBuiltin("difference_update", "*others", doc: "Remove the elements found in any of the others.") { a in
                try a.replaceElements(with: try a.difference())
            },
            KBuiltin("symmetric_difference_update", "other, /", doc: "Keep the elements in exactly one of the two sets.") { a in
                try a.replaceElements(with: try a.symmetricDifference())
            },
            KBuiltin("issubset", "other, /", doc: "Whether every element is in other.") { a in
                let other = try a.setOperand()
                return .bool(try a.receiver(KSet.self).elements.allSatisfy { try other.table.index(of: $0) != nil })
            },
            KBuiltin("issuperset", "other, /", doc: "Whether every element of other is in this set.") { a in
                let s = a.receiver(KSet.self)
                return .bool(try a.setOperand().elements.allSatisfy { try s.table.index(of: $0) != nil })
            },
            KBuiltin("isdisjoint", "other, /", doc: "Whether the two have no element in common.") { a in
                let s = a.receiver(KSet.self)
                return .bool(try !a.setOperand().elements.contains { try s.table.index(of: $0) != nil })
            },
        ])
    }
}

/// Helpers of the set methods, whose arguments are any iterables.
extension BoundArguments {
    /// The `*others` arguments as sets.
    fileprivate func setOperands() throws -> [KSet] {
        try (self[0].as(KTuple.self)?.items ?? []).map(asSet)
    }

    /// The single `other` argument as a set.
    fileprivate func setOperand() throws -> KSet { try asSet(self[0]) }

    private func asSet(_ v: Value) throws -> KSet {
        try v.as(KSet.self) ?? KSet(try interpreter.iterate(v))
    }

    fileprivate func intersection() throws -> [Value] {
        let others = try setOperands()
        return try receiver(KSet.self).elements.filter { v in try others.allSatisfy { try $0.table.index(of: v) != nil } }
    }

    fileprivate func difference() throws -> [Value] {
        let others = try setOperands()
        return try receiver(KSet.self).elements.filter { v in try !others.contains { try $0.table.index(of: v) != nil } }
    }

    fileprivate func symmetricDifference() throws -> [Value] {
        let s = receiver(KSet.self)
        let other = try setOperand()
        return try s.elements.filter { try other.table.index(of: $0) == nil }
            + other.elements.filter { try s.table.index(of: $0) == nil }
    }

    /// Makes the receiver hold exactly `elements`.
    fileprivate func replaceElements(with elements: [Value]) throws -> Value {
        receiver(KSet.self).table = try KSet(elements).table
        return .none
    }
}
