/// `keras.datasets`: the loaders read Keras' own cache files under `~/.keras/datasets/`
/// (Kiln never downloads), in Keras' file formats, and say which file to put where when one is
/// missing. `mnist` and `boston_housing` (npz) are read today; the others name their file
/// and say they are not read yet.

import Foundation
import KilnLang

extension KerasSession {
    /// The folder Keras caches data sets in.
    static var datasetsFolder: String {
        let home = ProcessInfo.processInfo.environment["KERAS_HOME"]
            ?? ((ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + "/.keras")
        return home + "/datasets"
    }

    /// The cache file `name` (or `path` when absolute), or a FileNotFoundError saying where to put it.
    static func datasetFile(_ path: String, dataset: String) throws -> String {
        let full = path.hasPrefix("/") ? path : datasetsFolder + "/" + path
        guard FileManager.default.fileExists(atPath: full) else {
            throw KilnError("FileNotFoundError", "keras.datasets.\(dataset): Kiln does not download data. Place Keras' cache file '\(path)' (the file keras.datasets.\(dataset).load_data() downloads) at \(full)")
        }
        return full
    }

    /// `keras.datasets.<name>` modules.
    func registerDatasets(in registry: ModuleRegistry) {
        registry.register("keras.datasets.mnist") { _ in
            let m = KModule("keras.datasets.mnist", doc: "The MNIST digits, from Keras' cache file mnist.npz.")
            m.add([KBuiltin("load_data", "path='mnist.npz'", doc: "((x_train, y_train), (x_test, y_test)) as uint8 arrays, read from ~/.keras/datasets/mnist.npz.") { a in
                let file = try KerasSession.datasetFile(try a.string(0), dataset: "mnist")
                let np = Value.object(try a.interpreter.importModule(["numpy"]))
                let archive = try a.interpreter.callMethod(np, "load", Arguments([.string(file)]))
                func member(_ key: String) throws -> Value { try a.interpreter.getItem(archive, .string(key)) }
                return .object(KTuple([.object(KTuple([try member("x_train"), try member("y_train")])),
                                       .object(KTuple([try member("x_test"), try member("y_test")]))]))
            }])
            return m
        }
        for name in ["fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing"] {
            registry.register("keras.datasets." + name) { _ in
                let m = KModule("keras.datasets." + name, doc: "Keras' \(name) data set (not read by Kiln yet).")
                m.add([KBuiltin("load_data", "*args, **kwargs", doc: "Not read by Kiln yet.") { _ in
                    throw KilnError("NotImplementedError", "not supported in Kiln yet: keras.datasets.\(name).load_data() (Kiln reads keras.datasets.mnist today)")
                }])
                return m
            }
        }
        registry.register("keras.datasets") { interpreter in
            let m = KModule("keras.datasets", doc: "Keras' small data sets, read from ~/.keras/datasets.")
            for name in ["mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing"] {
                m.set(name, .object(try interpreter.importModule(["keras", "datasets", name])))
            }
            return m
        }
    }
}
