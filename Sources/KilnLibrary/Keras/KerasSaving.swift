/// Saving and restoring models. `model.save_weights(path)` / `model.load_weights(path)` write
/// and read a numpy `.npz` archive of the `get_weights()` arrays (`arr_0`, `arr_1`, … in order,
/// readable with `np.load`). `model.save(path)` writes a zip archive like Keras' `.keras` file:
/// `config.json` (Keras 3's model config with the compile arguments), `metadata.json`, and the
/// weights as `model.weights.npz` — Keras' own `.keras` files hold HDF5 weights, which Kiln does
/// not read, and Keras cannot read Kiln's. In a recorded session the model also goes into the
/// store's models table, and `keras.models.load_model(name)` finds it there.
/// `keras.callbacks.ModelCheckpoint` saves either during `fit`.

import Foundation
import KilnLang
import KilnNN
import KilnTensor

/// Where a recorded session keeps saved models (the store, through KilnNotebook).
public protocol SavedModelStore: AnyObject {
    func saveModel(name: String, config: String, weights: [UInt8]) throws
    /// The newest model saved as `name`, or nil.
    func loadModel(name: String) throws -> (config: String, weights: [UInt8])?
}

extension KerasSession {
    static func saveWeights(_ model: Model, to path: String) throws {
        try NumpyFiles.writeFile(path, try weightsArchive(model))
    }

    /// The weights as an npz archive (`arr_i` in get_weights order).
    static func weightsArchive(_ model: Model) throws -> [UInt8] {
        let members = model.layers.flatMap(\.weights).enumerated().map { i, w in
            (name: "arr_\(i).npy", data: NpyFormat.encode(NDArray(w.value)))
        }
        return try ZipArchive.write(members, compressed: false)
    }

    /// With `skipMismatch` (Keras' `skip_mismatch=True`), a layer whose saved arrays do not fit
    /// its weights keeps its own, after a warning through `warn`.
    static func loadWeights(_ model: Model, from path: String, skipMismatch: Bool = false, warn: (String) -> Void = { _ in }) throws {
        try loadWeights(model, archive: try NumpyFiles.readFile(path), filename: path, skipMismatch: skipMismatch, warn: warn)
    }

    static func loadWeights(_ model: Model, archive bytes: [UInt8], filename path: String, skipMismatch: Bool = false,
                            warn: (String) -> Void = { _ in }) throws {
        let archive = try ZipArchive(bytes, filename: path)
        var arrays: [Int: Tensor] = [:]
        for entry in archive.entries {
            guard entry.name.hasPrefix("arr_"), entry.name.hasSuffix(".npy"),
                  let i = Int(entry.name.dropFirst(4).dropLast(4)) else { continue }
            arrays[i] = try NpyFormat.decode(try archive.contents(of: entry)).tensor()
        }
        let weights = model.layers.flatMap(\.weights)
        guard arrays.count == weights.count, (0..<weights.count).allSatisfy({ arrays[$0] != nil }) else {
            throw KilnError.value("\(path) holds \(arrays.count) weight arrays, but model \"\(model.name)\" has \(weights.count)")
        }
        let values = (0..<weights.count).compactMap { arrays[$0] }
        guard skipMismatch else {
            try keras(model.name) { try model.setWeightsInOrder(values) }
            return
        }
        var rest = values[...]
        for (index, layer) in model.layers.enumerated() {
            let own = layer.weightsInOrder, saved = Array(rest.prefix(own.count))
            rest = rest.dropFirst(own.count)
            if saved.map(\.shape) == own.map(\.value.shape) {
                try keras(layer.name) { try layer.setWeightsInOrder(saved) }
            } else {
                warn("UserWarning: Skipping loading weights for layer #\(index) (named \(layer.name)) due to mismatch in shape: expected \(own.map { Tensor.describe($0.value.shape) }), received \(saved.map { Tensor.describe($0.shape) })\n")
            }
        }
    }

    func savingMethods() -> [KBuiltin] {
        [
            KBuiltin("save_weights", "filepath, overwrite=True", doc: "Write the weights to a numpy .npz archive (arr_0, arr_1, … in get_weights() order).") { a in
                let me = a.receiver(ModelValue.self)
                let path = try a.string(0)
                if !a.bool(1), FileManager.default.fileExists(atPath: path) {
                    throw KilnError("FileExistsError", "\(path) exists and overwrite=False")
                }
                try KerasSession.saveWeights(me.model, to: path)
                return .none
            },
            KBuiltin("load_weights", "filepath, skip_mismatch=False", doc: "Read weights written by save_weights (a numpy .npz archive); with skip_mismatch=True layers whose saved shapes differ keep theirs.") { a in
                let me = a.receiver(ModelValue.self)
                try KerasSession.loadWeights(me.model, from: try a.string(0), skipMismatch: a.bool(1), warn: a.interpreter.output)
                return .none
            },
            KBuiltin("get_config", "", doc: "The model's Keras config: its layers with their arguments (and graph).") { a in
                let me = a.receiver(ModelValue.self)
                return try self.modelConfig(me.model, a.interpreter)
            },
            KBuiltin("to_json", "**kwargs", doc: "The model's config (as keras.models.model_from_json reads it) as JSON text.") { a in
                let me = a.receiver(ModelValue.self)
                return .string(try JSONWriter.text(try self.savedConfig(of: me.model, a.interpreter)))
            },
            KBuiltin("save", "filepath, overwrite=True, zipped=None", doc: "Save the model (config, compile arguments, weights) to a .keras-style archive, and into the store in a recorded session.") { a in
                let me = a.receiver(ModelValue.self)
                let path = try a.string(0)
                if !a.bool(1), FileManager.default.fileExists(atPath: path) {
                    throw KilnError("FileExistsError", "\(path) exists and overwrite=False")
                }
                try self.saveModel(me.model, to: path, a.interpreter)
                return .none
            },
        ]
    }

