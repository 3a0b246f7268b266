import Foundation
import KilnNotebook
import KilnStore
import XCTest
@testable import KilnREPL
#if canImport(Glibc)
import Glibc
#endif

/// A REPL run on typed text: its transcript (what the terminal shows), its session, and the
/// store it recorded into.
struct ReplRun {
    var transcript: String
    var session: ReplSession
    var store: Store

    /// The transcript without the banner.
    var shown: String { String(transcript.dropFirst(REPL.banner.count)) }
}

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-repl-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
    return directory
}

/// Runs the REPL on `input` as if piped into `kiln repl` (lines read by `PlainLineReader`
/// from a pipe), recording into a store in `directory`.
func runRepl(_ input: String, in directory: URL) throws -> ReplRun {
    let store = try Store(path: directory.appendingPathComponent("kiln.db").path)
    let output = CapturedOutput()
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw CocoaError(.fileWriteUnknown) }
    let bytes = Array(input.utf8)
    let writeEnd = ends[1]
    let writer = Thread {
        _ = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
        close(writeEnd)
    }
    writer.start()
    defer { close(ends[0]) }
    let session = ReplSession(store: store, output: output, warnings: output)
    REPL(session: session, reader: PlainLineReader(input: ends[0], output: output), output: output).run()
    return ReplRun(transcript: output.text, session: session, store: store)
}
