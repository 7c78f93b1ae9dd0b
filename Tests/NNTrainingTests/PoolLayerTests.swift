// PoolLayerTests: max, average and adaptive average pooling's forward and backward against
// torch (padding, ceil mode, dilation, count_include_pad, ties in max windows), NaN routing,
// and the windows that must be refused.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class PoolLayerTests: XCTestCase {
    /// Max pooling routes exactly (forward and gradient equal torch's bit for bit, ties
    /// included); average pooling within 1e-6 of max |torch| (the issue asks 1e-4).
    func testMatchesTorch() throws {
        try GradientCase.each(["maxPool", "avgPool", "adaptiveAvgPool"], expected: 8) { c, t in
            let x = try XCTUnwrap(t["x0"]), node = try c.node(inputs: 1)
            let y = try PoolLayer.forward(node, x)
            let dx = try PoolLayer.backward(GradientCase.context(node, [x], output: y, gradient: try XCTUnwrap(t["dy"]))).inputs.first ?? nil
            if c.op == "maxPool" {
                XCTAssertEqual(y, t["y"], "\(c.name) forward")
                XCTAssertEqual(dx, t["dx0"], "\(c.name) backward")
            }
            assertRelativelyClose(y, t["y"], 1e-6, "\(c.name) forward")
            assertRelativelyClose(dx, t["dx0"], 1e-6, "\(c.name) backward")
        }
    }

    /// As torch's scan: a NaN takes the window (the last one when several), ties go to the first
    /// largest, and a window of −inf routes to its first tap inside the input.
    func testMaxRoutesToTorchsIndex() throws {
        let node = Node(name: "pool", op: .maxPool(Pool2dAttributes(kernel: Size2(2))), inputs: [1])
        let x = Tensor(shape: [1, 1, 2, 6], scalars: [1, .nan, 5, 5, -.infinity, -.infinity,
                                                      .nan, 3, 0, 5, -.infinity, -.infinity])
        let y = try PoolLayer.forward(node, x)
        XCTAssertTrue(y.scalars[0].isNaN)
        XCTAssertEqual(Array(y.scalars[1...]), [5, -.infinity])
        let g = Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 3])
        let dx = try PoolLayer.backward(GradientCase.context(node, [x], output: y, gradient: g)).inputs[0]
        XCTAssertEqual(dx?.scalars, [0, 0, 2, 0, 3, 0,
                                     1, 0, 0, 0, 0, 0])
    }

    func testRefusesWindowsThatDoNotFit() {
        let x = Tensor(shape: [1, 1, 2, 2])
        let bad: [Op] = [.maxPool(Pool2dAttributes(kernel: Size2(3))), .avgPool(Pool2dAttributes(kernel: Size2(0))),
                         .maxPool(Pool2dAttributes(kernel: Size2(1), stride: Size2(1), padding: Size2(1))),
                         .avgPool(Pool2dAttributes(kernel: Size2(2), dilation: Size2(2))), .adaptiveAvgPool(Size2(0, 1))]
        for op in bad {
            XCTAssertThrowsError(try PoolLayer.forward(Node(name: "pool", op: op, inputs: [1]), x), "\(op)")
        }
        XCTAssertThrowsError(try PoolLayer.forward(Node(name: "pool", op: .adaptiveAvgPool(Size2(1)), inputs: [1]), Tensor(shape: [4, 2])))
        // Outputs past the memory budget are refused before anything is allocated.
        let huge: [Op] = [.avgPool(Pool2dAttributes(kernel: Size2(1), padding: Size2(65_536))), .adaptiveAvgPool(Size2(1 << 24))]
        for op in huge {
            XCTAssertThrowsError(try PoolLayer.forward(Node(name: "pool", op: op, inputs: [1]), x), "\(op)")
        }
    }
}
