/// k-nearest-neighbour prediction as scikit-learn's `KNeighborsClassifier` and
/// `KNeighborsRegressor` make it: the k training samples nearest in Euclidean distance (ties
/// by training order), weighted equally (`uniform`) or by 1/distance (`distance`, where a
/// sample at distance 0 takes all the weight); a class's probability is its share of the
/// weight, a regression its weighted mean.
public struct NearestNeighbors: Sendable {
    public enum Weighting: String, Sendable { case uniform, distance }
    public var neighbors: Int
    public var weighting: Weighting
    private var training: Samples?

    public init(neighbors: Int = 5, weighting: Weighting = .uniform) throws {
        guard neighbors > 0 else { throw LearnError("Expected n_neighbors > 0. Got \(neighbors)") }
        self.neighbors = neighbors
        self.weighting = weighting
    }

    mutating func remember(_ x: Samples) throws {
        guard neighbors <= x.rows else {
            throw LearnError("Expected n_neighbors <= n_samples_fit, but n_neighbors = \(neighbors), n_samples_fit = \(x.rows)")
        }
        training = x
    }

    /// For each query, its neighbours' training indices and weights, nearest first.
    func neighbours(of x: Samples) throws -> [[(index: Int, weight: Double)]] {
        guard let training else { throw LearnError("the neighbours model is not fitted") }
        guard x.columns == training.columns else { throw LearnError("X has \(x.columns) features, but the model is expecting \(training.columns) features as input.") }
        let p = x.columns, n = training.rows, k = neighbors
        return x.values.withUnsafeBufferPointer { q in
            training.values.withUnsafeBufferPointer { t in
                (0..<x.rows).map { r in
                    var distances = [Double](repeating: 0, count: n)
                    for i in 0..<n {
                        var s = 0.0
                        for j in 0..<p { let d = q[r * p + j] - t[i * p + j]; s += d * d }
                        distances[i] = s
                    }
                    let nearest = (0..<n).sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }.prefix(k)
                    switch weighting {
                    case .uniform:
                        return nearest.map { ($0, 1.0) }
                    case .distance:
                        if nearest.contains(where: { distances[$0] == 0 }) {
                            return nearest.map { ($0, distances[$0] == 0 ? 1.0 : 0.0) }
                        }
                        return nearest.map { ($0, 1 / distances[$0].squareRoot()) }
                    }
                }
            }
        }
    }
}

/// `KNeighborsClassifier`: class shares of the neighbours' weight.
public struct NeighborsClassifier: Classifier {
    public var model: NearestNeighbors
    private var labels: [Int] = []
    private var classes = 0

    public init(neighbors: Int = 5, weighting: NearestNeighbors.Weighting = .uniform) throws {
        model = try NearestNeighbors(neighbors: neighbors, weighting: weighting)
    }

    public mutating func fit(_ x: Samples, _ y: [Int], classes: Int, weights: [Double]?) throws {
        try model.remember(x)
        labels = y
        self.classes = classes
    }

    public func predictProbabilities(_ x: Samples) throws -> Samples {
        var p: [Double] = []
        for near in try model.neighbours(of: x) {
            var row = [Double](repeating: 0, count: classes)
            for (i, w) in near { row[labels[i]] += w }
            let total = row.reduce(0, +)
            p += row.map { $0 / total }
        }
        return try Samples(rows: x.rows, columns: classes, values: p)
    }
}

/// `KNeighborsRegressor`: the neighbours' weighted mean target.
public struct NeighborsRegressor: Regressor {
    public var model: NearestNeighbors
    private var targets: [Double] = []

    public init(neighbors: Int = 5, weighting: NearestNeighbors.Weighting = .uniform) throws {
        model = try NearestNeighbors(neighbors: neighbors, weighting: weighting)
    }

    public mutating func fit(_ x: Samples, _ y: [Double], weights: [Double]?) throws {
        try model.remember(x)
        targets = y
    }

    public func predict(_ x: Samples) throws -> [Double] {
        try model.neighbours(of: x).map { near in
            near.reduce(0) { $0 + $1.weight * targets[$1.index] } / near.reduce(0) { $0 + $1.weight }
        }
    }
}
