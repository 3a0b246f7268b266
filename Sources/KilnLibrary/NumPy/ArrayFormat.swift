/// Printing arrays exactly as numpy 2 does (`repr` and `str`), a port of numpy's arrayprint:
/// the float format chosen per array (8 digits of precision at most, shortest round-trip
/// digits, trailing zeros trimmed, one width for every element, scientific notation when the
/// values span more than 1e3 or go below 1e-4 or reach 1e8 (1e6 for float32)), integers
/// right-aligned, bools as ` True`/`False`, lines wrapped at 75 characters, and arrays of more
/// than 1000 elements summarised with `...` and 3 items at each end.

import Foundation
import KilnLang

enum ArrayFormat {
    static let lineWidth = 75
    static let threshold = 1000
    static let edgeItems = 3

    /// `repr(a)`: `array([1., 2.])`, with `dtype=` (and `shape=` for summarised or empty
    /// arrays) when the elements do not imply them.
    static func repr(_ a: NDArray) -> String {
        let prefix = "array("
        let body = a.size == 0 ? "[]" : text(a, width: lineWidth - 1, separator: ", ", prefix: prefix)
        var extras: [String] = []
        if (a.size == 0 && a.shape != [0]) || a.size > threshold { extras.append("shape=\(NDArray.describe(a.shape))") }
        if !a.dtype.isImpliedInRepr || a.size == 0 { extras.append("dtype=\(a.dtype.rawValue)") }
        if extras.isEmpty { return prefix + body + ")" }
        let head = prefix + body + ","
        let tail = extras.joined(separator: ", ") + ")"
        let lastLine = head.count - (head.lastIndex(of: "\n").map { head.distance(from: head.startIndex, to: $0) + 1 } ?? 0)
        let spacer = lastLine + tail.count + 1 > lineWidth ? "\n" + String(repeating: " ", count: prefix.count) : " "
        return head + spacer + tail
    }

    /// `str(a)` (what print shows): `[1. 2.]`; a 0-d array prints as its scalar.
    static func str(_ a: NDArray) -> String {
        if a.shape.isEmpty { return Repr.str(a.scalar(at: 0)) }
        return a.size == 0 ? "[]" : text(a, width: lineWidth, separator: " ", prefix: "")
    }

    // MARK: Layout

    /// numpy's `_formatArray`: nested brackets, rows on their own lines (a blank line between
    /// blocks of higher dimensions), long rows wrapped under the first element.
    private static func text(_ a: NDArray, width: Int, separator: String, prefix: String) -> String {
        let summarise = a.size > threshold
        let format = formatter(a, shown: shownOffsets(a.shape, summarise: summarise))
        let rowSeparator = separator.trimmingTrailingSpaces
        var strides = [Int](repeating: 1, count: a.ndim)
        for k in stride(from: a.ndim - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * a.shape[k + 1] }

        func recurse(_ axis: Int, _ offset: Int, _ hangingIndent: String, _ width: Int) -> String {
            if axis == a.ndim { return format(offset) }
            let nextIndent = hangingIndent + " "
            let nextWidth = width - 1
            let n = a.shape[axis]
            let summary = summarise && 2 * edgeItems < n
            let leading = summary ? Array(0..<edgeItems) : []
            let trailing = summary ? Array(n - edgeItems..<n) : Array(0..<n)
            func item(_ i: Int) -> String { recurse(axis + 1, offset + i * strides[axis], nextIndent, nextWidth) }
            var s = ""
            if axis == a.ndim - 1 {
                let elementWidth = width - max(rowSeparator.count, 1)
                var line = hangingIndent
                let words = leading.map(item) + (summary ? ["..."] : []) + trailing.map(item)
                for (k, word) in words.enumerated() {
                    let limit = k == words.count - 1 ? elementWidth : elementWidth
                    if line.count + word.count > limit && line.count > hangingIndent.count {
                        s += line.trimmingTrailingSpaces + "\n"
                        line = hangingIndent
                    }
                    line += word
                    if k < words.count - 1 { line += separator }
                }
                s += line
            } else {
                let lineSeparator = rowSeparator + String(repeating: "\n", count: a.ndim - axis - 1)
                var rows = leading.map(item)
                if summary { rows.append("...") }
                rows += trailing.map(item)
                s = rows.map { hangingIndent + $0 }.joined(separator: lineSeparator)
            }
            return "[" + s.dropFirst(hangingIndent.count) + "]"
        }
        return recurse(0, 0, " " + String(repeating: " ", count: prefix.count), width)
    }

