/// The methods of `str` (split, join, strip, find, replace, format, the is* tests, case
/// changes, padding …) with Python's results and error wording. Strings are indexed by Unicode
/// code point, as in Python, so positions and widths count scalars, not grapheme clusters.

extension Interpreter {
    func installStringMethods() {
        installMethods(of: "str", searchMethods + splitMethods + caseMethods + paddingMethods + [
            KBuiltin("format", "*args, **kwargs", doc: """
                Replace {} fields with the arguments: '{} is {:.2f}'.format('pi', 3.14159), \
                '{name}!r'.format(name=x).
                """) { a in
                let keywords = a[1].as(KDict.self)?.table.entries.map { (name: Repr.str($0.key), value: $0.value) } ?? []
                let args = Arguments(a[0].as(KTuple.self)?.items ?? [], keywords: keywords)
                return .string(try Format.strFormat(a.text, args, a.interpreter))
            },
            KBuiltin("join", "iterable, /", doc: "The strings of the iterable with this string between them.") { a in
                let items: [Value]
                do {
                    items = try a.interpreter.iterate(a[0])
                } catch let e as KilnError where e.type == "TypeError" {
                    throw KilnError.type("can only join an iterable")
                }
                var parts: [String] = []
                for (i, item) in items.enumerated() {
                    guard case .string(let s) = item else {
                        throw KilnError.type("sequence item \(i): expected str instance, \(item.typeName) found")
                    }
                    parts.append(s)
                }
                return .string(parts.joined(separator: a.text))
            },
            KBuiltin("replace", "old, new, count=-1, /", doc: "A copy with occurrences of old replaced by new (the first count of them, if given).") { a in
                .string(try Strings.replace(a.scalars, Array(try a.string(0).unicodeScalars), try a.string(1), count: try a.index(2)))
            },
        ])
    }

    // MARK: Searching

    private var searchMethods: [KBuiltin] {
        [
            KBuiltin("find", "sub, start=None, end=None, /", doc: "The lowest index of sub in s[start:end], or -1.") { a in
                .int(try a.search(reverse: false) ?? -1)
            },
            KBuiltin("rfind", "sub, start=None, end=None, /", doc: "The highest index of sub in s[start:end], or -1.") { a in
                .int(try a.search(reverse: true) ?? -1)
            },
            KBuiltin("index", "sub, start=None, end=None, /", doc: "Like find, but ValueError when sub is not found.") { a in
                guard let i = try a.search(reverse: false) else { throw KilnError.value("substring not found") }
                return .int(i)
            },
            KBuiltin("rindex", "sub, start=None, end=None, /", doc: "Like rfind, but ValueError when sub is not found.") { a in
                guard let i = try a.search(reverse: true) else { throw KilnError.value("substring not found") }
                return .int(i)
            },
            KBuiltin("count", "sub, start=None, end=None, /", doc: "The number of non-overlapping occurrences of sub in s[start:end].") { a in
                let s = a.scalars
                let sub = Array(try a.string(0).unicodeScalars)
                let (lo, hi) = try Strings.bounds(a[1], a[2], count: s.count)
                if sub.isEmpty { return .int(hi >= lo ? hi - lo + 1 : 0) }
                var n = 0
                var i = lo
                while let found = Strings.find(s, sub, from: i, to: hi) {
                    n += 1
                    i = found + sub.count
                }
                return .int(n)
            },
            KBuiltin("startswith", "prefix, start=None, end=None, /", doc: "Whether s[start:end] starts with prefix (or one of a tuple of prefixes).") { a in
                .bool(try a.matchesEnd("startswith", atStart: true))
            },
            KBuiltin("endswith", "suffix, start=None, end=None, /", doc: "Whether s[start:end] ends with suffix (or one of a tuple of suffixes).") { a in
                .bool(try a.matchesEnd("endswith", atStart: false))
            },
            KBuiltin("removeprefix", "prefix, /", doc: "The string without prefix, if it starts with it.") { a in
                let s = a.text, p = try a.string(0)
                return .string(s.unicodeScalars.starts(with: p.unicodeScalars)
                               ? Strings.make(s.unicodeScalars.dropFirst(p.unicodeScalars.count)) : s)
            },
            KBuiltin("removesuffix", "suffix, /", doc: "The string without suffix, if it ends with it.") { a in
                let s = a.scalars, p = Array(try a.string(0).unicodeScalars)
                return .string(!p.isEmpty && s.count >= p.count && Array(s.suffix(p.count)) == p
                               ? Strings.make(s.dropLast(p.count)) : a.text)
            },
            KBuiltin("partition", "sep, /", doc: "(head, sep, tail) split at the first sep; (s, '', '') without one.") { a in
                try a.partition(reverse: false)
            },
            KBuiltin("rpartition", "sep, /", doc: "(head, sep, tail) split at the last sep; ('', '', s) without one.") { a in
                try a.partition(reverse: true)
            },
        ]
    }

