import Foundation
import KilnLang
@testable import KilnLibrary
import XCTest

/// keras.datasets against the real Keras: each case of Fixtures/datasets/expected.json is a
/// call that Keras 3 made on the small fake cache files in Fixtures/datasets/keras_home (made
/// by make_fixtures.py), with Keras' result or error. Kiln runs the same call through the
/// language with KERAS_HOME pointing there, and must give the same values, dtypes and shapes
/// (Keras' object arrays of sequences are Kiln lists). Also: missing and damaged files, the
/// restricted unpickler's refusals, and the hash check.
final class DatasetTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/datasets")
    static let kerasHome = fixtures.appendingPathComponent("keras_home").path

    private var savedKerasHome: String?

    override func setUp() {
        savedKerasHome = ProcessInfo.processInfo.environment["KERAS_HOME"]
        setenv("KERAS_HOME", DatasetTests.kerasHome, 1)
    }

    override func tearDown() {
        if let saved = savedKerasHome { setenv("KERAS_HOME", saved, 1) } else { unsetenv("KERAS_HOME") }
    }

    /// Runs `source`; the result and everything printed (warnings included).
    func run(_ source: String) -> (result: Result<Value?, KilnError>, output: String) {
        let interpreter = KilnLibrary.makeInterpreter()
        var output = ""
        interpreter.output = { output += $0 }
        return (interpreter.run(source, filename: "datasets.kiln"), output)
    }

    /// The error `source` fails with (a test failure if it succeeds).
    func error(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> KilnError? {
        guard case .failure(let e) = run(source).result else {
            XCTFail("expected an error from: \(source)", file: file, line: line)
            return nil
        }
        return e
    }

    /// A temporary folder, removed after the test.
    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    // MARK: Keras' results

    /// A value in expected.json: ints bare, everything else tagged by its Python type.
    indirect enum Expected: Decodable {
        case int(Int), float(Double), str(String), bool(Bool), none
        case tuple([Expected]), list([Expected]), dict([(Expected, Expected)])
        /// A numpy object array: a Kiln list.
        case objects(Expected)
        case ndarray(dtype: String, shape: [Int], values: [Double])

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        private struct Pair: Decodable {
            var key: Expected, value: Expected
            init(from decoder: Decoder) throws {
                var c = try decoder.unkeyedContainer()
                key = try c.decode(Expected.self)
                value = try c.decode(Expected.self)
            }
        }

        private struct Array: Decodable {
            var dtype: String
            var shape: [Int]
            var values: [Double]?
            var base64: String?
        }

        init(from decoder: Decoder) throws {
            if let i = try? decoder.singleValueContainer().decode(Int.self) {
                self = .int(i)
                return
            }
            let c = try decoder.container(keyedBy: Key.self)
            guard let key = c.allKeys.first else { throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "empty")) }
            switch key.stringValue {
            case "float": self = .float(try c.decode(Double.self, forKey: key))
            case "str": self = .str(try c.decode(String.self, forKey: key))
            case "bool": self = .bool(try c.decode(Bool.self, forKey: key))
            case "none": self = .none
            case "tuple": self = .tuple(try c.decode([Expected].self, forKey: key))
            case "list": self = .list(try c.decode([Expected].self, forKey: key))
            case "dict": self = .dict(try c.decode([Pair].self, forKey: key).map { ($0.key, $0.value) })
            case "objects": self = .objects(try c.decode(Expected.self, forKey: key))
            case "ndarray":
                let a = try c.decode(Array.self, forKey: key)
                let values = a.values ?? (Data(base64Encoded: a.base64 ?? "").map { $0.map { Double($0) } } ?? [])
                self = .ndarray(dtype: a.dtype, shape: a.shape, values: values)
            default: throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: key.stringValue))
            }
        }
    }

    struct Case: Decodable {
        struct Failure: Decodable {
            var type: String
            var message: String
        }

        var call: String
        var value: Expected?
        var error: Failure?
    }

    struct Fixture: Decodable {
        var keras: String
        var cases: [String: Case]
    }

    static let fixture: Fixture? = {
        guard let data = try? Data(contentsOf: fixtures.appendingPathComponent("expected.json")) else { return nil }
        return try? JSONDecoder().decode(Fixture.self, from: data)
    }()

    /// Runs case `name`'s call in Kiln and compares with Keras' value, or with Keras' error
    /// (its message too when `exactMessage`).
    func checkAgainstKeras(_ name: String, exactMessage: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        guard let c = DatasetTests.fixture?.cases[name] else { return XCTFail("no case \(name) in expected.json", file: file, line: line) }
        let source = """
            import numpy as np
            from keras.datasets import mnist, fashion_mnist, cifar10, cifar100, imdb, reuters, boston_housing
            FIXTURES = \(Repr.string(DatasetTests.fixtures.path))
            \(c.call)
            """
        let (result, _) = run(source)
        switch (result, c.value, c.error) {
        case (.success(let value?), let expected?, nil):
            assertMatches(value, expected, at: name, file: file, line: line)
        case (.failure(let e), nil, let expected?):
            XCTAssertEqual(e.type, expected.type, "\(name): \(e.message)", file: file, line: line)
            if exactMessage { XCTAssertEqual(e.message, expected.message, name, file: file, line: line) }
        case (.failure(let e), _, _):
            XCTFail("\(name): Kiln failed with \(e.type): \(e.message)", file: file, line: line)
        default:
            XCTFail("\(name): Kiln gave \(String(describing: try? result.get())), Keras \(c.error.map { "\($0.type): \($0.message)" } ?? "a value")", file: file, line: line)
        }
    }

    func assertMatches(_ value: Value, _ expected: Expected, at path: String, file: StaticString, line: UInt) {
        func fail(_ what: String) { XCTFail("\(path): \(what), got \(Repr.repr(value).prefix(200))", file: file, line: line) }
        func items(_ v: Value) -> [Value]? { v.as(KTuple.self)?.items ?? v.as(KList.self)?.items }
        switch expected {
        case .int(let i): if !(value.asInt == i && value.typeName == "int") { fail("expected int \(i)") }
        case .float(let d): if case .float(let x) = value, x == d {} else { fail("expected float \(d)") }
        case .str(let s): if case .string(let x) = value, x == s {} else { fail("expected str \(Repr.string(s))") }
        case .bool(let b): if case .bool(let x) = value, x == b {} else { fail("expected \(b)") }
        case .none: if case .none = value {} else { fail("expected None") }
        case .tuple(let e), .list(let e):
            let isTuple: Bool
            if case .tuple = expected { isTuple = true } else { isTuple = false }
            guard let got = items(value), (value.as(KTuple.self) != nil) == isTuple, got.count == e.count else {
                return fail("expected a \(isTuple ? "tuple" : "list") of \(e.count)")
            }
            for (i, (g, x)) in zip(got, e).enumerated() { assertMatches(g, x, at: "\(path)[\(i)]", file: file, line: line) }
        case .objects(let e):
            guard value.as(KList.self) != nil else { return fail("expected a list (Keras: an object array)") }
            assertMatches(value, e, at: path, file: file, line: line)
        case .dict(let pairs):
            guard let entries = value.as(KDict.self)?.table.entries, entries.count == pairs.count else { return fail("expected a dict of \(pairs.count)") }
            for (i, (entry, pair)) in zip(entries, pairs).enumerated() {
                assertMatches(entry.key, pair.0, at: "\(path) key \(i)", file: file, line: line)
                assertMatches(entry.value, pair.1, at: "\(path)[\(Repr.repr(entry.key))]", file: file, line: line)
            }
        case .ndarray(let dtype, let shape, let values):
            guard let a = value.as(NDArray.self) else { return fail("expected an array") }
            XCTAssertEqual(a.dtype.rawValue, dtype, "\(path): dtype", file: file, line: line)
            XCTAssertEqual(a.shape, shape, "\(path): shape", file: file, line: line)
            if a.elements != values {
                let first = zip(a.elements, values).enumerated().first { $0.element.0 != $0.element.1 }
                fail("elements differ (first at flat index \(first?.offset ?? min(a.size, values.count)))")
            }
        }
    }

    func testEveryKerasCaseHasATest() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        for name in try XCTUnwrap(DatasetTests.fixture).cases.keys.sorted() {
            XCTAssertTrue(source.contains("checkAgainstKeras(\"\(name)\""), "no test checks the case \(name)")
        }
    }

    func testMnistMatchesKeras() { checkAgainstKeras("mnist") }

    func testFashionMnistMatchesKeras() { checkAgainstKeras("fashion_mnist") }

    func testCifar10MatchesKeras() { checkAgainstKeras("cifar10") }

    func testCifar100FineLabelsMatchKeras() { checkAgainstKeras("cifar100_fine") }

    func testCifar100CoarseLabelsMatchKeras() { checkAgainstKeras("cifar100_coarse") }

    func testCifar100RefusesAnUnknownLabelMode() { checkAgainstKeras("cifar100_bad_label_mode") }

    func testImdbDefaultsMatchKeras() { checkAgainstKeras("imdb_default") }

    func testImdbNumWordsMatchesKeras() { checkAgainstKeras("imdb_num_words") }

    func testImdbSkipTopMatchesKeras() { checkAgainstKeras("imdb_skip_top") }

    func testImdbMaxlenMatchesKeras() { checkAgainstKeras("imdb_maxlen") }

    func testImdbMaxlenThatKeepsNothingFailsAsInKeras() { checkAgainstKeras("imdb_maxlen_too_small") }

    func testImdbWithoutOovCharDropsWords() { checkAgainstKeras("imdb_no_oov") }

    func testImdbWithoutStartCharOrShift() { checkAgainstKeras("imdb_no_start") }

    func testImdbSeedAndIndexFromMatchKeras() { checkAgainstKeras("imdb_seed") }

    func testImdbIgnoresUnknownKeywordsAsKeras3Does() { checkAgainstKeras("imdb_ignored_keyword") }

    func testImdbWordIndexKeepsTheFileOrder() { checkAgainstKeras("imdb_word_index") }

    func testReutersDefaultsMatchKeras() { checkAgainstKeras("reuters_default") }

    func testReutersFiltersMatchKeras() { checkAgainstKeras("reuters_filters") }

    func testReutersTestSplitAndSeedMatchKeras() { checkAgainstKeras("reuters_split") }

    func testReutersTestSplitAboveOneSlicesAsPythonDoes() { checkAgainstKeras("reuters_negative_split") }

    func testReutersEmptyTestSetAfterMaxlenHasFloat64Labels() { checkAgainstKeras("reuters_maxlen_no_test") }

    func testReutersWordIndexMatchesKeras() { checkAgainstKeras("reuters_word_index") }

    func testReutersLabelNames() { checkAgainstKeras("reuters_label_names") }

    func testBostonHousingDefaultsMatchKeras() { checkAgainstKeras("boston_default") }

    func testBostonHousingSplitAndSeedMatchKeras() { checkAgainstKeras("boston_split") }

    func testBostonHousingWithoutTestSplitHasAnEmptyTestSet() { checkAgainstKeras("boston_no_test") }

    func testBostonHousingRefusesATestSplitOfOne() { checkAgainstKeras("boston_bad_split") }

    func testNpLoadReadsObjectArraysOfEachProtocol() {
        checkAgainstKeras("np_load_objects_p2")
        checkAgainstKeras("np_load_objects_p3")
        checkAgainstKeras("np_load_objects_p4")
    }

    func testNpLoadRefusesObjectArraysWithoutAllowPickle() { checkAgainstKeras("np_load_objects_refused") }

    /// Keras names the refused global; Kiln also names the file.
    func testPickledOsSystemIsRefusedByName() throws {
        checkAgainstKeras("imdb_evil", exactMessage: false)
        let e = try XCTUnwrap(error("from keras.datasets import imdb\nimdb.load_data(path='evil.npz')"))
        XCTAssertEqual(e.type, "UnpicklingError")
        XCTAssertTrue(e.message.contains("Refusing to deserialize `posix.system`"), e.message)
        XCTAssertTrue(e.message.contains("x_train.npy in \(DatasetTests.kerasHome)/datasets/evil.npz"), e.message)
    }

    // MARK: Where the files are

    /// A KERAS_HOME holding copies of these files of the fixture cache folder (paths relative
    /// to datasets/, copied to `rename[path]` when given).
    func kerasHome(with paths: [String], rename: [String: String] = [:]) throws -> URL {
        let home = try temporaryFolder()
        let source = URL(fileURLWithPath: DatasetTests.kerasHome).appendingPathComponent("datasets")
        for path in paths {
            let target = home.appendingPathComponent("datasets").appendingPathComponent(rename[path] ?? path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source.appendingPathComponent(path), to: target)
        }
        setenv("KERAS_HOME", home.path, 1)
        return home
    }

    /// Replaces a file's contents.
    func overwrite(_ file: URL, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: file)
    }

    func testMnistLoadsKerasNpzLayout() throws {
        let path = try temporaryFolder().appendingPathComponent("mnist.npz").path
        let source = """
            import numpy as np
            from tensorflow.keras.datasets import mnist
            np.savez('\(path)', x_train=np.zeros((3, 28, 28), dtype='uint8'), y_train=np.array([5, 0, 4], dtype='uint8'),
                     x_test=np.ones((2, 28, 28), dtype='uint8'), y_test=np.array([7, 2], dtype='uint8'))
            (x_train, y_train), (x_test, y_test) = mnist.load_data(path='\(path)')
            [x_train.shape, y_train.tolist(), x_test.shape, str(x_test.dtype), y_test.tolist()]
            """
        let value = try run(source).result.get()
        XCTAssertEqual(value.map { Repr.repr($0) }, "[(3, 28, 28), [5, 0, 4], (2, 28, 28), 'uint8', [7, 2]]")
    }

    func testMissingCacheFileSaysWhereToPutIt() throws {
        let e = try XCTUnwrap(error("from keras.datasets import mnist\nmnist.load_data(path='no-such-mnist.npz')"))
        XCTAssertEqual(e.type, "FileNotFoundError")
        XCTAssertTrue(e.message.contains("Place Keras' cache file 'no-such-mnist.npz'"), e.message)
        XCTAssertTrue(e.message.contains("\(DatasetTests.kerasHome)/datasets/no-such-mnist.npz"), e.message)
    }

    func testCacheFolderIsDotKerasInHomeWithoutKerasHome() throws {
        let home = try temporaryFolder()
        let savedHome = ProcessInfo.processInfo.environment["HOME"]
        unsetenv("KERAS_HOME")
        setenv("HOME", home.path, 1)
        defer { if let savedHome { setenv("HOME", savedHome, 1) } }
        let e = try XCTUnwrap(error("from keras.datasets import imdb\nimdb.get_word_index()"))
        XCTAssertEqual(e.type, "FileNotFoundError")
        XCTAssertTrue(e.message.contains("'imdb_word_index.json' (the file keras.datasets.imdb.get_word_index() downloads) at \(home.path)/.keras/datasets/imdb_word_index.json"), e.message)
    }

    func testMissingFashionMnistFileSaysWhereToPutIt() throws {
        let home = try kerasHome(with: ["fashion-mnist/train-labels-idx1-ubyte.gz"])
        let e = try XCTUnwrap(error("from keras.datasets import fashion_mnist\nfashion_mnist.load_data()"))
        XCTAssertEqual(e.type, "FileNotFoundError")
        XCTAssertTrue(e.message.contains("'fashion-mnist/train-images-idx3-ubyte.gz'"), e.message)
        XCTAssertTrue(e.message.contains("\(home.path)/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), e.message)
    }

    func testMissingCifarFolderNamesKeras3AndKeras2Places() throws {
        let home = try kerasHome(with: [])
        let e = try XCTUnwrap(error("from keras.datasets import cifar100\ncifar100.load_data()"))
        XCTAssertEqual(e.type, "FileNotFoundError")
        XCTAssertTrue(e.message.contains("\(home.path)/datasets/cifar-100-python-target/cifar-100-python (Keras 3's place)"), e.message)
        XCTAssertTrue(e.message.contains("\(home.path)/datasets/cifar-100-python (Keras 2's)"), e.message)
    }

    func testCifar10ReadsKeras2FolderLayout() throws {
        let inner = "cifar-10-batches-py-target/cifar-10-batches-py"
        _ = try kerasHome(with: [inner], rename: [inner: "cifar-10-batches-py"])
        checkAgainstKeras("cifar10")
    }

    // MARK: Hashes

    func testFileWhoseHashDiffersLoadsAfterAWarning() throws {
        let (result, output) = run("from keras.datasets import boston_housing\n(x, y), _ = boston_housing.load_data()\nx.shape")
        XCTAssertEqual(try result.get().map { Repr.repr($0) }, "(8, 13)")
        XCTAssertTrue(output.hasPrefix("UserWarning: A local file was found, but it seems to be incomplete or outdated because the sha256 file hash does not match the original value of f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5: \(DatasetTests.kerasHome)/datasets/boston_housing.npz"), output)
        XCTAssertTrue(output.contains("Kiln does not download data, so it loads this file as it is."), output)
    }

    func testWordIndexHashIsMD5AsKerasPublishesIt() {
        let (_, output) = run("from keras.datasets import reuters\nreuters.get_word_index()")
        XCTAssertTrue(output.contains("the md5 file hash does not match the original value of 4d44cc38712099c9e383dc6e5f11a921"), output)
    }

    func testFileMatchingItsHashLoadsWithoutWarning() throws {
        let path = DatasetTests.kerasHome + "/datasets/imdb.npz"
        let bytes = try NumpyFiles.readFile(path)
        for hash in [SHA256.hexDigest(bytes), MD5.hexDigest(bytes)] {
            XCTAssertEqual(try DatasetCache.read(path, hash: hash) { XCTFail("warned: \($0)") }, bytes)
        }
    }

    func testSHA256KnownAnswers() {
        let vectors = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
            (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
            (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
            (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        ]
        for (message, digest) in vectors { XCTAssertEqual(SHA256.hexDigest(Array(message.utf8)), digest, message) }
        XCTAssertEqual(SHA256.hexDigest([UInt8](repeating: 0x61, count: 1_000_000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testMD5KnownAnswers() {
        let vectors = [  // RFC 1321's test suite
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (message, digest) in vectors { XCTAssertEqual(MD5.hexDigest(Array(message.utf8)), digest, message) }
    }

    // MARK: Damaged files

    func testTruncatedCifarBatchIsAnErrorNamingTheFile() throws {
        let inner = "cifar-10-batches-py-target/cifar-10-batches-py"
        let home = try kerasHome(with: [inner])
        let batch = home.appendingPathComponent("datasets/\(inner)/test_batch")
        let bytes = try NumpyFiles.readFile(batch.path)
        try overwrite(batch, with: Array(bytes.prefix(bytes.count / 2)))
        let e = try XCTUnwrap(error("from keras.datasets import cifar10\ncifar10.load_data()"))
        XCTAssertEqual(e.type, "UnpicklingError")
        XCTAssertEqual(e.message, "pickle data was truncated (reading \(batch.path))")
    }

    func testMissingCifarBatchIsFileNotFound() throws {
        let inner = "cifar-10-batches-py-target/cifar-10-batches-py"
        let home = try kerasHome(with: [inner])
        try FileManager.default.removeItem(at: home.appendingPathComponent("datasets/\(inner)/data_batch_4"))
        let e = try XCTUnwrap(error("from keras.datasets import cifar10\ncifar10.load_data()"))
        XCTAssertEqual(e.type, "FileNotFoundError")
        XCTAssertEqual(e.message, "[Errno 2] No such file or directory: '\(home.path)/datasets/\(inner)/data_batch_4'")
    }

    func testTruncatedGzipIsAnErrorNamingTheFile() throws {
        let names = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
        let home = try kerasHome(with: names.map { "fashion-mnist/" + $0 })
        let images = home.appendingPathComponent("datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
        let bytes = try NumpyFiles.readFile(images.path)
        try overwrite(images, with: Array(bytes.prefix(bytes.count - 20)))
        let e = try XCTUnwrap(error("from keras.datasets import fashion_mnist\nfashion_mnist.load_data()"))
        XCTAssertEqual(e.type, "EOFError")
        XCTAssertEqual(e.message, "Compressed file ended before the end-of-stream marker was reached: \(images.path)")
        try overwrite(images, with: Array("not gzip".utf8))
        let notGzip = try XCTUnwrap(error("from keras.datasets import fashion_mnist\nfashion_mnist.load_data()"))
        XCTAssertEqual(notGzip.type, "BadGzipFile")
        XCTAssertEqual(notGzip.message, "Not a gzipped file (b'no'): \(images.path)")
    }

    func testImagesThatDoNotMatchTheLabelsAreAnError() throws {
        let names = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
        let home = try kerasHome(with: names.map { "fashion-mnist/" + $0 }, rename: ["fashion-mnist/t10k-labels-idx1-ubyte.gz": "fashion-mnist/train-labels-idx1-ubyte.gz",
                                                                                      "fashion-mnist/train-labels-idx1-ubyte.gz": "fashion-mnist/t10k-labels-idx1-ubyte.gz"])
        let e = try XCTUnwrap(error("from keras.datasets import fashion_mnist\nfashion_mnist.load_data()"))
        XCTAssertEqual(e.type, "ValueError")
        XCTAssertTrue(e.message.hasPrefix("cannot reshape array of size 3920 into shape (3,28,28)"), e.message)
        XCTAssertTrue(e.message.contains(home.path), e.message)
    }

    func testTruncatedNpzIsAnErrorNamingTheFile() throws {
        let home = try kerasHome(with: ["imdb.npz"])
        let file = home.appendingPathComponent("datasets/imdb.npz")
        try overwrite(file, with: Array(try NumpyFiles.readFile(file.path).prefix(700)))
        let e = try XCTUnwrap(error("from keras.datasets import imdb\nimdb.load_data()"))
        XCTAssertEqual(e.type, "BadZipFile")
        XCTAssertEqual(e.message, "File is not a zip file: \(file.path)")
    }

    func testDamagedWordIndexIsAnErrorNamingTheFile() throws {
        let home = try kerasHome(with: ["imdb_word_index.json"])
        let file = home.appendingPathComponent("datasets/imdb_word_index.json")
        try overwrite(file, with: Array("{\"the\": 1,\n \"and\" 2}".utf8))
        let e = try XCTUnwrap(error("from keras.datasets import imdb\nimdb.get_word_index()"))
        XCTAssertEqual(e.type, "JSONDecodeError")
        XCTAssertEqual(e.message, "Expecting ':' delimiter: line 2 column 8 (char 18) in \(file.path)")
    }

    func testTruncatedObjectArrayIsAnErrorNamingTheFile() throws {
        let file = try temporaryFolder().appendingPathComponent("objects.npy")
        let bytes = try NumpyFiles.readFile(DatasetTests.fixtures.appendingPathComponent("objects_p4.npy").path)
        try overwrite(file, with: Array(bytes.dropLast(10)))
        let e = try XCTUnwrap(error("import numpy as np\nnp.load('\(file.path)', allow_pickle=True)"))
        XCTAssertEqual(e.type, "UnpicklingError")
        XCTAssertEqual(e.message, "pickle data was truncated (reading \(file.path))")
    }

    func testNpLoadRefusesAForeignGlobalEvenWithAllowPickle() throws {
        let e = try XCTUnwrap(error("import numpy as np\nnp.load(\(Repr.string(DatasetTests.kerasHome + "/datasets/evil.npz")), allow_pickle=True)['x_train']"))
        XCTAssertEqual(e.type, "UnpicklingError")
        XCTAssertTrue(e.message.hasPrefix("Refusing to deserialize `posix.system` while reading x_train.npy in \(DatasetTests.kerasHome)/datasets/evil.npz"), e.message)
    }

    /// Every prefix of a pickle, and every byte of it replaced, unpickles or fails with an
    /// error: never a crash.
    func testDamagedPicklesNeverCrash() throws {
        for name in ["objects_p2.npy", "objects_p3.npy", "objects_p4.npy"] {
            let bytes = try NumpyFiles.readFile(DatasetTests.fixtures.appendingPathComponent(name).path)
            let start = try XCTUnwrap(bytes.firstIndex(of: 0x0A)) + 1
            var variants = (start..<bytes.count).map { Array(bytes[..<$0]) }
            for i in start..<bytes.count {
                for replacement: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF, bytes[i] ^ 0x04] {
                    var damaged = bytes
                    damaged[i] = replacement
                    variants.append(damaged)
                }
            }
            for damaged in variants {
                do {
                    let pickle = try RestrictedUnpickler.load(damaged, from: start, source: name)
                    _ = try pickle.value(pickle.root)
                } catch is KilnError {}
            }
        }
    }

    /// Every prefix of a gzip file and of a JSON file fails with an error, never a crash.
    func testDamagedGzipAndJSONNeverCrash() throws {
        let gz = try NumpyFiles.readFile(DatasetTests.kerasHome + "/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
        for n in 1..<gz.count {
            XCTAssertThrowsError(try Gzip.decompress(Array(gz.prefix(n)), filename: "labels.gz"))
        }
        let json = try NumpyFiles.readFile(DatasetTests.kerasHome + "/datasets/imdb_word_index.json")
        for n in 0..<json.count {
            XCTAssertThrowsError(try JSONReader.parse(Array(json.prefix(n)), filename: "index.json"))
        }
    }

    // MARK: Using the data as notebooks do

    /// "Deep Learning with Python" multi-hot encodes imdb's sequences and decodes a review
    /// with the word index.
    func testImdbSequencesWorkAsTheBookUsesThem() throws {
        let source = """
            import numpy as np
            from keras.datasets import imdb
            (train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=10)
            def vectorize_sequences(sequences, dimension=10):
                results = np.zeros((len(sequences), dimension))
                for i, sequence in enumerate(sequences):
                    results[i, sequence] = 1.
                return results
            x_train = vectorize_sequences(train_data)
            word_index = imdb.get_word_index()
            reverse_word_index = dict([(value, key) for (key, value) in word_index.items()])
            decoded = ' '.join([reverse_word_index.get(i - 3, '?') for i in train_data[0]])
            [x_train.shape, [int(v) for v in x_train[1]], max([max(s) for s in train_data]), decoded, train_labels.astype('float32').dtype]
            """
        let value = try run(source).result.get()
        let (train, _) = try XCTUnwrap(kerasTrain("imdb_num_words"))
        let row = Set(train[1])
        XCTAssertEqual(value.map { Repr.repr($0) }, "[(12, 10), \((0..<10).map { row.contains($0) ? 1 : 0 }), \(train.flatMap { $0 }.max() ?? 0), "
                       + "\(Repr.string(train[0].map { [1: "the", 2: "and", 3: "a", 4: "of", 5: "to", 6: "is", 7: "br", 8: "in", 9: "it", 10: "café", 11: "\"quoted\"", 12: "back\\slash", 13: "über\tword"][$0 - 3] ?? "?" }.joined(separator: " "))), "
                       + "dtype('float32')]")
    }

    /// Keras' x_train and y_train values of a case, from expected.json.
    func kerasTrain(_ name: String) -> ([[Int]], [Double])? {
        guard case .tuple(let parts)? = DatasetTests.fixture?.cases[name]?.value, case .tuple(let train)? = parts.first,
              case .objects(.list(let rows)) = train[0], case .ndarray(_, _, let labels) = train[1] else { return nil }
        return (rows.map { row in
            guard case .list(let words) = row else { return [] }
            return words.map { if case .int(let w) = $0 { return w } else { return -1 } }
        }, labels)
    }
}
