/// `matplotlib.pyplot`, the subset the Keras book uses, drawing through Kiln's chart renderer:
/// `figure`, `plot(x, y, 'bo', label=…)` (format strings: colour b g r c m y k w, marker
/// o . s ^ x + *, line - -- : -.), `scatter`, `title`, `xlabel`, `ylabel`, `legend`, `xticks`,
/// `yticks`, `clf`, `close`, `show`. Calls build the current figure; `show()` displays it (SVG
/// and braille) and starts a new one, as the inline backend does at the end of a cell;
/// `figure()` shows a figure that was drawn but not shown yet.

import KilnLang

final class PyplotState {
    var chart = Chart()
    var drawn: Bool { !chart.series.isEmpty }
}

enum PyplotModule {
    /// matplotlib's single-letter colours.
    static let letters: [Character: String] = ["b": "#0000ff", "g": "#008000", "r": "#ff0000", "c": "#00bfbf", "m": "#bf00bf",
                                               "y": "#bfbf00", "k": "#000000", "w": "#ffffff"]
    static let names = ["blue": "#0000ff", "green": "#008000", "red": "#ff0000", "cyan": "#00ffff", "magenta": "#ff00ff",
                        "yellow": "#ffff00", "black": "#000000", "white": "#ffffff", "orange": "#ffa500", "purple": "#800080",
                        "gray": "#808080", "grey": "#808080", "brown": "#a52a2a", "pink": "#ffc0cb"]
    static let markers: [Character: Chart.Marker] = ["o": .circle, ".": .point, ",": .point, "s": .square, "^": .triangle,
                                                     "v": .triangle, "x": .cross, "+": .plus, "*": .plus, "d": .square, "D": .square]

    /// A colour argument: a letter, a name, `C0`…`C9` or `#rrggbb`.
    static func color(_ text: String) throws -> String {
        if text.count == 1, let c = text.first, let hex = letters[c] { return hex }
        if let hex = names[text.lowercased()] { return hex }
        if text.count == 2, text.first == "C", let digit = text.last?.wholeNumberValue { return Chart.palette[digit] }
        if text.hasPrefix("#"), text.count == 7, Int(text.dropFirst(), radix: 16) != nil { return text.lowercased() }
        throw KilnError.value("\(Repr.repr(.string(text))) is not a valid color value")
    }

    /// A format string's colour, marker and line style: 'bo' is blue circles without a line,
    /// 'r--' a dashed red line, 'b' a blue line.
    static func format(_ fmt: String) throws -> (color: String?, marker: Chart.Marker?, line: Bool, dash: String?) {
        var color: String?, marker: Chart.Marker?, line: String?
        var rest = Substring(fmt)
        while let c = rest.first {
            if rest.hasPrefix("--") || rest.hasPrefix("-.") {
                line = String(rest.prefix(2)); rest = rest.dropFirst(2)
            } else if c == "-" || c == ":" {
                line = String(c); rest = rest.dropFirst()
            } else if let m = markers[c] {
                marker = m; rest = rest.dropFirst()
            } else if let hex = letters[c] {
                color = hex; rest = rest.dropFirst()
            } else {
                throw KilnError.value("\(Repr.repr(.string(fmt))) is not a valid format string (unrecognized character '\(c)')")
            }
        }
        let dashes = ["--": "6,4", ":": "2,3", "-.": "6,3,2,3"]
        return (color, marker, line != nil || marker == nil, line.flatMap { dashes[$0] })
    }

    static func register(in registry: ModuleRegistry) {
        registry.register("matplotlib.pyplot") { _ in make(PyplotState()) }
        registry.register("matplotlib") { interpreter in
            KModule("matplotlib", members: ["pyplot": .object(try interpreter.importModule(["matplotlib", "pyplot"]))],
                    doc: "Kiln's matplotlib: the pyplot subset the Keras book uses.")
        }
    }

