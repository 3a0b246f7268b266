/// KilnLibrary binds the engine to the language: it registers the native modules (math,
/// random, time, numpy, keras; later search and learners) and the stdlib/ modules written in Kiln.

import KilnLang

/// Builds interpreters with Kiln's native modules and the stdlib/ modules registered.
public enum KilnLibrary {
    /// A new session's interpreter.
    public static func makeInterpreter() -> Interpreter {
        let registry = ModuleRegistry()
        let rng = PythonRandom()
        registry.register("math") { _ in MathModule.make() }
        registry.register("random") { _ in RandomModule.make(rng) }
        registry.register("time") { _ in TimeModule.make() }
        registry.register("IPython.display") { _ in DisplayModule.make() }
        registry.register("IPython") { interpreter in
            KModule("IPython", members: ["display": .object(try interpreter.importModule(["IPython", "display"]))],
                    doc: "The IPython names notebooks use: IPython.display.")
        }
        let numpyRandom = NumpyRandom()
        registry.register("numpy") { _ in NumpyModule.make(numpyRandom) }
        SklearnModules.register(in: registry, numpyRandom: numpyRandom)
        ScipyOptimize.register(in: registry)
        let keras = KerasSession(seeding: [rng.seed, { numpyRandom.seed(UInt32(truncatingIfNeeded: $0)) }])
        keras.register(in: registry)
        let search = SearchSession()
        HyperoptModule.register(in: registry, keras: keras, search: search)
        KerasTunerModule.register(in: registry, keras: keras, search: search)
        HyperasModule.register(in: registry, keras: keras, search: search)
        let studies = StudySession()
        StudyModule.register(in: registry, keras: keras, session: studies)
        EnsembleModule.register(in: registry)
        PlotModule.register(in: registry)
        PyplotModule.register(in: registry)
        registry.register("kiln") { interpreter in
            KModule("kiln", members: ["search": .object(try interpreter.importModule(["kiln", "search"])),
                                      "ensemble": .object(try interpreter.importModule(["kiln", "ensemble"])),
                                      "plot": .object(try interpreter.importModule(["kiln", "plot"]))],
                    doc: "Kiln's own modules: kiln.search (studies), kiln.ensemble (ensembles of trained models), kiln.plot (line plots).")
        }
        for (name, source) in embeddedStdlibSources {
            registry.registerSource(name, source)
        }
        let interpreter = Interpreter(modules: registry)
        interpreter.defineBuiltins([DisplayModule.displayFunction])
        interpreter.attachments["keras"] = keras
        interpreter.attachments["search"] = search
        interpreter.attachments["studies"] = studies
        return interpreter
    }

    /// Makes the search functions (`fmin`) in `interpreter`'s session record their trials in `store`.
    public static func attach(_ store: StudyStore, to interpreter: Interpreter) {
        (interpreter.attachments["search"] as? SearchSession)?.store = store
    }

    /// Makes `kiln.search` studies in `interpreter`'s session live in `store`, shared by name.
    public static func attachShared(_ store: SharedStudyStore, to interpreter: Interpreter) {
        (interpreter.attachments["studies"] as? StudySession)?.store = store
    }

    /// The `kiln.search` state of `interpreter`'s session (to run it as a worker).
    public static func studies(of interpreter: Interpreter) -> StudySession? {
        interpreter.attachments["studies"] as? StudySession
    }

    /// Makes `model.save`, `ModelCheckpoint` and `load_model` in `interpreter`'s session also
    /// use `store` (a recorded session's models table).
    public static func attach(_ store: SavedModelStore, to interpreter: Interpreter) {
        (interpreter.attachments["keras"] as? KerasSession)?.modelStore = store
    }

    /// The folders Kiln's own loaders read from even in a sandboxed run (Keras' data set cache).
    public static var cacheFolders: [String] { [DatasetCache.folder] }
}
