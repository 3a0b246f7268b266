/// A chart as text for a terminal: the axes are a grid of Unicode braille characters, each 2 × 4
/// dots, so a 60-column chart has 120 × 64 points; lines are drawn dot by dot between
/// consecutive points, markers as single dots. Tick labels sit on the left and below, the
/// legend under the chart. With more than one series each is coloured (ANSI) after its colour;
/// exports strip the escapes and show the SVG instead.

import Foundation

enum ChartBraille {
    static let columns = 60, rows = 16

    static func render(_ chart: Chart) -> String {
        let (xRange, yRange) = chart.ranges
        let dotsWide = columns * 2, dotsHigh = rows * 4
        var cells = [UInt8](repeating: 0, count: columns * rows)
        var owners = [Int](repeating: -1, count: columns * rows)
        let colored = chart.series.count > 1

        func dot(_ dx: Int, _ dy: Int, _ owner: Int) {
            guard (0..<dotsWide).contains(dx), (0..<dotsHigh).contains(dy) else { return }
            let cell = (dy / 4) * columns + dx / 2
            let bits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
            cells[cell] |= bits[dx % 2][dy % 4]
            owners[cell] = owner
        }
        func position(_ x: Double, _ y: Double) -> (Int, Int) {
            let fx = Chart.fraction(x, in: xRange), fy = Chart.fraction(y, in: yRange)
            return (Int((fx * Double(dotsWide - 1)).rounded()), Int(((1 - fy) * Double(dotsHigh - 1)).rounded()))
        }
        for (index, series) in chart.series.enumerated() {
            let points = zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }.map { position($0.0, $0.1) }
            if series.line, points.count > 1 {
                let path = series.path(points.map { (Double($0.0), Double($0.1)) }).map { (Int($0.0), Int($0.1)) }
                for (a, b) in zip(path, path.dropFirst()) { line(from: a, to: b) { dot($0, $1, index) } }
            }
            if series.marker != nil || !series.line || points.count == 1 {
                // A marker is a 2 × 2 block of dots, to stand out from lines.
                for p in points {
                    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] { dot(p.0 + dx, p.1 + dy, index) }
                }
            }
        }

        let yTicks = Chart.ticks(yRange, given: chart.yTicks, target: 4)
        let labelWidth = yTicks.map(\.1.count).max() ?? 0
        var tickAtRow = [Int: String]()
        for (value, label) in yTicks { tickAtRow[position(xRange.lowerBound, value).1 / 4] = label }
        var lines: [String] = []
        if let title = chart.title { lines.append(String(repeating: " ", count: labelWidth + 2 + Swift.max(0, (columns - title.count) / 2)) + title) }
        for row in 0..<rows {
            let label = tickAtRow[row] ?? ""
            var text = String(repeating: " ", count: labelWidth - label.count) + label + (tickAtRow[row] == nil ? " │" : " ┤")
            var current = -1
            for column in 0..<columns {
                let cell = row * columns + column
                let owner = cells[cell] == 0 ? -1 : owners[cell]
                if colored, owner != current {
                    text += owner < 0 ? "\u{1B}[0m" : "\u{1B}[\(ansi(chart.series[owner].color))m"
                    current = owner
                }
                text += cells[cell] == 0 ? " " : String(UnicodeScalar(0x2800 + UInt32(cells[cell])).map(Character.init) ?? " ")
            }
            if colored, current >= 0 { text += "\u{1B}[0m" }
            while text.last == " " { text.removeLast() }
            lines.append(text)
        }
        // The x axis: a tick mark under each tick's column, labels centred under them.
        let xTicks = Chart.ticks(xRange, given: chart.xTicks, target: 5, integers: chart.integerX)
        var axis = Array(String(repeating: "─", count: columns))
        var labels = Array(String(repeating: " ", count: columns + 8))
        var free = 0
        for (value, label) in xTicks {
            let column = position(value, yRange.lowerBound).0 / 2
            guard (0..<columns).contains(column) else { continue }
            axis[column] = "┬"
            let start = Swift.max(free, column - label.count / 2)
            guard start + label.count <= labels.count else { continue }
            for (i, c) in label.enumerated() { labels[start + i] = c }
            free = start + label.count + 1
        }
        let indent = String(repeating: " ", count: labelWidth + 1)
        lines.append(indent + "└" + String(axis))
        lines.append((indent + " " + String(labels)).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        if let label = chart.xLabel { lines.append(indent + String(repeating: " ", count: Swift.max(0, (columns - label.count) / 2)) + label) }
        if let label = chart.yLabel { lines.insert("\(label) ↑", at: chart.title == nil ? 0 : 1) }
        let legend = chart.series.filter { $0.label != nil }.map { series in
            let sample = series.line ? "──" : "••"
            return (colored ? "\u{1B}[\(ansi(series.color))m\(sample)\u{1B}[0m" : sample) + " " + (series.label ?? "")
        }
        if !legend.isEmpty, chart.legend || chart.series.count > 1 { lines.append(indent + " " + legend.joined(separator: "   ")) }
        return lines.joined(separator: "\n")
    }

    /// The dots of the segment from `a` to `b` (Bresenham).
    static func line(from a: (Int, Int), to b: (Int, Int), _ plot: (Int, Int) -> Void) {
        var (x, y) = a
        let dx = Swift.abs(b.0 - x), dy = -Swift.abs(b.1 - y)
        let sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var error = dx + dy
        while true {
            plot(x, y)
            if x == b.0 && y == b.1 { return }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// The ANSI foreground colour nearest `hex` (#rrggbb) among the six hues and grey.
    static func ansi(_ hex: String) -> Int {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = Int(digits, radix: 16) else { return 39 }
        let rgb = [Double((value >> 16) & 0xff), Double((value >> 8) & 0xff), Double(value & 0xff)]
        let choices: [(Int, [Double])] = [(31, [214, 39, 40]), (32, [44, 160, 44]), (33, [255, 127, 14]), (34, [31, 119, 180]),
                                          (35, [148, 103, 189]), (36, [23, 190, 207]), (90, [127, 127, 127])]
        return choices.min { a, b in
            zip(a.1, rgb).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) < zip(b.1, rgb).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        }?.0 ?? 39
    }
}
