/// `obj?`, `?obj` and `%magic?`: the signature and docstring of what a name refers to, from
/// the same text as `help(obj)`.

import KilnLang

/// What `?` shows for `target` (the text around the question marks): the overview for "",
/// a magic's usage and description for `%name`, `help(obj)`'s text for a name or dotted name
/// that exists, and IPython's "Object `x` not found." otherwise. Nothing is called or run.
func helpText(for target: String, in interpreter: Interpreter) -> String {
    if target.isEmpty { return overview }
    if target.hasPrefix("%") {
        let name = String(target.dropFirst())
        guard let magic = Magic.named(name) else { return "Object `\(target)` not found." }
        return magic.help
    }
    guard let value = DottedName(target)?.value(in: interpreter) else { return "Object `\(target)` not found." }
    return interpreter.helpText(for: value)
}

/// What a lone `?` shows.
let overview = """
    Kiln: Keras-style deep learning in a Python-like language, one input at a time.

    obj? or help(obj)   the signature and description of a function, type, module or value
    help()              the built-in functions and types
    %lsmagic            the magics (%magic? describes one)
    Tab                 completes names, module members and attributes
    Ctrl-R              searches the history; Ctrl-C stops the running input; Ctrl-D leaves
    """