    // MARK: Splitting and stripping

    private var splitMethods: [KBuiltin] {
        [
            KBuiltin("split", "sep=None, maxsplit=-1", doc: """
                The words of the string: split at each sep, or (sep None) at runs of whitespace \
                with empty words dropped; at most maxsplit splits from the left.
                """) { a in
                .object(KList(try a.split(reverse: false).map { .string($0) }))
            },
            KBuiltin("rsplit", "sep=None, maxsplit=-1", doc: "Like split, but the maxsplit splits are made from the right.") { a in
                .object(KList(try a.split(reverse: true).map { .string($0) }))
            },
            KBuiltin("splitlines", "keepends=False", doc: "The lines of the string, split at \\n, \\r\\n, \\r and the other line boundaries.") { a in
                .object(KList(Strings.lines(a.scalars, keepEnds: a.bool(0)).map { .string($0) }))
            },
            KBuiltin("strip", "chars=None, /", doc: "The string without leading and trailing whitespace (or the given characters).") { a in
                .string(try a.strip("strip", leading: true, trailing: true))
            },
            KBuiltin("lstrip", "chars=None, /", doc: "The string without leading whitespace (or the given characters).") { a in
                .string(try a.strip("lstrip", leading: true, trailing: false))
            },
            KBuiltin("rstrip", "chars=None, /", doc: "The string without trailing whitespace (or the given characters).") { a in
                .string(try a.strip("rstrip", leading: false, trailing: true))
            },
        ]
    }

    // MARK: Case and character classes

    private var caseMethods: [KBuiltin] {
        func test(_ name: String, _ doc: String, _ predicate: @escaping (Unicode.Scalar) -> Bool) -> KBuiltin {
            KBuiltin(name, "", doc: doc) { a in
                let s = a.text.unicodeScalars
                return .bool(!s.isEmpty && s.allSatisfy(predicate))
            }
        }
        return [
            KBuiltin("lower", "", doc: "The string in lower case.") { a in .string(a.text.lowercased()) },
            KBuiltin("upper", "", doc: "The string in upper case.") { a in .string(a.text.uppercased()) },
            KBuiltin("capitalize", "", doc: "The string with its first character in title case and the rest in lower case.") { a in
                let s = a.text.unicodeScalars
                guard let first = s.first else { return .string("") }
                return .string(first.properties.titlecaseMapping + Strings.make(s.dropFirst()).lowercased())
            },
            KBuiltin("title", "", doc: "The string with each word's first letter in title case and the rest in lower case.") { a in
                var out = ""
                var previousCased = false
                for c in a.text.unicodeScalars {
                    out += previousCased ? c.properties.lowercaseMapping : c.properties.titlecaseMapping
                    previousCased = c.properties.isCased
                }
                return .string(out)
            },
            KBuiltin("swapcase", "", doc: "The string with upper case letters made lower case and vice versa.") { a in
                var out = ""
                for c in a.text.unicodeScalars {
                    let p = c.properties
                    out += p.isUppercase ? p.lowercaseMapping : p.isLowercase ? p.uppercaseMapping : String(c)
                }
                return .string(out)
            },
            test("isalpha", "Whether every character is a letter (and there is one).", Strings.isAlpha),
            test("isdecimal", "Whether every character is a decimal digit (and there is one).") { $0.properties.numericType == .decimal },
            test("isdigit", "Whether every character is a digit, superscripts included (and there is one).") {
                $0.properties.numericType == .decimal || $0.properties.numericType == .digit
            },
            test("isnumeric", "Whether every character is numeric, fractions and numerals included (and there is one).") {
                $0.properties.numericType != nil
            },
            test("isalnum", "Whether every character is a letter or numeric (and there is one).") {
                Strings.isAlpha($0) || $0.properties.numericType != nil
            },
            test("isspace", "Whether every character is whitespace (and there is one).", Strings.isSpace),
            KBuiltin("isascii", "", doc: "Whether every character is ASCII (True for '').") { a in
                .bool(a.text.unicodeScalars.allSatisfy(\.isASCII))
            },
            KBuiltin("islower", "", doc: "Whether there is a cased character and all cased characters are lower case.") { a in
                .bool(Strings.hasCase(a.text, lower: true))
            },
            KBuiltin("isupper", "", doc: "Whether there is a cased character and all cased characters are upper case.") { a in
                .bool(Strings.hasCase(a.text, lower: false))
            },
            KBuiltin("istitle", "", doc: "Whether the string is titlecased: upper case only at the start of words, and not empty of them.") { a in
                .bool(Strings.isTitle(a.text))
            },
        ]
    }

