// ReshapeLayerTests: channel slice and shuffle, flatten and channel affine against torch's
// autograd (exact), identity, and the shapes they refuse.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class ReshapeLayerTests: XCTestCase {
    /// Moves are exact; the affine within 1e-6 of max |torch| (one multiply-add per value).
    func testMatchesTorch() throws {
        try GradientCase.each(["channelSlice", "channelShuffle", "flatten", "channelAffine"], expected: 4) { c, t in
            let x = try XCTUnwrap(t["x0"]), node = try c.node(inputs: 1)
            let y = try ReshapeLayer.forward(node, x)
            let dx = try ReshapeLayer.backward(GradientCase.context(node, [x], output: y, gradient: try XCTUnwrap(t["dy"]))).inputs[0]
            if c.op == "channelAffine" {
                assertRelativelyClose(y, t["y"], 1e-6, "\(c.name) forward")
                assertRelativelyClose(dx, t["dx0"], 1e-6, "\(c.name) backward")
            } else {
                XCTAssertEqual(y, t["y"], "\(c.name) forward")
                XCTAssertEqual(dx, t["dx0"], "\(c.name) backward")
            }
        }
    }

    func testIdentityPassesBothWays() throws {
        let x = Tensor(shape: [1, 2, 1, 1], scalars: [1, 2]), node = Node(name: "id", op: .identity, inputs: [1])
        XCTAssertEqual(try ReshapeLayer.forward(node, x), x)
        XCTAssertEqual(try ReshapeLayer.backward(GradientCase.context(node, [x], output: x, gradient: x)).inputs[0], x)
    }

    func testRefusesShapesThatDoNotFit() {
        let x = Tensor(shape: [1, 4, 1, 1])
        for op in [Op.channelSlice(start: 3, count: 2), .channelShuffle(groups: 3), .channelAffine(scale: [1], shift: [0])] {
            XCTAssertThrowsError(try ReshapeLayer.forward(Node(name: "r", op: op, inputs: [1]), x), "\(op)")
        }
    }
}
