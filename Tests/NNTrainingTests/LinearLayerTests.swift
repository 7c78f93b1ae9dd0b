// LinearLayerTests: nn.Linear on vectors and on feature maps (per position) against PyTorch
// (max|Shears − torch| / max|torch| <= 1e-4 per tensor), and its refusals.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class LinearLayerTests: XCTestCase {
    func testVector() throws { try ParametricFixture.load("linear-vector").check() }
    func testMap() throws { try ParametricFixture.load("linear-map").check() }

    func testRefusesAnInputOfTheWrongWidth() throws {
        var model = try ParametricFixture.load("linear-vector").model()
        let node = model.graph.nodes[1]
        for x in [Tensor(shape: [2, 5]), Tensor(shape: [2, 5, 1, 1]), Tensor(shape: [2, 6, 1])] {
            XCTAssertThrowsError(try ParametricFixture.forward(node, x, training: true, &model))
        }
    }
}
