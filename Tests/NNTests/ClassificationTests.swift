import XCTest
@testable import NN
@testable import NNCore
@testable import NNEngine
@testable import NNONNX
@testable import NNTorchIO
@testable import NNVision

final class ClassificationTests: XCTestCase {
    func testAccuracyPerClassAndConfusion() {
        var tally = Classification(classCount: 3)
        for (label, prediction) in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 0)] {
            tally.record(label: label, prediction: prediction)
        }
        XCTAssertEqual(tally.images, 5)
        XCTAssertEqual(tally.correct, 3)
        XCTAssertEqual(tally.accuracy, 0.6, accuracy: 1e-12)
        XCTAssertEqual(tally.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
        XCTAssertEqual(tally.perClassAccuracy, [0.5, 1.0, 0.0])
    }

    func testArgmaxTiesGoToLowerIndex() {
        let logits = Tensor(shape: [2, 3], scalars: [1, 3, 3, -1, -2, -1])
        XCTAssertEqual(argmaxRows(logits), [1, 0])
    }
}
