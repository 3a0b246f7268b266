import Foundation
import XCTest

/// The repository checkout these tests belong to (found from this file's path).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// What a finished `kiln` process printed and returned.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The built `kiln` executable: `$KILN_BINARY` if set, otherwise the one in the build
/// products directory beside this test bundle.
func kilnExecutable() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["KILN_BINARY"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    var directories: [URL] = []
    // macOS: the tests are a .xctest bundle inside the products directory.
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        directories.append(bundle.bundleURL.deletingLastPathComponent())
    }
    // Linux: the tests are an executable in the products directory.
    directories.append(Bundle.main.bundleURL)
    directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    for directory in directories {
        let candidate = directory.appendingPathComponent("kiln")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw XCTSkip("no kiln executable found in \(directories.map(\.path)); build it or set KILN_BINARY")
}

/// Runs `kiln` with `arguments` in `directory` (a fresh temporary one by default, so nothing
/// depends on the working directory) and waits for it.
func runKiln(_ arguments: [String], in directory: URL? = nil) throws -> ProcessResult {
    let workDirectory = directory ?? FileManager.default.temporaryDirectory
        .appendingPathComponent("kiln-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
    // Files, not pipes: a pipe that fills up while nobody reads it would block the child.
    let outURL = workDirectory.appendingPathComponent(".stdout")
    let errURL = workDirectory.appendingPathComponent(".stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = try kilnExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = workDirectory
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = outHandle
    process.standardError = errHandle
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()

    let result = ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
    )
    try FileManager.default.removeItem(at: outURL)
    try FileManager.default.removeItem(at: errURL)
    if directory == nil { try? FileManager.default.removeItem(at: workDirectory) }
    return result
}

/// Starts `kiln` with `arguments` in `directory` without waiting for it, its standard output and
/// error both going to the file `output`.
func startKiln(_ arguments: [String], in directory: URL, output: URL) throws -> Process {
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    let process = Process()
    process.executableURL = try kilnExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
}

/// Tests that run `kiln` in a fresh folder of their own, with its store at `kiln.db`.
class KilnFolderTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-store-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    func write(_ text: String, to name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func kiln(_ arguments: [String]) throws -> ProcessResult { try runKiln(arguments, in: folder) }

    /// Starts `kiln` with `arguments` in the test folder without waiting for it.
    func start(_ arguments: [String], output: String) throws -> Process {
        try startKiln(arguments, in: folder, output: folder.appendingPathComponent(output))
    }

    var store: String { folder.appendingPathComponent("kiln.db").path }

    /// Waits (up to 60 s) until `condition` holds.
    func wait(until condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !condition() { Thread.sleep(forTimeInterval: 0.05) }
    }
}
