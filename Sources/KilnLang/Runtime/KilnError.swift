/// Errors raised while lexing, parsing, resolving or running Kiln code, named and worded as
/// Python names and words them (`TypeError: unsupported operand type(s) for +: 'int' and 'str'`).

/// One line of a traceback: where a call (or the failing expression) was, and in which function.
public struct TraceFrame: Equatable, Sendable {
    public var filename: String
    public var position: Position
    public var function: String

    public init(filename: String, position: Position, function: String) {
        self.filename = filename
        self.position = position
        self.function = function
    }
}

/// A Kiln exception: its Python type name (`"TypeError"`), message, the position of the
/// innermost failing expression, and the traceback (outermost call first).
public struct KilnError: Error, Equatable, Sendable, CustomStringConvertible {
    public var type: String
    public var message: String
    /// Where the error happened in the innermost frame (nil until a node attaches it).
    public var position: Position?
    /// The file (or cell name) `position` refers to.
    public var filename: String?
    /// Frames from the outermost caller to the innermost; filled as the error unwinds.
    public var traceback: [TraceFrame] = []

    public init(_ type: String, _ message: String, at position: Position? = nil, in filename: String? = nil) {
        self.type = type
        self.message = message
        self.position = position
        self.filename = filename
    }

    /// `TypeError: message`, as on the last line of a Python traceback.
    public var description: String { message.isEmpty ? type : "\(type): \(message)" }

    public static func syntax(_ message: String, at position: Position) -> KilnError {
        KilnError("SyntaxError", message, at: position)
    }
    public static func type(_ message: String) -> KilnError { KilnError("TypeError", message) }
    public static func value(_ message: String) -> KilnError { KilnError("ValueError", message) }
    public static func name(_ message: String) -> KilnError { KilnError("NameError", message) }
    public static func index(_ message: String) -> KilnError { KilnError("IndexError", message) }
    public static func key(_ message: String) -> KilnError { KilnError("KeyError", message) }
    public static func attribute(_ message: String) -> KilnError { KilnError("AttributeError", message) }
    public static func zeroDivision(_ message: String) -> KilnError { KilnError("ZeroDivisionError", message) }
    public static func overflow(_ message: String) -> KilnError { KilnError("OverflowError", message) }
}
