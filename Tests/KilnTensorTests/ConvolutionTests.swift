import XCTest
@testable import KilnTensor

/// Output length and leading pad of one axis, by TensorFlow's rules (written out again here).
private func axis(_ input: Int, _ kernel: Int, _ stride: Int, _ dilation: Int, _ padding: String) -> (out: Int, before: Int) {
    let effective = (kernel - 1) * dilation + 1
    switch padding {
    case "same":
        let out = (input + stride - 1) / stride
        return (out, max((out - 1) * stride + effective - input, 0) / 2)
    case "causal":
        return ((input - 1) / stride + 1, effective - 1)
    default:
        return ((input - effective) / stride + 1, 0)
    }
}

/// Direct convolution: y[n,i,j,f] = Σ x[n, i·sh + a·dh − top, j·sw + b·dw − left, c] · k[a,b,c,f] + bias[f].
func naiveConv2d(_ x: Tensor, _ k: Tensor, bias: Tensor? = nil, strides: (Int, Int) = (1, 1), padding: String = "valid", dilation: (Int, Int) = (1, 1)) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, f) = (k.shape[0], k.shape[1], k.shape[3])
    let rows = axis(h, kh, strides.0, dilation.0, padding == "causal" ? "valid" : padding)
    let cols = axis(w, kw, strides.1, dilation.1, padding)
    let xs = x.scalars, ks = k.scalars, bs = bias?.scalars
    var out = [Float](repeating: 0, count: n * rows.out * cols.out * f)
    for b in 0..<n {
        for i in 0..<rows.out {
            for j in 0..<cols.out {
                for o in 0..<f {
                    var total = Double(bs?[o] ?? 0)
                    for p in 0..<kh {
                        let ih = i * strides.0 + p * dilation.0 - rows.before
                        guard ih >= 0, ih < h else { continue }
                        for q in 0..<kw {
                            let iw = j * strides.1 + q * dilation.1 - cols.before
                            guard iw >= 0, iw < w else { continue }
                            for ch in 0..<c {
                                total += Double(xs[((b * h + ih) * w + iw) * c + ch]) * Double(ks[((p * kw + q) * c + ch) * f + o])
                            }
                        }
                    }
                    out[((b * rows.out + i) * cols.out + j) * f + o] = Float(total)
                }
            }
        }
    }
    return tensor([n, rows.out, cols.out, f], out)
}

/// Direct depthwise convolution: y[n,i,j,c·M+m] = Σ x[n, …, c] · k[a,b,c,m] + bias[c·M+m].
func naiveDepthwise(_ x: Tensor, _ k: Tensor, bias: Tensor? = nil, strides: (Int, Int) = (1, 1), padding: String = "valid", dilation: (Int, Int) = (1, 1)) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, mult) = (k.shape[0], k.shape[1], k.shape[3])
    let rows = axis(h, kh, strides.0, dilation.0, padding == "causal" ? "valid" : padding)
    let cols = axis(w, kw, strides.1, dilation.1, padding)
    let xs = x.scalars, ks = k.scalars, bs = bias?.scalars
    var out = [Float](repeating: 0, count: n * rows.out * cols.out * c * mult)
    for b in 0..<n {
        for i in 0..<rows.out {
            for j in 0..<cols.out {
                for ch in 0..<c {
                    for m in 0..<mult {
                        var total = Double(bs?[ch * mult + m] ?? 0)
                        for p in 0..<kh {
                            let ih = i * strides.0 + p * dilation.0 - rows.before
                            guard ih >= 0, ih < h else { continue }
                            for q in 0..<kw {
                                let iw = j * strides.1 + q * dilation.1 - cols.before
                                guard iw >= 0, iw < w else { continue }
                                total += Double(xs[((b * h + ih) * w + iw) * c + ch]) * Double(ks[((p * kw + q) * c + ch) * mult + m])
                            }
                        }
                        out[((b * rows.out + i) * cols.out + j) * c * mult + ch * mult + m] = Float(total)
                    }
                }
            }
        }
    }
    return tensor([n, rows.out, cols.out, c * mult], out)
}

private func lift1d(_ t: Tensor) -> Tensor { (try? t.reshaped([t.shape[0], 1] + t.shape.dropFirst())) ?? t }
private func lift1dKernel(_ t: Tensor) -> Tensor { (try? t.reshaped([1] + t.shape)) ?? t }
private func drop1d(_ t: Tensor) -> Tensor { (try? t.reshaped([t.shape[0]] + t.shape.dropFirst(2))) ?? t }

