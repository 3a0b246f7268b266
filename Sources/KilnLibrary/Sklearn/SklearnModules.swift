/// scikit-learn's toy data sets and train/test splitting: `sklearn.datasets.load_digits`,
/// `load_iris`, `load_wine`, `load_breast_cancer` (the CSV files scikit-learn ships, inside the
/// binary; see Sources/KilnLibrary/Datasets/README.md for provenance and licence) and
/// `sklearn.model_selection.train_test_split`, which draws the same split as scikit-learn for
/// the same `random_state` (numpy's RandomState permutations, StratifiedShuffleSplit's rule).
/// The k-fold splitters and cross_val_score are in CrossValidation.swift.

import Foundation
import KilnLang

enum SklearnModules {
    static func register(in registry: ModuleRegistry, numpyRandom: NumpyRandom) {
        registry.register("sklearn.datasets") { _ in
            let m = KModule("sklearn.datasets", doc: "scikit-learn's small bundled data sets.")
            m.add([
                KBuiltin("load_digits", "*, n_class=10, return_X_y=False, as_frame=False",
                         doc: "1797 8x8 images of handwritten digits: data (n, 64), images (n, 8, 8), target 0-9.") { a in
                    try digits(nClass: try a.int(0), returnXy: a.bool(1))
                },
                loader("load_iris", "iris.csv", ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]),
                loader("load_wine", "wine_data.csv", ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
                                                      "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
                                                      "od280/od315_of_diluted_wines", "proline"]),
                loader("load_breast_cancer", "breast_cancer.csv", ["mean radius", "mean texture", "mean perimeter", "mean area",
                       "mean smoothness", "mean compactness", "mean concavity", "mean concave points", "mean symmetry",
                       "mean fractal dimension", "radius error", "texture error", "perimeter error", "area error", "smoothness error",
                       "compactness error", "concavity error", "concave points error", "symmetry error", "fractal dimension error",
                       "worst radius", "worst texture", "worst perimeter", "worst area", "worst smoothness", "worst compactness",
                       "worst concavity", "worst concave points", "worst symmetry", "worst fractal dimension"]),
            ])
            return m
        }
        registry.register("sklearn.model_selection") { _ in
            let m = KModule("sklearn.model_selection", doc: "Splitting data.")
            m.add([KBuiltin("train_test_split", "*arrays, test_size=None, train_size=None, random_state=None, shuffle=True, stratify=None",
                            doc: "Split arrays into random train and test subsets: returns [a_train, a_test, b_train, b_test, ...].") { a in
                try trainTestSplit(a, numpyRandom)
            }] + CrossValidation.functions(numpyRandom))
            return m
        }
        LinearLearners.register(in: registry)
        EnsembleLearners.register(in: registry)
        MetricsModule.register(in: registry)
        registry.register("sklearn") { interpreter in
            let m = KModule("sklearn", doc: "Kiln's scikit-learn subset.")
            for name in ["datasets", "ensemble", "model_selection", "metrics"] + LinearLearners.submodules {
                m.set(name, .object(try interpreter.importModule(["sklearn", name])))
            }
            return m
        }
    }

    /// The text of a bundled data file.
    static func dataFile(_ name: String) throws -> String {
        guard let text = embeddedDataFiles[name] else { throw KilnError("FileNotFoundError", "bundled data file \(name) is missing from this build") }
        return text
    }

    /// scikit-learn's `Bunch` result: attributes data, target, feature_names, target_names (and images).
    static func bunch(_ fields: [(String, Value)]) -> Value { .object(KStruct(fields.map { (name: $0.0, value: $0.1) })) }

    static func strings(_ names: [String]) -> Value { .object(KList(names.map { .string($0) })) }

    /// A loader for scikit-learn's CSV layout: a header `n_samples,n_features,target names…`, then
    /// rows of features and an integer target.
    static func loader(_ name: String, _ file: String, _ features: [String]) -> KBuiltin {
        KBuiltin(name, "*, return_X_y=False, as_frame=False", doc: "scikit-learn's \(file) data set as a Bunch (data, target, feature_names, target_names).") { a in
            let lines = try dataFile(file).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
            guard let header = lines.first, header.count >= 2, let n = Int(header[0]), let f = Int(header[1]) else {
                throw KilnError.value("bundled \(file) has no header")
            }
            var data: [Double] = [], target: [Int] = []
            for row in lines.dropFirst().prefix(n) {
                guard row.count == f + 1 else { throw KilnError.value("bundled \(file): a row has \(row.count) fields, expected \(f + 1)") }
                data += row.prefix(f).map { Double($0) ?? .nan }
                target.append(Int(row[f]) ?? 0)
            }
            let x = Value.object(NDArray(.float64, [target.count, f], doubles: data))
            let y = Value.object(NDArray(.int64, [target.count], ints: target))
            if a.bool(0) { return .object(KTuple([x, y])) }
            return bunch([("data", x), ("target", y), ("feature_names", strings(features)),
                          ("target_names", strings(Array(header.dropFirst(2)))), ("filename", .string(file))])
        }
    }

    static func digits(nClass: Int, returnXy: Bool) throws -> Value {
        var data: [Double] = [], target: [Int] = []
        for line in try dataFile("digits.csv").split(separator: "\n") {
            let fields = line.split(separator: ",").compactMap { Double($0) }
            guard fields.count == 65 else { continue }
            let label = Int(fields[64])
            guard label < nClass else { continue }
            data += fields.prefix(64)
            target.append(label)
        }
        let n = target.count
        let x = Value.object(NDArray(.float64, [n, 64], doubles: data))
        let y = Value.object(NDArray(.int64, [n], ints: target))
        if returnXy { return .object(KTuple([x, y])) }
        let features = (0..<8).flatMap { r in (0..<8).map { c in "pixel_\(r)_\(c)" } }
        return bunch([("data", x), ("target", y), ("images", .object(NDArray(.float64, [n, 8, 8], doubles: data))),
                      ("feature_names", strings(features)), ("target_names", .object(NDArray(.int64, [10], ints: Array(0..<10)))),
                      ("DESCR", .string("Optical recognition of handwritten digits dataset (UCI ML; 1797 8x8 images, 10 classes)"))])
    }

    /// The rows `rows` of an array (or of a list's elements).
    static func take(_ value: Value, _ rows: [Int], _ interpreter: Interpreter) throws -> Value {
        if let a = value.as(NDArray.self) {
            guard let first = a.shape.first, first > 0 else { return value }
            let width = a.size / first
            if a.dtype.isFloat {
                let d = a.storage.doubles
                return .object(NDArray(a.dtype, [rows.count] + a.shape.dropFirst(), doubles: rows.flatMap { d[($0 * width)..<(($0 + 1) * width)] }))
            }
            let v = a.storage.ints
            return .object(NDArray(a.dtype, [rows.count] + a.shape.dropFirst(), ints: rows.flatMap { v[($0 * width)..<(($0 + 1) * width)] }))
        }
        let items = try interpreter.iterate(value)
        return .object(KList(rows.map { items[$0] }))
    }

    /// scikit-learn's `check_random_state`: a new generator seeded with an int, else numpy's global one.
    static func randomState(_ value: Value, _ global: NumpyRandom) -> NumpyRandom {
        guard let seed = value.asInt else { return global }
        let rng = NumpyRandom()
        rng.seed(UInt32(truncatingIfNeeded: seed))
        return rng
    }

    static func trainTestSplit(_ a: BoundArguments, _ globalRandom: NumpyRandom) throws -> Value {
        let arrays = try a.list(0)
        guard let first = arrays.first else { throw KilnError.value("At least one array required as input") }
        let n = try a.interpreter.length(first)
        for array in arrays where try a.interpreter.length(array) != n {
            throw KilnError.value("Found input variables with inconsistent numbers of samples: \(try arrays.map { try a.interpreter.length($0) })")
        }
        func size(_ v: Value, _ name: String) throws -> Int? {
            if case .none = v { return nil }
            if let i = v.asInt, case .int = v { return i }
            guard let d = v.asDouble, d > 0, d < 1 else { throw KilnError.value("\(name)=\(Repr.repr(v)) should be a float in (0, 1) or an int") }
            return name == "test_size" ? Int((d * Double(n)).rounded(.up)) : Int((d * Double(n)).rounded(.down))
        }
        var nTest = try size(a[1], "test_size"), nTrain = try size(a[2], "train_size")
        if nTest == nil && nTrain == nil { nTest = Int((0.25 * Double(n)).rounded(.up)) }
        let test = nTest ?? (n - (nTrain ?? 0)), train = nTrain ?? (n - test)
        guard train > 0, test >= 0, train + test <= n else {
            throw KilnError.value("With n_samples=\(n), test_size=\(test) and train_size=\(train), the resulting train set will be empty or too large.")
        }
        let rng = randomState(a[3], globalRandom)
        var trainRows: [Int], testRows: [Int]
        if !a.bool(4) {
            trainRows = Array(0..<train)
            testRows = Array(train..<(train + test))
        } else if !a.isNone(5) {
            (trainRows, testRows) = try stratified(labels: try NDArray.from(a[5]).storage.doubles, train: train, test: test, rng)
        } else {
            let permutation = rng.permutation(n)
            testRows = Array(permutation[0..<test])
            trainRows = Array(permutation[test..<(test + train)])
        }
        var out: [Value] = []
        for array in arrays {
            out.append(try take(array, trainRows, a.interpreter))
            out.append(try take(array, testRows, a.interpreter))
        }
        return .object(KList(out))
    }

    /// scikit-learn's StratifiedShuffleSplit (one split): per-class counts by `approximateMode`,
    /// a permutation within each class, then a permutation of each side.
    static func stratified(labels: [Double], train: Int, test: Int, _ rng: NumpyRandom) throws -> ([Int], [Int]) {
        let classes = Array(Set(labels)).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, $0.offset) })
        let y = labels.map { index[$0] ?? 0 }
        var members = [[Int]](repeating: [], count: classes.count)
        for (i, c) in y.enumerated() { members[c].append(i) }   // stable: a mergesort of y
        let counts = members.map(\.count)
        guard counts.allSatisfy({ $0 >= 2 }) else {
            throw KilnError.value("The least populated class in y has only 1 member, which is too few. The minimum number of groups for any class cannot be less than 2.")
        }
        let nTrain = approximateMode(counts, train, rng)
        let remaining = zip(counts, nTrain).map { $0 - $1 }
        let nTest = approximateMode(remaining, test, rng)
        var trainRows: [Int] = [], testRows: [Int] = []
        for c in 0..<classes.count {
            let order = rng.permutation(counts[c]).map { members[c][$0] }
            trainRows += order[0..<nTrain[c]]
            testRows += order[nTrain[c]..<(nTrain[c] + nTest[c])]
        }
        let trainOrder = rng.permutation(trainRows.count).map { trainRows[$0] }
        let testOrder = rng.permutation(testRows.count).map { testRows[$0] }
        return (trainOrder, testOrder)
    }

    /// scikit-learn's `_approximate_mode`: how many of `draws` to take from each class, the
    /// largest remainders first, ties broken by the generator.
    static func approximateMode(_ counts: [Int], _ draws: Int, _ rng: NumpyRandom) -> [Int] {
        let total = Double(counts.reduce(0, +))
        let continuous = counts.map { Double($0) / total * Double(draws) }
        var floored = continuous.map { $0.rounded(.down) }
        var needToAdd = Int(Double(draws) - floored.reduce(0, +))
        if needToAdd > 0 {
            let remainder = zip(continuous, floored).map { $0 - $1 }
            for value in Array(Set(remainder)).sorted(by: >) {
                let candidates = remainder.enumerated().filter { $0.element == value }.map(\.offset)
                let addNow = min(candidates.count, needToAdd)
                for i in rng.permutation(candidates.count).prefix(addNow) { floored[candidates[i]] += 1 }
                needToAdd -= addNow
                if needToAdd == 0 { break }
            }
        }
        return floored.map { Int($0) }
    }
}
