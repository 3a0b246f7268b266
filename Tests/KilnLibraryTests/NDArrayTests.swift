import KilnLang
import KilnTensor
import XCTest
@testable import KilnLibrary

/// The Swift interface between `np` arrays and the engine's tensors: float32 arrays share
/// their tensor's buffer both ways, other dtypes convert, and writes never alias.
final class NDArrayTests: XCTestCase {
    func testAnArrayMadeFromATensorSharesItsBuffer() throws {
        let t = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let a = NDArray(t)
        XCTAssertEqual(a.dtype, .float32)
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertTrue(try a.tensor().storage === t.storage)
        XCTAssertEqual(a.repr(), "array([[1., 2., 3.],\n       [4., 5., 6.]], dtype=float32)")
    }

    func testTensorOfAFloat32ArrayHasTheArraysShapeAndNoCopy() throws {
        let a = try NDArray.from(.object(KList([.float(0.5), .float(1.5)])), dtype: .float32)
        let t = try a.tensor()
        XCTAssertEqual(t.shape, [2])
        XCTAssertEqual(t.scalars, [0.5, 1.5])
        XCTAssertTrue(try a.tensor().storage === t.storage)
    }

    func testTensorOfOtherDtypesConvertsToFloat32() throws {
        let ints = try NDArray.from(.object(KList([.object(KList([.int(1), .int(2)])), .object(KList([.int(3), .int(4)]))])))
        XCTAssertEqual(ints.dtype, .int64)
        let t = try ints.tensor()
        XCTAssertEqual(t.shape, [2, 2])
        XCTAssertEqual(t.scalars, [1, 2, 3, 4])
        XCTAssertEqual(try NDArray.from(.float(0.1)).tensor().scalars, [Float(0.1)])
    }

    func testWritingAnArrayDoesNotChangeATensorTakenFromIt() throws {
        let a = NDArray(try Tensor(shape: [3], values: [1, 2, 3]))
        let before = try a.tensor()
        try a.setItem(.int(0), .float(9))
        XCTAssertEqual(before.scalars, [1, 2, 3])
        XCTAssertEqual(try a.tensor().scalars, [9, 2, 3])
    }

    func testWritingATensorDoesNotChangeTheArray() throws {
        let a = NDArray(try Tensor(shape: [2], values: [1, 2]))
        var t = try a.tensor()
        t.withUnsafeMutableBufferPointer { $0[0] = 7 }
        XCTAssertEqual(a.repr(), "array([1., 2.], dtype=float32)")
    }

    func testNumpyPromotionTable() {
        XCTAssertEqual(DType.promote(.int64, .float32), .float64)
        XCTAssertEqual(DType.promote(.uint8, .float32), .float32)
        XCTAssertEqual(DType.promote(.int32, .uint8), .int32)
        XCTAssertEqual(DType.promote(.bool, .int32), .int32)
        XCTAssertEqual(DType.float32.promote(weak: .float64), .float32)
        XCTAssertEqual(DType.int32.promote(weak: .int64), .int32)
        XCTAssertEqual(DType.bool.promote(weak: .int64), .int64)
        XCTAssertEqual(DType.uint8.promote(weak: .float64), .float64)
    }
}
