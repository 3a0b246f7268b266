/// The built-in container types: list, tuple, dict (insertion ordered), set, range and
/// slice, with Python's indexing, slicing, comparison and repr.

/// Python's index and slice arithmetic, shared by every sequence type.
public enum SequenceIndex {
    /// The element index `key` denotes in a sequence of `count` elements (negative counts
    /// from the end); IndexError "`kind` index out of range" outside.
    public static func resolve(_ key: Value, count: Int, kind: String) throws -> Int {
        guard let i = key.asInt else {
            throw KilnError.type("\(kind) indices must be integers or slices, not \(key.typeName)")
        }
        let index = i < 0 ? i + count : i
        guard index >= 0 && index < count else {
            throw KilnError.index("\(kind) index out of range")
        }
        return index
    }

    /// Python's `slice.indices(count)`: the clamped start, stop and step `slice` denotes in a
    /// sequence of `count` elements.
    public static func bounds(_ slice: KSlice, count: Int) throws -> (start: Int, stop: Int, step: Int) {
        func bound(_ v: Value) throws -> Int? {
            if case .none = v { return nil }
            guard let i = v.asInt else {
                throw KilnError.type("slice indices must be integers or None")
            }
            return i
        }
        let step = try bound(slice.step) ?? 1
        if step == 0 { throw KilnError.value("slice step cannot be zero") }
        func clamp(_ i: Int?, _ fallback: Int) -> Int {
            guard var i = i else { return fallback }
            if i < 0 { i += count }
            if step > 0 { return min(max(i, 0), count) }
            return min(max(i, -1), count - 1)
        }
        let start = clamp(try bound(slice.lower), step > 0 ? 0 : count - 1)
        let stop = clamp(try bound(slice.upper), step > 0 ? count : -1)
        return (start, stop, step)
    }

    /// The element indices `slice` selects from a sequence of `count` elements.
    public static func indices(_ slice: KSlice, count: Int) throws -> StrideTo<Int> {
        let b = try bounds(slice, count: count)
        return stride(from: b.start, to: b.stop, by: b.step)
    }

    /// Lexicographic comparison of two sequences (for `<` on lists and tuples).
    static func compare(_ a: [Value], _ b: [Value]) throws -> Int {
        for (x, y) in zip(a, b) where !x.equals(y) {
            return try Operators.compare(x, y)
        }
        return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
    }

    /// `items * n`.
    static func repeated(_ items: [Value], _ n: Int) throws -> [Value] {
        guard n > 0, !items.isEmpty else { return [] }
        let (total, overflow) = items.count.multipliedReportingOverflow(by: n)
        guard !overflow, total <= 1 << 32 else {
            throw KilnError("MemoryError", "repeated sequence would have \(overflow ? "too many" : "\(total)") elements")
        }
        var result: [Value] = []
        result.reserveCapacity(total)
        for _ in 0..<n { result.append(contentsOf: items) }
        return result
    }
}

/// What list and tuple share: an array of elements with Python's sequence equality,
/// ordering, membership, iteration, indexing, slicing, `+` and `*`. Subclasses name their type
/// and say how to make a new instance of it.
public class KSequence: KObject {
    public var items: [Value]

    public init(_ items: [Value]) { self.items = items }

    deinit { Teardown.release(&items) }

    /// A new sequence of this type (for slices, `+` and `*`).
    func make(_ items: [Value]) -> KSequence { preconditionFailure("KSequence.make is abstract") }

    public override var truth: Bool { !items.isEmpty }
    public override var count: Int? { items.count }

    public override func isEqual(to other: Value) -> Bool {
        guard case .object(let o) = other, type(of: o) == type(of: self), let s = o as? KSequence else { return false }
        return s === self || (s.items.count == items.count && zip(items, s.items).allSatisfy { $0.equals($1) })
    }

    public override func compare(to other: Value) throws -> Int? {
        guard case .object(let o) = other, type(of: o) == type(of: self), let s = o as? KSequence else { return nil }
        return try SequenceIndex.compare(items, s.items)
    }

    public override func contains(_ value: Value) -> Bool? { items.contains { $0.equals(value) } }
    public override func makeIterator() -> KIterator? { ArrayIterator(items) }

