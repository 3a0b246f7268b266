import CBLAS
import XCTest

/// OpenBLAS links and multiplies: the tensor kernels depend on `cblas_sgemm`.
final class BLASTests: XCTestCase {
    func testSgemmMultipliesRowMajorMatrices() {
        // [1 2 3]   [ 7  8]   [ 58  64]
        // [4 5 6] × [ 9 10] = [139 154]
        //           [11 12]
        let a: [Float] = [1, 2, 3,
                          4, 5, 6]
        let b: [Float] = [7, 8,
                          9, 10,
                          11, 12]
        var c = [Float](repeating: -1, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    2, 2, 3,        // M, N, K
                    1, a, 3,        // alpha, A, lda
                    b, 2,           // B, ldb
                    0, &c, 2)       // beta, C, ldc
        XCTAssertEqual(c, [58, 64, 139, 154])
    }

    func testSgemmHonoursTransposeAndBeta() {
        // C = 2 · Aᵀ·B + 1 · C with A = [1 2; 3 4] (so Aᵀ = [1 3; 2 4]) and B = I.
        let a: [Float] = [1, 2, 3, 4]
        let identity: [Float] = [1, 0, 0, 1]
        var c: [Float] = [10, 10, 10, 10]
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, 2, 2, 2, 2, a, 2, identity, 2, 1, &c, 2)
        XCTAssertEqual(c, [12, 16, 14, 18])
    }
}
