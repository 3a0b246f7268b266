/// What Kiln knows about the MIME types of output bundles: which hold bytes (stored in
/// `.ipynb` files as base64), which hold JSON, and which images a document may embed.

import Foundation

enum MimeType {
    /// `application/json` and `application/…+json`: their bundle value is any JSON value, not
    /// a string (nbformat's rule).
    static func isJSON(_ mime: String) -> Bool {
        mime == "application/json" || (mime.hasPrefix("application/") && mime.hasSuffix("+json"))
    }

    /// Types whose content is bytes, written in `.ipynb` files as base64 text: images other
    /// than SVG, audio, video, PDF and opaque binary data.
    static func isBinary(_ mime: String) -> Bool {
        guard !mime.hasSuffix("+xml") else { return false }
        return mime.hasPrefix("image/") || mime.hasPrefix("audio/") || mime.hasPrefix("video/")
            || mime == "application/pdf" || mime == "application/octet-stream"
    }

    /// Types nbformat writes as a list of lines (`text/…`, SVG and JavaScript); others are
    /// written as one string.
    static func isWrittenAsLines(_ mime: String) -> Bool {
        mime.hasPrefix("text/") || mime == "image/svg+xml" || mime == "application/javascript"
    }

    /// Whether `mime` has the form `type/subtype` with only the characters RFC 6838 allows,
    /// so that it can be named in a document without quoting.
    static func isWellFormed(_ mime: String) -> Bool {
        let parts = mime.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            (1...127).contains(part.count) && part.unicodeScalars.allSatisfy(nameCharacters.contains)
        }
    }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&^_.+-".unicodeScalars)

    /// Bitmap types every browser shows in an `<img>`, so an exported document may embed them.
    /// Only these exact strings are ever written into a `data:` URI.
    static let embeddableBitmaps: Set<String> = ["image/png", "image/jpeg", "image/gif"]

    /// `data:<mime>;base64,<bytes>`.
    static func dataURI(_ mime: String, _ data: Data) -> String {
        "data:\(mime);base64,\(data.base64EncodedString())"
    }
}
