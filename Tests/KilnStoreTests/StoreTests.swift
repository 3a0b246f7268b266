import CSQLite
import Foundation
@testable import KilnStore
import XCTest

/// The store's file handling, schema and records, on files in a scratch folder.
final class StoreTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String = "kiln.db") -> String { folder.appendingPathComponent(name).path }

    func testNewStoreIsWALWithForeignKeysAndTheCurrentSchema() throws {
        let store = try Store(path: path())
        XCTAssertEqual(try store.schemaVersion, Schema.current)
        XCTAssertEqual(try store.database.query("PRAGMA journal_mode").first?.first, .text("wal"))
        XCTAssertEqual(try store.database.query("PRAGMA foreign_keys").first?.first, .integer(1))
        XCTAssertEqual(try store.database.query("PRAGMA application_id").first?.first, .integer(Schema.applicationID))
        let tables = try store.database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0.first?.text }
        XCTAssertEqual(tables, ["cells", "models", "outputs", "sessions", "studies", "trials"])
    }

    func testSessionsCellsAndOutputsRoundTrip() throws {
        let store = try Store(path: path())
        let started = Date(timeIntervalSince1970: 1_790_000_000.25)
        let id = try store.beginSession(kind: .notebook, source: "nb.kiln", kilnVersion: "0.5", seed: 42, started: started)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2])
        let cell = StoredCell(position: 0, kind: .code, source: "print('hi')\n1 + 1", executionCount: 1, started: started,
                              duration: 0.002, status: .ok, tags: ["parameters", "x"],
                              outputs: [.stream("hi\n"), .result("2"),
                                        StoredOutput(type: .display, items: [OutputItem(mime: "text/plain", text: "<Figure>"),
                                                                             OutputItem(mime: "image/png", data: png)])])
        try store.record(cell, session: id)
        try store.record(StoredCell(position: 1, kind: .markdown, source: "# Title"), session: id)
        try store.record(StoredCell(position: 2, kind: .code, source: "1/0", executionCount: 2, status: .error,
                                    outputs: [.error("ZeroDivisionError", traceback: "Traceback...\nZeroDivisionError: division by zero")]), session: id)
        try store.finishSession(id, status: .error)

        let back = try store.cells(ofSession: id)
        XCTAssertEqual(back.count, 3)
        var expected = cell
        expected.id = back[0].id
        XCTAssertEqual(back[0], expected)
        XCTAssertEqual(back[1].kind, .markdown)
        XCTAssertEqual(back[2].outputs, [.error("ZeroDivisionError", traceback: "Traceback...\nZeroDivisionError: division by zero")])
        let summary = try store.session(id)
        XCTAssertEqual(summary.status, .error)
        XCTAssertEqual(summary.cellCount, 3)
        XCTAssertEqual(summary.seed, 42)
        XCTAssertEqual(summary.started, started)
        XCTAssertNotNil(summary.ended)
        XCTAssertEqual(try store.sessions().map(\.id), [id])
    }

    func testTextIsStoredAsGivenNotSpliced() throws {
        let store = try Store(path: path())
        let id = try store.beginSession(kind: .repl, source: "x'); DROP TABLE cells; --", kilnVersion: "0.5")
        try store.record(StoredCell(position: 0, kind: .code, source: "'; DELETE FROM sessions; --"), session: id)
        XCTAssertEqual(try store.session(id).source, "x'); DROP TABLE cells; --")
        XCTAssertEqual(try store.cells(ofSession: id).first?.source, "'; DELETE FROM sessions; --")
    }

    func testUnknownSessionIsAClearError() throws {
        let store = try Store(path: path())
        XCTAssertThrowsError(try store.session(99)) { error in
            XCTAssertTrue("\(error)".contains("no session 99"), "\(error)")
        }
    }

    func testNotSQLiteFileIsRefusedAndLeftAlone() throws {
        let bytes = Data("this is a notebook, not a database\n".utf8)
        try bytes.write(to: URL(fileURLWithPath: path("notes.txt")))
        XCTAssertThrowsError(try Store(path: path("notes.txt"))) { error in
            XCTAssertTrue("\(error)".contains("not a Kiln store"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("notes.txt"))), bytes)
    }

    func testSomeoneElsesSQLiteDatabaseIsRefused() throws {
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(path("other.db"), &db), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(db, "CREATE TABLE t (x)", nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)
        XCTAssertThrowsError(try Store(path: path("other.db"))) { error in
            XCTAssertTrue("\(error)".contains("not a Kiln store"), "\(error)")
        }
    }

    func testNewerStoreIsRefusedUnchanged() throws {
        _ = try Store(path: path())
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(path(), &db), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(db, "PRAGMA user_version = \(Schema.current + 1)", nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)
        XCTAssertThrowsError(try Store(path: path())) { error in
            XCTAssertTrue("\(error)".contains("newer kiln"), "\(error)")
        }
        let reopened = try Database(path: path(), create: false)
        XCTAssertEqual(try reopened.query("PRAGMA user_version").first?.first, .integer(Schema.current + 1))
    }

    func testReopeningKeepsEverything() throws {
        let id = try Store(path: path()).beginSession(kind: .repl, source: nil, kilnVersion: "0.5")
        let again = try Store(path: path())
        XCTAssertEqual(try again.session(id).kind, .repl)
    }

    func testModelsAreSavedAndTheNewestIsFound() throws {
        let store = try Store(path: path())
        try store.saveModel(name: "convnet", session: nil, config: "{\"v\":1}", weights: Data([1, 2, 3]))
        try store.saveModel(name: "convnet", session: nil, config: "{\"v\":2}", weights: Data([4]))
        XCTAssertEqual(try store.model(named: "convnet")?.config, "{\"v\":2}")
        XCTAssertEqual(try store.model(named: "convnet")?.weights, Data([4]))
        XCTAssertNil(try store.model(named: "mlp"))
    }
}