    static func make(_ state: PyplotState) -> KModule {
        let m = KModule("matplotlib.pyplot", doc: "The pyplot subset the Keras book uses, drawn as SVG in notebooks and braille in the terminal.")
        func addSeries(_ a: BoundArguments, x: [Double], y: [Double], fmt: String?, scatter: Bool, label: Int, color colorIndex: Int) throws {
            var series = Chart.Series(x: x, y: y, label: nil, color: Chart.cycleColor(state.chart.series.count))
            if let fmt {
                let parsed = try format(fmt)
                if let c = parsed.color { series.color = c }
                series.marker = parsed.marker
                series.line = parsed.line
                series.dash = parsed.dash
            }
            if scatter { series.line = false; series.marker = series.marker ?? .circle }
            series.label = try a.optionalString(label)
            if let c = try a.optionalString(colorIndex) { series.color = try color(c) }
            state.chart.series.append(series)
        }
        m.add([
            KBuiltin("figure", "num=None, figsize=None, dpi=None", doc: "Start a new figure (showing the current one if it was drawn and not shown).") { a in
                if state.drawn { PlotModule.show(state.chart, a.interpreter) }
                state.chart = Chart()
                return .none
            },
            KBuiltin("plot", "*args, label=None, color=None", doc: "plot(y), plot(x, y) or plot(x, y, fmt): add a line and/or markers to the figure.") { a in
                var args = try a.list(0)
                var fmt: String?
                if case .string(let s)? = args.last { fmt = s; args.removeLast() }
                let y: [Double], x: [Double]
                switch args.count {
                case 1:
                    y = try PlotModule.numbers(args[0], a.interpreter, what: "y")
                    x = y.indices.map(Double.init)
                case 2:
                    x = try PlotModule.numbers(args[0], a.interpreter, what: "x")
                    y = try PlotModule.numbers(args[1], a.interpreter, what: "y")
                default:
                    throw KilnError.type("plot() takes y, x and y, or x, y and a format string; Kiln draws one line per call (got \(args.count) data arguments)")
                }
                guard x.count == y.count else { throw KilnError.value("x and y must have same first dimension, but have shapes (\(x.count),) and (\(y.count),)") }
                try addSeries(a, x: x, y: y, fmt: fmt, scatter: false, label: 1, color: 2)
                return .none
            },
            KBuiltin("scatter", "x, y, label=None, color=None, marker='o'", doc: "Add points (markers, no line) to the figure.") { a in
                let x = try PlotModule.numbers(a[0], a.interpreter, what: "x"), y = try PlotModule.numbers(a[1], a.interpreter, what: "y")
                guard x.count == y.count else { throw KilnError.value("x and y must be the same size") }
                try addSeries(a, x: x, y: y, fmt: try a.string(4), scatter: true, label: 2, color: 3)
                return .none
            },
            KBuiltin("title", "label", doc: "Set the figure's title.") { a in state.chart.title = try a.string(0); return .none },
            KBuiltin("xlabel", "xlabel", doc: "Set the x axis label.") { a in state.chart.xLabel = try a.string(0); return .none },
            KBuiltin("ylabel", "ylabel", doc: "Set the y axis label.") { a in state.chart.yLabel = try a.string(0); return .none },
            KBuiltin("legend", "*args, loc=None", doc: "Show a legend of the labelled series.") { _ in state.chart.legend = true; return .none },
            KBuiltin("xticks", "ticks=None, labels=None", doc: "Set the x ticks (and their labels).") { a in
                state.chart.xTicks = try ticks(a, a.interpreter); return .none
            },
            KBuiltin("yticks", "ticks=None, labels=None", doc: "Set the y ticks (and their labels).") { a in
                state.chart.yTicks = try ticks(a, a.interpreter); return .none
            },
            KBuiltin("clf", "", doc: "Clear the current figure.") { _ in state.chart = Chart(); return .none },
            KBuiltin("close", "fig=None", doc: "Close the current figure without showing it.") { _ in state.chart = Chart(); return .none },
            KBuiltin("show", "block=None", doc: "Show the current figure and start a new one.") { a in
                if state.drawn { PlotModule.show(state.chart, a.interpreter) }
                state.chart = Chart()
                return .none
            },
        ])
        return m
    }

    /// `xticks(ticks, labels)`: positions with their labels (the numbers themselves by default).
    private static func ticks(_ a: BoundArguments, _ interpreter: Interpreter) throws -> [(Double, String)]? {
        if a.isNone(0) { return nil }
        let positions = try PlotModule.numbers(a[0], interpreter, what: "ticks")
        let labels = try a.isNone(1) ? positions.map { Chart.label($0, decimals: $0 == $0.rounded() ? 0 : 2) } : interpreter.iterate(a[1]).map { Repr.str($0) }
        guard labels.count == positions.count else {
            throw KilnError.value("The number of FixedLocator locations (\(positions.count)), usually from a call to set_ticks, does not match the number of labels (\(labels.count)).")
        }
        return Array(zip(positions, labels))
    }
}
