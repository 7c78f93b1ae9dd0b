// JoinLayerTests: add, mul (equal shapes and a squeeze-excite gate) and concat against torch's
// autograd, and the shapes they refuse.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class JoinLayerTests: XCTestCase {
    /// add and concat exactly; mul within 1e-6 of max |torch| (the gate's sum over positions; the issue asks 1e-4).
    func testMatchesTorch() throws {
        try GradientCase.each(["add", "mul", "concat"], expected: 4) { c, t in
            let inputs = c.inputs(t), node = try c.node(inputs: inputs.count)
            let y = try JoinLayer.forward(node, inputs)
            let gradients = try JoinLayer.backward(GradientCase.context(node, inputs, output: y, gradient: try XCTUnwrap(t["dy"]))).inputs
            XCTAssertEqual(gradients.count, inputs.count)
            if c.op != "mul" { XCTAssertEqual(y, t["y"], c.name) }
            assertRelativelyClose(y, t["y"], 1e-6, "\(c.name) forward")
            for (k, gradient) in gradients.enumerated() {
                if c.op != "mul" { XCTAssertEqual(gradient, t["dx\(k)"], "\(c.name) input \(k)") }
                assertRelativelyClose(gradient, t["dx\(k)"], 1e-6, "\(c.name) input \(k)")
            }
        }
    }

    func testOnlyTheNeededGradients() throws {
        let a = Tensor(shape: [1, 2, 1, 1], scalars: [1, 2]), b = Tensor(shape: [1, 2, 1, 1], scalars: [3, 4])
        let node = Node(name: "mul", op: .mul, inputs: [0, 1])
        let context = BackwardContext(node: node, inputs: [a, b], output: try JoinLayer.forward(node, [a, b]), gradient: a,
                                      needsInputGradient: [false, true], training: true)
        let gradients = try JoinLayer.backward(context).inputs
        XCTAssertNil(gradients[0] ?? nil)
        XCTAssertEqual(gradients[1]?.scalars, [1, 4])
    }

    func testRefusesShapesThatDoNotJoin() {
        let map = Tensor(shape: [1, 2, 2, 2]), other = Tensor(shape: [1, 2, 2, 1])
        for op in [Op.add, .mul, .concat] {
            XCTAssertThrowsError(try JoinLayer.forward(Node(name: "j", op: op, inputs: [1, 2]), [map, other]), "\(op)")
        }
        XCTAssertThrowsError(try JoinLayer.forward(Node(name: "j", op: .add, inputs: [1]), [map]))
    }
}
