/// A chart as a self-contained SVG image (640 × 400): frame, grid, ticks and their labels,
/// title, axis labels, the series as polylines and markers clipped to the axes, and a legend
/// in the corner where it hides the fewest points. No scripts, no external fonts or links, so
/// an export can embed it as it is.

import Foundation

enum ChartSVG {
    static let width = 640.0, height = 400.0
    static let right = 20.0, top = 40.0, bottom = 50.0

    static func render(_ chart: Chart) -> String {
        let (xRange, yRange) = chart.ranges
        let yTicks = Chart.ticks(yRange, given: chart.yTicks)
        // Room on the left for the longest y tick label (about 7 px a character) and the axis label.
        let left = Swift.max(70, 38 + 7 * Double(yTicks.map(\.1.count).max() ?? 0))
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ v: Double) -> Double { left + plotWidth * Chart.fraction(v, in: xRange) }
        func y(_ v: Double) -> Double { top + plotHeight * (1 - Chart.fraction(v, in: yRange)) }
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">",
                   "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                   "<defs><clipPath id=\"axes\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\"/></clipPath></defs>"]
        for (value, label) in Chart.ticks(xRange, given: chart.xTicks, integers: chart.integerX) {
            let px = f(x(value))
            svg.append("<line x1=\"\(px)\" y1=\"\(f(top))\" x2=\"\(px)\" y2=\"\(f(top + plotHeight))\" stroke=\"#e6e6e6\"/>")
            svg.append("<line x1=\"\(px)\" y1=\"\(f(top + plotHeight))\" x2=\"\(px)\" y2=\"\(f(top + plotHeight + 5))\" stroke=\"black\"/>")
            svg.append("<text x=\"\(px)\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(escape(label))</text>")
        }
        for (value, label) in yTicks {
            let py = f(y(value))
            svg.append("<line x1=\"\(f(left))\" y1=\"\(py)\" x2=\"\(f(left + plotWidth))\" y2=\"\(py)\" stroke=\"#e6e6e6\"/>")
            svg.append("<line x1=\"\(f(left - 5))\" y1=\"\(py)\" x2=\"\(f(left))\" y2=\"\(py)\" stroke=\"black\"/>")
            svg.append("<text x=\"\(f(left - 8))\" y=\"\(py)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(escape(label))</text>")
        }
        svg.append("<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"black\"/>")
        if let title = chart.title {
            svg.append("<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top - 14))\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>")
        }
        if let label = chart.xLabel {
            svg.append("<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(escape(label))</text>")
        }
        if let label = chart.yLabel {
            svg.append("<text transform=\"translate(16 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" dominant-baseline=\"middle\">\(escape(label))</text>")
        }
        svg.append("<g clip-path=\"url(#axes)\">")
        for series in chart.series {
            let points = zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }.map { (x($0.0), y($0.1)) }
            if series.line, points.count > 1 {
                let dash = series.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                svg.append("<polyline fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"1.8\"\(dash) points=\"" +
                           series.path(points).map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>")
            }
            if let marker = series.marker {
                svg.append(contentsOf: points.map { markerShape(marker, at: $0, color: series.color) })
            }
        }
        svg.append("</g>")
        let labelled = chart.series.filter { $0.label != nil }
        if chart.legend, !labelled.isEmpty {
            let longest = labelled.map { $0.label?.count ?? 0 }.max() ?? 0
            let boxWidth = 44 + 7 * Double(longest), boxHeight = 8 + 18 * Double(labelled.count)
            // matplotlib's loc='best', over the four corners: the one covering the fewest points
            // (upper right first on ties).
            let points = chart.series.flatMap { series in zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }.map { (x($0.0), y($0.1)) } }
            let corners = [(left + plotWidth - boxWidth - 8, top + 8), (left + 8, top + 8),
                           (left + 8, top + plotHeight - boxHeight - 8), (left + plotWidth - boxWidth - 8, top + plotHeight - boxHeight - 8)]
            let covered = corners.map { corner in
                points.filter { $0.0 >= corner.0 && $0.0 <= corner.0 + boxWidth && $0.1 >= corner.1 && $0.1 <= corner.1 + boxHeight }.count
            }
            let best = covered.indices.min { covered[$0] < covered[$1] } ?? 0
            let (bx, by) = corners[best]
            svg.append("<rect x=\"\(f(bx))\" y=\"\(f(by))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>")
            for (i, series) in labelled.enumerated() {
                let ly = by + 13 + 18 * Double(i)
                if series.line {
                    let dash = series.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                    svg.append("<line x1=\"\(f(bx + 8))\" y1=\"\(f(ly))\" x2=\"\(f(bx + 32))\" y2=\"\(f(ly))\" stroke=\"\(series.color)\" stroke-width=\"1.8\"\(dash)/>")
                }
                if let marker = series.marker { svg.append(markerShape(marker, at: (bx + 20, ly), color: series.color)) }
                svg.append("<text x=\"\(f(bx + 38))\" y=\"\(f(ly))\" dominant-baseline=\"middle\">\(escape(series.label ?? ""))</text>")
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    private static func markerShape(_ marker: Chart.Marker, at p: (Double, Double), color: String) -> String {
        let (x, y) = p
        switch marker {
        case .circle: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"\(color)\"/>"
        case .point: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"2\" fill=\"\(color)\"/>"
        case .square: return "<rect x=\"\(f(x - 3.5))\" y=\"\(f(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(color)\"/>"
        case .triangle: return "<polygon points=\"\(f(x)),\(f(y - 4)) \(f(x - 4)),\(f(y + 3.5)) \(f(x + 4)),\(f(y + 3.5))\" fill=\"\(color)\"/>"
        case .cross: return "<path d=\"M\(f(x - 3.5)) \(f(y - 3.5))L\(f(x + 3.5)) \(f(y + 3.5))M\(f(x - 3.5)) \(f(y + 3.5))L\(f(x + 3.5)) \(f(y - 3.5))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        case .plus: return "<path d=\"M\(f(x - 4)) \(f(y))L\(f(x + 4)) \(f(y))M\(f(x)) \(f(y - 4))L\(f(x)) \(f(y + 4))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        }
    }

    private static func f(_ d: Double) -> String { String(format: "%.1f", d) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
