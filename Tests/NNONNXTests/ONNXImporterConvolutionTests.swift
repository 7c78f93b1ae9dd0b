import XCTest
import TestSupport
@testable import NNCore
@testable import NNONNX

/// ONNXImporter+Convolution: a Conv becomes `conv2d` with its strides, asymmetric pads and
/// groups, its weight and bias under the layer's name.
final class ONNXImporterConvolutionTests: XCTestCase {
    func testAConvKeepsItsWindowGroupsAndParameters() throws {
        let onnx = ONNXModel.convClassifier(channels: 4, group: 2, conv: [.ints("strides", [2, 1]), .ints("pads", [1, 0, 2, 1]), .int("group", 2)])
        let model = try onnx.imported()
        let conv = try XCTUnwrap(model.graph.index(of: "conv"))
        XCTAssertEqual(model.graph.nodes[conv].op, .conv2d(Conv2dAttributes(stride: Size2(2, 1), padding: Size2(1, 0), paddingEnd: Size2(2, 1), groups: 2)))
        XCTAssertEqual(model.stateDict.tensor("conv.weight")?.shape, [4, 2, 3, 3])
        XCTAssertEqual(model.stateDict.tensor("conv.bias")?.shape, [4])
    }
}
