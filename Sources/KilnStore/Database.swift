/// A thin, safe layer over the SQLite C API: a connection that runs parameterised statements
/// (values are always bound, never spliced into SQL text), reads rows as `SQLValue`s, and
/// turns every failing call into a `StoreError` that names the file and SQLite's message.

import CSQLite
import Foundation

/// A value in or out of SQLite.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    public var integer: Int64? { if case .integer(let v) = self { return v } else { return nil } }
    public var real: Double? {
        switch self {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: return nil
        }
    }
    public var text: String? { if case .text(let v) = self { return v } else { return nil } }
    public var blob: Data? { if case .blob(let v) = self { return v } else { return nil } }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }

    /// `.text(s)`, or `.null` for nil.
    public static func optional(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    /// `.integer(n)`, or `.null` for nil.
    public static func optional(_ n: Int?) -> SQLValue { n.map { .integer(Int64($0)) } ?? .null }
}

/// An error from the store, in words a user can act on.
public struct StoreError: Error, CustomStringConvertible, Equatable {
    public var message: String
    /// Another process holds a lock SQLite would not wait for (changing the journal mode).
    public var isBusy = false
    public init(_ message: String, isBusy: Bool = false) {
        self.message = message
        self.isBusy = isBusy
    }
    public var description: String { message }
}

/// One open SQLite database file.
final class Database {
    let path: String
    private var handle: OpaquePointer?

    /// Opens (creating it when `create` is true and it does not exist) the database at `path`.
    init(path: String, create: Bool) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        handle = db
        guard rc == SQLITE_OK, db != nil else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            handle = nil
            throw StoreError("cannot open the store \(path): \(message)")
        }
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Waits up to `milliseconds` for another process's lock instead of failing at once.
    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Runs `sql` (one statement) with `parameters` bound to its `?`s; returns every row.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[SQLValue]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let prepared = statement else {
            throw error("cannot prepare \(sql.prefix(60))")
        }
        defer { sqlite3_finalize(prepared) }
        for (i, value) in parameters.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(prepared, index)
            case .integer(let v): rc = sqlite3_bind_int64(prepared, index, v)
            case .real(let v): rc = sqlite3_bind_double(prepared, index, v)
            case .text(let v): rc = sqlite3_bind_text(prepared, index, v, -1, transient)
            case .blob(let v):
                rc = v.withUnsafeBytes { bytes in
                    sqlite3_bind_blob64(prepared, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(v.count), transient)
                }
            }
            guard rc == SQLITE_OK else { throw error("cannot bind parameter \(index) of \(sql.prefix(60))") }
        }
        var rows: [[SQLValue]] = []
        while true {
            let rc = sqlite3_step(prepared)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error("\(sql.prefix(60))") }
            let columns = sqlite3_column_count(prepared)
            rows.append((0..<columns).map { column(prepared, $0) })
        }
        return rows
    }

    /// Runs `body` inside one transaction (BEGIN IMMEDIATE, so two writers queue on the
    /// busy timeout instead of deadlocking), committed when it returns, rolled back when it throws.
    /// A transaction begun inside another joins it.
    @discardableResult
    func transaction<T>(_ body: () throws -> T) throws -> T {
        if depth > 0 {
            depth += 1
            defer { depth -= 1 }
            return try body()
        }
        try query("BEGIN IMMEDIATE")
        depth = 1
        defer { depth = 0 }
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }

    private var depth = 0

    var lastInsertedRow: Int64 { sqlite3_last_insert_rowid(handle) }

    private func column(_ statement: OpaquePointer, _ i: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, i) else { return .text("") }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, i))
            guard let bytes = sqlite3_column_blob(statement, i), count > 0 else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default: return .null
        }
    }

    /// SQLite's message for the last failure, with the file it concerns.
    private func error(_ doing: String) -> StoreError {
        let code = sqlite3_extended_errcode(handle)
        let message = String(cString: sqlite3_errmsg(handle))
        if code & 0xff == SQLITE_NOTADB {
            return StoreError("\(path) is not a Kiln store (SQLite says: \(message)); it was left as it is")
        }
        if code & 0xff == SQLITE_CORRUPT {
            return StoreError("the store \(path) is damaged (SQLite says: \(message)); it was left as it is")
        }
        return StoreError("store \(path): \(message) (in \(doing))", isBusy: code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED)
    }
}

/// SQLite's SQLITE_TRANSIENT: it copies bound text and blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
