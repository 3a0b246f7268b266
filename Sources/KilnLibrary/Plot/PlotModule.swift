/// The `plot` module (also `kiln.plot`): line plots of training histories, of any named series
/// and of search traces, shown as display outputs — SVG for notebooks and exports, a braille
/// chart as the text a terminal prints:
///
///     plot.history(history)                       # loss and val_loss by epoch
///     plot.history(history, 'accuracy')
///     plot.compare({'with BN': h1, 'without': h2}, 'val_loss')
///     plot.lines({'train': [...], 'test': [...]}, x=None, title=..., xlabel=..., ylabel=...)
///     plot.trace({'random': losses_a, 'tpe': losses_b})   # best so far by trial
///
/// Each function shows its chart and returns None.

import KilnLang

enum PlotModule {
    /// Shows `chart` through the interpreter's display hook: the braille text, then the SVG.
    static func show(_ chart: Chart, _ interpreter: Interpreter) {
        interpreter.display([DisplayItem(mime: "text/plain", text: ChartBraille.render(chart)),
                             DisplayItem(mime: "image/svg+xml", text: ChartSVG.render(chart))])
    }

    /// Numbers from a list, tuple or array; None and NaN become NaN (gaps).
    static func numbers(_ value: Value, _ interpreter: Interpreter, what: String) throws -> [Double] {
        if let array = value.as(NDArray.self) { return array.elements }
        return try interpreter.iterate(value).map { item in
            if case .none = item { return .nan }
            guard let d = item.asDouble else { throw KilnError.type("\(what) must hold numbers, not '\(item.typeName)'") }
            return d
        }
    }

    /// A history's per-epoch values by name: a Keras History or its `.history` dict.
    static func logs(_ value: Value, _ interpreter: Interpreter) throws -> KDict {
        if let history = value.as(HistoryValue.self) { return history.history }
        if let dict = value.as(KDict.self) { return dict }
        throw KilnError.type("expected a History (what model.fit returns) or its .history dict, not '\(value.typeName)'")
    }

    /// A history's values of `key` by epoch (1, 2, 3, …), or nil when it has no such key.
    static func epochSeries(_ logs: KDict, _ key: String, label: String, color: String, _ interpreter: Interpreter) throws -> Chart.Series? {
        guard let values = try logs.get(.string(key)) else { return nil }
        let y = try numbers(values, interpreter, what: "history['\(key)']")
        return Chart.Series(x: y.indices.map { Double($0 + 1) }, y: y, label: label, color: color)
    }

    /// Series from a dict of label → values (or a single unlabelled list), against `x` or
    /// 1, 2, 3, ….
    static func series(_ value: Value, x: Value, _ interpreter: Interpreter) throws -> [Chart.Series] {
        let entries: [(String?, Value)]
        if let dict = value.as(KDict.self) {
            entries = try dict.table.entries.map { key, value in
                guard case .string(let label) = key else { throw KilnError.type("series labels must be strings, not '\(key.typeName)'") }
                return (label, value)
            }
        } else {
            entries = [(nil, value)]
        }
        return try entries.enumerated().map { index, entry in
            let y = try numbers(entry.1, interpreter, what: entry.0.map { "series '\($0)'" } ?? "the series")
            let xs: [Double]
            if case .none = x { xs = y.indices.map { Double($0 + 1) } } else { xs = try numbers(x, interpreter, what: "x") }
            guard xs.count >= y.count else {
                throw KilnError.value("x has \(xs.count) values but \(entry.0.map { "series '\($0)'" } ?? "the series") has \(y.count)")
            }
            return Chart.Series(x: Array(xs.prefix(y.count)), y: y, label: entry.0, color: Chart.cycleColor(index))
        }
    }

    /// The best value so far at each trial (failed trials, NaN, keep the best before them).
    static func bestSoFar(_ values: [Double], maximize: Bool) -> [Double] {
        var best = Double.nan
        return values.map { v in
            if v.isFinite, best.isNaN || (maximize ? v > best : v < best) { best = v }
            return best
        }
    }

    /// The chart of a search trace: each trial's value as a point and the best so far as a line.
    static func traceChart(_ values: [Double], maximize: Bool, title: String?) -> Chart {
        let x = (0..<values.count).map(Double.init)
        return Chart(title: title, xLabel: "trial", yLabel: "value",
                     series: [Chart.Series(x: x, y: values, label: "trial value", color: Chart.palette[0], line: false, marker: .circle),
                              Chart.Series(x: x, y: bestSoFar(values, maximize: maximize), label: "best so far", color: Chart.palette[1], steps: true)],
                     legend: true)
    }

