/// `IPython.display`: `display(obj)` and the rich objects Jupyter users show with it — `SVG`,
/// `Image` (PNG, JPEG, GIF), `HTML`, `Markdown` — as MIME bundles through the interpreter's
/// display hook, so a notebook run stores them as display outputs and an export can show them.
/// `display` is also a built-in, as in Jupyter.

import KilnLang

/// A value with a MIME bundle of its own (`SVG(...)`, `Image(...)`).
final class DisplayValue: KObject {
    let className: String
    let items: [DisplayItem]

    init(_ className: String, items: [DisplayItem]) {
        self.className = className
        self.items = items
    }

    override var typeName: String { className }
    override func repr() -> String { "<IPython.core.display.\(className) object>" }
}

enum DisplayModule {
    /// The bundle `display` shows for `value`: its own, or its repr as text/plain.
    static func bundle(_ value: Value) -> [DisplayItem] {
        if let rich = value.as(DisplayValue.self) { return [DisplayItem(mime: "text/plain", text: rich.repr())] + rich.items }
        return [DisplayItem(mime: "text/plain", text: Repr.repr(value))]
    }

    static let displayFunction = KBuiltin("display", "*objs", doc: "Show each object as a rich output (SVG, image, HTML) where it has one, else as its repr.") { a in
        for value in try a.list(0) { a.interpreter.display(bundle(value)) }
        return .none
    }

    /// The text of `data`, or of the file `filename` (read through the sandbox).
    private static func text(_ a: BoundArguments, data: Int, filename: Int, what: String) throws -> String {
        if !a.isNone(data) { return try a.string(data) }
        guard let path = try a.optionalString(filename) else { throw KilnError.value("\(what)() needs data or filename") }
        return String(decoding: try NumpyFiles.readFile(path), as: UTF8.self)
    }

    static func make() -> KModule {
        let m = KModule("IPython.display", doc: "Rich output for notebooks: display(), SVG, Image, HTML, Markdown.")
        m.add([
            displayFunction,
            KBuiltin("SVG", "data=None, url=None, filename=None, metadata=None", doc: "An SVG image, from its markup or a file.") { a in
                .object(DisplayValue("SVG", items: [DisplayItem(mime: "image/svg+xml", text: try text(a, data: 0, filename: 2, what: "SVG"))]))
            },
            KBuiltin("HTML", "data=None, url=None, filename=None, metadata=None", doc: "HTML to show as it is (exports drop it unless trusted).") { a in
                .object(DisplayValue("HTML", items: [DisplayItem(mime: "text/html", text: try text(a, data: 0, filename: 2, what: "HTML"))]))
            },
            KBuiltin("Markdown", "data=None, url=None, filename=None, metadata=None", doc: "Markdown text.") { a in
                .object(DisplayValue("Markdown", items: [DisplayItem(mime: "text/markdown", text: try text(a, data: 0, filename: 2, what: "Markdown"))]))
            },
            KBuiltin("Image", "data=None, url=None, filename=None, format=None, embed=None, width=None, height=None, retina=False, unconfined=False, metadata=None",
                     doc: "A PNG, JPEG or GIF image, from a file.") { a in
                guard let path = try a.optionalString(2) else {
                    throw KilnError("NotImplementedError", "not supported in Kiln yet: Image(data=...) or Image(url=...); pass filename=")
                }
                let bytes = try NumpyFiles.readFile(path)
                let format = (try a.optionalString(3) ?? String(path.split(separator: ".").last ?? "")).lowercased()
                let mime: String
                switch format {
                case "png": mime = "image/png"
                case "jpg", "jpeg": mime = "image/jpeg"
                case "gif": mime = "image/gif"
                default: throw KilnError.value("Image(): unknown image format \(Repr.repr(.string(format))); Kiln shows png, jpeg and gif")
                }
                return .object(DisplayValue("Image", items: [DisplayItem(mime: mime, bytes: bytes)]))
            },
        ])
        return m
    }
}