    // MARK: Padding

    private var paddingMethods: [KBuiltin] {
        [
            KBuiltin("center", "width, fillchar=' ', /", doc: "The string centred in a field of width characters.") { a in
                try a.pad { margin, width in margin / 2 + (margin & width & 1) }
            },
            KBuiltin("ljust", "width, fillchar=' ', /", doc: "The string left-justified in a field of width characters.") { a in
                try a.pad { _, _ in 0 }
            },
            KBuiltin("rjust", "width, fillchar=' ', /", doc: "The string right-justified in a field of width characters.") { a in
                try a.pad { margin, _ in margin }
            },
            KBuiltin("zfill", "width, /", doc: "The string left-padded with zeros to width, after any sign: '-5'.zfill(3) is '-05'.") { a in
                let s = a.scalars
                let width = try Strings.checkedWidth(try a.index(0))
                guard width > s.count else { return .string(a.text) }
                let zeros = Array(repeating: Unicode.Scalar("0"), count: width - s.count)
                if let sign = s.first, sign == "+" || sign == "-" {
                    return .string(Strings.make([sign] + zeros + s.dropFirst()))
                }
                return .string(Strings.make(zeros + s))
            },
            KBuiltin("expandtabs", "tabsize=8", doc: "The string with tabs replaced by spaces up to the next multiple of tabsize columns.") { a in
                let size = try a.index(0)
                var out = String.UnicodeScalarView()
                var column = 0
                var length = 0
                for c in a.text.unicodeScalars {
                    if c == "\t" {
                        let n = size > 0 ? size - column % size : 0
                        length += n
                        _ = try Strings.checkedWidth(length)
                        out.append(contentsOf: repeatElement(" ", count: n))
                        column += n
                    } else {
                        out.append(c)
                        length += 1
                        column = c == "\n" || c == "\r" ? 0 : column + 1
                    }
                }
                return .string(String(out))
            },
        ]
    }
}

/// The string-method helpers that read a method's receiver and arguments.
extension BoundArguments {
    /// The string a str method was called on.
    var text: String {
        if case .string(let s) = receiver { return s }
        return ""
    }

    /// The receiver's code points.
    var scalars: [Unicode.Scalar] { Array(text.unicodeScalars) }

    /// find/rfind/index/rindex: the position of argument 0 in `s[start:end]`.
    fileprivate func search(reverse: Bool) throws -> Int? {
        let s = scalars
        let sub = Array(try string(0).unicodeScalars)
        let (lo, hi) = try Strings.bounds(self[1], self[2], count: s.count)
        return reverse ? Strings.rfind(s, sub, from: lo, to: hi) : Strings.find(s, sub, from: lo, to: hi)
    }

    /// startswith/endswith with a string or a tuple of strings.
    fileprivate func matchesEnd(_ name: String, atStart: Bool) throws -> Bool {
        let s = scalars
        let (lo, hi) = try Strings.bounds(self[1], self[2], count: s.count)
        let candidates: [Value] = self[0].as(KTuple.self)?.items ?? [self[0]]
        for candidate in candidates {
            guard case .string(let text) = candidate else {
                if self[0].as(KTuple.self) != nil {
                    throw KilnError.type("tuple for \(name) must only contain str, not \(candidate.typeName)")
                }
                throw KilnError.type("\(name) first arg must be str or a tuple of str, not \(candidate.typeName)")
            }
            let affix = Array(text.unicodeScalars)
            guard hi - lo >= affix.count else { continue }
            let range = atStart ? lo..<(lo + affix.count) : (hi - affix.count)..<hi
            if Array(s[range]) == affix { return true }
        }
        return false
    }

    fileprivate func partition(reverse: Bool) throws -> Value {
        let s = scalars
        let sep = Array(try string(0).unicodeScalars)
        if sep.isEmpty { throw KilnError.value("empty separator") }
        let found = reverse ? Strings.rfind(s, sep, from: 0, to: s.count) : Strings.find(s, sep, from: 0, to: s.count)
        guard let i = found else {
            let parts = reverse ? ["", "", text] : [text, "", ""]
            return .object(KTuple(parts.map { .string($0) }))
        }
        return .object(KTuple([.string(Strings.make(s[..<i])), self[0], .string(Strings.make(s[(i + sep.count)...]))]))
    }

