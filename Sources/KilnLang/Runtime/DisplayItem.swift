/// One representation of a displayed value (Jupyter's MIME bundle entry): `text/plain`,
/// `image/svg+xml` and the like carry text, `image/png` and other binary types bytes.
public struct DisplayItem: Equatable, Sendable {
    public var mime: String
    public var text: String?
    public var bytes: [UInt8]?

    public init(mime: String, text: String? = nil, bytes: [UInt8]? = nil) {
        self.mime = mime
        self.text = text
        self.bytes = bytes
    }
}
