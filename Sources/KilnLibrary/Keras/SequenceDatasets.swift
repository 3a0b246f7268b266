/// The text data sets of `keras.datasets`, imdb and reuters: sequences of word indexes (words
/// ranked by frequency) with labels, shuffled and filtered line by line as Keras 3 does it:
/// shuffle with `RandomState(seed)`; mark each sequence with `start_char` and shift its words
/// by `index_from`; keep the sequences shorter than `maxlen`; replace (or, without `oov_char`,
/// drop) the words outside `skip_top <= w < num_words`, where a missing `num_words` is the
/// largest index seen (so that word too becomes `oov_char`, as in Keras). Their word indexes
/// are JSON files.

import KilnLang

enum SequenceDatasets {
    /// `imdb.load_data`: x_train and x_test each shuffled (one generator, train first),
    /// filtered together, then split where they met.
    static func imdb(_ a: BoundArguments) throws -> Value {
        let filters = try Filters(a)
        let archive = try KerasDatasets.npz(a, dataset: "imdb", hash: "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")
        var train = try Labelled(archive, x: "x_train", y: "y_train"), test = try Labelled(archive, x: "x_test", y: "y_test")
        let rng = try KerasDatasets.randomState(a)
        try train.shuffle(rng)
        try test.shuffle(rng)
        try train.mark(filters)
        try test.mark(filters)
        if let maxlen = filters.maxlen {
            try train.keepShorter(than: maxlen)
            try test.keepShorter(than: maxlen)
            if train.sequences.isEmpty || test.sequences.isEmpty {
                throw KilnError.value("After filtering for sequences shorter than maxlen=\(maxlen), no sequence was kept. Increase maxlen.")
            }
        }
        let xs = try filters.limit(train.sequences + test.sequences)
        let split = train.sequences.count
        let labels = try concatenate(train.labels, test.labels)
        return KerasDatasets.result(train: (list(xs[..<split]), .object(try KerasDatasets.rows(labels, 0..<split))),
                                    test: (list(xs[split...]), .object(try KerasDatasets.rows(labels, split..<labels.size))))
    }

    /// `reuters.load_data`: one set shuffled and filtered, the first `1 - test_split` of it
    /// for training.
    static func reuters(_ a: BoundArguments) throws -> Value {
        let filters = try Filters(a)
        let testSplit = try a.double("test_split")
        let archive = try KerasDatasets.npz(a, dataset: "reuters", hash: "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916")
        var data = try Labelled(archive, x: "x", y: "y")
        try data.shuffle(try KerasDatasets.randomState(a))
        try data.mark(filters)
        if let maxlen = filters.maxlen { try data.keepShorter(than: maxlen) }
        let xs = try filters.limit(data.sequences)
        // int(len(xs) * (1 - test_split)), then Python's slices xs[:idx] and xs[idx:].
        let product = (Double(xs.count) * (1 - testSplit)).rounded(.towardZero)
        if product.isNaN { throw KilnError.value("cannot convert float NaN to integer") }
        if product.isInfinite { throw KilnError.overflow("cannot convert float infinity to integer") }
        let split = product < 0 ? max(Int(max(product, -Double(xs.count))) + xs.count, 0) : Int(min(product, Double(xs.count)))
        // After maxlen, Keras' labels are a list, and np.array of an empty list is float64.
        func labels(_ range: Range<Int>) throws -> Value {
            if filters.maxlen != nil && range.isEmpty { return .object(NDArray(.float64, [0], doubles: [])) }
            return .object(try KerasDatasets.rows(data.labels, range))
        }
        return KerasDatasets.result(train: (list(xs[..<split]), try labels(0..<split)), test: (list(xs[split...]), try labels(split..<xs.count)))
    }

    /// `get_word_index(path)`: the JSON file's dict, checked against Keras' (MD5) hash.
    static func wordIndex(_ a: BoundArguments, dataset: String, hash: String) throws -> Value {
        let path = try DatasetCache.path(try a.string(a.position("path")), dataset: dataset, function: "get_word_index")
        return try JSONReader.parse(try DatasetCache.read(path, hash: hash, warn: a.interpreter.output), filename: path)
    }

    /// `reuters.get_label_names()`.
    static let reutersLabelNames = [
        "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar", "trade",
        "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
        "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei",
        "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
    ]

    // MARK: Filtering

    /// The arguments both loaders share (named as in their signatures), with Python's
    /// truthiness: `num_words` and `maxlen` of 0 count as None, `index_from` 0 as no shift.
    struct Filters {
        var numWords: Int?
        var skipTop: Int
        var maxlen: Int?
        var startChar: Int?
        var oovChar: Int?
        var indexFrom: Int

        init(_ a: BoundArguments) throws {
            func optional(_ name: String) throws -> Int? { try a.optionalInt(a.position(name)) }
            numWords = try optional("num_words").flatMap { $0 == 0 ? nil : $0 }
            skipTop = try a.int("skip_top")
            maxlen = try optional("maxlen").flatMap { $0 == 0 ? nil : $0 }
            startChar = try optional("start_char")
            oovChar = try optional("oov_char")
            indexFrom = try a.int("index_from")
        }

