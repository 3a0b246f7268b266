/// scikit-learn's k-fold splitters as index arithmetic: `KFold` cuts 0..<n (shuffled first, if
/// asked) into k consecutive folds, the first n mod k one longer; `StratifiedKFold` deals each
/// class's samples round-robin over the folds by the order of the sorted labels, so each fold
/// holds about its share of every class. Both give train and test indices in ascending order.
/// The caller supplies the shuffle (numpy's `RandomState.shuffle`) so folds match scikit-learn's.
public enum CrossValidationFolds {
    public typealias Fold = (train: [Int], test: [Int])
    /// Shuffles an array in place, as numpy's generator would.
    public typealias Shuffle = (inout [Int]) -> Void

    static func check(splits: Int, samples: Int) throws {
        guard splits >= 2 else {
            throw LearnError("k-fold cross-validation requires at least one train/test split by setting n_splits=2 or more, got n_splits=\(splits).")
        }
        guard splits <= samples else {
            throw LearnError("Cannot have number of splits n_splits=\(splits) greater than the number of samples: n_samples=\(samples).")
        }
    }

    /// The folds of a test-fold assignment: fold f tests the samples assigned f.
    static func folds(_ assignment: [Int], splits: Int) -> [Fold] {
        (0..<splits).map { f in
            (train: assignment.indices.filter { assignment[$0] != f }, test: assignment.indices.filter { assignment[$0] == f })
        }
    }

    public static func kFold(samples n: Int, splits: Int, shuffle: Shuffle?) throws -> [Fold] {
        try check(splits: splits, samples: n)
        var order = Array(0..<n)
        shuffle?(&order)
        var assignment = [Int](repeating: 0, count: n)
        var start = 0
        for f in 0..<splits {
            let size = n / splits + (f < n % splits ? 1 : 0)
            for i in order[start..<(start + size)] { assignment[i] = f }
            start += size
        }
        return folds(assignment, splits: splits)
    }

    /// `labels` are class indices (any numbering); classes are renumbered by first appearance.
    public static func stratifiedKFold(labels: [Int], splits: Int, shuffle: Shuffle?) throws -> [Fold] {
        let n = labels.count
        try check(splits: splits, samples: n)
        var firstSeen: [Int: Int] = [:]
        var encoded: [Int] = []
        // Classes numbered by sorted label, then reordered by first appearance (scikit-learn).
        let sortedLabels = Array(Set(labels)).sorted()
        for label in labels where firstSeen[label] == nil { firstSeen[label] = firstSeen.count }
        let order = sortedLabels.sorted { (firstSeen[$0] ?? 0) < (firstSeen[$1] ?? 0) }
        let code = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        encoded = labels.map { code[$0] ?? 0 }
        let classes = order.count
        var counts = [Int](repeating: 0, count: classes)
        for c in encoded { counts[c] += 1 }
        guard !counts.allSatisfy({ splits > $0 }) else {
            throw LearnError("n_splits=\(splits) cannot be greater than the number of members in each class.")
        }
        // allocation[f][c]: how many of class c fold f tests, dealing the sorted labels round-robin.
        let sortedEncoded = encoded.sorted()
        var allocation = [[Int]](repeating: [Int](repeating: 0, count: classes), count: splits)
        for (i, c) in sortedEncoded.enumerated() { allocation[i % splits][c] += 1 }
        var assignment = [Int](repeating: 0, count: n)
        for c in 0..<classes {
            var foldsForClass = (0..<splits).flatMap { f in [Int](repeating: f, count: allocation[f][c]) }
            shuffle?(&foldsForClass)
            for (slot, i) in encoded.indices.filter({ encoded[$0] == c }).enumerated() { assignment[i] = foldsForClass[slot] }
        }
        return folds(assignment, splits: splits)
    }
}
