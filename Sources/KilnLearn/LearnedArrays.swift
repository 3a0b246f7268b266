/// What a fitted learner shows of itself, and learners that transform samples rather than
/// predict: scikit-learn's `coef_`, `mean_`, … attributes and its transformer interface.

/// A learned array such as `coef_` (shape [classes, features]) or `n_iter_` (shape [1]).
public struct LearnedArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Double]
    /// Whether numpy would hold it as integers (`n_iter_`).
    public var isInteger: Bool

    public init(shape: [Int], values: [Double], isInteger: Bool = false) {
        self.shape = shape
        self.values = values
        self.isInteger = isInteger
    }
}

/// A learner whose fitted state can be read as named arrays.
public protocol Inspectable {
    /// The fitted arrays by scikit-learn's attribute name; empty before fitting.
    var learnedArrays: [String: LearnedArray] { get }
}

/// Learns a map of samples to samples (scaling, projection) from the samples alone.
public protocol Transformer {
    mutating func fit(_ x: Samples, weights: [Double]?) throws
    func transform(_ x: Samples) throws -> Samples
    func inverseTransform(_ x: Samples) throws -> Samples
}
