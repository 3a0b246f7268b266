import XCTest
@testable import KilnTensor

/// A tensor of `shape` with elements uniform in `[low, high)`, fixed by `seed`.
func randomTensor(_ shape: [Int], seed: Int, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return generator.uniform(shape: shape, low: low, high: high)
}

/// A tensor from a shape and its values (the test's own data is always consistent).
func tensor(_ shape: [Int], _ values: [Float]) -> Tensor {
    do {
        return try Tensor(shape: shape, values: values)
    } catch {
        XCTFail("bad test tensor: \(error)")
        return Tensor(shape: shape)
    }
}

/// Row-major offset of `index` in `shape`.
func offset(_ index: [Int], in shape: [Int]) -> Int {
    var result = 0
    for (i, d) in zip(index, shape) { result = result * d + i }
    return result
}

/// Every multi-index of `shape` in row-major order.
func allIndices(_ shape: [Int]) -> [[Int]] {
    var result: [[Int]] = [[]]
    for d in shape {
        result = result.flatMap { prefix in (0..<d).map { prefix + [$0] } }
    }
    return result
}

/// Asserts equal shapes and elements within `tolerance` (absolute, scaled by the magnitude
/// when it exceeds 1).
func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shapes differ", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, e = expected.scalars
    for i in a.indices {
        let scale = max(1, abs(e[i]))
        if !(abs(a[i] - e[i]) <= tolerance * scale) && !(a[i].isNaN && e[i].isNaN) && a[i] != e[i] {
            XCTFail("element \(i): \(a[i]) ≠ \(e[i]) (tolerance \(tolerance))", file: file, line: line)
            return
        }
    }
}

/// Asserts `body` throws a `ShapeError` whose message contains every one of `fragments`.
func assertShapeError<T>(_ body: @autoclosure () throws -> T, mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a ShapeError", file: file, line: line)
    } catch let error as ShapeError {
        for fragment in fragments where !error.message.contains(fragment) {
            XCTFail("message \"\(error.message)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected a ShapeError, got \(error)", file: file, line: line)
    }
}

/// The numerical gradient of `Σ upstream ⊙ f(x)` with respect to `x`, by central differences
/// (in Double where the function allows; step `h`).
func numericalGradient(_ x: Tensor, upstream: Tensor, h: Float = 1e-2, _ f: (Tensor) throws -> Tensor) rethrows -> Tensor {
    var gradient = [Float](repeating: 0, count: x.count)
    let g = upstream.scalars
    for i in 0..<x.count {
        var plus = x.scalars, minus = x.scalars
        plus[i] += h
        minus[i] -= h
        let fp = try f(tensor(x.shape, plus)).scalars, fm = try f(tensor(x.shape, minus)).scalars
        var total: Double = 0
        for j in fp.indices { total += Double(g[j]) * (Double(fp[j]) - Double(fm[j])) }
        gradient[i] = Float(total / (2 * Double(h)))
    }
    return tensor(x.shape, gradient)
}
