import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A program running in a pseudo-terminal of its own, as in a terminal window: it is the
/// leader of a new session whose controlling terminal is the pty, so Ctrl-C typed into it
/// reaches the program as SIGINT from the terminal, and readline sees a real terminal.
///
/// `type` sends keys; `expect` waits (with a timeout) for text to appear on the screen after
/// what an earlier `expect` matched. The screen is what the program wrote with terminal
/// escape sequences, bells and carriage returns removed.
final class PseudoTerminal {
    private let master: Int32
    private let pid: pid_t
    private var output: [UInt8] = []
    /// Where the next `expect` starts looking in `screen`.
    private var searchStart: String.Index
    private var exitStatus: Int32?
    /// Everything shown so far, escape sequences removed.
    private(set) var screen = ""

    /// Starts `executable` with `arguments` and exactly `environment` in a 100×24 terminal.
    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        guard let openMaster = PseudoTerminal.openMaster, let grant = PseudoTerminal.grant,
              let unlock = PseudoTerminal.unlock, let terminalName = PseudoTerminal.terminalName else {
            throw XCTSkip("the C library has no pseudo-terminal functions")
        }
        master = openMaster(O_RDWR | O_NOCTTY)
        guard master >= 0, grant(master) == 0, unlock(master) == 0, let name = terminalName(master) else {
            throw XCTSkip("no pseudo-terminal available")
        }
        let terminalPath = String(cString: name)
        var size = winsize(ws_row: 24, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new session: opening the terminal then makes it the controlling terminal.
        posix_spawnattr_setflags(&attributes, PseudoTerminal.spawnNewSession)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, master)
        posix_spawn_file_actions_addopen(&actions, 0, terminalPath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)

        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable.path, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(master)
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(status), userInfo: [NSLocalizedDescriptionKey: "posix_spawn failed"])
        }
        pid = child
        searchStart = screen.startIndex
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    // The pty functions and POSIX_SPAWN_SETSID are X/Open and GNU extensions that Swift's
    // Glibc module does not import; the functions are looked up in the C library by name.
    private static let spawnNewSession: Int16 = 0x80
    private static let openMaster = libc("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
    private static let grant = libc("grantpt", as: (@convention(c) (Int32) -> Int32).self)
    private static let unlock = libc("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
    private static let terminalName = libc("ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)

    private static func libc<Function>(_ name: String, as type: Function.Type) -> Function? {
        dlsym(dlopen(nil, RTLD_NOW), name).map { unsafeBitCast($0, to: type) }
    }

    /// Sends keys to the program (`"\r"` is Enter, `"\u{03}"` Ctrl-C, `"\u{04}"` Ctrl-D).
    func type(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until `text` appears on the screen after the previous match, and moves past it.
    func expect(_ text: String, timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let found = screen.range(of: text, range: searchStart..<screen.endIndex) {
                searchStart = found.upperBound
                return
            }
            guard Date() < deadline, readAvailable(waitingUpTo: 0.1) else { break }
        }
        throw TerminalTimeout(description: "timed out waiting for \(String(reflecting: text)); the screen shows:\n\(screen)")
    }

    /// Waits for the program to end (reading what it still writes) and returns its exit
    /// status, or nil if it is still running after `timeout` seconds.
    func waitForExit(timeout: TimeInterval = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                while readAvailable(waitingUpTo: 0) {}
                exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                return exitStatus
            }
            _ = readAvailable(waitingUpTo: 0.05)
        }
        return nil
    }

    /// Reads what the program wrote within `seconds`; false when nothing more can come.
    private func readAvailable(waitingUpTo seconds: TimeInterval) -> Bool {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(seconds * 1000))
        if ready < 0 { return errno == EINTR }
        if ready == 0 { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &buffer, buffer.count)
        guard count > 0 else { return false }
        output += buffer[..<count]
        screen = PseudoTerminal.plainText(output)
        return true
    }

    /// `bytes` as text without CSI and OSC escape sequences, other escapes, bells and `\r`.
    static func plainText(_ bytes: [UInt8]) -> String {
        var kept: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x1b, i + 1 < bytes.count {
                if bytes[i + 1] == UInt8(ascii: "[") {
                    i += 2
                    while i < bytes.count, !(0x40...0x7e).contains(bytes[i]) { i += 1 }
                } else if bytes[i + 1] == UInt8(ascii: "]") {
                    while i < bytes.count, bytes[i] != 0x07 { i += 1 }
                } else {
                    i += 1
                }
            } else if byte != 0x07 && byte != UInt8(ascii: "\r") {
                kept.append(byte)
            }
            i += 1
        }
        return String(decoding: kept, as: UTF8.self)
    }
}

/// What `expect` throws when the text never appears: the text and the whole screen.
struct TerminalTimeout: Error, CustomStringConvertible {
    var description: String
}
