import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// The element-wise activations that only ONNX import produces with other constants than the
/// fixtures' (a general Clip, ONNX's HardSigmoid defaults), against their formulas; SiLU and
/// GELU against torch's values (scripts/fixtures/activations.py).
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

    /// `name`'s values from torch against the activation of `op` on the same inputs.
    func assertMatchesTorch(_ op: Op, _ name: String, except skipped: Set<Float> = [], file: StaticString = #filePath, line: UInt = #line) throws {
        let inputs = try Fixtures.float32("activations/input.f32"), expected = try Fixtures.float32("activations/\(name).f32")
        let activation = try XCTUnwrap(Activation(op))
        for (x, torch) in zip(inputs, expected) where !skipped.contains(x) {
            let ours = activation.apply(x)
            if torch.isNaN || ours.isNaN {
                XCTAssertTrue(torch.isNaN && ours.isNaN, "\(name)(\(x)) = \(ours), torch \(torch)", file: file, line: line)
            } else {
                XCTAssertEqual(ours, torch, accuracy: 2e-6 * max(1, abs(torch)), "\(name)(\(x))", file: file, line: line)
            }
        }
    }

    func testSiLUMatchesTorch() throws {
        try assertMatchesTorch(.silu, "silu")
    }

    /// torch's vectorized GELU gives NaN at +inf where its scalar path (and the formula) give
    /// +inf, so +inf is left out; every finite input and -inf (NaN in both) are compared.
    func testGELUMatchesTorchInBothForms() throws {
        try assertMatchesTorch(.gelu(tanh: false), "gelu", except: [.infinity])
        try assertMatchesTorch(.gelu(tanh: true), "gelu-tanh", except: [.infinity])
    }

    func testOnlyElementwiseOpsAreActivations() {
        XCTAssertNil(Activation(.identity))
        XCTAssertNil(Activation(.add))
        XCTAssertNotNil(Activation(.hardSwish))
    }
}