    /// The flat offsets of the elements that will be printed (the corners when summarising).
    private static func shownOffsets(_ shape: [Int], summarise: Bool) -> [Int] {
        var offsets = [0]
        for (axis, n) in shape.enumerated() {
            let stride = shape[(axis + 1)...].reduce(1, *)
            let kept = summarise && n > 2 * edgeItems ? Array(0..<edgeItems) + Array(n - edgeItems..<n) : Array(0..<n)
            offsets = offsets.flatMap { o in kept.map { o + $0 * stride } }
        }
        return offsets
    }

    // MARK: Element formats

    /// The function printing element `offset` of `a`, its widths fitted to the shown elements.
    private static func formatter(_ a: NDArray, shown: [Int]) -> (Int) -> String {
        switch a.dtype {
        case .bool:
            let isScalar = a.shape.isEmpty
            return { a.storage.int(at: $0) != 0 ? (isScalar ? "True" : " True") : "False" }
        case .float32, .float64:
            let format = FloatFormat(shown.map { a.storage.double(at: $0) }, dtype: a.dtype)
            return { format.text(a.storage.double(at: $0)) }
        default:
            let values = shown.map { a.storage.int(at: $0) }
            let width = max(String(values.max() ?? 0).count, String(values.min() ?? 0).count)
            return { pad(String(a.storage.int(at: $0)), width) }
        }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// numpy's str of a float32 scalar: positional between 1e-4 and 1e6 (`0.1`, `2.0`),
    /// otherwise scientific (`1e-05`, `1.2345679e+08`).
    static func float32ScalarText(_ x: Float) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        let v = Double(x)
        let sign = x.sign == .minus ? "-" : ""
        let d = Digits(v, single: true)
        if v == 0 || (abs(v) >= 1e-4 && abs(v) < 1e6) {
            let (whole, fraction) = d.positional
            return sign + whole + "." + (fraction.isEmpty ? "0" : fraction)
        }
        let mantissa = String(d.digits.first ?? "0") + (d.digits.count > 1 ? "." + d.digits.dropFirst() : "")
        return sign + mantissa + "e" + exponentText(d.exponent, digits: 2)
    }

    static func exponentText(_ e: Int, digits: Int) -> String {
        let magnitude = String(abs(e))
        return (e < 0 ? "-" : "+") + String(repeating: "0", count: max(0, digits - magnitude.count)) + magnitude
    }
}

/// The decimal digits of a float: the shortest that read back to the same value (of float32
/// when `single`), as `d.ddd × 10^exponent`.
struct Digits {
    var digits: String
    var exponent: Int

    init(_ x: Double, single: Bool) {
        var text = single ? Float(x).magnitude.description : x.magnitude.description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        var all = whole + fraction
        exponent += whole.count - 1
        while all.first == "0" && all.count > 1 {
            all.removeFirst()
            exponent -= 1
        }
        while all.last == "0" && all.count > 1 { all.removeLast() }
        if all == "0" { exponent = 0 }
        self.digits = all
        self.exponent = exponent
    }

    init(digits: String, exponent: Int) {
        self.digits = digits
        self.exponent = exponent
    }

    /// Digits after the decimal point in positional notation.
    var fractionCount: Int { max(0, digits.count - 1 - exponent) }

