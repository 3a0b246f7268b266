/// KilnStore keeps everything a person does in Kiln in one SQLite file: sessions (REPL,
/// notebook runs, replays), their cells with outputs, saved models, and (for the search
/// issue) studies and trials. WAL mode and a busy timeout let several kiln processes share a
/// file; each cell is written in one transaction when it finishes, so a killed process loses
/// at most the cell that was running. Times are stored as ISO 8601 UTC text so the tables
/// read well by hand (`sqlite3 kiln.db 'select * from cells'`).

import Foundation

/// One open store file.
public final class Store {
    public let path: String
    let database: Database

    /// `KILN_DB` when set, else `./kiln.db`: the store every subcommand uses without `--db`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["KILN_DB"], !path.isEmpty { return path }
        return "kiln.db"
    }

    /// Opens the store at `path`, creating it (and any missing tables) if needed. A file that
    /// is not SQLite, is someone else's SQLite database, or was written by a newer kiln is
    /// refused with a `StoreError` and left untouched.
    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw StoreError("the store \(path) is a directory; pass --db FILE")
        }
        database = try Database(path: path, create: true)
        database.setBusyTimeout(milliseconds: 15_000)
        // SQLite does not wait on its busy timeout for every lock (changing the journal mode of
        // a new file, reading its header while another process converts it), so a second
        // process opening a store at the same moment retries the whole opening.
        let deadline = Date().addingTimeInterval(15)
        while true {
            do {
                try checkOwnership()
                try database.query("PRAGMA journal_mode = WAL")
                try database.query("PRAGMA foreign_keys = ON")
                try database.query("PRAGMA synchronous = NORMAL")
                try migrate()
                return
            } catch let error as StoreError where error.isBusy && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
    }

    /// Refuses files that are not (empty or) Kiln stores, before anything is written.
    private func checkOwnership() throws {
        // One read transaction, so the three answers come from one state of the file even
        // while another process is creating the store.
        try database.query("BEGIN")
        defer { _ = try? database.query("COMMIT") }
        let tables = try database.query("SELECT count(*) FROM sqlite_master").first?.first?.integer ?? 0
        let application = try database.query("PRAGMA application_id").first?.first?.integer ?? 0
        let version = try database.query("PRAGMA user_version").first?.first?.integer ?? 0
        if application == Schema.applicationID {
            guard version <= Schema.current else {
                throw StoreError("the store \(path) was written by a newer kiln (store schema \(version); this kiln reads up to \(Schema.current)); upgrade kiln to open it. The file was not changed.")
            }
            return
        }
        guard application == 0, version == 0, tables == 0 else {
            throw StoreError("\(path) is an SQLite database but not a Kiln store; it was left as it is (choose another file with --db)")
        }
    }

    /// Brings the schema up to `Schema.current`, in one transaction.
    private func migrate() throws {
        try database.transaction {
            let version = try database.query("PRAGMA user_version").first?.first?.integer ?? 0
            guard version < Schema.current else { return }
            for migration in Schema.migrations where migration.version > version {
                for statement in migration.statements { try database.query(statement) }
            }
            // PRAGMAs take no parameters; both values are this program's constants.
            try database.query("PRAGMA application_id = \(Schema.applicationID)")
            try database.query("PRAGMA user_version = \(Schema.current)")
        }
    }

    /// The schema version of the open file.
    public var schemaVersion: Int64 {
        get throws { try database.query("PRAGMA user_version").first?.first?.integer ?? 0 }
    }

    // MARK: Sessions

    /// Starts a session (status `running`) and returns its id.
    public func beginSession(kind: SessionKind, source: String?, kilnVersion: String, seed: Int? = nil,
                             replayOf: Int64? = nil, started: Date = Date()) throws -> Int64 {
        try database.transaction {
            try database.query(
                "INSERT INTO sessions (kind, source, started, kiln_version, seed, status, replay_of) VALUES (?, ?, ?, ?, ?, 'running', ?)",
                [.text(kind.rawValue), .optional(source), .text(Timestamp.text(started)), .text(kilnVersion), .optional(seed),
                 replayOf.map { .integer($0) } ?? .null])
            return database.lastInsertedRow
        }
    }

    /// Marks a session ended with `status`.
    public func finishSession(_ id: Int64, status: RunStatus, ended: Date = Date()) throws {
        try database.transaction {
            try database.query("UPDATE sessions SET status = ?, ended = ? WHERE id = ?",
                               [.text(status.rawValue), .text(Timestamp.text(ended)), .integer(id)])
        }
    }

    /// Every session, oldest first, with its number of cells.
    public func sessions() throws -> [SessionSummary] {
        try database.query(Store.sessionQuery + " GROUP BY s.id ORDER BY s.id").map(Store.summary)
    }

    /// The session `id`, or a StoreError saying there is none.
    public func session(_ id: Int64) throws -> SessionSummary {
        guard let row = try database.query(Store.sessionQuery + " WHERE s.id = ? GROUP BY s.id", [.integer(id)]).first else {
            throw StoreError("no session \(id) in \(path) (kiln sessions --db \(path) lists them)")
        }
        return Store.summary(row)
    }

    private static let sessionQuery = """
        SELECT s.id, s.kind, s.source, s.started, s.ended, s.kiln_version, s.seed, s.status, s.replay_of, count(c.id)
        FROM sessions s LEFT JOIN cells c ON c.session = s.id
        """

    private static func summary(_ row: [SQLValue]) -> SessionSummary {
        SessionSummary(id: row[0].integer ?? 0, kind: SessionKind(rawValue: row[1].text ?? "") ?? .notebook, source: row[2].text,
                       started: Timestamp.date(row[3].text) ?? Date(timeIntervalSince1970: 0), ended: Timestamp.date(row[4].text),
                       kilnVersion: row[5].text ?? "", seed: row[6].integer.map { Int($0) },
                       status: RunStatus(rawValue: row[7].text ?? "") ?? .running, replayOf: row[8].integer,
                       cellCount: Int(row[9].integer ?? 0))
    }

    // MARK: Cells

    /// Stores a finished cell of `session` with its outputs, in one transaction; returns its id.
    @discardableResult
    public func record(_ cell: StoredCell, session: Int64) throws -> Int64 {
        try database.transaction {
            try database.query(
                """
                INSERT INTO cells (session, position, kind, source, filename, first_line, execution_count, started, duration, status, tags)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.integer(session), .integer(Int64(cell.position)), .text(cell.kind.rawValue), .text(cell.source),
                 .optional(cell.filename), .optional(cell.firstLine),
                 .optional(cell.executionCount), .optional(cell.started.map(Timestamp.text)), cell.duration.map { .real($0) } ?? .null,
                 .optional(cell.status?.rawValue), .text(cell.tags.joined(separator: "\n"))])
            let id = database.lastInsertedRow
            for (position, output) in cell.outputs.enumerated() {
                for item in output.items {
                    try database.query(
                        "INSERT INTO outputs (cell, position, type, name, mime, text, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [.integer(id), .integer(Int64(position)), .text(output.type.rawValue), .optional(output.name), .text(item.mime),
                         .optional(item.text), item.data.map { .blob($0) } ?? .null])
                }
            }
            return id
        }
    }

    /// The cells of `session` in order, with their outputs.
    public func cells(ofSession session: Int64) throws -> [StoredCell] {
        var cells = try database.query(
            """
            SELECT id, position, kind, source, filename, first_line, execution_count, started, duration, status, tags
            FROM cells WHERE session = ? ORDER BY position
            """,
            [.integer(session)]
        ).map { row in
            StoredCell(id: row[0].integer ?? 0, position: Int(row[1].integer ?? 0), kind: StoredCellKind(rawValue: row[2].text ?? "") ?? .code,
                       source: row[3].text ?? "", filename: row[4].text, firstLine: row[5].integer.map { Int($0) },
                       executionCount: row[6].integer.map { Int($0) }, started: Timestamp.date(row[7].text),
                       duration: row[8].real, status: row[9].text.flatMap(RunStatus.init(rawValue:)),
                       tags: (row[10].text ?? "").split(separator: "\n").map(String.init))
        }
        let rows = try database.query(
            """
            SELECT o.cell, o.position, o.type, o.name, o.mime, o.text, o.data FROM outputs o JOIN cells c ON o.cell = c.id
            WHERE c.session = ? ORDER BY o.cell, o.position, o.id
            """, [.integer(session)])
        var byCell: [Int64: [(position: Int64, output: StoredOutput)]] = [:]
        for row in rows {
            let cell = row[0].integer ?? 0, position = row[1].integer ?? 0
            let item = OutputItem(mime: row[4].text ?? "text/plain", text: row[5].text, data: row[6].blob)
            var outputs = byCell[cell, default: []]
            if let last = outputs.indices.last, outputs[last].position == position {
                outputs[last].output.items.append(item)
            } else {
                let type = OutputType(rawValue: row[2].text ?? "") ?? .stream
                outputs.append((position, StoredOutput(type: type, name: row[3].text, items: [item])))
            }
            byCell[cell] = outputs
        }
        for i in cells.indices { cells[i].outputs = byCell[cells[i].id]?.map(\.output) ?? [] }
        return cells
    }

    // MARK: Models

    /// Saves a model's config and weights under `name` (a later save of the same name is newer).
    @discardableResult
    public func saveModel(name: String, session: Int64?, config: String, weights: Data, created: Date = Date()) throws -> Int64 {
        try database.transaction {
            try database.query("INSERT INTO models (name, session, config, weights, created) VALUES (?, ?, ?, ?, ?)",
                               [.text(name), session.map { .integer($0) } ?? .null, .text(config), .blob(weights), .text(Timestamp.text(created))])
            return database.lastInsertedRow
        }
    }

    /// The newest model saved as `name`, or nil.
    public func model(named name: String) throws -> StoredModel? {
        try database.query("SELECT id, name, session, config, weights, created FROM models WHERE name = ? ORDER BY id DESC LIMIT 1",
                           [.text(name)]).first.map { row in
            StoredModel(id: row[0].integer ?? 0, name: row[1].text ?? "", session: row[2].integer, config: row[3].text ?? "",
                        weights: row[4].blob ?? Data(), created: Timestamp.date(row[5].text) ?? Date(timeIntervalSince1970: 0))
        }
    }
}

// MARK: Studies

extension Store {
    /// Creates the study `name` (or finds the existing one of that name) and returns its id.
    public func study(named name: String, session: Int64?, direction: String, sampler: String) throws -> Int64 {
        try database.transaction {
            if let id = try database.query("SELECT id FROM studies WHERE name = ?", [.text(name)]).first?.first?.integer { return id }
            try database.query("INSERT INTO studies (name, session, direction, sampler, created) VALUES (?, ?, ?, ?, ?)",
                               [.text(name), session.map { .integer($0) } ?? .null, .text(direction), .text(sampler), .text(Timestamp.text(Date()))])
            return database.lastInsertedRow
        }
    }

    /// Stores (or replaces) trial `trial.number` of `study`: its state, parameters and values as JSON text.
    public func record(_ trial: StoredTrial, study: Int64) throws {
        try database.transaction {
            try database.query(
                """
                INSERT INTO trials (study, number, state, params, value, intermediate, started, finished, worker, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (study, number) DO UPDATE SET state = excluded.state, params = excluded.params, value = excluded.value,
                    intermediate = excluded.intermediate, started = excluded.started, finished = excluded.finished,
                    worker = excluded.worker, message = excluded.message
                """,
                [.integer(study), .integer(Int64(trial.number)), .text(trial.state), .text(trial.params),
                 trial.value.map { .real($0) } ?? .null, .text(trial.intermediate), .optional(trial.started.map(Timestamp.text)),
                 .optional(trial.finished.map(Timestamp.text)), .optional(trial.worker), .optional(trial.message)])
        }
    }

    /// In one transaction: reads the trials of `study`, asks `next` for a new one given them
    /// (nil: none), and stores it. Processes claiming at once queue on the store's lock, so
    /// each sees the trials the others claimed.
    public func claimTrial(study: Int64, _ next: ([StoredTrial]) throws -> StoredTrial?) throws -> StoredTrial? {
        try database.transaction {
            guard let trial = try next(try trials(ofStudy: study)) else { return nil }
            try record(trial, study: study)
            return trial
        }
    }

    /// Every study with its number of trials and best complete value (in its direction).
    public func studies() throws -> [StudySummary] {
        try database.query(
            """
            SELECT s.id, s.name, s.direction, s.sampler, s.session, count(t.id),
                   CASE s.direction WHEN 'maximize' THEN max(CASE t.state WHEN 'complete' THEN t.value END)
                                    ELSE min(CASE t.state WHEN 'complete' THEN t.value END) END,
                   s.config
            FROM studies s LEFT JOIN trials t ON t.study = s.id GROUP BY s.id ORDER BY s.id
            """
        ).map { row in
            StudySummary(id: row[0].integer ?? 0, name: row[1].text ?? "", direction: row[2].text ?? "", sampler: row[3].text ?? "",
                         session: row[4].integer, trialCount: Int(row[5].integer ?? 0), best: row[6].real, config: row[7].text ?? "{}")
        }
    }

    /// The study called `name`, or nil.
    public func study(named name: String) throws -> StudySummary? {
        try studies().first { $0.name == name }
    }

    /// Replaces the configuration of `study` (JSON text).
    public func setConfig(_ config: String, study: Int64) throws {
        try database.query("UPDATE studies SET config = ? WHERE id = ?", [.text(config), .integer(study)])
    }

    /// The trials of `study`, by number.
    public func trials(ofStudy study: Int64) throws -> [StoredTrial] {
        try database.query(
            "SELECT number, state, params, value, intermediate, started, finished, worker, message FROM trials WHERE study = ? ORDER BY number",
            [.integer(study)]).map { row in
            StoredTrial(number: Int(row[0].integer ?? 0), state: row[1].text ?? "", params: row[2].text ?? "{}", value: row[3].real,
                        intermediate: row[4].text ?? "[]", started: Timestamp.date(row[5].text), finished: Timestamp.date(row[6].text),
                        worker: row[7].text, message: row[8].text)
        }
    }
}

/// ISO 8601 UTC text with milliseconds, as the store writes times.
enum Timestamp {
    private static let formatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
    private static let lock = NSLock()

    static func text(_ date: Date) -> String {
        lock.lock()
        defer { lock.unlock() }
        return formatter.string(from: date)
    }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return formatter.date(from: text)
    }
}