    static func maximizing(_ direction: String) throws -> Bool {
        switch direction {
        case "minimize": return false
        case "maximize": return true
        default: throw KilnError.value("direction must be 'minimize' or 'maximize', not \(Repr.repr(.string(direction)))")
        }
    }

    static func register(in registry: ModuleRegistry) {
        registry.register("plot") { _ in make() }
        registry.register("kiln.plot") { interpreter in try interpreter.importModule(["plot"]) }
    }

    static func make() -> KModule {
        let m = KModule("plot", doc: "Line plots of histories, series and search traces: SVG in notebooks, braille in the terminal.")
        m.add([
            KBuiltin("history", "history, metric='loss', title=None",
                     doc: "Plot a training history's metric and its validation twin (val_…) by epoch.") { a in
                let logs = try logs(a[0], a.interpreter)
                let metric = try a.string(1)
                var series: [Chart.Series] = []
                for (key, label) in [(metric, "training \(metric)"), ("val_" + metric, "validation \(metric)")] {
                    guard var line = try epochSeries(logs, key, label: label, color: Chart.cycleColor(series.count), a.interpreter) else { continue }
                    line.marker = line.y.count <= 30 ? .point : nil
                    series.append(line)
                }
                guard !series.isEmpty else {
                    let known = logs.table.orderedKeys.compactMap { if case .string(let s) = $0 { s } else { nil } }
                    throw KilnError.key("the history has no '\(metric)'; it has \(known.map { "'\($0)'" }.joined(separator: ", "))")
                }
                let title = try a.optionalString(2) ?? (series.count > 1 ? "Training and validation \(metric)" : metric)
                show(Chart(title: title, xLabel: "epoch", yLabel: metric, series: series, legend: true), a.interpreter)
                return .none
            },
            KBuiltin("compare", "histories, metric='val_loss', title=None",
                     doc: "Plot one metric of several histories ({name: History}) by epoch, one line each.") { a in
                guard let dict = a[0].as(KDict.self) else { throw KilnError.type("compare() needs a dict of name → History, not '\(a[0].typeName)'") }
                let metric = try a.string(1)
                let series = try dict.table.entries.enumerated().map { index, entry -> Chart.Series in
                    let name = entry.key.asString ?? Repr.repr(entry.key)
                    guard let line = try epochSeries(try logs(entry.value, a.interpreter), metric, label: name, color: Chart.cycleColor(index), a.interpreter) else {
                        throw KilnError.key("history '\(name)' has no '\(metric)'")
                    }
                    return line
                }
                show(Chart(title: try a.optionalString(2) ?? metric, xLabel: "epoch", yLabel: metric, series: series, legend: true), a.interpreter)
                return .none
            },
            KBuiltin("lines", "series, x=None, title=None, xlabel=None, ylabel=None",
                     doc: "Plot a list of numbers, or a dict of label → list, as lines against x (default 1, 2, 3, …).") { a in
                let series = try series(a[0], x: a[1], a.interpreter)
                show(Chart(title: try a.optionalString(2), xLabel: try a.optionalString(3), yLabel: try a.optionalString(4), series: series,
                           legend: series.contains { $0.label != nil }), a.interpreter)
                return .none
            },
            KBuiltin("trace", "values, direction='minimize', title=None",
                     doc: "Plot a search trace: for a list of trial values, each value and the best so far; for a dict of name → values, each search's best so far.") { a in
                let maximize = try maximizing(try a.string(1))
                if let dict = a[0].as(KDict.self) {
                    let series = try dict.table.entries.enumerated().map { index, entry -> Chart.Series in
                        let (key, values) = (entry.key, try numbers(entry.value, a.interpreter, what: "trace values"))
                        return Chart.Series(x: values.indices.map(Double.init), y: bestSoFar(values, maximize: maximize),
                                            label: key.asString ?? Repr.repr(key), color: Chart.cycleColor(index), steps: true)
                    }
                    show(Chart(title: try a.optionalString(2) ?? "Best value so far", xLabel: "trial", yLabel: "best value", series: series, legend: true),
                         a.interpreter)
                } else {
                    show(traceChart(try numbers(a[0], a.interpreter, what: "trace values"), maximize: maximize, title: try a.optionalString(2)), a.interpreter)
                }
                return .none
            },
        ])
        return m
    }
}
