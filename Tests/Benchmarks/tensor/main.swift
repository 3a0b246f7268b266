// Tensor kernel benchmark (not a test): GEMM and convolution throughput in GFLOP/s.
//
//     env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE swift run -c release kiln-bench-tensor
//
// Each case runs once to warm up, then repeatedly for about half a second; the best time is
// reported. Timings vary with the machine; compare runs on one machine.
//
// On the 2-core AMD EPYC development machine (release build, OpenBLAS 0.3.21):
//   matmul 256² 180-195, 512² 196-202, 1024² 198, 128×784·784×512 164-193 GFLOP/s (one-thread sgemm ≈ 100-105);
//   conv2d 32×64×64×3 → 32 filters 3×3 'same' 2.6 ms (88 GFLOP/s); 32×32×32×64 → 64 3×3 177 GFLOP/s,
//   its input gradient 165 and kernel gradient 174 GFLOP/s; sigmoid over 4M elements 3.7 ms.
//   Pointwise (1×1) convolution 32×60×60×32 → 64 (a separable layer's second half) 128 GFLOP/s,
//   its input gradient 157: close to the time it takes just to write the 29 MB result, so these
//   products are bound by memory and a faster GEMM kernel would gain little.

import CBLAS
import Dispatch
import Foundation
import KilnTensor

/// Seconds per call of `body`: the best of repeated runs lasting about `budget` seconds.
func bestTime(budget: Double = 0.5, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var best = Double.infinity, spent = 0.0, runs = 0
    while spent < budget || runs < 3 {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = min(best, seconds)
        spent += seconds
        runs += 1
    }
    return best
}

func report(_ name: String, flops: Double, seconds: Double) {
    let padded = name.padding(toLength: 44, withPad: " ", startingAt: 0)
    print("\(padded) \(String(format: "%9.3f ms  %7.1f GFLOP/s", seconds * 1e3, flops / seconds / 1e9))")
}

var generator = RandomGenerator(seed: 0)
print("cores: \(Parallel.coreCount)")

// GEMM: Kiln's matmul (row blocks across cores) and one single-threaded sgemm call.
for (m, k, n) in [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (128, 784, 512)] {
    let a = generator.uniform(shape: [m, k], low: -1, high: 1), b = generator.uniform(shape: [k, n], low: -1, high: 1)
    let flops = 2.0 * Double(m * n * k)
    report("matmul \(m)x\(k) · \(k)x\(n)", flops: flops, seconds: try bestTime { _ = try matmul(a, b) })
    var c = [Float](repeating: 0, count: m * n)
    let single = bestTime {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                            1, pa.baseAddress, blasint(k), pb.baseAddress, blasint(n), 0, &c, blasint(n))
            }
        }
    }
    report("  sgemm, one thread", flops: flops, seconds: single)
}

// Convolutions: the Conv2D of a small CNN's first layer, and a deeper one.
let conv: [(String, [Int], [Int], Padding)] = [
    ("conv2d 32x64x64x3 → 32, 3x3 same", [32, 64, 64, 3], [3, 3, 3, 32], .same),
    ("conv2d 32x64x64x3 → 32, 3x3 valid", [32, 64, 64, 3], [3, 3, 3, 32], .valid),
    ("conv2d 32x32x32x64 → 64, 3x3 same", [32, 32, 32, 64], [3, 3, 64, 64], .same),
    ("conv2d 32x32x32x64 → 128, 1x1", [32, 32, 32, 64], [1, 1, 64, 128], .valid),
]
for (name, inputShape, kernelShape, padding) in conv {
    let x = generator.uniform(shape: inputShape, low: -1, high: 1), kernel = generator.uniform(shape: kernelShape, low: -1, high: 1)
    let bias = generator.uniform(shape: [kernelShape[3]])
    let y = try conv2d(x, kernel: kernel, bias: bias, padding: padding)
    let flops = 2.0 * Double(y.count) * Double(kernelShape[0] * kernelShape[1] * kernelShape[2])
    report(name, flops: flops, seconds: try bestTime { _ = try conv2d(x, kernel: kernel, bias: bias, padding: padding) })
}

// Backward kernels of the deeper convolution (same FLOPs as its forward pass).
do {
    let x = generator.uniform(shape: [32, 32, 32, 64], low: -1, high: 1), kernel = generator.uniform(shape: [3, 3, 64, 64], low: -1, high: 1)
    let g = generator.uniform(shape: [32, 32, 32, 64], low: -1, high: 1)
    let flops = 2.0 * Double(g.count) * 9 * 64
    report("conv2dBackwardInput 32x32x32x64, 3x3 same", flops: flops, seconds: try bestTime {
        _ = try conv2dBackwardInput(g, kernel: kernel, inputShape: x.shape, padding: .same)
    })
    report("conv2dBackwardKernel 32x32x32x64, 3x3 same", flops: flops, seconds: try bestTime {
        _ = try conv2dBackwardKernel(x, upstream: g, kernelShape: kernel.shape, padding: .same)
    })
    let depthwise = generator.uniform(shape: [3, 3, 64, 1])
    report("depthwiseConv2dBackwardInput 3x3", flops: 2.0 * Double(g.count) * 9, seconds: try bestTime {
        _ = try depthwiseConv2dBackwardInput(g, kernel: depthwise, inputShape: x.shape, padding: .same)
    })
    report("depthwiseConv2dBackwardKernel 3x3", flops: 2.0 * Double(g.count) * 9, seconds: try bestTime {
        _ = try depthwiseConv2dBackwardKernel(x, upstream: g, kernelShape: depthwise.shape, padding: .same)
    })
}

// Depthwise and pooling (memory-bound; GFLOP/s for comparison only).
do {
    let x = generator.uniform(shape: [32, 32, 32, 64], low: -1, high: 1), kernel = generator.uniform(shape: [3, 3, 64, 1])
    let flops = 2.0 * Double(x.count) * 9
    report("depthwiseConv2d 32x32x32x64, 3x3 same", flops: flops, seconds: try bestTime { _ = try depthwiseConv2d(x, kernel: kernel, padding: .same) })
    let pointwiseInput = generator.uniform(shape: [32, 60, 60, 32]), pointwiseKernel = generator.uniform(shape: [1, 1, 32, 64])
    report("conv2d pointwise 32x60x60x32 -> 64", flops: 2.0 * 32 * 60 * 60 * 32 * 64, seconds: try bestTime {
        _ = try conv2d(pointwiseInput, kernel: pointwiseKernel)
    })
    let pointwiseUpstream = generator.uniform(shape: [32, 60, 60, 64])
    report("conv2dBackwardInput pointwise 64 -> 32", flops: 2.0 * 32 * 60 * 60 * 32 * 64, seconds: try bestTime {
        _ = try conv2dBackwardInput(pointwiseUpstream, kernel: pointwiseKernel, inputShape: pointwiseInput.shape)
    })
    report("maxPool2d 32x32x32x64, 2x2", flops: Double(x.count), seconds: try bestTime { _ = try maxPool2d(x) })
    let bias = generator.uniform(shape: [64])
    report("bias add 32x32x32x64 + 64", flops: Double(x.count), seconds: try bestTime { _ = try x.adding(bias) })
}

// Activations over 4M elements (GFLOP/s column: elements per nanosecond).
do {
    let x = generator.uniform(shape: [32, 64, 64, 32], low: -4, high: 4)
    for activation in [Activation.relu, .sigmoid, .tanh, .gelu, .swish, .softmax] {
        report("\(activation.name) 32x64x64x32", flops: Double(x.count), seconds: bestTime { _ = activation.apply(x) })
    }
}
