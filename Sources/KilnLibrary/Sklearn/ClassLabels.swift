/// Class labels as scikit-learn reads them: the items of a 1-D array or list (a column vector
/// counts), their sorted distinct values (`np.unique`, the order of `classes_`) and each
/// label's index among them. Estimators, splitters and metrics share these rules.

import KilnLang

enum ClassLabels {
    /// The labels in `value`: a list or tuple's items, or a 1-D (or n × 1) array's elements.
    static func values(_ value: Value) throws -> [Value] {
        if let list = value.as(KList.self), !list.items.contains(where: { $0.asDouble != nil }) { return list.items }
        if let tuple = value.as(KTuple.self), !tuple.items.contains(where: { $0.asDouble != nil }) { return tuple.items }
        let array = try NDArray.from(value)
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
            throw KilnError.value("y should be a 1d array, got an array of shape \(Repr.repr(array.shapeValue)) instead.")
        }
        let flat = array.shape.count == 1 ? array : array.reshaped([array.shape[0]])
        return (0..<flat.shape[0]).map { flat.scalar(at: $0) }
    }

    /// The distinct labels, sorted: numbers by value, anything else by its text.
    static func sorted(_ labels: [Value]) -> [Value] {
        var classes: [Value] = []
        for label in labels where !classes.contains(where: { $0.equals(label) }) { classes.append(label) }
        return classes.sorted { a, b in
            if let x = a.asDouble, let y = b.asDouble { return x < y }
            return Repr.str(a) < Repr.str(b)
        }
    }

    /// Each label's index in `classes`, nil for a label not among them.
    static func indices(_ labels: [Value], in classes: [Value]) -> [Int?] {
        labels.map { label in classes.firstIndex { $0.equals(label) } }
    }

    /// Each label's index in `classes`, every label being one of them by construction.
    static func indices(_ labels: [Value], among classes: [Value]) -> [Int] {
        indices(labels, in: classes).map { $0 ?? 0 }
    }

    /// The labels as class indices in sorted order, with the sorted classes.
    static func encode(_ labels: [Value]) -> (classes: [Value], indices: [Int]) {
        let classes = sorted(labels)
        return (classes, indices(labels, among: classes))
    }
}
