// ConvolutionLayerTests: nn.Conv2d's forward and backward (dx, dW, db) against PyTorch for
// every form the op allows (max|Shears − torch| / max|torch| <= 1e-4 per tensor), the pass
// through the model's tape, and the refusals.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class ConvolutionLayerTests: XCTestCase {
    func testPlainOddSizes() throws { try ParametricFixture.load("conv-plain").check() }
    func testStride2() throws { try ParametricFixture.load("conv-stride2").check() }
    func testDilation2() throws { try ParametricFixture.load("conv-dilation2").check() }
    func testAsymmetricPadding() throws { try ParametricFixture.load("conv-asymmetric").check() }
    func testRectangularKernelAndStride() throws { try ParametricFixture.load("conv-rectangular").check() }
    func testGroups() throws { try ParametricFixture.load("conv-groups2").check() }
    func testDepthwise() throws { try ParametricFixture.load("conv-depthwise").check() }
    func testDepthwiseStride2() throws { try ParametricFixture.load("conv-depthwise-stride2").check() }
    func testDepthwise5x5() throws { try ParametricFixture.load("conv-depthwise5").check() }
    func testDepthwiseMultiplier() throws { try ParametricFixture.load("conv-multiplier").check() }
    func testPointwise() throws { try ParametricFixture.load("conv-pointwise").check() }
    func testPointwiseStride2() throws { try ParametricFixture.load("conv-pointwise-stride2").check() }
    func testNoBias() throws { try ParametricFixture.load("conv-nobias").check() }
    /// Padding wider than the kernel reaches: output rows that read only padding.
    func testPaddingPastTheKernelsReach() throws { try ParametricFixture.load("conv-widepad").check() }
    /// Maps smaller than the kernel's reach: only the live taps enter the GEMMs (1 of 9 on a 1x1
    /// map, 4 at stride 2 from 2x2), and a conv none of whose taps reads the input gives the bias.
    func testLiveTapsOnTinyMaps() throws {
        for name in ["conv-tinymap", "conv-tinymap-stride2", "conv-padding-only"] { try ParametricFixture.load(name).check() }
    }

    /// Without `needsInputGradient` no dx is computed, and the weight gradient is the same.
    func testSkipsTheInputGradient() throws {
        for name in ["conv-plain", "conv-depthwise", "conv-pointwise"] {
            let fixture = try ParametricFixture.load(name)
            let model = try fixture.model()
            let node = model.graph.nodes[1], x = try XCTUnwrap(try fixture.tensor("x"))
            let context = BackwardContext(node: node, inputs: [x], output: try XCTUnwrap(try fixture.tensor("y")),
                                          gradient: try XCTUnwrap(try fixture.tensor("dy")), needsInputGradient: [false], training: true)
            let result = try ParametricFixture.backward(context, model)
            XCTAssertEqual(result.inputs.count, 1)
            XCTAssertNil(result.inputs[0] ?? nil, name)
            try fixture.compare(try XCTUnwrap(result.parameters.first?.gradient), "dweight")
        }
    }

    /// The tape: `model.forward` then `model.backward` give torch's output and parameter gradients.
    func testThroughTheModel() throws {
        let fixture = try ParametricFixture.load("conv-plain")
        var model = try fixture.model()
        let pass = try model.forward(try XCTUnwrap(try fixture.tensor("x")), training: true)
        try fixture.compare(pass.output, "y")
        let gradients = try model.backward(pass, outputGradient: try XCTUnwrap(try fixture.tensor("dy")))
        try fixture.compare(try XCTUnwrap(gradients["layer.weight"]), "dweight")
        try fixture.compare(try XCTUnwrap(gradients["layer.bias"]), "dbias")
    }

    func testRefusesWhatDoesNotFit() throws {
        let cases = [("conv-groups2", [1, 4, 5, 5]), ("conv-groups2", [6, 5, 5]), ("conv-asymmetric", [1, 3, 5, 1]),
                     ("conv-plain", [1, 3, 0, 5])]
        for (name, shape) in cases {
            var model = try ParametricFixture.load(name).model()
            XCTAssertThrowsError(try ParametricFixture.forward(model.graph.nodes[1], Tensor(shape: shape), training: true, &model)) { error in
                XCTAssertTrue("\(error)".hasPrefix("shape mismatch: layer"), "\(error)")
            }
        }
        var graph = GraphBuilder()
        graph.add("huge", .conv2d(Conv2dAttributes(padding: Size2(ShapeInference.maximumWindow))), graph.input)
        var dict = StateDict()
        dict.setTensor("huge.weight", Tensor(shape: [1 << 16, 1, 1, 1]))
        var huge = try TrainableModel(Model(architecture: "huge", graph: graph.graph, stateDict: dict))
        XCTAssertThrowsError(try huge.forward(Tensor(shape: [1, 1, 1, 1]), training: true))
        var model = try ParametricFixture.load("conv-groups2").model()
        model.parameters["layer.bias"] = Tensor(shape: [3])
        XCTAssertThrowsError(try ParametricFixture.forward(model.graph.nodes[1], Tensor(shape: [1, 6, 5, 5]), training: true, &model))
    }
}
