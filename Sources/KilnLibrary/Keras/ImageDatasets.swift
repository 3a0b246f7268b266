/// The image data sets of `keras.datasets`: mnist (an npz archive), fashion_mnist (gzip'd IDX
/// files, read as Keras reads them: labels after an 8-byte header, images after a 16-byte one,
/// reshaped to one 28×28 image per label) and cifar10 / cifar100 (pickled batches, each a dict
/// whose `data` is a uint8 array of rows of 3072 bytes, red then green then blue planes of
/// 32×32, transposed to channels last as Keras does).

import Foundation
import KilnLang

enum ImageDatasets {
    /// `mnist.load_data(path)`: the archive's four arrays as they are.
    static func mnist(_ a: BoundArguments) throws -> Value {
        let archive = try KerasDatasets.npz(a, dataset: "mnist", hash: "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
        func member(_ name: String) throws -> Value { .object(try KerasDatasets.array(archive, name)) }
        return KerasDatasets.result(train: (try member("x_train"), try member("y_train")), test: (try member("x_test"), try member("y_test")))
    }

    // MARK: Fashion-MNIST

    /// `fashion_mnist.load_data()`, from `fashion-mnist/` in the cache folder (Keras publishes no
    /// hashes for these files).
    static func fashionMnist(_ a: BoundArguments) throws -> Value {
        let names = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
        let paths = try names.map { try DatasetCache.path("fashion-mnist/" + $0, dataset: "fashion_mnist") }
        func split(labels: String, images: String) throws -> (Value, Value) {
            let y = try idxBytes(labels, offset: 8)
            let x = try idxBytes(images, offset: 16)
            let (count, overflow) = y.count.multipliedReportingOverflow(by: 28 * 28)
            guard !overflow, x.count == count else {
                throw KilnError.value("cannot reshape array of size \(x.count) into shape (\(y.count),28,28) (the images of \(images) do not match the labels of \(labels))")
            }
            return (.object(NDArray(.uint8, [y.count, 28, 28], .integer(x))), .object(NDArray(.uint8, [y.count], .integer(y))))
        }
        return KerasDatasets.result(train: try split(labels: paths[0], images: paths[1]), test: try split(labels: paths[2], images: paths[3]))
    }

    /// The bytes after `offset` of the gzip'd file at `path`, as uint8 values (the storage of
    /// `np.frombuffer(gzip.open(path).read(), np.uint8, offset=offset)`).
    private static func idxBytes(_ path: String, offset: Int) throws -> [Int] {
        let bytes = try Gzip.decompress(try NumpyFiles.readFile(path), filename: path)
        guard offset <= bytes.count else {
            throw KilnError.value("offset must be non-negative and no greater than buffer length (\(bytes.count)) reading \(path)")
        }
        return bytes[offset...].map { Int($0) }
    }

    // MARK: CIFAR

    /// `cifar10.load_data()`: data_batch_1 … data_batch_5 then test_batch, images and labels
    /// as uint8. Keras fills arrays sized for batches of 10000; Kiln concatenates the batches,
    /// which is the same for Keras' files and also reads smaller ones.
    static func cifar10(_ a: BoundArguments) throws -> Value {
        let folder = try cifarFolder("cifar-10-batches-py", keras3: "cifar-10-batches-py-target", archive: "cifar-10-python.tar.gz", dataset: "cifar10")
        let train = try (1...5).map { try CifarBatch(folder + "/data_batch_\($0)", labelKey: "labels") }
        let test = try CifarBatch(folder + "/test_batch", labelKey: "labels")
        // Keras assigns the training labels into a uint8 array (numpy refuses a Python int
        // out of range) and casts the test labels with astype (which wraps).
        var trainLabels: [Int] = []
        for batch in train {
            guard batch.labels.size == batch.images else {
                throw KilnError.value("\(batch.path) has \(batch.images) images but \(batch.labels.size) labels")
            }
            if batch.labelsAreList, let bad = batch.labels.storage.ints.first(where: { !(0...255).contains($0) }) {
                throw KilnError.overflow("Python integer \(bad) out of bounds for uint8")
            }
            trainLabels += batch.labels.converted(to: .uint8).storage.ints
        }
        let x = try CifarBatch.channelsLast(train, as: .uint8)
        let y = NDArray(.uint8, [trainLabels.count, 1], ints: trainLabels)
        let testY = test.labels.converted(to: .uint8)
        return KerasDatasets.result(train: (.object(x), .object(y)),
                                    test: (.object(try CifarBatch.channelsLast([test], as: .uint8)), .object(testY.reshaped([testY.size, 1]))))
    }

    /// `cifar100.load_data(label_mode)`: the train and test files, images in the pickled
    /// dtype (uint8), labels as numpy makes them from the pickled list (int64).
    static func cifar100(_ a: BoundArguments) throws -> Value {
        let mode = try a.string(a.position("label_mode"))
        guard mode == "fine" || mode == "coarse" else {
            throw KilnError.value("`label_mode` must be one of `\"fine\"`, `\"coarse\"`. Received: label_mode=\(mode).")
        }
        let folder = try cifarFolder("cifar-100-python", keras3: "cifar-100-python-target", archive: "cifar-100-python.tar.gz", dataset: "cifar100")
        func split(_ name: String) throws -> (Value, Value) {
            let batch = try CifarBatch(folder + "/" + name, labelKey: mode + "_labels")
            return (.object(try CifarBatch.channelsLast([batch], as: nil)), .object(batch.labels.reshaped([batch.labels.size, 1])))
        }
        return KerasDatasets.result(train: try split("train"), test: try split("test"))
    }

    /// The extracted CIFAR folder `name`: where Keras 3 extracts its download
    /// (`<keras3>/<name>`, `keras3` being the `fname` Keras gives get_file), or where Keras 2
    /// did (`<name>`).
    private static func cifarFolder(_ name: String, keras3 download: String, archive: String, dataset: String) throws -> String {
        let base = DatasetCache.folder
        let keras3 = base + "/" + download + "/" + name
        for folder in [keras3, base + "/" + name] {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue { return folder }
        }
        throw KilnError("FileNotFoundError", "keras.datasets.\(dataset): Kiln does not download data. Place the folder '\(name)' (extracted from \(archive), which keras.datasets.\(dataset).load_data() downloads) at \(keras3) (Keras 3's place) or at \(base)/\(name) (Keras 2's)")
    }
}

/// One CIFAR batch file as Keras' `load_batch` reads it: a pickled dict with `data` (reshaped
/// to N images of 3×32×32) and the labels under `labelKey`.
struct CifarBatch {
    let path: String
    let pickle: Pickle
    let data: PickledArray
    /// N, the length of `data`'s first axis.
    let images: Int
    let labels: NDArray
    /// Whether the labels were pickled as a list of ints (not an array).
    let labelsAreList: Bool

