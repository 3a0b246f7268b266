/// `keras.datasets`: every loader of Keras 3's `keras.datasets` that reads a cache file
/// (mnist, fashion_mnist, cifar10, cifar100, imdb, reuters, boston_housing), with Keras'
/// signatures, defaults and outputs: the same dtypes, shapes, order, and the same shuffles
/// (numpy's legacy `RandomState(seed)`, drawn exactly). They read Keras' own cache files under
/// `$KERAS_HOME/datasets` or `~/.keras/datasets`, in Keras' formats: npz archives (object arrays
/// through the restricted unpickler), gzip'd IDX files, Python 2 pickles of CIFAR batches, JSON
/// word indexes. Kiln never downloads: a missing file is a FileNotFoundError that says which
/// file to put where, and a file whose hash differs from the one Keras publishes loads after a
/// UserWarning (Keras would download it again). Damaged files are errors naming the file.
///
/// Differences from Keras, where Kiln cannot do otherwise: imdb and reuters return their
/// sequences as lists of lists of ints (Keras: numpy object arrays of those lists; Kiln's
/// arrays hold numbers only); `path` may also be absolute (Keras 3 only takes a file name).
/// Only the files Kiln reads are checked against Keras' hashes; for CIFAR Keras hashes the
/// downloaded archive, which Kiln does not read.

import Foundation
import KilnLang

extension KerasSession {
    /// `keras.datasets.<name>` modules.
    func registerDatasets(in registry: ModuleRegistry) {
        let modules: [(name: String, doc: String, functions: [KBuiltin])] = [
            ("mnist", "The MNIST digits, from Keras' cache file mnist.npz.", [
                KBuiltin("load_data", "path='mnist.npz'", doc: "((x_train, y_train), (x_test, y_test)): uint8 images (60000, 28, 28) and (10000, 28, 28), uint8 labels.") { a in
                    try ImageDatasets.mnist(a)
                },
            ]),
            ("fashion_mnist", "Fashion-MNIST, from Keras' cache folder fashion-mnist/ (four gzip'd IDX files).", [
                KBuiltin("load_data", "", doc: "((x_train, y_train), (x_test, y_test)): uint8 images (60000, 28, 28) and (10000, 28, 28), uint8 labels 0-9.") { a in
                    try ImageDatasets.fashionMnist(a)
                },
            ]),
            ("cifar10", "CIFAR-10, from Keras' extracted cache folder cifar-10-batches-py.", [
                KBuiltin("load_data", "", doc: "((x_train, y_train), (x_test, y_test)): uint8 images (N, 32, 32, 3) (channels last) and uint8 labels (N, 1).") { a in
                    try ImageDatasets.cifar10(a)
                },
            ]),
            ("cifar100", "CIFAR-100, from Keras' extracted cache folder cifar-100-python.", [
                KBuiltin("load_data", "label_mode='fine'", doc: "((x_train, y_train), (x_test, y_test)): uint8 images (N, 32, 32, 3) (channels last) and int64 labels (N, 1), fine (100 classes) or coarse (20).") { a in
                    try ImageDatasets.cifar100(a)
                },
            ]),
            ("imdb", "IMDB movie reviews as word-index sequences, from Keras' cache file imdb.npz.", [
                KBuiltin("load_data", "path='imdb.npz', num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3, **kwargs",
                         doc: "((x_train, y_train), (x_test, y_test)): x lists of word-index lists (Keras: object arrays of them), y int labels 0/1, shuffled with RandomState(seed).") { a in
                    try SequenceDatasets.imdb(a)
                },
                KBuiltin("get_word_index", "path='imdb_word_index.json'", doc: "A dict word -> index (before index_from is added), from Keras' cache file imdb_word_index.json.") { a in
                    try SequenceDatasets.wordIndex(a, dataset: "imdb", hash: "bfafd718b763782e994055a2d397834f")
                },
            ]),
            ("reuters", "Reuters newswires as word-index sequences over 46 topics, from Keras' cache file reuters.npz.", [
                KBuiltin("load_data", "path='reuters.npz', num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1, oov_char=2, index_from=3",
                         doc: "((x_train, y_train), (x_test, y_test)): x lists of word-index lists (Keras: object arrays of them), y int topics, shuffled with RandomState(seed), the last test_split held out.") { a in
                    try SequenceDatasets.reuters(a)
                },
                KBuiltin("get_word_index", "path='reuters_word_index.json'", doc: "A dict word -> index (before index_from is added), from Keras' cache file reuters_word_index.json.") { a in
                    try SequenceDatasets.wordIndex(a, dataset: "reuters", hash: "4d44cc38712099c9e383dc6e5f11a921")
                },
                KBuiltin("get_label_names", "", doc: "The 46 topic names, indexed by label.") { _ in
                    .object(KTuple(SequenceDatasets.reutersLabelNames.map { .string($0) }))
                },
            ]),
            ("boston_housing", "Boston house prices (13 features), from Keras' cache file boston_housing.npz.", [
                KBuiltin("load_data", "path='boston_housing.npz', test_split=0.2, seed=113",
                         doc: "((x_train, y_train), (x_test, y_test)): float64 features (N, 13) and prices (N,), shuffled with RandomState(seed), the last test_split held out.") { a in
                    try KerasDatasets.bostonHousing(a)
                },
            ]),
        ]
        for module in modules {
            registry.register("keras.datasets." + module.name) { _ in
                let m = KModule("keras.datasets." + module.name, doc: module.doc)
                m.add(module.functions)
                return m
            }
        }
        registry.register("keras.datasets") { interpreter in
            let m = KModule("keras.datasets", doc: "Keras' small data sets, read from Keras' cache folder ~/.keras/datasets.")
            for module in modules {
                m.set(module.name, .object(try interpreter.importModule(["keras", "datasets", module.name])))
            }
            return m
        }
    }
}