    public override func getItem(_ key: Value) throws -> Value {
        if let slice = key.as(KSlice.self) {
            return .object(make(try SequenceIndex.indices(slice, count: items.count).map { items[$0] }))
        }
        return items[try SequenceIndex.resolve(key, count: items.count, kind: typeName)]
    }

    public override func binaryOp(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? {
        switch op {
        case .add:
            guard !reversed, case .object(let o) = other, type(of: o) == type(of: self), let s = o as? KSequence else { return nil }
            return .object(make(items + s.items))
        case .multiply:
            guard let n = other.asInt else { return nil }
            return .object(make(try SequenceIndex.repeated(items, n)))
        default:
            return nil
        }
    }
}

/// Python's `list`: a mutable sequence.
public final class KList: KSequence {
    public override init(_ items: [Value] = []) { super.init(items) }
    override func make(_ items: [Value]) -> KSequence { KList(items) }

    public override var typeName: String { "list" }
    public override func repr() -> String { Repr.sequence(self, items, open: "[", close: "]") }
    public override func hashValue() throws -> Int { throw KilnError.type("unhashable type: 'list'") }

    public override func setItem(_ key: Value, _ value: Value) throws {
        if let slice = key.as(KSlice.self) {
            try assignSlice(slice, value)
            return
        }
        let i = try SequenceIndex.resolve(key, count: items.count, kind: "list assignment")
        items[i] = value
    }

    public override func deleteItem(_ key: Value) throws {
        if let slice = key.as(KSlice.self) {
            let doomed = Set(try SequenceIndex.indices(slice, count: items.count))
            items = items.enumerated().filter { !doomed.contains($0.offset) }.map(\.element)
            return
        }
        items.remove(at: try SequenceIndex.resolve(key, count: items.count, kind: "list assignment"))
    }

    private func assignSlice(_ slice: KSlice, _ value: Value) throws {
        guard case .object(let o) = value, let source = try o.makeIterator() else {
            throw KilnError.type("can only assign an iterable")
        }
        var replacement: [Value] = []
        while let v = try source.next() { replacement.append(v) }
        let b = try SequenceIndex.bounds(slice, count: items.count)
        if b.step == 1 {
            items.replaceSubrange(b.start..<max(b.start, b.stop), with: replacement)
            return
        }
        let selected = Array(stride(from: b.start, to: b.stop, by: b.step))
        guard replacement.count == selected.count else {
            throw KilnError.value("attempt to assign sequence of size \(replacement.count) to extended slice of size \(selected.count)")
        }
        for (i, v) in zip(selected, replacement) { items[i] = v }
    }

}

/// Python's `tuple`: an immutable sequence, hashable when its elements are.
public final class KTuple: KSequence {
    public override init(_ items: [Value]) { super.init(items) }
    override func make(_ items: [Value]) -> KSequence { KTuple(items) }

    public override var typeName: String { "tuple" }

    public override func repr() -> String {
        items.count == 1 ? "(\(Repr.repr(items[0])),)" : Repr.sequence(self, items, open: "(", close: ")")
    }

    public override func hashValue() throws -> Int {
        var hasher = Hasher()
        for item in items { hasher.combine(try item.hashValue()) }
        return hasher.finalize()
    }
}

/// An insertion-ordered hash table of keys to values: the storage of dict and set. Laid out
/// like CPython's compact dict: entries in insertion order, plus an open-addressing index of
/// entry numbers probed with CPython's perturbation scheme. Deleted entries leave holes that
/// are compacted when the index is rebuilt.
public struct OrderedTable {
    private var keys: [Value?] = []
    private var values: [Value] = []
    private var hashes: [Int] = []
    /// Entry numbers by probe slot; `empty` or `deleted` otherwise. Its size is a power of two.
    private var index: [Int32] = []
    private var live = 0
    private static let empty: Int32 = -1
    private static let deleted: Int32 = -2

    public init() {}

    public var count: Int { live }

    /// The probe slot holding `key`'s entry, or where it would be inserted (`found == false`).
    private func probe(_ key: Value, _ hash: Int) -> (slot: Int, found: Bool) {
        let mask = index.count - 1
        var perturb = UInt(bitPattern: hash)
        var i = hash & mask
        var firstDeleted = -1
        while true {
            let e = index[i]
            if e == OrderedTable.empty { return (firstDeleted >= 0 ? firstDeleted : i, false) }
            if e == OrderedTable.deleted {
                if firstDeleted < 0 { firstDeleted = i }
            } else {
                let entry = Int(e)
                if hashes[entry] == hash, let k = keys[entry], k.isIdentical(to: key) || k.equals(key) {
                    return (i, true)
                }
            }
            perturb >>= 5
            i = (i &* 5 &+ 1 &+ Int(bitPattern: perturb)) & mask
        }
    }