    fileprivate func split(reverse: Bool) throws -> [String] {
        let limit = try index(1)
        let maxSplit = limit < 0 ? Int.max : limit
        switch self[0] {
        case .none:
            return Strings.splitWhitespace(scalars, maxSplit: maxSplit, reverse: reverse)
        case .string(let sep):
            let separator = Array(sep.unicodeScalars)
            if separator.isEmpty { throw KilnError.value("empty separator") }
            return Strings.split(scalars, separator, maxSplit: maxSplit, reverse: reverse)
        default:
            throw KilnError.type("must be str or None, not \(self[0].typeName)")
        }
    }

    fileprivate func strip(_ name: String, leading: Bool, trailing: Bool) throws -> String {
        let strip: (Unicode.Scalar) -> Bool
        switch self[0] {
        case .none: strip = Strings.isSpace
        case .string(let chars):
            let set = Set(chars.unicodeScalars)
            strip = { set.contains($0) }
        default:
            throw KilnError.type("\(name) arg must be None or str")
        }
        var s = text.unicodeScalars[...]
        if leading { s = s.drop(while: strip) }
        if trailing {
            while let last = s.last, strip(last) { s = s.dropLast() }
        }
        return Strings.make(s)
    }

    /// center/ljust/rjust: `left(margin, width)` is the number of fill characters before the text.
    fileprivate func pad(_ left: (Int, Int) -> Int) throws -> Value {
        let width = try Strings.checkedWidth(try index(0))
        let fill = try string(1).unicodeScalars
        guard fill.count == 1, let f = fill.first else {
            throw KilnError.type("The fill character must be exactly one character long")
        }
        let s = scalars
        let margin = width - s.count
        guard margin > 0 else { return .string(text) }
        let before = left(margin, width)
        return .string(Strings.make(repeatElement(f, count: before)) + text + Strings.make(repeatElement(f, count: margin - before)))
    }
}

