/// Bring-up version of string formatting; the full format-spec mini-language and
/// printf-style formatting replace it.

public enum Format {
    public static func percent(_ format: String, _ args: Value) throws -> String {
        throw KilnError.type("printf-style formatting is not available yet")
    }

    public static func apply(_ value: Value, spec: String) throws -> String {
        if spec.isEmpty { return Repr.str(value) }
        throw KilnError.value("format specs are not available yet")
    }
}
