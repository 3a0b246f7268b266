import Foundation
import KilnStore
import XCTest
@testable import KilnNotebook

/// The sessions table of `%sessions` (and `kiln sessions`).
final class SessionTableTests: XCTestCase {
    func testSessionsAreAlignedColumnsInLocalTime() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-table-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("kiln.db").path)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let notebook = try store.beginSession(kind: .notebook, source: "train.kiln", kilnVersion: "0.5.0", started: start)
        for position in 0..<12 {
            try store.record(StoredCell(position: position, kind: .code, source: "\(position)"), session: notebook)
        }
        try store.finishSession(notebook, status: .ok, ended: start.addingTimeInterval(65))
        let repl = try store.beginSession(kind: .repl, source: nil, kilnVersion: "0.5.0", started: start.addingTimeInterval(3600))
        try store.record(StoredCell(position: 0, kind: .code, source: "1"), session: repl)

        let table = StoredSessions.table(try store.sessions(), timeZone: TimeZone(identifier: "UTC") ?? .current)
        XCTAssertEqual(table, """
            id  kind      status   cells  started              ended                source
             1  notebook  ok          12  2023-11-14 22:13:20  2023-11-14 22:14:25  train.kiln
             2  repl      running      1  2023-11-14 23:13:20

            """)
    }
}
