/// Softmax cross-entropy from logits, fused with its gradient: the loss of each row and
/// `∂loss/∂logits` in one pass, stable for any logits (the softmax is shifted by the row
/// maximum). Keras' `categorical_crossentropy` and `sparse_categorical_crossentropy` with
/// `from_logits=True` per sample; the caller averages and scales the gradient.

import Foundation

/// For logits `z` and target distributions `y` of one shape `[..., K]`: the per-row loss
/// `−Σₖ yₖ · log softmax(z)ₖ` (shape `[...]`) and its gradient `(Σₖ yₖ) · softmax(z) − y`
/// with respect to `z` (shape of `z`; `softmax(z) − y` for one-hot or probability targets).
public func softmaxCrossEntropy(logits: Tensor, labels: Tensor) throws -> (loss: Tensor, gradient: Tensor) {
    guard logits.rank >= 1, logits.shape == labels.shape else {
        throw ShapeError("softmaxCrossEntropy: labels of shape \(Tensor.describe(labels.shape)) must have the shape of the logits \(Tensor.describe(logits.shape))")
    }
    let k = logits.shape[logits.rank - 1]
    let rows = k == 0 ? 0 : logits.count / k
    let gradient = Activation.softmaxRows(logits, log: false)
    let loss = Tensor(shape: Array(logits.shape.dropLast()))
    let pz = logits.pointer, py = labels.pointer, pg = gradient.pointer, pl = loss.pointer
    for r in 0..<rows {
        let z = pz + r * k, y = py + r * k, g = pg + r * k
        var peak = -Float.infinity
        for j in 0..<k where z[j] > peak { peak = z[j] }
        var total: Float = 0
        for j in 0..<k { total += fastExp(z[j] - peak) }
        let logSum = peak + Foundation.log(total)
        var value: Float = 0, mass: Float = 0
        for j in 0..<k where y[j] != 0 {
            value -= y[j] * (z[j] - logSum)
            mass += y[j]
        }
        pl[r] = value
        for j in 0..<k { g[j] = mass * g[j] - y[j] }
    }
    return (loss, gradient)
}

/// For logits `z` of shape `[N, K]` (or `[..., K]`) and one class index per row: the per-row
/// loss `log Σⱼ e^zⱼ − z[label]` and its gradient `softmax(z) − onehot(label)`. Throws if a
/// label is outside `0..<K` or there is not one label per row.
public func sparseSoftmaxCrossEntropy(logits: Tensor, labels: [Int]) throws -> (loss: Tensor, gradient: Tensor) {
    guard logits.rank >= 1 else {
        throw ShapeError("sparseSoftmaxCrossEntropy: logits must have a class axis, got shape \(Tensor.describe(logits.shape))")
    }
    let k = logits.shape[logits.rank - 1]
    let rows = k == 0 ? 0 : logits.count / k
    guard labels.count == rows else {
        throw ShapeError("sparseSoftmaxCrossEntropy: \(labels.count) labels for logits of shape \(Tensor.describe(logits.shape)) (\(rows) rows)")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= k }) {
        throw ShapeError("sparseSoftmaxCrossEntropy: label \(bad) is outside the valid range [0, \(k)) of logits of shape \(Tensor.describe(logits.shape))")
    }
    let gradient = Activation.softmaxRows(logits, log: false)
    let loss = Tensor(shape: Array(logits.shape.dropLast()))
    let pz = logits.pointer, pg = gradient.pointer, pl = loss.pointer
    for r in 0..<rows {
        let z = pz + r * k
        var peak = -Float.infinity
        for j in 0..<k where z[j] > peak { peak = z[j] }
        var total: Float = 0
        for j in 0..<k { total += fastExp(z[j] - peak) }
        pl[r] = peak + Foundation.log(total) - z[labels[r]]
        pg[r * k + labels[r]] -= 1
    }
    return (loss, gradient)
}
