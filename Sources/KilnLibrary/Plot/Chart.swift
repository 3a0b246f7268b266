/// A line chart: series of (x, y) points drawn as lines and/or markers inside axes with a
/// title, axis labels, ticks and a legend. `plot`, `matplotlib.pyplot` and a study's `plot()`
/// build one; `ChartSVG` draws it for notebooks and exports, `ChartBraille` as text for the
/// terminal. Axes span the finite data with a 5 % margin, as matplotlib's do, and carry ticks
/// at "nice" steps (1, 2, 2.5 or 5 times a power of ten).

import Foundation

struct Chart {
    /// How a series' points are marked.
    enum Marker: Equatable {
        case circle, point, square, triangle, cross, plus
    }

    /// One series: points, the label the legend shows, a colour (`#rrggbb`), a line (solid or
    /// with an SVG dash pattern) and/or markers.
    struct Series {
        var x: [Double]
        var y: [Double]
        var label: String?
        var color: String
        var line = true
        var dash: String?
        var marker: Marker?
        /// Drawn as steps (horizontal, then vertical), as a best-so-far curve is.
        var steps = false

        /// The points the line passes through: the data, with a corner before each step.
        func path(_ points: [(Double, Double)]) -> [(Double, Double)] {
            guard steps else { return points }
            var out: [(Double, Double)] = []
            for (i, p) in points.enumerated() {
                if i > 0 { out.append((p.0, points[i - 1].1)) }
                out.append(p)
            }
            return out
        }
    }

    var title: String?
    var xLabel: String?
    var yLabel: String?
    var series: [Series] = []
    /// Given tick positions (nil: chosen from the data), with their labels.
    var xTicks: [(Double, String)]?
    var yTicks: [(Double, String)]?
    var legend = false

    /// matplotlib's default colour cycle ("tab10").
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The next colour of the cycle for a chart that already has `count` series.
    static func cycleColor(_ count: Int) -> String { palette[count % palette.count] }

    /// Whether every x is a whole number (epochs, trial numbers), so x ticks should be too.
    var integerX: Bool { series.allSatisfy { $0.x.allSatisfy { !$0.isFinite || $0 == $0.rounded() } } }

    /// The axes' ranges: the finite data (and given ticks) with a 5 % margin on each side.
    var ranges: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        func range(_ values: [Double], _ ticks: [(Double, String)]?) -> ClosedRange<Double> {
            let finite = (values + (ticks?.map(\.0) ?? [])).filter(\.isFinite)
            guard let low = finite.min(), let high = finite.max() else { return 0...1 }
            // Scaled before subtracting, so that data spanning all of Double's range does not
            // overflow; the bounds stay finite.
            let spread = high - low
            let pad = high == low ? (low == 0 ? 1 : Swift.abs(low) * 0.05) : spread.isFinite ? spread * 0.05 : high * 0.05 - low * 0.05
            let limit = Double.greatestFiniteMagnitude
            return Swift.max(-limit, low - pad)...Swift.min(limit, high + pad)
        }
        return (range(series.flatMap(\.x), xTicks), range(series.flatMap(\.y), yTicks))
    }

    /// Where `v` lies in `range`: 0 at its lower bound, 1 at its upper. Halved before
    /// subtracting (exact, bar subnormals), so the widest finite ranges do not overflow.
    static func fraction(_ v: Double, in range: ClosedRange<Double>) -> Double {
        (v / 2 - range.lowerBound / 2) / (range.upperBound / 2 - range.lowerBound / 2)
    }

    /// The ticks of an axis spanning `range`: the given ones inside it, or about `target`
    /// nice values.
    static func ticks(_ range: ClosedRange<Double>, given: [(Double, String)]?, target: Int = 6, integers: Bool = false) -> [(Double, String)] {
        if let given { return given.filter { range.contains($0.0) } }
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [] }
        let raw = span / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        // Integer data (epochs, trial numbers) gets whole steps: no 2.5, nothing below 1.
        let multiples = integers ? [1.0, 2, 5, 10] : [1.0, 2, 2.5, 5, 10]
        let step = integers && raw < 1 ? 1 : multiples.map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let decimals = Swift.max(0, -Int(floor(log10(step))) + (step / magnitude == 2.5 ? 1 : 0))
        var values: [(Double, String)] = []
        var k = ceil(range.lowerBound / step)
        while k * step <= range.upperBound + step * 1e-9, values.count < 50 {
            let value = k * step
            values.append((value, label(value, decimals: decimals)))
            k += 1
        }
        return values
    }

    /// `value` with `decimals` digits after the point, or in exponent form when it is very
    /// large or small; never "-0".
    static func label(_ value: Double, decimals: Int) -> String {
        let magnitude = Swift.abs(value)
        if magnitude != 0, magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%.3g", value) }
        let text = String(format: "%.\(decimals)f", value)
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }
}
