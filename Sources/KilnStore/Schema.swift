/// The store's tables and their forward migrations. `PRAGMA user_version` holds the schema
/// version and `PRAGMA application_id` marks the file as Kiln's, so an older kiln refuses a
/// newer store and no kiln writes into someone else's SQLite file.

/// Each migration takes the schema from the version before it to its own; they run in one
/// transaction, in order, from the file's version to `Schema.current`.
enum Schema {
    /// "KILN" in ASCII.
    static let applicationID: Int64 = 0x4B49_4C4E

    static let migrations: [(version: Int64, statements: [String])] = [
        (1, [
            """
            CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('repl', 'notebook', 'replay')),
                source TEXT,
                started TEXT NOT NULL,
                ended TEXT,
                kiln_version TEXT NOT NULL,
                seed INTEGER,
                status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'error', 'interrupted', 'timeout')),
                replay_of INTEGER REFERENCES sessions (id) ON DELETE SET NULL
            )
            """,
            """
            CREATE TABLE cells (
                id INTEGER PRIMARY KEY,
                session INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('code', 'markdown', 'raw')),
                source TEXT NOT NULL,
                filename TEXT,
                first_line INTEGER,
                execution_count INTEGER,
                started TEXT,
                duration REAL,
                status TEXT CHECK (status IN ('running', 'ok', 'error', 'interrupted', 'timeout')),
                tags TEXT NOT NULL DEFAULT '',
                UNIQUE (session, position)
            )
            """,
            """
            CREATE TABLE outputs (
                id INTEGER PRIMARY KEY,
                cell INTEGER NOT NULL REFERENCES cells (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                type TEXT NOT NULL CHECK (type IN ('stream', 'result', 'display', 'error')),
                name TEXT,
                mime TEXT NOT NULL,
                text TEXT,
                data BLOB
            )
            """,
            "CREATE INDEX outputs_by_cell ON outputs (cell, position)",
            """
            CREATE TABLE models (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                session INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
                config TEXT NOT NULL,
                weights BLOB NOT NULL,
                created TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE studies (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                session INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
                direction TEXT NOT NULL DEFAULT 'minimize',
                sampler TEXT,
                created TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE trials (
                id INTEGER PRIMARY KEY,
                study INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                state TEXT NOT NULL,
                params TEXT NOT NULL,
                value REAL,
                intermediate TEXT,
                started TEXT,
                finished TEXT,
                UNIQUE (study, number)
            )
            """,
        ]),
        // Studies that several processes share and resume: what a study needs to continue
        // (its seed, pruner and define-by-run space) and which process runs each trial.
        (2, [
            "ALTER TABLE studies ADD COLUMN config TEXT NOT NULL DEFAULT '{}'",
            "ALTER TABLE trials ADD COLUMN worker TEXT",
            "ALTER TABLE trials ADD COLUMN message TEXT",
        ]),
    ]

    static var current: Int64 { migrations.last?.version ?? 0 }
}
