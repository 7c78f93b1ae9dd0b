import XCTest
@testable import NNCore
@testable import NNEngine

/// The element-wise activations that only ONNX import produces with other constants than the
/// fixtures' (a general Clip, ONNX's HardSigmoid defaults), against their formulas.
final class ActivationTests: XCTestCase {
    let inputs: [Float] = [-7, -3, -1.5, -0.25, 0, 0.25, 1.5, 3, 7]

    func testClipBetweenAnyBounds() {
        let clip = Activation(.clip(lower: -1, upper: 2))
        XCTAssertEqual(inputs.map { clip!.apply($0) }, [-1, -1, -1, -0.25, 0, 0.25, 1.5, 2, 2])
    }

    func testHardSigmoidWithONNXDefaultsAndTorchConstants() {
        // ONNX HardSigmoid's defaults (alpha 0.2, beta 0.5): max(0, min(1, 0.2x + 0.5)).
        let onnx = Activation(.hardSigmoid(alpha: 0.2, beta: 0.5))!
        XCTAssertEqual(inputs.map(onnx.apply), inputs.map { max(0, min(1, 0.2 * $0 + 0.5)) })
        // torch's nn.Hardsigmoid (alpha 1/6, beta 1/2): relu6(x + 3) / 6, exactly.
        let torch = Activation(.hardSigmoid(alpha: 1 / 6, beta: 0.5))!
        XCTAssertEqual(inputs.map(torch.apply), inputs.map { min(max($0 + 3, 0), 6) / 6 })
    }

    func testOnlyElementwiseOpsAreActivations() {
        XCTAssertNil(Activation(.identity))
        XCTAssertNil(Activation(.add))
        XCTAssertNotNil(Activation(.hardSwish))
    }
}
