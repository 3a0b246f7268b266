/// The methods of `list` (append, extend, insert, pop, remove, index, count, sort …) and
/// `tuple` (count, index), and the stable sort that `list.sort` and `sorted` share.

extension Interpreter {
    func installListMethods() {
        installMethods(of: "list", [
            KBuiltin("append", "object, /", doc: "Add an item at the end.") { a in
                a.receiver(KList.self).items.append(a[0])
                return .none
            },
            KBuiltin("extend", "iterable, /", doc: "Add the items of an iterable at the end.") { a in
                let items = try a.interpreter.iterate(a[0])
                a.receiver(KList.self).items.append(contentsOf: items)
                return .none
            },
            KBuiltin("insert", "index, object, /", doc: "Insert an item before position index (clamped to the list).") { a in
                let list = a.receiver(KList.self)
                var i = try a.index(0)
                if i < 0 { i = max(i + list.items.count, 0) }
                list.items.insert(a[1], at: min(i, list.items.count))
                return .none
            },
            KBuiltin("pop", "index=-1, /", doc: "Remove and return the item at index (default the last).") { a in
                let list = a.receiver(KList.self)
                if list.items.isEmpty { throw KilnError.index("pop from empty list") }
                var i = try a.index(0)
                if i < 0 { i += list.items.count }
                guard i >= 0 && i < list.items.count else { throw KilnError.index("pop index out of range") }
                return list.items.remove(at: i)
            },
            KBuiltin("remove", "value, /", doc: "Remove the first item equal to value.") { a in
                let list = a.receiver(KList.self)
                guard let i = list.items.firstIndex(where: { $0.equals(a[0]) }) else {
                    throw KilnError.value("list.remove(x): x not in list")
                }
                list.items.remove(at: i)
                return .none
            },
            KBuiltin("clear", "", doc: "Remove every item.") { a in
                a.receiver(KList.self).items.removeAll()
                return .none
            },
            KBuiltin("copy", "", doc: "A shallow copy of the list.") { a in
                .object(KList(a.receiver(KList.self).items))
            },
            KBuiltin("count", "value, /", doc: "The number of items equal to value.") { a in
                .int(a.receiver(KList.self).items.lazy.filter { $0.equals(a[0]) }.count)
            },
            KBuiltin("index", "value, start=0, stop=None, /", doc: "The position of the first item equal to value in list[start:stop].") { a in
                guard let i = try Sorting.position(of: a[0], in: a.receiver(KList.self).items, a[1], a[2]) else {
                    throw KilnError.value("\(Repr.repr(a[0])) is not in list")
                }
                return .int(i)
            },
            KBuiltin("reverse", "", doc: "Reverse the list in place.") { a in
                a.receiver(KList.self).items.reverse()
                return .none
            },
            KBuiltin("sort", "*, key=None, reverse=False", doc: """
                Sort the list in place, stably, by the items or by key(item); reverse: largest first.
                """) { a in
                let list = a.receiver(KList.self)
                list.items = try Sorting.sorted(list.items, key: a[0], reverse: a.bool(1), a.interpreter)
                return .none
            },
        ])
        installMethods(of: "tuple", [
            KBuiltin("count", "value, /", doc: "The number of items equal to value.") { a in
                .int(a.receiver(KTuple.self).items.lazy.filter { $0.equals(a[0]) }.count)
            },
            KBuiltin("index", "value, start=0, stop=None, /", doc: "The position of the first item equal to value in tuple[start:stop].") { a in
                guard let i = try Sorting.position(of: a[0], in: a.receiver(KTuple.self).items, a[1], a[2]) else {
                    throw KilnError.value("tuple.index(x): x not in tuple")
                }
                return .int(i)
            },
        ])
    }
}

/// Ordering and searching of Python sequences.
enum Sorting {
    /// The sort key of an item: the item itself when `key` is None, else `key(item)`.
    static func key(_ item: Value, _ key: Value, _ interpreter: Interpreter) throws -> Value {
        if case .none = key { return item }
        return try interpreter.call(key, Arguments([item]))
    }

    /// The items in ascending order of their keys (descending with `reverse`), comparing
    /// with `<` only, as Python does. The sort is stable in both directions: items with
    /// equal keys keep their order.
    static func sorted(_ items: [Value], key: Value, reverse: Bool, _ interpreter: Interpreter) throws -> [Value] {
        let keys = try items.map { try Sorting.key($0, key, interpreter) }
        let order = try mergeSort(Array(keys.indices)) { i, j in
            reverse ? try Operators.compare(.lt, keys[j], keys[i]) : try Operators.compare(.lt, keys[i], keys[j])
        }
        return order.map { items[$0] }
    }

    /// A stable bottom-up merge sort with a throwing comparison.
    private static func mergeSort(_ input: [Int], _ less: (Int, Int) throws -> Bool) throws -> [Int] {
        var items = input
        var buffer = input
        var width = 1
        while width < items.count {
            var start = 0
            while start < items.count {
                let middle = min(start + width, items.count)
                let end = min(start + 2 * width, items.count)
                var i = start, j = middle, k = start
                while i < middle && j < end {
                    // Take from the right run only when strictly less: this keeps equal items in order.
                    if try less(items[j], items[i]) {
                        buffer[k] = items[j]
                        j += 1
                    } else {
                        buffer[k] = items[i]
                        i += 1
                    }
                    k += 1
                }
                // One run is used up; the rest of the other is already in order.
                buffer.replaceSubrange(k..<(k + middle - i), with: items[i..<middle])
                k += middle - i
                buffer.replaceSubrange(k..<(k + end - j), with: items[j..<end])
                start = end
            }
            swap(&items, &buffer)
            width *= 2
        }
        return items
    }

    /// list.index / tuple.index: the first position of `value` in `items[start:stop]`.
    static func position(of value: Value, in items: [Value], _ start: Value, _ stop: Value) throws -> Int? {
        let (lo, hi) = try Strings.bounds(start, stop, count: items.count)
        guard lo < hi else { return nil }
        return items[lo..<hi].firstIndex { $0.equals(value) }
    }
}
