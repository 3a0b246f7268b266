/// The chapter's warning about validation overfitting, as a tool: hyperparameters chosen on
/// validation data make the validation score optimistic, so `search.final_evaluation(chosen,
/// x_test, y_test)` evaluates the chosen model once on held-out test data and prints the
/// validation and test metrics side by side, saying which data chose the hyperparameters. A
/// second evaluation of the same choice on test data is flagged: choosing again after looking at
/// the test score turns the test data into validation data.

import KilnLang

/// The data a choice was made on: a tuner's `validation_data`, or the end of its training data
/// split off by `validation_split`, or the validation data given for a model.
struct HeldOutData {
    let x: Value
    let y: Value
    let description: String

    /// What `tuner.search(...)` validated on.
    init(tuner: TunerValue, _ interpreter: Interpreter) throws {
        guard let (positional, keywords) = tuner.searchArguments else {
            throw KilnError.value("the tuner has not searched yet: call tuner.search(...) first")
        }
        if let data = keywords.first(where: { $0.name == "validation_data" })?.value {
            try self.init(validationData: data, interpreter)
            return
        }
        if let split = keywords.first(where: { $0.name == "validation_split" })?.value.asDouble, split > 0, split < 1, positional.count >= 2 {
            let count = try interpreter.length(positional[0])
            // Keras' split: the validation part starts at int(n · (1 − split)).
            let start = Int(Double(count) * (1 - split))
            let tail = Value.object(KSlice(lower: .int(start), upper: .none, step: .none))
            self.init(x: try interpreter.getItem(positional[0], tail), y: try interpreter.getItem(positional[1], tail),
                      description: "the last \(count - start) samples of the training data (validation_split=\(Repr.float(split)))")
            return
        }
        throw KilnError.value("the tuner's search had no validation_data or validation_split: its choice was made on the training data itself, which a test score cannot put in perspective")
    }

    /// A `(x_val, y_val)` pair.
    init(validationData data: Value, _ interpreter: Interpreter) throws {
        let items = try interpreter.iterate(data)
        guard items.count >= 2 else { throw KilnError.value("validation_data must be a tuple (x_val, y_val)") }
        self.init(x: items[0], y: items[1], description: "validation data (\(try interpreter.length(items[0])) samples)")
    }

    init(x: Value, y: Value, description: String) {
        self.x = x
        self.y = y
        self.description = description
    }
}

enum FinalEvaluation {
    /// `search.final_evaluation`; `session` remembers which choices met their test data.
    static func function(_ session: StudySession) -> KBuiltin { KBuiltin("final_evaluation", "chosen, x_test, y_test, validation_data=None, verbose=1",
                                   doc: "Evaluate the chosen model (a tuner's best, or a model with validation_data=) once on test data; print validation and test side by side.") { a in
        let interpreter = a.interpreter
        let model: Value, held: HeldOutData, chooser: String
        if let tuner = a[0].as(TunerValue.self) {
            guard let best = tuner.ranked.first else { throw KilnError.value("the tuner has no trial yet: call tuner.search(...) first") }
            model = best.model
            held = try a.isNone(3) ? HeldOutData(tuner: tuner, interpreter) : HeldOutData(validationData: a[3], interpreter)
            chooser = "\(tuner.className) (objective \(tuner.objective))"
        } else {
            guard !a.isNone(3) else {
                throw KilnError.value("final_evaluation needs validation_data=(x_val, y_val) for a model: the data its hyperparameters were chosen on")
            }
            model = a[0]
            held = try HeldOutData(validationData: a[3], interpreter)
            chooser = "the search"
        }
        let key = ObjectIdentifier(a[0].as(KObject.self) ?? KObject())
        let again = session.evaluatedChoices.contains(key)
        session.evaluatedChoices.insert(key)
        func evaluate(_ x: Value, _ y: Value) throws -> KDict {
            let result = try interpreter.callMethod(model, "evaluate", Arguments([x, y], keywords: [("verbose", .int(0)), ("return_dict", .bool(true))]))
            guard let d = result.as(KDict.self) else { throw KilnError.type("evaluate did not return a dict of metrics") }
            return d
        }
        let validation = try evaluate(held.x, held.y), test = try evaluate(a[1], a[2])
        if a.bool(4) {
            var text = "Hyperparameters chosen by \(chooser) on \(held.description).\n"
            text += "Evaluated on held-out test data (\(try interpreter.length(a[1])) samples):\n"
            let names = validation.table.entries.compactMap { $0.key.asString }
            let width = Swift.max(names.map(\.count).max() ?? 0, 6)
            text += "metric".padding(toLength: width, withPad: " ", startingAt: 0) + "  validation        test\n"
            for name in names {
                let v = (try validation.get(.string(name)))?.asDouble ?? .nan, t = (try test.get(.string(name)))?.asDouble ?? .nan
                text += name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %10.4f  %10.4f", v, t) + "\n"
            }
            if again {
                text += "Warning: this choice was already evaluated on test data. Choosing again after seeing a test score makes the test data validation data; its score is no longer an unbiased estimate.\n"
            }
            interpreter.output(text)
        }
        return try dictionary([("validation", .object(validation)), ("test", .object(test)), ("chosen_on", .string(held.description))])
    } }
}