private struct Case {
    var input: [Int], kernel: (Int, Int), filters: Int
    var strides = (1, 1), padding: Padding = .valid, dilation = (1, 1)
}

final class ConvolutionTests: XCTestCase {
    private let cases: [Case] = [
        Case(input: [2, 5, 5, 3], kernel: (3, 3), filters: 4),
        Case(input: [2, 6, 7, 2], kernel: (3, 3), filters: 3, strides: (2, 2), padding: .same),
        Case(input: [1, 7, 6, 3], kernel: (2, 3), filters: 2, strides: (2, 1), padding: .same),
        Case(input: [2, 9, 8, 2], kernel: (3, 3), filters: 2, padding: .same, dilation: (2, 2)),
        Case(input: [1, 8, 9, 2], kernel: (3, 2), filters: 3, strides: (1, 2), dilation: (2, 1)),
        Case(input: [1, 4, 4, 2], kernel: (4, 4), filters: 1, padding: .same),
        Case(input: [3, 4, 4, 5], kernel: (1, 1), filters: 6),
        Case(input: [2, 5, 5, 4], kernel: (1, 1), filters: 3, strides: (2, 2), padding: .same),
        Case(input: [8, 5, 5, 2], kernel: (3, 3), filters: 3, padding: .same),
    ]

    func testConvOutputLengthMatchesKeras() {
        XCTAssertEqual(Tensor.convOutputLength(10, kernel: 3, stride: 1, padding: .valid, dilation: 1), 8)
        XCTAssertEqual(Tensor.convOutputLength(10, kernel: 3, stride: 2, padding: .valid, dilation: 1), 4)
        XCTAssertEqual(Tensor.convOutputLength(10, kernel: 3, stride: 2, padding: .same, dilation: 1), 5)
        XCTAssertEqual(Tensor.convOutputLength(10, kernel: 3, stride: 1, padding: .valid, dilation: 2), 6)
        XCTAssertEqual(Tensor.convOutputLength(7, kernel: 5, stride: 3, padding: .causal, dilation: 1), 3)
        XCTAssertEqual(Tensor.convOutputLength(2, kernel: 5, stride: 1, padding: .valid, dilation: 1), -2)
        XCTAssertEqual(Tensor.convOutputLength(2, kernel: 5, stride: 2, padding: .valid, dilation: 1), -1)
    }

    func testPaddingNames() {
        XCTAssertEqual(Padding(name: "same"), .same)
        XCTAssertEqual(Padding(name: "VALID"), .valid)
        XCTAssertEqual(Padding(name: "causal"), .causal)
        XCTAssertNil(Padding(name: "full"))
        XCTAssertEqual(Padding.names, ["valid", "same", "causal"])
    }

    func testConv2dMatchesDirectConvolution() throws {
        for (i, c) in cases.enumerated() {
            let x = randomTensor(c.input, seed: 10 * i)
            let k = randomTensor([c.kernel.0, c.kernel.1, c.input[3], c.filters], seed: 10 * i + 1)
            let bias = randomTensor([c.filters], seed: 10 * i + 2)
            let y = try conv2d(x, kernel: k, bias: bias, strides: c.strides, padding: c.padding, dilation: c.dilation)
            let expected = naiveConv2d(x, k, bias: bias, strides: c.strides, padding: c.padding.name, dilation: c.dilation)
            assertClose(y, expected, tolerance: 1e-5)
            XCTAssertEqual(y.shape[1], Tensor.convOutputLength(c.input[1], kernel: c.kernel.0, stride: c.strides.0, padding: c.padding, dilation: c.dilation.0))
        }
    }

    func testConv2dWithoutBias() throws {
        let x = randomTensor([2, 5, 6, 3], seed: 1), k = randomTensor([3, 3, 3, 2], seed: 2)
        assertClose(try conv2d(x, kernel: k), naiveConv2d(x, k), tolerance: 1e-5)
    }

    func testConv2dSplitsTallImagesIntoTiles() throws {
        // 600 channels × 3×3 taps × 10 columns: a tile holds fewer rows than the output's 12.
        let x = randomTensor([1, 14, 12, 600], seed: 1), k = randomTensor([3, 3, 600, 2], seed: 2)
        assertClose(try conv2d(x, kernel: k), naiveConv2d(x, k), tolerance: 1e-4)
    }

