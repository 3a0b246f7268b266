/// KilnLearn fits shallow learners — gradient-boosted trees, random forests, linear models,
/// nearest neighbours — and derivative-free optimizers, in float64 as scikit-learn computes,
/// with no knowledge of neural networks or of the language. This file holds what every learner
/// shares: the sample matrix, the learner protocols and the error type.

/// A dense samples × features matrix, row-major.
public struct Samples: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    /// Checks that `values` holds `rows · columns` numbers.
    public init(rows: Int, columns: Int, values: [Double]) throws {
        guard rows >= 0, columns >= 0, values.count == rows * columns else {
            throw LearnError("a \(rows) × \(columns) matrix needs \(rows * columns) values, got \(values.count)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Sample `row`'s features.
    public func row(_ row: Int) -> ArraySlice<Double> { values[(row * columns)..<((row + 1) * columns)] }

    /// Feature `column` of every sample.
    public func column(_ column: Int) -> [Double] { (0..<rows).map { values[$0 * columns + column] } }

    /// The samples at `indices`, in that order.
    public func rows(_ indices: [Int]) -> Samples {
        var picked: [Double] = []
        picked.reserveCapacity(indices.count * columns)
        for i in indices { picked += row(i) }
        // The count matches by construction.
        return (try? Samples(rows: indices.count, columns: columns, values: picked)) ?? self
    }
}

/// Learns to predict one of `classes` labels (0..<classes) with probabilities.
public protocol Classifier {
    /// Fits to `x` with labels `y` in 0..<classes, each sample weighing `weights[i]` (nil: 1).
    mutating func fit(_ x: Samples, _ y: [Int], classes: Int, weights: [Double]?) throws
    /// Each sample's class probabilities: rows × classes.
    func predictProbabilities(_ x: Samples) throws -> Samples
}

/// Learns to predict a number.
public protocol Regressor {
    mutating func fit(_ x: Samples, _ y: [Double], weights: [Double]?) throws
    func predict(_ x: Samples) throws -> [Double]
}

/// A mistake in a learner's input or settings, in words that name it.
public struct LearnError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
