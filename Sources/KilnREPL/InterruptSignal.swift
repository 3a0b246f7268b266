/// Ctrl-C in the REPL. The SIGINT handler asks the running cell to stop
/// (`Interpreter.interruptRequested`: a KeyboardInterrupt at its next step, or the end of the
/// current batch in `fit`) and wakes whoever waits for input at a prompt through a pipe (the
/// "self-pipe" pattern), so that a Ctrl-C at the prompt abandons the line. The process is never
/// ended by Ctrl-C: Ctrl-D or `%quit` ends the REPL.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KilnLang

enum InterruptSignal {
    nonisolated(unsafe) private static var readEnd: Int32 = -1
    nonisolated(unsafe) private static var writeEnd: Int32 = -1

    /// Installs the SIGINT handler (once).
    static func install() {
        guard writeEnd < 0 else { return }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
        signal(SIGINT) { _ in
            Interpreter.interruptRequested = true
            var byte: UInt8 = 1
            _ = write(InterruptSignal.writeEnd, &byte, 1)
        }
    }

    /// Forgets a Ctrl-C that nobody noticed (pressed as a cell finished).
    static func clear() {
        Interpreter.interruptRequested = false
        guard readEnd >= 0 else { return }
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }

    /// What ended a wait for input.
    enum Wake {
        case readable
        case interrupted
    }

    /// Waits until `descriptor` can be read or Ctrl-C is pressed.
    static func wait(for descriptor: Int32) -> Wake {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        if readEnd >= 0 { fds.append(pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)) }
        while true {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if fds.count > 1 && fds[1].revents != 0 {
                clear()
                return .interrupted
            }
            if ready > 0 { return .readable }
            if ready < 0 && errno != EINTR { return .readable }
        }
    }
}