    func testSamePaddingPutsTheOddPadAtTheBottomRight() throws {
        let x = tensor([1, 4, 4, 1], (1...16).map(Float.init))
        let y = try conv2d(x, kernel: Tensor(shape: [2, 2, 1, 1], repeating: 1), padding: .same)
        XCTAssertEqual(y.shape, [1, 4, 4, 1])
        XCTAssertEqual(y[[0, 0, 0, 0]], 1 + 2 + 5 + 6)
        XCTAssertEqual(y[[0, 0, 3, 0]], 4 + 8)
        XCTAssertEqual(y[[0, 3, 3, 0]], 16)
    }

    func testConv2dIsParallelDeterministic() throws {
        let x = randomTensor([8, 9, 9, 4], seed: 3), k = randomTensor([3, 3, 4, 5], seed: 4)
        XCTAssertEqual(try conv2d(x, kernel: k, padding: .same).scalars, try conv2d(x, kernel: k, padding: .same).scalars)
    }

    func testConv2dShapeErrors() {
        let x = Tensor(shape: [1, 5, 5, 3])
        assertShapeError(try conv2d(x, kernel: Tensor(shape: [3, 3, 2, 4])), mentions: ["(1, 5, 5, 3)", "(3, 3, 2, 4)"])
        assertShapeError(try conv2d(x, kernel: Tensor(shape: [3, 3, 3, 4]), bias: Tensor(shape: [3])), mentions: ["(3,)", "4 filters"])
        assertShapeError(try conv2d(x, kernel: Tensor(shape: [6, 6, 3, 4])), mentions: ["negative", "(1, 5, 5, 3)", "(6, 6, 3, 4)"])
        assertShapeError(try conv2d(x, kernel: Tensor(shape: [3, 3, 3, 4]), padding: .causal), mentions: ["causal"])
        assertShapeError(try conv2d(x, kernel: Tensor(shape: [3, 3, 3, 4]), strides: (0, 1)), mentions: ["strides"])
    }

    func testConv1dMatchesDirectConvolutionIncludingCausal() throws {
        let configurations: [(Int, Padding, Int)] = [(1, .valid, 1), (2, .same, 1), (1, .causal, 1), (1, .causal, 2), (3, .same, 2), (2, .causal, 1)]
        for (i, (stride, padding, dilation)) in configurations.enumerated() {
            let x = randomTensor([2, 11, 3], seed: i), k = randomTensor([3, 3, 4], seed: 100 + i), bias = randomTensor([4], seed: 200 + i)
            let y = try conv1d(x, kernel: k, bias: bias, stride: stride, padding: padding, dilation: dilation)
            let expected = drop1d(naiveConv2d(lift1d(x), lift1dKernel(k), bias: bias, strides: (1, stride), padding: padding.name, dilation: (1, dilation)))
            assertClose(y, expected, tolerance: 1e-5)
        }
    }

    func testCausalConvolutionSeesOnlyThePast() throws {
        let x = tensor([1, 4, 1], [1, 2, 3, 4])
        let y = try conv1d(x, kernel: tensor([2, 1, 1], [10, 1]), padding: .causal)
        // y[t] = 10·x[t−1] + x[t], with x[−1] = 0.
        XCTAssertEqual(y.scalars, [1, 12, 23, 34])
    }

    func testDepthwiseMatchesDirectConvolution() throws {
        let configurations: [([Int], (Int, Int), Int, (Int, Int), Padding, (Int, Int))] = [
            ([2, 5, 5, 3], (3, 3), 1, (1, 1), .valid, (1, 1)),
            ([2, 6, 7, 2], (3, 3), 2, (2, 2), .same, (1, 1)),
            ([1, 7, 6, 3], (2, 3), 3, (2, 1), .same, (1, 1)),
            ([2, 9, 8, 4], (3, 3), 1, (1, 1), .same, (2, 2)),
            ([1, 8, 9, 2], (3, 2), 2, (1, 2), .valid, (2, 1)),
            ([5, 4, 4, 3], (1, 1), 2, (1, 1), .valid, (1, 1)),
            // Multiples of eight channels with a 3×3 kernel take the register-blocked row kernel.
            ([2, 6, 5, 8], (3, 3), 1, (1, 1), .same, (1, 1)),
            ([1, 9, 7, 16], (3, 3), 1, (2, 1), .valid, (1, 2)),
            ([1, 5, 4, 8], (3, 3), 1, (1, 1), .same, (2, 2)),
            ([1, 9, 7, 16], (3, 2), 1, (2, 1), .valid, (1, 2)),
        ]
        for (i, (input, kernel, multiplier, strides, padding, dilation)) in configurations.enumerated() {
            let x = randomTensor(input, seed: i), k = randomTensor([kernel.0, kernel.1, input[3], multiplier], seed: 50 + i)
            let bias = randomTensor([input[3] * multiplier], seed: 90 + i)
            let y = try depthwiseConv2d(x, kernel: k, bias: bias, strides: strides, padding: padding, dilation: dilation)
            assertClose(y, naiveDepthwise(x, k, bias: bias, strides: strides, padding: padding.name, dilation: dilation), tolerance: 1e-5)
        }
    }

