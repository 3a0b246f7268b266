/// Float64 matrix products (OpenBLAS' `cblas_dgemm`) and a Cholesky solve: the linear algebra
/// the linear models and neighbour searches are built on.

import CBLAS

enum DenseAlgebra {
    /// `op(a) · op(b)` for row-major `a` (rows × inner after `transposeA`) and `b`, as a
    /// row-major rows × columns array.
    static func product(_ a: [Double], _ b: [Double], rows: Int, inner: Int, columns: Int,
                        transposeA: Bool = false, transposeB: Bool = false) -> [Double] {
        var c = [Double](repeating: 0, count: rows * columns)
        guard rows > 0, columns > 0, inner > 0 else { return c }
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(rows), Int32(columns), Int32(inner), 1, a, Int32(transposeA ? rows : inner),
                    b, Int32(transposeB ? inner : columns), 0, &c, Int32(columns))
        return c
    }

    /// Solves `A x = b` for symmetric positive-definite `A` (n × n, row-major) and each of the
    /// `b`'s columns (n × k), by Cholesky factorisation.
    static func solvePositiveDefinite(_ a: [Double], _ b: [Double], n: Int, k: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for p in 0..<j { sum -= l[i * n + p] * l[j * n + p] }
                if i == j {
                    guard sum > 0 else { throw LearnError("the matrix is not positive definite (singular system)") }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var x = b
        for c in 0..<k {
            for i in 0..<n {            // L y = b
                var sum = x[i * k + c]
                for p in 0..<i { sum -= l[i * n + p] * x[p * k + c] }
                x[i * k + c] = sum / l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {   // Lᵀ x = y
                var sum = x[i * k + c]
                for p in (i + 1)..<n { sum -= l[p * n + i] * x[p * k + c] }
                x[i * k + c] = sum / l[i * n + i]
            }
        }
        return x
    }
}
