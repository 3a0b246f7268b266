/// Arrays from text: `np.loadtxt` (strict: every field a number, numpy's errors naming the
/// string, row and column) and `np.genfromtxt` (missing or unreadable fields filled, nan by
/// default), for CSV and whitespace-separated files. The common subset: no converters, no
/// structured dtypes or names.

import Foundation
import KilnLang

enum NumpyText {
    static let functions: [KBuiltin] = [
        KBuiltin("loadtxt", "fname, dtype='float64', comments='#', delimiter=None, converters=None, skiprows=0, usecols=None, unpack=False, ndmin=0, encoding=None, max_rows=None",
                 doc: "A 2-d array of the numbers in a text file (or list of lines): one row per line, columns split at delimiter (whitespace by default).") { a in
            try a.unsupported("converters")
            let dtype = try a.dtype() ?? .float64
            let table = try Table(a, skip: try a.int("skiprows"), maxRows: try a.optionalInt(a.position("max_rows")))
            var columnCount: Int?
            var values: [Double] = []
            for (row, (_, fields)) in table.rows.enumerated() {
                let selected = try table.select(fields, row: row + 1)
                if table.usecols == nil, let n = columnCount, n != selected.count {
                    throw KilnError.value("the number of columns changed from \(n) to \(selected.count) at row \(row + 1); use `usecols` to select a subset and avoid this error")
                }
                columnCount = selected.count
                for (column, field) in selected {
                    guard let x = parse(field, dtype) else {
                        throw KilnError.value("could not convert string \(Repr.repr(.string(field))) to \(dtype.rawValue) at row \(row), column \(column + 1).")
                    }
                    values.append(x)
                }
            }
            return try result(values, rows: table.rows.count, columns: columnCount ?? 0, dtype, a)
        },
        KBuiltin("genfromtxt", "fname, dtype='float64', comments='#', delimiter=None, skip_header=0, skip_footer=0, converters=None, missing_values=None, filling_values=None, usecols=None, names=None, unpack=None, invalid_raise=True, max_rows=None, encoding=None, *, ndmin=0",
                 doc: "A 2-d array of the numbers in a text file (or list of lines); missing or unreadable fields become filling_values (nan by default).") { a in
            try a.unsupported("converters", "names")
            let skip = max(0, try a.int("skip_header"))
            var table = try Table(a, skip: skip, maxRows: try a.optionalInt(a.position("max_rows")))
            // numpy numbers lines from the first data line, counting the skipped header.
            let firstLine = table.rows.first?.line ?? 0
            table.rows.removeLast(min(table.rows.count, max(0, try a.int("skip_footer"))))
            let missing = try missingStrings(a["missing_values"])
            // Every field, nil where it is missing or not a number.
            var parsed: [[Double?]] = []
            var errors: [String] = []
            var columnCount: Int?
            for (row, (line, fields)) in table.rows.enumerated() {
                let selected = try table.select(fields, row: row + 1)
                if let n = columnCount, n != selected.count {
                    errors.append("    Line #\(line - firstLine + skip + 1) (got \(selected.count) columns instead of \(n))")
                    continue
                }
                columnCount = selected.count
                parsed.append(selected.map { missing.contains($0.field) ? nil : parse($0.field, .float64) })
            }
            if !errors.isEmpty && a.bool("invalid_raise") {
                throw KilnError.value("Some errors were detected !\n" + errors.joined(separator: "\n"))
            }
            var dtype = try a.dtype()
            if dtype == nil {
                // dtype=None: int64 when every field is an integer, else float64.
                let allInts = parsed.allSatisfy { $0.allSatisfy { $0.map { $0.rounded() == $0 && abs($0) < 9.2e18 } ?? false } }
                    && table.rows.allSatisfy { $0.fields.allSatisfy { !$0.contains(".") && !$0.lowercased().contains("e") } }
                dtype = allInts ? .int64 : .float64
            }
            let columns = columnCount ?? 0
            let fills = try fillValues(a["filling_values"], columns: columns, dtype: dtype!)
            var values: [Double] = []
            for row in parsed {
                for (j, x) in row.enumerated() { values.append(x ?? fills[j]) }
            }
            return try result(values, rows: parsed.count, columns: columns, dtype!, a)
        },
    ]

    /// A text file's data lines: each with its 1-based line number and its fields.
    struct Table {
        var rows: [(line: Int, fields: [String])] = []
        /// The selected columns (negative ones count from the end); nil for all.
        let usecols: [Int]?

        init(_ a: BoundArguments, skip: Int, maxRows: Int?) throws {
            let lines = try Table.lines(a)
            let comments = try Table.commentMarkers(a["comments"])
            var delimiter: String?
            switch a["delimiter"] {
            case .none: delimiter = nil
            case .string(let d): delimiter = d.isEmpty ? nil : d
            default: throw KilnError.type("not supported in Kiln: \(a.function)() argument 'delimiter' other than a string")
            }
            switch a["usecols"] {
            case .none: usecols = nil
            case .int(let i): usecols = [i]
            default: usecols = try a.list(a.position("usecols")).map {
                guard let i = $0.asInt else { throw KilnError.type("usecols must be an int or a sequence of ints") }
                return i
            }
            }
            for (i, raw) in lines.enumerated().dropFirst(max(0, skip)) {
                if let maxRows, rows.count >= maxRows { break }
                var text = Substring(raw)
                for marker in comments {
                    if let r = text.range(of: marker) { text = text[..<r.lowerBound] }
                }
                if text.allSatisfy(\.isWhitespace) { continue }
                let fields: [String]
                if let delimiter {
                    fields = text.components(separatedBy: delimiter).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                } else {
                    fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
                }
                rows.append((i + 1, fields))
            }
        }

