/// Matrix products on OpenBLAS' `cblas_sgemm`. OpenBLAS runs single-threaded (Kiln splits
/// the work itself, in fixed partitions, so results are deterministic and BLAS threads never
/// compete with the kernels'): a large product is cut into blocks of rows of the result (or
/// of columns, when there are few rows), one `sgemm` call per core.

import CBLAS

/// Puts OpenBLAS in single-threaded mode; evaluated once, before the first BLAS call.
let blasConfiguration: Void = { openblas_set_num_threads(1) }()

/// Floating-point operations per chunk below which a GEMM is not split across cores.
private let gemmMinimumFlopsPerChunk = 1 << 21

/// `C = op(A)·op(B) + beta·C` for row-major matrices, where op(A) is `m×k` (A is stored
/// `k×m` when `transA`), op(B) is `k×n`, and C is `m×n` with leading dimension `ldc`. Splits
/// C into row blocks (or column blocks when `m` is small) across cores when large; inside a
/// parallel chunk it runs as one call.
func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    _ = blasConfiguration
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        for i in 0..<m {
            let row = c + i * ldc
            for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
        }
        return
    }
    let flops = 2 * m * n * k
    let call = { (m: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) in
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), 1, a, blasint(Swift.max(lda, 1)), b, blasint(Swift.max(ldb, 1)),
                    beta, c, blasint(Swift.max(ldc, 1)))
    }
    if flops < 2 * gemmMinimumFlopsPerChunk || Parallel.coreCount == 1 {
        call(m, n, a, b, c)
        return
    }
    let rowFlops = 2 * n * k, columnFlops = 2 * m * k
    let minimumRows = Swift.max(8, gemmMinimumFlopsPerChunk / rowFlops)
    let shared = UncheckedSendable((a, b, c))
    if m >= 2 * minimumRows {
        Parallel.forEachChunk(count: m, minimumChunk: minimumRows) { rows in
            let (a, b, c) = shared.value
            let aStart = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
            call(rows.count, n, aStart, b, c + rows.lowerBound * ldc)
        }
    } else {
        let minimumColumns = Swift.max(16, gemmMinimumFlopsPerChunk / columnFlops)
        Parallel.forEachChunk(count: n, minimumChunk: minimumColumns) { columns in
            let (a, b, c) = shared.value
            let bStart = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            call(m, columns.count, a, bStart, c + columns.lowerBound)
        }
    }
}

/// The matrix product `op(a) · op(b)`, where `op` transposes the last two axes when asked:
/// - rank 2 × rank 2: `[M, K] · [K, N] → [M, N]`;
/// - rank > 2 × rank 2 (the Dense layer): `a`'s leading axes are batch axes, `[..., M, K] ·
///   [K, N] → [..., M, N]` as one GEMM over the flattened rows (with `transposeA`, each
///   batch's `[K, M]` matrix is transposed);
/// - rank ≥ 3 × rank ≥ 3: a batch of products, batch axes broadcast with numpy's rules
///   (`[B, M, K] · [B, K, N] → [B, M, N]`);
/// - a rank-1 operand is a row (for `a`) or column (for `b`) vector, and its axis is dropped
///   from the result, as in numpy's `matmul`.
/// Throws `ShapeError` naming both shapes when the inner sizes differ.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
    guard a.rank >= 1, b.rank >= 1 else {
        throw ShapeError("matmul: operands must have rank ≥ 1, got shapes \(Tensor.describe(a.shape)) and \(Tensor.describe(b.shape))")
    }
    // Vectors become matrices, and the added axis is dropped at the end.
    let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
    let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
    let (m, ka) = transposeA && a.rank > 1 ? (aShape[aShape.count - 1], aShape[aShape.count - 2]) : (aShape[aShape.count - 2], aShape[aShape.count - 1])
    let (kb, n) = transposeB && b.rank > 1 ? (bShape[bShape.count - 1], bShape[bShape.count - 2]) : (bShape[bShape.count - 2], bShape[bShape.count - 1])
    guard ka == kb else {
        throw ShapeError("matmul: shapes \(Tensor.describe(a.shape)) and \(Tensor.describe(b.shape)) are incompatible: \(ka) (inner size of a\(transposeA ? ", transposed" : "")) ≠ \(kb) (inner size of b\(transposeB ? ", transposed" : ""))")
    }
    let k = ka
    let ta = transposeA && a.rank > 1, tb = transposeB && b.rank > 1
    let batchA = Array(aShape.dropLast(2)), batchB = Array(bShape.dropLast(2))
    let batch: [Int]
    do {
        batch = try Tensor.broadcastShape(batchA, batchB)
    } catch {
        throw ShapeError("matmul: batch axes of shapes \(Tensor.describe(a.shape)) and \(Tensor.describe(b.shape)) do not broadcast")
    }
    var outShape = batch + [m, n]
    if b.rank == 1 { outShape.removeLast() }
    if a.rank == 1 { outShape.remove(at: outShape.count - (b.rank == 1 ? 1 : 2)) }
    guard [m, n, k].allSatisfy({ $0 <= Int(Int32.max) }) else {
        throw ShapeError("matmul: shapes \(Tensor.describe(a.shape)) and \(Tensor.describe(b.shape)) are too large for BLAS")
    }
    let pa = a.pointer, pb = b.pointer
    let lda = ta ? m : k, ldb = tb ? k : n
    // One GEMM: no batch, or a batch of `a` rows sharing one `b` (rows flattened).
    if batchB.isEmpty && !ta {
        let rows = Tensor.count(of: batchA) * m
        return Tensor.filled(shape: outShape) { out in
            gemm(transA: false, transB: tb, m: rows, n: n, k: k, a: pa, lda: lda, b: pb, ldb: ldb, c: out, ldc: n)
        }
    }
    let batchCount = Tensor.count(of: batch)
    let stridesA = Tensor.broadcastStrides(batchA, to: batch), stridesB = Tensor.broadcastStrides(batchB, to: batch)
    let matrixA = m * k, matrixB = k * n, matrixC = m * n
    return Tensor.filled(shape: outShape) { out in
        let shared = UncheckedSendable(out)
        // Many small products: one per chunk; few large ones: each GEMM splits itself.
        let perChunk = batchCount >= Parallel.coreCount ? 1 : batchCount
        Parallel.forEachChunk(count: batchCount, minimumChunk: perChunk) { range in
            for index in range {
                var rest = index, offA = 0, offB = 0
                for axis in stride(from: batch.count - 1, through: 0, by: -1) {
                    let i = rest % batch[axis]
                    rest /= batch[axis]
                    offA += i * stridesA[axis]
                    offB += i * stridesB[axis]
                }
                gemm(transA: ta, transB: tb, m: m, n: n, k: k,
                     a: pa + offA * matrixA, lda: lda, b: pb + offB * matrixB, ldb: ldb,
                     c: shared.value + index * matrixC, ldc: n)
            }
        }
    }
}
