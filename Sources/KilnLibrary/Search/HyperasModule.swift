/// `hyperas` as Hyperas users write it: a model function with `{{choice([…])}}`,
/// `{{uniform(0, 1)}}`, … templates where hyperparameters go, a `data` function, and
/// `optim.minimize(model=…, data=…, algo=tpe.suggest, max_evals=…, trials=Trials())` returning
/// `(best_run, best_model)`. Kiln owns the syntax tree, so there is no source rewriting: the
/// parser reads `{{ … }}` as a template (KilnLang's Runtime/Template.swift), minimize names
/// each template as Hyperas does, builds the search space from the priors and runs hyperopt's
/// search machinery (HyperoptModule.optimize: trials in `trials` and in the store, as `fmin`'s).
///
/// Names, as Hyperas' `hyperparameter_names` gives them: the word written just before the
/// template's `(` or `=` (`Dense` in `Dense({{…}})`, `optimizer` in `optimizer={{…}}`), taken
/// from the first template with the same text that has one; a template with none takes the
/// name before it; repeated names get `_1`, `_2`, … (`Dropout`, `Dropout_1`). A first template
/// with no name anywhere (Hyperas fails there) takes its prior's name (`choice`).
///
/// Not as Hyperas: data()'s results are passed to the model function by position (Hyperas pastes
/// data()'s body into a module, so the model's parameters match its variables by name);
/// `functions`, `notebook_name`, `keep_temp` and `verbose` have nothing to do (the model function
/// sees the notebook's globals). Refused: templates in `data`, a model function without
/// templates, templates that hold anything but a `hyperas.distributions` prior, and priors
/// nested in a choice's options.

import KilnLang
import KilnSearch

enum HyperasModule {
    static func register(in registry: ModuleRegistry, keras: KerasSession, search: SearchSession) {
        registry.register("hyperas.distributions") { _ in
            let m = KModule("hyperas.distributions", doc: "Hyperopt's priors without labels, for {{ }} templates: choice, uniform, …")
            m.add(HyperoptModule.priors(labelled: false))
            return m
        }
        registry.register("hyperas.optim") { _ in
            let m = KModule("hyperas.optim", doc: "Hyperas' minimize over the {{ }} templates of a model function.")
            m.add([minimize(keras, search)])
            return m
        }
        registry.register("hyperas") { interpreter in
            let m = KModule("hyperas", doc: "Hyperas: Keras hyperparameters written as {{ }} templates, searched with hyperopt.")
            for sub in ["distributions", "optim"] { m.set(sub, .object(try interpreter.importModule(["hyperas", sub]))) }
            return m
        }
    }

    /// A template of the model function with its name and prior.
    private struct Site {
        let template: CompiledTemplate
        let label: String
        let prior: HyperparameterNode
    }

    static func minimize(_ keras: KerasSession, _ session: SearchSession) -> KBuiltin {
        KBuiltin("minimize", "model, data, algo, max_evals, trials, functions=None, rseed=1337, notebook_name=None, verbose=True, eval_space=False, return_space=False, keep_temp=False, data_args=None",
                 doc: "Minimize the loss the model function returns over its {{ }} templates: max_evals trials proposed by algo, kept in trials; returns (best_run, best_model), and the space when return_space=True.") { a in
            let interpreter = a.interpreter
            guard let model = a[0].as(KFunction.self) else { throw KilnError.type("minimize needs model= a function with {{ }} templates, not \(a[0].typeName)") }
            guard let data = a[1].as(KFunction.self) else { throw KilnError.type("minimize needs data= a function returning the data, not \(a[1].typeName)") }
            if let template = data.code.templates.first {
                throw KilnError.value("\(template.text) at \(location(template)): templates in the data function are not supported; write them in the model function")
            }
            let algorithm = try HyperoptModule.algorithmArgument(a[2], of: "minimize")
            let maxEvals = try a.int(3)
            let record = try HyperoptModule.trialsArgument(a[4])
            let sites = try self.sites(of: model, interpreter)
            let space = try searching { try SearchSpace(sites.map { KilnSearch.Parameter(label: $0.label, distribution: $0.prior.distribution) }) }
            let dataArgs = a.isNone(12) ? [] : try interpreter.iterate(a[12])
            let dataset = try interpreter.call(a[1], Arguments(dataArgs))
            let modelArgs = model.code.parameters.names.isEmpty ? [] : (dataset.as(KTuple.self)?.items ?? [dataset])
            let seed = try HyperoptModule.seedArgument(.object(NumpyGenerator(seed: try a.int(6))), keras: keras, offset: record.trials.count)
            let best = try HyperoptModule.optimize(space: space, algorithm: algorithm, seed: seed, record: record, maxEvals: maxEvals,
                                                   study: session.nextStudy("hyperas"), session: session) { assignment in
                var values: [ObjectIdentifier: Value] = [:]
                for site in sites { values[ObjectIdentifier(site.template)] = try value(of: site, in: assignment, interpreter) }
                return try interpreter.withTemplateValues(values) { try interpreter.call(a[0], Arguments(modelArgs)) }
            }
            let labelledSpace = KDict()
            for site in sites {
                let node = HyperparameterNode(site.prior.function, label: site.label, distribution: site.prior.distribution, options: site.prior.options)
                try labelledSpace.set(.string(site.label), .object(node))
            }
            // Hyperopt's argmin lists the labels sorted; space_eval keeps the space's order.
            let sorted = try searching { try SearchSpace(space.parameters.sorted { $0.label < $1.label }) }
            let bestRun = a.bool(9) ? try HyperoptModule.evaluate(.object(labelledSpace), best, interpreter) : try HyperoptModule.values(best, sorted)
            let bestResult = record.bestIndex.map { record.results[$0] }?.as(KDict.self)
            let bestModel = try bestResult?.get(.string("model")) ?? .none
            return .object(KTuple(a.bool(10) ? [bestRun, bestModel, .object(labelledSpace)] : [bestRun, bestModel]))
        }
    }