    init(_ path: String, labelKey: String) throws {
        let pickle = try RestrictedUnpickler.load(try NumpyFiles.readFile(path), source: path)
        guard let entries = pickle.entries(pickle.root) else {
            throw KilnError.type("\(path) holds a pickled \(pickle.root.typeName), not the dict of a CIFAR batch")
        }
        func item(_ key: String) throws -> PickleValue {
            guard let entry = entries.first(where: { pickle.text($0.key) == key }) else { throw KilnError.key("'\(key)' (in \(path))") }
            return entry.value
        }
        let dataValue = try item("data")
        guard let data = pickle.array(dataValue), case .raw = data.contents else {
            throw KilnError.type("'data' in \(path) is a \(dataValue.typeName), not a numeric numpy array")
        }
        guard let n = data.shape.first else { throw KilnError.index("tuple index out of range ('data' in \(path) is 0-dimensional)") }
        guard n.multipliedReportingOverflow(by: 3072) == (data.count, false) else {
            throw KilnError.value("cannot reshape array of size \(data.count) into shape (\(n),3,32,32) ('data' in \(path))")
        }
        let labelValue = try item(labelKey)
        if let items = pickle.items(labelValue) {
            labels = NDArray(.int64, [items.count], ints: try items.map { v in
                guard case .int(let label) = v else { throw KilnError.type("the labels in \(path) must be ints, found \(v.typeName)") }
                return label
            })
            labelsAreList = true
        } else if let array = pickle.array(labelValue), case .raw = array.contents, array.shape.count == 1 {
            labels = try pickle.ndarray(array)
            labelsAreList = false
        } else {
            throw KilnError.type("'\(labelKey)' in \(path) is a \(labelValue.typeName), not a list of labels")
        }
        self.path = path
        self.pickle = pickle
        self.data = data
        images = n
    }

    /// The batches' images, one after another, transposed from (N, 3, 32, 32) to
    /// (N, 32, 32, 3), in `dtype` (nil: the first batch's dtype).
    static func channelsLast(_ batches: [CifarBatch], as dtype: DType?) throws -> NDArray {
        let total = batches.reduce(0) { $0 + $1.images }
        let shape = [total, 32, 32, 3]
        let type = try dtype ?? batches.first.map { try NpyFormat.dtypeOf($0.data.dtype.descr) } ?? .uint8
        var first = 0
        if type.isFloat {
            var out = [Double](repeating: 0, count: total * 3072)
            for batch in batches {
                let values = try batch.pickle.ndarray(batch.data).converted(to: type).storage.doubles
                values.withUnsafeBufferPointer { transpose($0, into: &out, images: batch.images, at: first) { $0 } }
                first += batch.images
            }
            return NDArray(type, shape, doubles: out)
        }
        var out = [Int](repeating: 0, count: total * 3072)
        for batch in batches {
            if batch.data.dtype.descr == "|u1", case .raw(let range) = batch.data.contents {
                // The usual case: the pickled bytes themselves, with no copy of the batch.
                batch.pickle.bytes[range].withUnsafeBufferPointer { transpose($0, into: &out, images: batch.images, at: first) { Int($0) } }
            } else {
                let values = try batch.pickle.ndarray(batch.data).converted(to: type).storage.ints
                values.withUnsafeBufferPointer { transpose($0, into: &out, images: batch.images, at: first) { $0 } }
            }
            first += batch.images
        }
        // The values are already in the dtype's range: stored as they are.
        return NDArray(type, shape, .integer(out))
    }

    /// Writes `images` images of `source` in (N, 3, 32, 32) order, converted, into `out` in
    /// (N, 32, 32, 3) order from image `first` on.
    private static func transpose<S, T>(_ input: UnsafeBufferPointer<S>, into out: inout [T], images: Int, at first: Int, _ convert: (S) -> T) {
        out.withUnsafeMutableBufferPointer { output in
            for image in 0..<images {
                let from = image * 3072, to = (first + image) * 3072
                for pixel in 0..<1024 {
                    for channel in 0..<3 { output[to + 3 * pixel + channel] = convert(input[from + channel * 1024 + pixel]) }
                }
            }
        }
    }
}
