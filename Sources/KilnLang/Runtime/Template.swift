/// Hyperas templates at run time. A template `{{ prior }}` evaluates to the value
/// `hyperas.optim.minimize` drew for it in the current trial: minimize finds the templates of
/// the model function (`CompiledFunction.templates`), evaluates each one's prior once to build
/// the search space, and for every trial sets `Interpreter.templateValues` before calling the
/// model function. Anywhere else a template is an error that names where it is written.

/// A template after compilation: its prior as a function of no parameters evaluated at module
/// scope, and what Hyperas needs to name it.
public final class CompiledTemplate {
    /// The text between the braces, as written.
    public let source: String
    /// The name written just before the template (`Dense` in `Dense({{…}})`), if any.
    public let context: String?
    public let filename: String
    /// Position of the opening `{{`.
    public let position: Position
    let body: KFunction

    init(_ template: Template, filename: String, body: KFunction) {
        self.source = template.source
        self.context = template.context
        self.filename = filename
        self.position = template.position
        self.body = body
    }

    /// `{{choice([256, 512])}}`: the template as written, for messages.
    public var text: String { "{{" + source + "}}" }
}

extension Interpreter {
    /// Evaluates the template's prior (`choice([256, 512])`) at module scope.
    public func evaluatePrior(of template: CompiledTemplate) throws -> Value {
        try invoke(template.body, Arguments())
    }

    /// Runs `body` with each template in `values` standing for its value, as in one trial of
    /// `hyperas.optim.minimize`; templates nest no runs, so the previous values come back after.
    public func withTemplateValues<T>(_ values: [ObjectIdentifier: Value], _ body: () throws -> T) rethrows -> T {
        let saved = templateValues
        templateValues = values
        defer { templateValues = saved }
        return try body()
    }

    /// The value the running trial gives `template`.
    func templateValue(_ template: CompiledTemplate) throws -> Value {
        guard let values = templateValues else {
            throw KilnError("ValueError", "\(template.text) is a Hyperas template; it has a value only inside hyperas.optim.minimize",
                            at: template.position)
        }
        guard let value = values[ObjectIdentifier(template)] else {
            throw KilnError("ValueError", "\(template.text) is a Hyperas template outside the model function; inside hyperas.optim.minimize only the model function's templates have values",
                            at: template.position)
        }
        return value
    }
}