        /// The lines of a file name argument, or of a list of strings.
        static func lines(_ a: BoundArguments) throws -> [String] {
            if case .string(let path) = a["fname"] {
                let bytes: [UInt8]
                do {
                    bytes = try NumpyFiles.readFile(path)
                } catch let e as KilnError where e.type == "FileNotFoundError" {
                    throw KilnError("FileNotFoundError", "\(path) not found.")
                }
                let text = String(decoding: bytes, as: UTF8.self)
                var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
                if lines.last == "" { lines.removeLast() }
                return lines
            }
            return try a.list(a.position("fname")).map {
                guard case .string(let s) = $0 else {
                    throw KilnError.type("\(a.function)() argument 'fname' must be a file name or a list of str, not a list of \($0.typeName)")
                }
                return s
            }
        }

        static func commentMarkers(_ v: Value) throws -> [String] {
            switch v {
            case .none: return []
            case .string(let s): return s.isEmpty ? [] : [s]
            default:
                guard let items = v.as(KList.self)?.items ?? v.as(KTuple.self)?.items else { throw KilnError.type("comments must be a str or a list of str") }
                return items.compactMap { if case .string(let s) = $0, !s.isEmpty { return s }; return nil }
            }
        }

        /// The fields in the selected columns, with their column indices (`row` is 1-based,
        /// for the error).
        func select(_ fields: [String], row: Int) throws -> [(column: Int, field: String)] {
            guard let usecols else { return fields.enumerated().map { ($0.offset, $0.element) } }
            return try usecols.map { c in
                let j = c < 0 ? c + fields.count : c
                guard j >= 0, j < fields.count else {
                    throw KilnError.value("invalid column index \(c) at row \(row) with \(fields.count) columns")
                }
                return (j, fields[j])
            }
        }
    }

    /// A field as a number storable in `dtype`: Python's float syntax for floats, an integer
    /// within the dtype's range otherwise; nil when it is not one.
    static func parse(_ field: String, _ dtype: DType) -> Double? {
        let s = field.trimmingCharacters(in: .whitespaces)
        if dtype.isFloat {
            guard !s.isEmpty, !s.lowercased().hasPrefix("0x"), !s.lowercased().hasPrefix("-0x"), !s.lowercased().hasPrefix("+0x") else { return nil }
            return Double(s).map(dtype.round)
        }
        guard let i = Int(s.hasPrefix("+") ? String(s.dropFirst()) : s) else { return nil }
        if dtype == .bool { return i != 0 ? 1 : 0 }
        if let bounds = dtype.integerBounds, !bounds.contains(i) { return nil }
        return Double(i)
    }

    /// `missing_values`: a string (comma-separated) or a list of strings; the empty field is
    /// always missing.
    static func missingStrings(_ v: Value) throws -> Set<String> {
        var result: Set<String> = [""]
        switch v {
        case .none: break
        case .string(let s): s.split(separator: ",").forEach { result.insert($0.trimmingCharacters(in: .whitespaces)) }
        default:
            guard let items = v.as(KList.self)?.items ?? v.as(KTuple.self)?.items else {
                throw KilnError.type("not supported in Kiln: missing_values other than a str or a list of str")
            }
            for case .string(let s) in items { result.insert(s) }
        }
        return result
    }

    /// The value for missing fields in each column: `filling_values` (one value, a list by
    /// column, or a dict from column to value), else nan for floats and -1 for integers.
    static func fillValues(_ v: Value, columns: Int, dtype: DType) throws -> [Double] {
        let standard: Double = dtype.isFloat ? .nan : (dtype == .bool ? 0 : -1)
        var fills = [Double](repeating: standard, count: columns)
        func number(_ x: Value) throws -> Double {
            guard let d = x.asDouble else { throw KilnError.type("filling_values must be numbers, not \(x.typeName)") }
            return d
        }
        switch v {
        case .none: break
        default:
            if let d = v.asDouble {
                fills = [Double](repeating: d, count: columns)
            } else if let dict = v.as(KDict.self) {
                for (key, x) in dict.table.entries {
                    if let c = key.asInt, c >= -columns, c < columns { fills[(c + columns) % columns] = try number(x) }
                }
            } else if let items = v.as(KList.self)?.items ?? v.as(KTuple.self)?.items {
                for (j, x) in items.prefix(columns).enumerated() { fills[j] = try number(x) }
            } else {
                throw KilnError.type("filling_values must be a number, a list or a dict, not \(v.typeName)")
            }
        }
        return fills.map { dtype.isFloat ? dtype.round($0) : Double(dtype.integer(from: $0)) }
    }

    /// The rows × columns values as an array of `dtype`, squeezed and given at least `ndmin`
    /// axes as numpy does, transposed when `unpack` is true.
    static func result(_ values: [Double], rows: Int, columns: Int, _ dtype: DType, _ a: BoundArguments) throws -> Value {
        let ndmin = try a.int("ndmin")
        guard [0, 1, 2].contains(ndmin) else { throw KilnError.value("Illegal value of ndmin keyword: \(ndmin)") }
        var shape = rows == 0 ? [0] : [rows, columns]
        if shape.count > ndmin { shape = shape.filter { $0 != 1 } }
        if shape.count < ndmin {
            shape = ndmin == 1 ? [1] : (shape.isEmpty ? [1, 1] : [shape[0], 1])
        }
        let storage = dtype.isFloat ? Storage.make(dtype, doubles: values) : Storage.make(dtype, ints: values.map { Int($0) })
        var array = NDArray(dtype, shape, storage)
        if a.bool("unpack") { array = try Shapes.transpose(array, nil) }
        return .object(array)
    }
}
