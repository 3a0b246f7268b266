import XCTest
@testable import KilnTensor

/// Direct pooling over the window positions inside the input ('same' windows centred as TF).
private func naivePool(_ x: Tensor, pool: (Int, Int), strides: (Int, Int), padding: Padding, max isMax: Bool) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    func axis(_ input: Int, _ k: Int, _ s: Int) -> (Int, Int) {
        if padding == .same {
            let out = (input + s - 1) / s
            return (out, max((out - 1) * s + k - input, 0) / 2)
        }
        return ((input - k) / s + 1, 0)
    }
    let (oh, top) = axis(h, pool.0, strides.0), (ow, left) = axis(w, pool.1, strides.1)
    var out: [Float] = []
    for b in 0..<n {
        for i in 0..<oh {
            for j in 0..<ow {
                for ch in 0..<c {
                    var values: [Float] = []
                    for p in 0..<pool.0 {
                        for q in 0..<pool.1 {
                            let ih = i * strides.0 + p - top, iw = j * strides.1 + q - left
                            if ih >= 0, ih < h, iw >= 0, iw < w { values.append(x[[b, ih, iw, ch]]) }
                        }
                    }
                    out.append(isMax ? (values.max() ?? 0) : values.reduce(0, +) / Float(values.count))
                }
            }
        }
    }
    return tensor([n, oh, ow, c], out)
}

final class PoolingTests: XCTestCase {
    private let configurations: [([Int], (Int, Int), (Int, Int), Padding)] = [
        ([2, 4, 4, 3], (2, 2), (2, 2), .valid),
        ([2, 5, 7, 2], (2, 2), (2, 2), .valid),
        ([1, 5, 7, 3], (3, 3), (2, 2), .same),
        ([2, 6, 5, 2], (2, 3), (1, 2), .same),
        ([1, 7, 7, 1], (3, 2), (3, 1), .valid),
        ([3, 5, 5, 4], (5, 5), (1, 1), .same),
        ([2, 6, 5, 19], (2, 2), (2, 2), .valid),  // eight channels at a time, twice, then three
    ]

    func testMaxPoolMatchesDirectPooling() throws {
        for (i, (input, pool, strides, padding)) in configurations.enumerated() {
            let x = randomTensor(input, seed: i)
            assertClose(try maxPool2d(x, poolSize: pool, strides: strides, padding: padding),
                        naivePool(x, pool: pool, strides: strides, padding: padding, max: true), tolerance: 0)
        }
    }

    func testMaxPoolPassesNaNOnAsMaxDoes() throws {
        var values = (0..<64).map { Float($0) }
        values[16 + 9] = .nan  // channel 9 of the second pixel of the one window
        let y = try maxPool2d(tensor([1, 2, 2, 16], values), poolSize: (2, 2))
        XCTAssertEqual(y.shape, [1, 1, 1, 16])
        XCTAssertEqual(y.scalars.enumerated().filter { $0.element.isNaN }.map(\.offset), [9])
        XCTAssertEqual(y.scalars[0], 48)
    }

    func testAveragePoolMatchesDirectPooling() throws {
        for (i, (input, pool, strides, padding)) in configurations.enumerated() {
            let x = randomTensor(input, seed: i)
            assertClose(try avgPool2d(x, poolSize: pool, strides: strides, padding: padding),
                        naivePool(x, pool: pool, strides: strides, padding: padding, max: false), tolerance: 1e-6)
        }
    }

    func testStridesDefaultToThePoolSize() throws {
        let x = tensor([1, 2, 4, 1], [1, 5, 2, 0, 3, 4, 7, 8])
        let y = try maxPool2d(x, poolSize: (2, 2))
        XCTAssertEqual(y.shape, [1, 1, 2, 1])
        XCTAssertEqual(y.scalars, [5, 8])
    }

    func testSameAveragePoolingDividesByTheValidElements() throws {
        // 3×3 input of ones-and-position values; the 2×2 window at the bottom-right corner
        // covers one valid element, which is its average.
        let x = tensor([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let y = try avgPool2d(x, poolSize: (2, 2), strides: (2, 2), padding: .same)
        XCTAssertEqual(y.shape, [1, 2, 2, 1])
        XCTAssertEqual(y.scalars, [3, 4.5, 7.5, 9])
    }

    func testOneDimensionalPooling() throws {
        let x = tensor([1, 5, 1], [1, 3, 2, 5, 4])
        XCTAssertEqual(try maxPool1d(x, poolSize: 2).scalars, [3, 5])
        XCTAssertEqual(try avgPool1d(x, poolSize: 2, stride: 1).scalars, [2, 2.5, 3.5, 4.5])
        XCTAssertEqual(try avgPool1d(x, poolSize: 2, padding: .same).scalars, [2, 3.5, 4])
        XCTAssertEqual(try maxPool1d(x, poolSize: 3, stride: 2, padding: .same).scalars, [3, 5, 5])
    }

    func testGlobalPoolingOverSpatialAxes() throws {
        let x = randomTensor([2, 3, 4, 5], seed: 1)
        let avg = try globalAveragePool(x), mx = try globalMaxPool(x)
        XCTAssertEqual(avg.shape, [2, 5])
        assertClose(avg, try x.mean(axes: [1, 2]), tolerance: 1e-6)
        assertClose(mx, try x.max(axes: [1, 2]), tolerance: 0)
        XCTAssertEqual(try globalAveragePool(x, keepDims: true).shape, [2, 1, 1, 5])
        let sequence = tensor([1, 3, 2], [1, 2, 3, 4, 5, 9])
        XCTAssertEqual(try globalAveragePool(sequence).scalars, [3, 5])
        XCTAssertEqual(try globalMaxPool(sequence).scalars, [5, 9])
    }

    func testPoolingShapeErrors() {
        assertShapeError(try maxPool2d(Tensor(shape: [4, 4, 3])), mentions: ["(4, 4, 3)"])
        assertShapeError(try maxPool2d(Tensor(shape: [1, 1, 4, 3]), poolSize: (2, 2)), mentions: ["negative", "(1, 1, 4, 3)"])
        assertShapeError(try globalAveragePool(Tensor(shape: [4, 3])), mentions: ["(4, 3)"])
    }
}
