import CSQLite
import XCTest

/// sqlite3 links and works: the store depends on it.
final class SQLiteTests: XCTestCase {
    func testInMemoryDatabaseAnswersAQuery() throws {
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(":memory:", &db), SQLITE_OK)
        defer { sqlite3_close(db) }

        var statement: OpaquePointer?
        XCTAssertEqual(sqlite3_prepare_v2(db, "SELECT 6 * 7, 'kiln'", -1, &statement, nil), SQLITE_OK)
        defer { sqlite3_finalize(statement) }

        XCTAssertEqual(sqlite3_step(statement), SQLITE_ROW)
        XCTAssertEqual(sqlite3_column_int64(statement, 0), 42)
        let text = try XCTUnwrap(sqlite3_column_text(statement, 1))
        XCTAssertEqual(String(cString: text), "kiln")
        XCTAssertEqual(sqlite3_step(statement), SQLITE_DONE)
    }

    func testParameterisedInsertIsReadBack() {
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(":memory:", &db), SQLITE_OK)
        defer { sqlite3_close(db) }
        XCTAssertEqual(sqlite3_exec(db, "CREATE TABLE cells (n INTEGER, source TEXT)", nil, nil, nil), SQLITE_OK)

        var insert: OpaquePointer?
        XCTAssertEqual(sqlite3_prepare_v2(db, "INSERT INTO cells VALUES (?, ?)", -1, &insert, nil), SQLITE_OK)
        sqlite3_bind_int64(insert, 1, 3)
        // SQLITE_TRANSIENT: sqlite copies the string before bind returns.
        sqlite3_bind_text(insert, 2, "print('hi')", -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        XCTAssertEqual(sqlite3_step(insert), SQLITE_DONE)
        sqlite3_finalize(insert)

        var select: OpaquePointer?
        XCTAssertEqual(sqlite3_prepare_v2(db, "SELECT source FROM cells WHERE n = 3", -1, &select, nil), SQLITE_OK)
        defer { sqlite3_finalize(select) }
        XCTAssertEqual(sqlite3_step(select), SQLITE_ROW)
        XCTAssertEqual(sqlite3_column_text(select, 0).map { String(cString: $0) }, "print('hi')")
    }
}