    private func entry(of key: Value) throws -> Int? {
        let hash = try key.hashValue()
        guard !index.isEmpty else { return nil }
        let (slot, found) = probe(key, hash)
        return found ? Int(index[slot]) : nil
    }

    public func index(of key: Value) throws -> Int? { try entry(of: key) }

    public func value(for key: Value) throws -> Value? {
        guard let e = try entry(of: key) else { return nil }
        return values[e]
    }

    public mutating func set(_ key: Value, _ value: Value) throws {
        let hash = try key.hashValue()
        if (keys.count + 1) * 3 >= index.count * 2 { rebuild(minimumCapacity: live + 1) }
        let (slot, found) = probe(key, hash)
        if found {
            values[Int(index[slot])] = value
            return
        }
        index[slot] = Int32(keys.count)
        keys.append(key)
        values.append(value)
        hashes.append(hash)
        live += 1
    }

    /// Removes `key`, returning its value (nil when absent).
    @discardableResult
    public mutating func remove(_ key: Value) throws -> Value? {
        let hash = try key.hashValue()
        guard !index.isEmpty else { return nil }
        let (slot, found) = probe(key, hash)
        guard found else { return nil }
        let e = Int(index[slot])
        index[slot] = OrderedTable.deleted
        keys[e] = nil
        let value = values[e]
        values[e] = .none
        live -= 1
        return value
    }

    public mutating func removeAll() {
        self = OrderedTable()
    }

    /// Empties the table, handing over its keys and values (for `Teardown`).
    mutating func drain() -> [Value] {
        var all = keys.compactMap { $0 }
        all.append(contentsOf: values)
        self = OrderedTable()
        return all
    }

    /// Drops deleted entries and re-indexes with room for `minimumCapacity` live entries.
    private mutating func rebuild(minimumCapacity: Int) {
        var size = 8
        while size * 2 <= minimumCapacity * 3 { size *= 2 }
        if live < keys.count {
            var newKeys: [Value?] = [], newValues: [Value] = [], newHashes: [Int] = []
            newKeys.reserveCapacity(live)
            for (i, k) in keys.enumerated() where k != nil {
                newKeys.append(k)
                newValues.append(values[i])
                newHashes.append(hashes[i])
            }
            keys = newKeys
            values = newValues
            hashes = newHashes
        }
        index = [Int32](repeating: OrderedTable.empty, count: size * 2)
        let mask = index.count - 1
        for (e, hash) in hashes.enumerated() {
            var perturb = UInt(bitPattern: hash)
            var i = hash & mask
            while index[i] != OrderedTable.empty {
                perturb >>= 5
                i = (i &* 5 &+ 1 &+ Int(bitPattern: perturb)) & mask
            }
            index[i] = Int32(e)
        }
    }

    /// Live entries in insertion order.
    public var entries: [(key: Value, value: Value)] {
        var result: [(key: Value, value: Value)] = []
        result.reserveCapacity(live)
        for (i, k) in keys.enumerated() {
            if let k = k { result.append((k, values[i])) }
        }
        return result
    }

    public var orderedKeys: [Value] { keys.compactMap { $0 } }
}

/// Python's `dict`, insertion ordered. (Not final: the engine bindings make dicts that also
/// answer to older key names, such as Keras 2's History keys.)
open class KDict: KObject {
    public var table = OrderedTable()

    public override init() {}

    deinit {
        var contents = table.drain()
        Teardown.release(&contents)
    }

    public override var typeName: String { "dict" }
    public override var truth: Bool { table.count > 0 }
    public override var count: Int? { table.count }
    public override func hashValue() throws -> Int { throw KilnError.type("unhashable type: 'dict'") }

    public func get(_ key: Value) throws -> Value? { try table.value(for: key) }
    public func set(_ key: Value, _ value: Value) throws { try table.set(key, value) }
    public func has(_ key: Value) -> Bool { ((try? table.index(of: key)) ?? nil) != nil }