    /// The integer and fraction parts in positional notation (`"0"`, `"25"` for 0.25).
    var positional: (whole: String, fraction: String) {
        if exponent < 0 { return ("0", String(repeating: "0", count: -exponent - 1) + digits) }
        if digits.count <= exponent + 1 { return (digits + String(repeating: "0", count: exponent + 1 - digits.count), "") }
        let cut = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return (String(digits[..<cut]), String(digits[cut...]))
    }

    /// At most `precision` digits after the point: the shortest digits when they fit, else
    /// the exact value correctly rounded (numpy's Dragon4 with a cutoff), trailing zeros
    /// trimmed.
    static func positional(_ x: Double, single: Bool, precision: Int) -> (whole: String, fraction: String) {
        let d = Digits(x, single: single)
        if d.fractionCount <= precision { return d.positional }
        let text = String(format: "%.\(precision)f", x.magnitude)
        let parts = text.split(separator: ".")
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.last == "0" { fraction.removeLast() }
        return (String(parts[0]), fraction)
    }

    /// At most `precision` digits after the first, likewise.
    static func scientific(_ x: Double, single: Bool, precision: Int) -> Digits {
        let d = Digits(x, single: single)
        if d.digits.count - 1 <= precision { return d }
        let text = String(format: "%.\(precision)e", x.magnitude)
        let parts = text.split(separator: "e")
        var digits = parts[0].replacingOccurrences(of: ".", with: "")
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        return Digits(digits: digits, exponent: Int(parts[1]) ?? 0)
    }
}

/// numpy's `FloatingFormat` in its default mode ('maxprec', precision 8): one layout fitted to
/// all the values shown, then each value printed in it.
private struct FloatFormat {
    let single: Bool
    let scientific: Bool
    let precision: Int
    var padLeft = 0
    var padRight = 0
    var exponentDigits = 2

    init(_ values: [Double], dtype: DType) {
        let single = dtype == .float32
        self.single = single
        let finite = values.filter(\.isFinite)
        let magnitudes = finite.filter { $0 != 0 }.map(\.magnitude)
        if let high = magnitudes.max(), let low = magnitudes.min() {
            scientific = high >= (single ? 1e6 : 1e8) || low < 0.0001 || high / low > 1000
        } else {
            scientific = false
        }
        if scientific {
            let parts = finite.map { Digits.scientific($0, single: single, precision: 8) }
            precision = parts.map { $0.digits.count - 1 }.max() ?? 0
            exponentDigits = max(2, parts.map { String(abs($0.exponent)).count }.max() ?? 2)
            padLeft = zip(finite, parts).map { x, _ in x.sign == .minus ? 2 : 1 }.max() ?? 0
            padRight = exponentDigits + 2 + precision
        } else {
            precision = 8
            for x in finite {
                let (whole, fraction) = Digits.positional(x, single: single, precision: 8)
                padLeft = max(padLeft, whole.count + (x.sign == .minus ? 1 : 0))
                padRight = max(padRight, fraction.count)
            }
        }
        if finite.count != values.count {
            let negativeInfinity = values.contains { $0 == -.infinity } ? 1 : 0
            padLeft = max(padLeft, 3 - (padRight + 1), 3 + negativeInfinity - (padRight + 1))
        }
    }

    func text(_ x: Double) -> String {
        if !x.isFinite {
            let word = x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf")
            return ArrayFormat.pad(word, padLeft + padRight + 1)
        }
        let sign = x.sign == .minus ? "-" : ""
        if scientific {
            let d = Digits.scientific(x, single: single, precision: precision)
            let fraction = String(d.digits.dropFirst())
            let mantissa = sign + String(d.digits.prefix(1))
            return ArrayFormat.pad(mantissa, padLeft) + "." + fraction + String(repeating: "0", count: precision - fraction.count)
                + "e" + ArrayFormat.exponentText(d.exponent, digits: exponentDigits)
        }
        let (whole, fraction) = Digits.positional(x, single: single, precision: precision)
        return ArrayFormat.pad(sign + whole, padLeft) + "." + fraction + String(repeating: " ", count: padRight - fraction.count)
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
