import KilnLibrary
import XCTest

extension XCTestCase {
    /// Everything `source` writes, run as a notebook cell would be.
    func printed(_ source: String) throws -> String {
        let interpreter = KilnLibrary.makeInterpreter()
        var text = ""
        interpreter.output = { text += $0 }
        _ = try interpreter.run(source, filename: "training.kiln").get()
        return text
    }
}