    public override func repr() -> String {
        Repr.guarded(self, "{...}") {
            "{" + table.entries.map { "\(Repr.repr($0.key)): \(Repr.repr($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    public override func isEqual(to other: Value) -> Bool {
        guard let o = other.as(KDict.self) else { return false }
        if o === self { return true }
        guard o.table.count == table.count else { return false }
        for (k, v) in table.entries {
            guard let ov = try? o.table.value(for: k), ov.equals(v) else { return false }
        }
        return true
    }

    open override func contains(_ value: Value) throws -> Bool? { try table.index(of: value) != nil }
    public override func makeIterator() -> KIterator? { ArrayIterator(table.orderedKeys) }

    open override func getItem(_ key: Value) throws -> Value {
        guard let v = try table.value(for: key) else { throw KilnError.key(Repr.repr(key)) }
        return v
    }

    public override func setItem(_ key: Value, _ value: Value) throws { try table.set(key, value) }

    public override func deleteItem(_ key: Value) throws {
        guard try table.remove(key) != nil else { throw KilnError.key(Repr.repr(key)) }
    }

    public override func binaryOp(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? {
        guard op == .bitOr, let o = other.as(KDict.self) else { return nil }
        let (first, second) = reversed ? (o, self) : (self, o)
        let merged = KDict()
        for (k, v) in first.table.entries { try merged.set(k, v) }
        for (k, v) in second.table.entries { try merged.set(k, v) }
        return .object(merged)
    }
}

/// Python's `set` (iterates in insertion order, so runs are reproducible).
public final class KSet: KObject {
    public var table = OrderedTable()

    public override init() {}

    public init(_ values: [Value]) throws {
        super.init()
        for v in values { try table.set(v, .none) }
    }

    public var elements: [Value] { table.orderedKeys }

    public override var typeName: String { "set" }
    public override var truth: Bool { table.count > 0 }
    public override var count: Int? { table.count }
    public override func hashValue() throws -> Int { throw KilnError.type("unhashable type: 'set'") }

    public override func repr() -> String {
        table.count == 0 ? "set()" : Repr.sequence(self, elements, open: "{", close: "}")
    }

    public override func isEqual(to other: Value) -> Bool {
        guard let o = other.as(KSet.self) else { return false }
        return o.table.count == table.count && elements.allSatisfy { o.contains($0) == true }
    }

    /// Subset ordering: `a <= b` when every element of a is in b.
    public override func compare(to other: Value) throws -> Int? {
        guard let o = other.as(KSet.self) else { return nil }
        let sub = elements.allSatisfy { o.contains($0) == true }
        let sup = o.elements.allSatisfy { contains($0) == true }
        if sub && sup { return 0 }
        if sub { return -1 }
        if sup { return 1 }
        throw KilnError.type("sets are only partially ordered; use issubset()")
    }

    public override func contains(_ value: Value) -> Bool? { ((try? table.index(of: value)) ?? nil) != nil }
    public override func makeIterator() -> KIterator? { ArrayIterator(elements) }

    public override func binaryOp(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? {
        guard let o = other.as(KSet.self) else { return nil }
        let (a, b) = reversed ? (o, self) : (self, o)
        switch op {
        case .bitOr: return .object(try KSet(a.elements + b.elements))
        case .bitAnd: return .object(try KSet(a.elements.filter { b.contains($0) == true }))
        case .subtract: return .object(try KSet(a.elements.filter { b.contains($0) != true }))
        case .bitXor:
            return .object(try KSet(a.elements.filter { b.contains($0) != true } + b.elements.filter { a.contains($0) != true }))
        default: return nil
        }
    }
}

/// Python's `range`: a lazy arithmetic sequence.
public final class KRange: KObject {
    public let start: Int
    public let stop: Int
    public let step: Int

    public init(start: Int, stop: Int, step: Int) {
        self.start = start
        self.stop = stop
        self.step = step
    }

    public override var typeName: String { "range" }

    /// The number of elements, computed without overflow (clamped to Int.max, which only a
    /// range wider than 2^63 reaches).
    public override var count: Int? { length }

    private var length: Int { KRange.count(from: start, to: stop, by: step) }

    /// How many of start, start + step, … lie before stop, without overflow.
    static func count(from start: Int, to stop: Int, by step: Int) -> Int {
        let ascending = step > 0
        guard ascending ? start < stop : start > stop else { return 0 }
        let width = ascending ? UInt(bitPattern: stop &- start) : UInt(bitPattern: start &- stop)
        let n = (width - 1) / step.magnitude + 1
        return n > UInt(Int.max) ? Int.max : Int(n)
    }

    public override var truth: Bool { (count ?? 0) > 0 }

    public override func repr() -> String {
        step == 1 ? "range(\(start), \(stop))" : "range(\(start), \(stop), \(step))"
    }

    public override func isEqual(to other: Value) -> Bool {
        guard let o = other.as(KRange.self) else { return false }
        let n = count ?? 0
        guard n == o.count else { return false }
        return n == 0 || (start == o.start && (n == 1 || step == o.step))
    }

    public override func hashValue() throws -> Int {
        var hasher = Hasher()
        hasher.combine(start); hasher.combine(stop); hasher.combine(step)
        return hasher.finalize()
    }

    public override func contains(_ value: Value) -> Bool? {
        guard let i = value.asInt else {
            if case .float(let d) = value, d.rounded() == d, abs(d) < 9e18 { return contains(.int(Int(d))) }
            return false
        }
        if step > 0 ? (i < start || i >= stop) : (i > start || i <= stop) { return false }
        return (i - start) % step == 0
    }

    public override func makeIterator() -> KIterator? { RangeIterator(self) }

    public override func getItem(_ key: Value) throws -> Value {
        let n = length
        if let slice = key.as(KSlice.self) {
            // Python's arithmetic: the slice of a range is a range, never a list.
            let b = try SequenceIndex.bounds(slice, count: n)
            let count = KRange.count(from: b.start, to: b.stop, by: b.step)
            let (newStep, o1) = step.multipliedReportingOverflow(by: b.step)
            let (offset, o2) = step.multipliedReportingOverflow(by: b.start)
            let (first, o3) = start.addingReportingOverflow(offset)
            let (span, o4) = newStep.multipliedReportingOverflow(by: count)
            let (last, o5) = first.addingReportingOverflow(span)
            guard !(o1 || o2 || o3 || o4 || o5) else { throw KilnError.overflow("range slice does not fit in a 64-bit int") }
            return .object(KRange(start: first, stop: last, step: newStep))
        }
        let i = try SequenceIndex.resolve(key, count: n, kind: "range object")
        return .int(start &+ step &* i)
    }
}

final class RangeIterator: KIterator {
    private var next_: Int
    private var done = false
    private let stop: Int
    private let step: Int

    init(_ r: KRange) {
        next_ = r.start
        stop = r.stop
        step = r.step
    }

    override func next() -> Value? {
        if done || (step > 0 ? next_ >= stop : next_ <= stop) { return nil }
        let current = next_
        let (n, overflow) = next_.addingReportingOverflow(step)
        next_ = n
        done = overflow
        return .int(current)
    }
}

/// A slice `lower:upper:step` as passed to `getItem`; absent parts are `.none`.
public final class KSlice: KObject {
    public let lower: Value
    public let upper: Value
    public let step: Value

    public init(lower: Value, upper: Value, step: Value) {
        self.lower = lower
        self.upper = upper
        self.step = step
    }

    public override var typeName: String { "slice" }
    public override func repr() -> String { "slice(\(Repr.repr(lower)), \(Repr.repr(upper)), \(Repr.repr(step)))" }
}

/// Frees nested containers without recursion. A list of a list of … 100,000 deep would
/// otherwise overflow the stack, each deinit releasing the next; instead, the contents of
/// every container that is about to die are moved onto one work list.
enum Teardown {
    static func release(_ values: inout [Value]) {
        guard values.contains(where: { if case .object = $0 { return true } else { return false } }) else { return }
        var work: [Value] = []
        swap(&work, &values)
        while var value = work.popLast() {
            guard case .object(var object) = value else { continue }
            value = .none
            // Only a container nobody else holds can be emptied here.
            guard isKnownUniquelyReferenced(&object) else { continue }
            if let sequence = object as? KSequence {
                work.append(contentsOf: sequence.items)
                sequence.items = []
            } else if let dict = object as? KDict {
                work.append(contentsOf: dict.table.drain())
            }
        }
    }
}