    func testDepthwiseOrdersOutputChannelsByInputChannelThenMultiplier() throws {
        // One pixel, a 1×1 kernel: y[c·M + m] = x[c] · k[c, m].
        let y = try depthwiseConv2d(tensor([1, 1, 1, 2], [2, 3]), kernel: tensor([1, 1, 2, 2], [1, 10, 100, 1000]))
        XCTAssertEqual(y.scalars, [2, 20, 300, 3000])
    }

    func testDepthwiseShapeErrors() {
        assertShapeError(try depthwiseConv2d(Tensor(shape: [1, 5, 5, 3]), kernel: Tensor(shape: [3, 3, 4, 1])), mentions: ["(1, 5, 5, 3)", "(3, 3, 4, 1)"])
        assertShapeError(try depthwiseConv2d(Tensor(shape: [1, 5, 5, 3]), kernel: Tensor(shape: [3, 3, 3, 2]), bias: Tensor(shape: [3])), mentions: ["(3,)", "6 output channels"])
    }

    func testDepthwiseConv1dMatchesDirectConvolution() throws {
        let x = randomTensor([2, 9, 3], seed: 1), k = randomTensor([3, 3, 2], seed: 2), bias = randomTensor([6], seed: 3)
        let y = try depthwiseConv1d(x, kernel: k, bias: bias, stride: 2, padding: .causal, dilation: 1)
        assertClose(y, drop1d(naiveDepthwise(lift1d(x), lift1dKernel(k), bias: bias, strides: (1, 2), padding: "causal")), tolerance: 1e-5)
    }

    func testSeparableIsDepthwiseThenPointwise() throws {
        let x = randomTensor([2, 7, 6, 3], seed: 1)
        let depthwise = randomTensor([3, 3, 3, 2], seed: 2), pointwise = randomTensor([1, 1, 6, 4], seed: 3), bias = randomTensor([4], seed: 4)
        let y = try separableConv2d(x, depthwiseKernel: depthwise, pointwiseKernel: pointwise, bias: bias, strides: (2, 1), padding: .same, dilation: (1, 1))
        let expected = naiveConv2d(naiveDepthwise(x, depthwise, strides: (2, 1), padding: "same"), pointwise, bias: bias)
        assertClose(y, expected, tolerance: 1e-5)
    }

    func testSeparableConv1dIsDepthwiseThenPointwise() throws {
        let x = randomTensor([2, 10, 3], seed: 1)
        let depthwise = randomTensor([3, 3, 2], seed: 2), pointwise = randomTensor([1, 6, 5], seed: 3), bias = randomTensor([5], seed: 4)
        let y = try separableConv1d(x, depthwiseKernel: depthwise, pointwiseKernel: pointwise, bias: bias, padding: .same, dilation: 2)
        let expected = drop1d(naiveConv2d(naiveDepthwise(lift1d(x), lift1dKernel(depthwise), padding: "same", dilation: (1, 2)), lift1dKernel(pointwise), bias: bias))
        assertClose(y, expected, tolerance: 1e-5)
    }

    func testSeparablePointwiseKernelMustMatch() {
        assertShapeError(try separableConv2d(Tensor(shape: [1, 5, 5, 3]), depthwiseKernel: Tensor(shape: [3, 3, 3, 2]), pointwiseKernel: Tensor(shape: [1, 1, 3, 4])),
                         mentions: ["(1, 1, 3, 4)", "(3, 3, 3, 2)"])
    }
}
