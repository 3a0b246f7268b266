/// Keras' progress bar for `fit`, character for character as tf_keras' `Progbar` writes it
/// (the `45/57 [=====>....] - ETA: 1s - loss: 0.3121` of "Deep Learning with Python"):
/// verbose 1 redraws one line in place (backspaces, then a carriage return), at most every
/// 50 ms, and ends it with the epoch's time and time per step; verbose 2 writes one line per
/// epoch (`57/57 - 2s - loss: 0.0005 - 2s/epoch - 30ms/step`). Values are shown as given
/// (fit passes running means), `%.4f`, or `%.4e` when tiny.

import Foundation

final class Progbar {
    let target: Int
    let verbose: Int
    let width = 30
    /// Minimum time between two redraws of a verbose-1 bar, in seconds.
    let interval = 0.05
    private let clock: () -> Double
    private let start: Double
    private var lastUpdate = 0.0
    private var totalWidth = 0
    private var timeAfterFirstStep: Double?

    /// A bar for `target` steps; `clock` gives the time in seconds (the wall clock by default).
    /// Whether a verbose-1 bar redraws its line in place (a terminal); otherwise each line it
    /// writes stands alone.
    let dynamic: Bool

    init(target: Int, verbose: Int, dynamic: Bool = true, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.target = target
        self.verbose = verbose
        self.dynamic = dynamic
        self.clock = clock
        start = clock()
    }

    /// The text to write after `current` steps with `values`, or nil when there is nothing to
    /// write (a verbose-1 redraw sooner than `interval` after the last, or a verbose-2 bar
    /// before its last step). `finalize` defaults to `current >= target`.
    func update(_ current: Int, _ values: [(String, Float)], finalize: Bool? = nil) -> String? {
        let finalize = finalize ?? (current >= target)
        let now = clock()
        defer { lastUpdate = now }
        let elapsed = " - \(Progbar.fixed(now - start, digits: 0))s"
        switch verbose {
        case 1:
            if now - lastUpdate < interval && !finalize {
                return nil
            }
            let previousWidth = totalWidth
            let message = dynamic ? String(repeating: "\u{8}", count: previousWidth) + "\r" : ""
            let bar = counter(current) + " [" + filling(current) + "]"
            totalWidth = bar.count
            let perStep = stepDuration(current, now)
            var info: String
            if finalize {
                info = elapsed + Progbar.duration(perStep, unit: "step")
            } else {
                info = " - ETA: " + Progbar.eta(perStep * Double(target - current))
            }
            info += Progbar.values(values, smallBelow: { abs($0) > 1e-3 })
            totalWidth += info.count
            if previousWidth > totalWidth { info += String(repeating: " ", count: previousWidth - totalWidth) }
            return message + bar + info + (finalize ? "\n" : "")
        case 2:
            guard finalize else { return nil }
            // tf_keras compares without abs() here, so negative values print in %.4e.
            let epoch = now - start
            return counter(current) + elapsed + Progbar.values(values, smallBelow: { $0 > 1e-3 })
                + " -" + Progbar.duration(epoch, unit: "epoch") + " -" + Progbar.duration(epoch / Double(max(target, 1)), unit: "step") + "\n"
        default:
            return nil
        }
    }

    /// `current/target`, the count right-aligned to the target's width.
    private func counter(_ current: Int) -> String {
        let digits = String(max(target, 1)).count
        let count = String(current)
        return String(repeating: " ", count: max(0, digits - count.count)) + count + "/\(target)"
    }

    /// `=====>....` for the share of steps done.
    private func filling(_ current: Int) -> String {
        let done = Int(Double(width) * Double(current) / Double(max(target, 1)))
        var bar = ""
        if done > 0 { bar += String(repeating: "=", count: done - 1) + (current < target ? ">" : "=") }
        return bar + String(repeating: ".", count: max(0, width - done))
    }

    /// Seconds per step, not counting the first step once there are others (it includes
    /// one-off set-up).
    private func stepDuration(_ current: Int, _ now: Double) -> Double {
        guard current > 0 else { return 0 }
        let perStep: Double
        if let first = timeAfterFirstStep, current > 1 {
            perStep = (now - first) / Double(current - 1)
        } else {
            perStep = (now - start) / Double(current)
        }
        if current == 1 { timeAfterFirstStep = now }
        return perStep
    }

    /// ` - name: 0.3121` for each value; `%.4e` where `isLarge` is false.
    private static func values(_ values: [(String, Float)], smallBelow isLarge: (Double) -> Bool) -> String {
        values.map { name, value in
            let v = Double(value)
            return " - \(name): " + String(format: isLarge(v) ? "%.4f" : "%.4e", v)
        }.joined()
    }

    /// ` 2s/epoch`, ` 30ms/step` or ` 250us/step`.
    private static func duration(_ seconds: Double, unit: String) -> String {
        if seconds >= 1 || seconds == 0 { return " \(fixed(seconds, digits: 0))s/\(unit)" }
        if seconds >= 1e-3 { return " \(fixed(seconds * 1000, digits: 0))ms/\(unit)" }
        return " \(fixed(seconds * 1e6, digits: 0))us/\(unit)"
    }

    /// `1:23:15`, `2:20` or `22s`, each field truncated as Python's `%d` truncates.
    private static func eta(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e12 else { return "\(seconds)s" }
        if seconds > 3600 {
            return String(format: "%d:%02d:%02d", Int(seconds / 3600), Int(seconds.truncatingRemainder(dividingBy: 3600) / 60),
                          Int(seconds.truncatingRemainder(dividingBy: 60)))
        }
        if seconds > 60 { return String(format: "%d:%02d", Int(seconds / 60), Int(seconds.truncatingRemainder(dividingBy: 60))) }
        return "\(Int(seconds))s"
    }

    /// `x` with `digits` decimals, rounded as Python's format rounds (half to even on the exact value).
    private static func fixed(_ x: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", x)
    }
}
