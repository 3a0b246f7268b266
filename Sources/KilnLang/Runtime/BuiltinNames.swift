/// The names a session can see without defining them, for front ends that list them (the
/// REPL's tab completion).

extension Interpreter {
    /// The predeclared (built-in) names, sorted.
    public var builtinNames: [String] { builtinIndex.keys.sorted() }
}