    /// Writes `model` to `path` (config.json, metadata.json, model.weights.npz) and, in a
    /// recorded session, into the store under the file's name.
    func saveModel(_ model: Model, to path: String, _ interpreter: Interpreter) throws {
        let config = try JSONWriter.text(try savedConfig(of: model, interpreter))
        let weights = try KerasSession.weightsArchive(model)
        let metadata = try JSONWriter.text(try dictionary([("keras_version", .string("kiln")), ("weights_format", .string("npz"))]))
        try NumpyFiles.writeFile(path, try ZipArchive.write([(name: "metadata.json", data: Array(metadata.utf8)),
                                                             (name: "config.json", data: Array(config.utf8)),
                                                             (name: "model.weights.npz", data: weights)], compressed: true))
        try modelStore?.saveModel(name: (path as NSString).lastPathComponent, config: config, weights: weights)
    }

    /// `keras.models.load_model(filepath)`: the archive at `filepath`, or in a recorded session
    /// the model saved into the store under that name.
    func loadModel(_ path: String, compile: Bool, _ interpreter: Interpreter) throws -> Value {
        let config: [UInt8], weights: [UInt8]
        if FileManager.default.fileExists(atPath: path) {
            let archive = try ZipArchive(try NumpyFiles.readFile(path), filename: path)
            func member(_ name: String) throws -> [UInt8]? {
                try archive.entries.first { $0.name == name }.map { try archive.contents(of: $0) }
            }
            guard let c = try member("config.json"), let w = try member("model.weights.npz") else {
                let names = archive.entries.map(\.name)
                if names.contains("model.weights.h5") {
                    throw KilnError.value("\(path) was saved by Keras, whose HDF5 weights Kiln cannot read yet; in Keras, save the weights with np.savez of model.get_weights() and load them with model.set_weights")
                }
                throw KilnError.value("\(path) is not a saved model (no config.json and model.weights.npz; it holds \(names))")
            }
            (config, weights) = (c, w)
        } else if let stored = try modelStore?.loadModel(name: path) ?? modelStore?.loadModel(name: (path as NSString).lastPathComponent) {
            (config, weights) = (Array(stored.config.utf8), stored.weights)
        } else {
            throw KilnError("FileNotFoundError", "[Errno 2] No such file or directory: \(Repr.repr(.string(path))) (nor a model saved under that name in this store)")
        }
        let saved = try JSONReader.parse(config, filename: path + ":config.json")
        let model = try self.model(fromSaved: saved, compile: compile, interpreter)
        guard let built = model.as(ModelValue.self) else { return model }
        try KerasSession.loadWeights(built.model, archive: weights, filename: path + ":model.weights.npz")
        return model
    }
}

extension CallbackValue {
    /// `ModelCheckpoint(filepath, monitor, save_best_only, save_weights_only, mode,
    /// save_freq='epoch')`: after each epoch (or only when `monitor` improved), the model as
    /// `model.save` writes it (also into the store in a recorded session), or with
    /// save_weights_only=True its weights, to `filepath` formatted with the epoch and logs
    /// (`w.{epoch:02d}.npz`).
    static func modelCheckpoint() -> KBuiltin {
        KBuiltin("ModelCheckpoint", "filepath, monitor='val_loss', verbose=0, save_best_only=False, save_weights_only=False, mode='auto', save_freq='epoch', initial_value_threshold=None",
                 doc: "Save the model (or with save_weights_only=True its weights) after every epoch, or when `monitor` improves.") { a in
            let monitor = try a.string(1)
            guard case .string(let freq) = a[6], freq == "epoch" else {
                throw KilnError("NotImplementedError", "not supported in Kiln yet: ModelCheckpoint(save_freq=...) other than 'epoch'")
            }
            return .object(CallbackValue(.checkpoint(path: try a.string(0), monitor: monitor, verbose: try a.int(2), bestOnly: a.bool(3),
                                                     maximize: try CallbackValue.maximizes(monitor, mode: try a.string(5)), weightsOnly: a.bool(4),
                                                     threshold: try a.optionalDouble(7).map { Float($0) }),
                                         className: "ModelCheckpoint"))
        }
    }
}