/// What the loaders share: reading npz cache files, Keras' shuffles and splits, and the
/// `((x_train, y_train), (x_test, y_test))` result; and boston_housing, which is only that.
enum KerasDatasets {
    /// `boston_housing.load_data`: x and y shuffled by one permutation, then split.
    static func bostonHousing(_ a: BoundArguments) throws -> Value {
        let testSplit = try a.double("test_split")
        guard testSplit >= 0 && testSplit < 1 else {
            throw KilnError.value("Invalid `test_split` argument: \(Repr.repr(a["test_split"])). It must be between 0 and 1 (exclusive of 1).")
        }
        let archive = try npz(a, dataset: "boston_housing", hash: "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5")
        let x = try array(archive, "x"), y = try array(archive, "y")
        let order = try permutation(x.shape.first ?? 0, a)
        let xs = try rows(x, order), ys = try rows(y, order)
        let count = order.count
        let split = Int((Double(count) * (1 - testSplit)).rounded(.towardZero))
        return result(train: (.object(try rows(xs, 0..<split)), .object(try rows(ys, 0..<split))),
                      test: (.object(try rows(xs, split..<count)), .object(try rows(ys, split..<count))))
    }

    // MARK: Shared

    /// The npz cache file named by the `path` argument, checked against Keras' hash.
    static func npz(_ a: BoundArguments, dataset: String, hash: String) throws -> ZipArchive {
        let path = try DatasetCache.path(try a.string(a.position("path")), dataset: dataset)
        return try ZipArchive(try DatasetCache.read(path, hash: hash, warn: a.interpreter.output), filename: path)
    }

    /// Member `name` of an npz archive, as Keras' `load_npz` reads it: a numeric array, or
    /// an object array through the restricted unpickler.
    static func member(_ archive: ZipArchive, _ name: String) throws -> NpyFormat.Contents {
        guard let entry = archive.entries.first(where: { $0.name == name + ".npy" }) else {
            throw KilnError.key(Repr.repr(.string(name)))
        }
        return try NpyFormat.read(try archive.contents(of: entry), allowPickle: true, maxHeaderSize: 10000,
                                  source: "\(entry.name) in \(archive.filename)")
    }

    /// A numeric member, as `np.load(path, allow_pickle=False)[name]` reads it.
    static func array(_ archive: ZipArchive, _ name: String) throws -> NDArray {
        let file = NpzFile(archive, allowPickle: false, maxHeaderSize: 10000)
        guard let array = try file.getItem(.string(name)).as(NDArray.self) else {
            throw KilnError.type("member '\(name)' of \(archive.filename) is not an array")
        }
        return array
    }

    /// `np.random.RandomState(seed).permutation(n)` for the `seed` argument, or numpy's
    /// MemoryError when n indexes would not fit in memory.
    static func permutation(_ n: Int, _ a: BoundArguments) throws -> [Int] {
        _ = try NDArray.checkedCount([n], .int64)
        return try randomState(a).permutation(n)
    }

    /// `np.random.RandomState(seed)` for the `seed` argument (None: seeded from the clock).
    static func randomState(_ a: BoundArguments) throws -> NumpyRandom {
        let rng = NumpyRandom()
        if a.isNone("seed") { return rng }
        guard let seed = UInt32(exactly: try a.int("seed")) else { throw KilnError.value("Seed must be between 0 and 2**32 - 1") }
        rng.seed(seed)
        return rng
    }

    /// `array[indices]` along the first axis, with numpy's IndexError for an index past the end.
    static func rows<S: Sequence>(_ array: NDArray, _ indices: S) throws -> NDArray where S.Element == Int {
        guard let n = array.shape.first else { throw KilnError.index("too many indices for array: array is 0-dimensional, but 1 were indexed") }
        let rowSize = array.shape.dropFirst().reduce(1, *)
        var offsets: [Int] = []
        for i in indices {
            guard (0..<n).contains(i) else { throw KilnError.index("index \(i) is out of bounds for axis 0 with size \(n)") }
            offsets.append(i * rowSize)
        }
        return NDArray(array.dtype, [offsets.count] + array.shape.dropFirst(), array.storage.gather(offsets, blockSize: rowSize))
    }

    /// `((x_train, y_train), (x_test, y_test))`.
    static func result(train: (Value, Value), test: (Value, Value)) -> Value {
        .object(KTuple([.object(KTuple([train.0, train.1])), .object(KTuple([test.0, test.1]))]))
    }
}