/// Code-point level string algorithms shared by the str methods and the conversions.
enum Strings {
    /// A String from code points.
    static func make<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Python's `str.isspace` for one character.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (0x1c...0x1f).contains(c.value)
    }

    /// Python's `str.isalpha` for one character: a letter of any category.
    static func isAlpha(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `text.strip()`.
    static func stripped(_ text: String) -> String {
        var s = text.unicodeScalars[...]
        s = s.drop(while: isSpace)
        while let last = s.last, isSpace(last) { s = s.dropLast() }
        return make(s)
    }

    /// A width for padding, refusing sizes that would exhaust memory.
    static func checkedWidth(_ width: Int) throws -> Int {
        guard width <= Format.maxWidth else { throw KilnError("MemoryError", "width \(width) is too large") }
        return width
    }

    /// Python's slice-style `start`/`end` arguments (None, or ints counted from the end when
    /// negative) as a range of a string of `count` characters. `end` is clamped to the
    /// string; `start` is not, so a start past the end makes the range empty (and the
    /// empty string not found there), as in Python.
    static func bounds(_ start: Value, _ end: Value, count: Int) throws -> (Int, Int) {
        func bound(_ v: Value, _ fallback: Int) throws -> Int {
            if case .none = v { return fallback }
            guard let i = v.asInt else {
                throw KilnError.type("slice indices must be integers or None or have an __index__ method")
            }
            return i < 0 ? max(i + count, 0) : i
        }
        return (try bound(start, 0), min(try bound(end, count), count))
    }

    /// The first index of `sub` in `s[from..<to]`.
    static func find(_ s: [Unicode.Scalar], _ sub: [Unicode.Scalar], from: Int, to: Int) -> Int? {
        guard to - from >= sub.count else { return nil }
        guard let first = sub.first else { return from }
        var i = from
        while i <= to - sub.count {
            if s[i] == first && s[i..<(i + sub.count)].elementsEqual(sub) { return i }
            i += 1
        }
        return nil
    }

    /// The last index of `sub` in `s[from..<to]`.
    static func rfind(_ s: [Unicode.Scalar], _ sub: [Unicode.Scalar], from: Int, to: Int) -> Int? {
        guard to - from >= sub.count else { return nil }
        var i = to - sub.count
        while i >= from {
            if s[i..<(i + sub.count)].elementsEqual(sub) { return i }
            i -= 1
        }
        return nil
    }

    /// `str.replace`: `count` replacements at most (all when negative); an empty `old` inserts
    /// `new` around every character.
    static func replace(_ s: [Unicode.Scalar], _ old: [Unicode.Scalar], _ new: String, count: Int) throws -> String {
        var remaining = count < 0 ? Int.max : count
        // Refuse results that cannot fit in memory before building them.
        let replacements = min(remaining, old.isEmpty ? s.count + 1 : s.count / old.count)
        let growth = max(new.unicodeScalars.count - old.count, 0).multipliedReportingOverflow(by: replacements)
        guard !growth.overflow, s.count + growth.partialValue <= 1 << 32 else {
            throw KilnError("MemoryError", "replace() result is too long")
        }
        var out = String.UnicodeScalarView()
        if old.isEmpty {
            for c in s {
                if remaining > 0 {
                    out.append(contentsOf: new.unicodeScalars)
                    remaining -= 1
                }
                out.append(c)
            }
            if remaining > 0 { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        var i = 0
        while remaining > 0, let found = find(s, old, from: i, to: s.count) {
            out.append(contentsOf: s[i..<found])
            out.append(contentsOf: new.unicodeScalars)
            i = found + old.count
            remaining -= 1
        }
        out.append(contentsOf: s[i...])
        return String(out)
    }

    /// `str.split(sep)` / `str.rsplit(sep)` with a non-empty separator.
    static func split(_ s: [Unicode.Scalar], _ sep: [Unicode.Scalar], maxSplit: Int, reverse: Bool) -> [String] {
        var parts: [String] = []
        if reverse {
            var end = s.count
            while parts.count < maxSplit, let i = rfind(s, sep, from: 0, to: end) {
                parts.append(make(s[(i + sep.count)..<end]))
                end = i
            }
            parts.append(make(s[..<end]))
            return parts.reversed()
        }
        var start = 0
        while parts.count < maxSplit, let i = find(s, sep, from: start, to: s.count) {
            parts.append(make(s[start..<i]))
            start = i + sep.count
        }
        parts.append(make(s[start...]))
        return parts
    }

    /// `str.split()` / `str.rsplit()`: words between runs of whitespace; after maxSplit
    /// splits the rest is one word (keeping its inner and far-end whitespace).
    static func splitWhitespace(_ s: [Unicode.Scalar], maxSplit: Int, reverse: Bool) -> [String] {
        let chars = reverse ? Array(s.reversed()) : s
        var parts: [[Unicode.Scalar]] = []
        var i = 0
        while i < chars.count {
            while i < chars.count && isSpace(chars[i]) { i += 1 }
            guard i < chars.count else { break }
            if parts.count == maxSplit {
                parts.append(Array(chars[i...]))
                break
            }
            let start = i
            while i < chars.count && !isSpace(chars[i]) { i += 1 }
            parts.append(Array(chars[start..<i]))
        }
        if reverse { return parts.reversed().map { make($0.reversed()) } }
        return parts.map { make($0) }
    }

    /// `str.splitlines(keepends)`.
    static func lines(_ s: [Unicode.Scalar], keepEnds: Bool) -> [String] {
        var lines: [String] = []
        var start = 0
        var i = 0
        while i < s.count {
            let c = s[i]
            let isBreak = c == "\n" || c == "\r" || (0x0b...0x0c).contains(c.value) || (0x1c...0x1e).contains(c.value)
                || c.value == 0x85 || c.value == 0x2028 || c.value == 0x2029
            guard isBreak else {
                i += 1
                continue
            }
            var end = i + 1
            if c == "\r" && end < s.count && s[end] == "\n" { end += 1 }
            lines.append(make(s[start..<(keepEnds ? end : i)]))
            start = end
            i = end
        }
        if start < s.count { lines.append(make(s[start...])) }
        return lines
    }

    /// `islower` (`lower: true`) and `isupper`: a cased character, and none of the other case.
    static func hasCase(_ text: String, lower: Bool) -> Bool {
        var cased = false
        for c in text.unicodeScalars {
            let p = c.properties
            if lower ? (p.isUppercase || p.generalCategory == .titlecaseLetter) : (p.isLowercase || p.generalCategory == .titlecaseLetter) {
                return false
            }
            if lower ? p.isLowercase : p.isUppercase { cased = true }
        }
        return cased
    }

    /// `istitle`: upper/title case only after uncased characters, lower case only after
    /// cased ones, and at least one cased character.
    static func isTitle(_ text: String) -> Bool {
        var cased = false
        var previousCased = false
        for c in text.unicodeScalars {
            let p = c.properties
            if p.isUppercase || p.generalCategory == .titlecaseLetter {
                if previousCased { return false }
                previousCased = true
                cased = true
            } else if p.isLowercase {
                if !previousCased { return false }
                previousCased = true
                cased = true
            } else {
                previousCased = false
            }
        }
        return cased
    }
}
