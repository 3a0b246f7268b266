import Foundation
import KilnLang
import KilnLibrary
import XCTest

/// keras.datasets reads Keras' cache files; a missing file says where to put it.
final class DatasetTests: XCTestCase {
    func run(_ source: String) -> Result<Value?, KilnError> {
        let interpreter = KilnLibrary.makeInterpreter()
        interpreter.output = { _ in }
        return interpreter.run(source, filename: "datasets.kiln")
    }

    func testMnistLoadsKerasNpzLayout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("mnist.npz").path
        let source = """
            import numpy as np
            from tensorflow.keras.datasets import mnist
            np.savez('\(path)', x_train=np.zeros((3, 28, 28), dtype='uint8'), y_train=np.array([5, 0, 4], dtype='uint8'),
                     x_test=np.ones((2, 28, 28), dtype='uint8'), y_test=np.array([7, 2], dtype='uint8'))
            (x_train, y_train), (x_test, y_test) = mnist.load_data(path='\(path)')
            [x_train.shape, y_train.tolist(), x_test.shape, str(x_test.dtype), y_test.tolist()]
            """
        let value = try run(source).get()
        XCTAssertEqual(value.map { Repr.repr($0) }, "[(3, 28, 28), [5, 0, 4], (2, 28, 28), 'uint8', [7, 2]]")
    }

    func testMissingCacheFileSaysWhereToPutIt() {
        guard case .failure(let e) = run("from keras.datasets import mnist\nmnist.load_data(path='no-such-mnist.npz')") else {
            return XCTFail("loaded a file that does not exist")
        }
        XCTAssertEqual(e.type, "FileNotFoundError")
        XCTAssertTrue(e.message.contains("Place Keras' cache file 'no-such-mnist.npz'"), e.message)
        XCTAssertTrue(e.message.contains(".keras/datasets/no-such-mnist.npz"), e.message)
    }
}
