/// Python's `time` module subset notebooks use to time things: time(), perf_counter(),
/// monotonic(), sleep().

import Foundation
import KilnLang

enum TimeModule {
    static func make() -> KModule {
        let m = KModule("time", doc: "Clocks, as Python's time module.")
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Value { .float(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        m.add([
            KBuiltin("time", "", doc: "Seconds since the Unix epoch, as a float.") { _ in .float(Date().timeIntervalSince1970) },
            KBuiltin("perf_counter", "", doc: "A monotonic clock in seconds, for measuring intervals.") { _ in elapsed() },
            KBuiltin("monotonic", "", doc: "A monotonic clock in seconds.") { _ in elapsed() },
            KBuiltin("sleep", "secs, /", doc: "Pause for secs seconds.") { a in
                let s = try a.double(0)
                guard s >= 0 else { throw KilnError.value("sleep length must be non-negative") }
                Thread.sleep(forTimeInterval: s)
                return .none
            },
        ])
        return m
    }
}