        /// `w + index_from`, or an OverflowError past 64 bits.
        func shifted(_ w: Int) throws -> Int {
            let (v, overflow) = w.addingReportingOverflow(indexFrom)
            if overflow { throw KilnError.overflow("word index \(w) + index_from \(indexFrom) does not fit Kiln's 64-bit int") }
            return v
        }

        /// `skip_top <= w < num_words` for each word: kept, or replaced by `oov_char` (dropped
        /// without it). Without `num_words`, the largest index of all the sequences.
        func limit(_ xs: [[Int]]) throws -> [[Int]] {
            var limit = numWords ?? 0
            if numWords == nil {
                guard let largest = try xs.map({ x -> Int in
                    guard let m = x.max() else { throw KilnError.value("max() arg is an empty sequence") }
                    return m
                }).max() else { throw KilnError.value("max() arg is an empty sequence") }
                limit = largest
            }
            let keep = { (w: Int) in skipTop <= w && w < limit }
            guard let oov = oovChar else { return xs.map { $0.filter(keep) } }
            return xs.map { x in x.map { keep($0) ? $0 : oov } }
        }
    }

    /// Sequences and their labels, shuffled and filtered together.
    struct Labelled {
        var sequences: [[Int]]
        var labels: NDArray

        /// The members `x` (sequences: an object array of lists of ints, or a 2-d int array)
        /// and `y` (1-d labels) of an npz archive.
        init(_ archive: ZipArchive, x: String, y: String) throws {
            let file = archive.filename
            switch try KerasDatasets.member(archive, x) {
            case .objects(let pickle):
                guard let array = pickle.array(pickle.root), case .objects(let items) = array.contents, array.shape.count == 1 else {
                    throw KilnError.type("\(x) in \(file) must be a 1-d array of sequences, found a pickled \(pickle.root.typeName)")
                }
                sequences = try items.map { item in
                    if let words = pickle.items(item) {
                        return try words.map { w in
                            guard case .int(let i) = w else { throw KilnError.type("the word indexes in \(x) of \(file) must be ints, found \(w.typeName)") }
                            return i
                        }
                    }
                    if let a = pickle.array(item), case .raw = a.contents, a.shape.count == 1 {
                        let words = try pickle.ndarray(a)
                        if !words.dtype.isFloat { return words.storage.ints }
                    }
                    throw KilnError.type("the sequences in \(x) of \(file) must be lists of ints, found \(item.typeName)")
                }
            case .array(let array):
                guard array.ndim == 2, !array.dtype.isFloat, let n = array.shape.first, array.shape[1] > 0 || n == 0 else {
                    throw KilnError.type("\(x) in \(file) must hold sequences of word indexes (a 1-d object array of lists, or a 2-d int array with at least one column)")
                }
                let ints = array.storage.ints, width = array.shape[1]
                sequences = (0..<n).map { Array(ints[($0 * width)..<(($0 + 1) * width)]) }
            }
            guard case .array(let y) = try KerasDatasets.member(archive, y), y.ndim == 1 else {
                throw KilnError.type("\(y) in \(file) must be a 1-d numeric array of labels")
            }
            labels = y
        }

        /// `indices = np.arange(len(x)); rng.shuffle(indices); x = x[indices]; y = y[indices]`.
        mutating func shuffle(_ rng: NumpyRandom) throws {
            let order = rng.permutation(sequences.count)
            labels = try KerasDatasets.rows(labels, order)
            sequences = order.map { sequences[$0] }
        }

        /// `[start_char] + [w + index_from for w in x]`, or only the shift without `start_char`.
        mutating func mark(_ filters: Filters) throws {
            if let start = filters.startChar {
                sequences = try sequences.map { x in [start] + (try x.map(filters.shifted)) }
            } else if filters.indexFrom != 0 {
                sequences = try sequences.map { try $0.map(filters.shifted) }
            }
        }

        /// Keras' `remove_long_seq`: the pairs whose sequence is shorter than `maxlen`.
        mutating func keepShorter(than maxlen: Int) throws {
            let kept = (0..<min(sequences.count, labels.size)).filter { sequences[$0].count < maxlen }
            labels = try KerasDatasets.rows(labels, kept)
            sequences = kept.map { sequences[$0] }
        }
    }

    /// `np.concatenate([a, b])` of two 1-d label arrays.
    private static func concatenate(_ a: NDArray, _ b: NDArray) throws -> NDArray {
        let dtype = DType.promote(a.dtype, b.dtype)
        if dtype.isFloat { return NDArray(dtype, [a.size + b.size], doubles: a.storage.doubles + b.storage.doubles) }
        return NDArray(dtype, [a.size + b.size], ints: a.storage.ints + b.storage.ints)
    }

    /// Sequences as a list of lists of ints.
    private static func list(_ xs: ArraySlice<[Int]>) -> Value {
        .object(KList(xs.map { .object(KList($0.map { .int($0) })) }))
    }
}
