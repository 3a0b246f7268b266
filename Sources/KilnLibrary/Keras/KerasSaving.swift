/// Saving and restoring weights: `model.save_weights(path)` / `model.load_weights(path)` write
/// and read a numpy `.npz` archive of the `get_weights()` arrays (`arr_0`, `arr_1`, … in order,
/// readable with `np.load`), and `keras.callbacks.ModelCheckpoint` saves them during `fit`.
/// (Keras' own `.weights.h5` is HDF5; Kiln writes npz whatever the name; the methods' help says so.)

import Foundation
import KilnLang
import KilnNN
import KilnTensor

extension KerasSession {
    static func saveWeights(_ model: Model, to path: String) throws {
        let members = model.layers.flatMap(\.weights).enumerated().map { i, w in
            (name: "arr_\(i).npy", data: NpyFormat.encode(NDArray(w.value)))
        }
        try NumpyFiles.writeFile(path, try ZipArchive.write(members, compressed: false))
    }

    static func loadWeights(_ model: Model, from path: String) throws {
        let archive = try ZipArchive(try NumpyFiles.readFile(path), filename: path)
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
        try keras(model.name) { try model.setWeightsInOrder(values) }
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
            KBuiltin("load_weights", "filepath, skip_mismatch=False", doc: "Read weights written by save_weights (a numpy .npz archive).") { a in
                let me = a.receiver(ModelValue.self)
                try KerasSession.loadWeights(me.model, from: try a.string(0))
                return .none
            },
        ]
    }
}

extension CallbackValue {
    /// `ModelCheckpoint(filepath, monitor, save_best_only, mode, save_freq='epoch')`: after each
    /// epoch, the weights to `filepath` formatted with the epoch and logs (`w.{epoch:02d}.npz`),
    /// or only when `monitor` improved.
    static func modelCheckpoint() -> KBuiltin {
        KBuiltin("ModelCheckpoint", "filepath, monitor='val_loss', verbose=0, save_best_only=False, save_weights_only=False, mode='auto', save_freq='epoch', initial_value_threshold=None",
                 doc: "Save the model's weights (a numpy .npz archive) after every epoch, or when `monitor` improves.") { a in
            let monitor = try a.string(1)
            guard case .string(let freq) = a[6], freq == "epoch" else {
                throw KilnError("NotImplementedError", "not supported in Kiln yet: ModelCheckpoint(save_freq=...) other than 'epoch'")
            }
            return .object(CallbackValue(.checkpoint(path: try a.string(0), monitor: monitor, verbose: try a.int(2), bestOnly: a.bool(3),
                                                     maximize: try CallbackValue.maximizes(monitor, mode: try a.string(5))),
                                         className: "ModelCheckpoint"))
        }
    }
}