    /// The model function's templates, named and with their priors evaluated.
    private static func sites(of model: KFunction, _ interpreter: Interpreter) throws -> [Site] {
        let templates = model.code.templates
        guard !templates.isEmpty else {
            throw KilnError.value("the model function \(model.name) has no {{ }} templates: write the hyperparameters as {{choice([…])}}, {{uniform(…)}}, …")
        }
        let priors = try templates.map { template -> HyperparameterNode in
            let value = try interpreter.evaluatePrior(of: template)
            guard let prior = value.as(HyperparameterNode.self), !prior.isLabelled else {
                throw KilnError.type("\(template.text) at \(location(template)) must hold a prior of hyperas.distributions (choice, uniform, …), not \(value.typeName)")
            }
            if prior.options.contains(where: { $0.as(HyperparameterNode.self) != nil }) {
                throw KilnError("NotImplementedError", "\(template.text) at \(location(template)): priors inside a choice's options are not supported")
            }
            return prior
        }
        let names = labels(templates, fallback: priors.map(\.function))
        return try zip(templates, zip(names, priors)).map { template, named in
            try searching { try named.1.distribution.validate(label: named.0) }
            return Site(template: template, label: named.0, prior: named.1)
        }
    }

    /// Hyperas' names for `templates` (in source order); see the comment at the top.
    static func labels(_ templates: [CompiledTemplate], fallback: [String]) -> [String] {
        var parts: [String] = []
        for (i, template) in templates.enumerated() {
            let sameText = template.source.isEmpty ? nil : templates.first { $0.source == template.source && $0.context != nil }
            parts.append(sameText?.context ?? template.context ?? parts.last ?? fallback[i])
        }
        var seen: [String: Int] = [:]
        for i in parts.indices {
            if let count = seen[parts[i]] {
                seen[parts[i]] = count + 1
                parts[i] += "_\(count + 1)"
            } else {
                seen[parts[i]] = 0
            }
        }
        return parts
    }

    /// The template's value for `assignment`: a choice's option (its prior evaluated again, so
    /// every trial builds its own layers), or the drawn number.
    private static func value(of site: Site, in assignment: Assignment, _ interpreter: Interpreter) throws -> Value {
        guard let x = assignment[site.label] else { throw KilnError("KeyError", Repr.repr(.string(site.label))) }
        guard !site.prior.options.isEmpty else { return HyperoptModule.value(x, site.prior.distribution) }
        let options = (try interpreter.evaluatePrior(of: site.template)).as(HyperparameterNode.self)?.options ?? site.prior.options
        let index = Int(x)
        guard options.indices.contains(index) else {
            throw KilnError.value("'\(site.label)' has \(options.count) options, not an option \(index)")
        }
        return options[index]
    }

    private static func location(_ template: CompiledTemplate) -> String {
        "\(template.filename):\(template.position)"
    }
}
