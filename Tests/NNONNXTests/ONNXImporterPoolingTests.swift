import XCTest
import TestSupport
@testable import NNCore
@testable import NNONNX

/// ONNXImporter+Pooling: MaxPool keeps its window (no padding counted), and a ReduceMean over
/// H and W with keepdims 0 is a global average pool that also flattens.
final class ONNXImporterPoolingTests: XCTestCase {
    func testAMaxPoolKeepsItsWindow() throws {
        var onnx = ONNXModel.convClassifier(conv: [])
        onnx.insert("MaxPool", after: "c", name: "/pool1/MaxPool", attributes: [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]), .ints("pads", [1, 1, 1, 1]), .int("ceil_mode", 1)])
        let model = try onnx.imported()
        let pool = try XCTUnwrap(model.graph.index(of: "pool1"))
        XCTAssertEqual(model.graph.nodes[pool].op, .maxPool(Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1), ceilMode: true, countIncludePad: false)))
    }

    func testAReduceMeanOverHeightAndWidthWithoutKeepdimsPoolsAndFlattens() throws {
        var onnx = ONNXModel.convClassifier(conv: [])
        let k = try onnx.index(of: "GlobalAveragePool")
        onnx.proto.graph.node[k].opType = "ReduceMean"
        onnx.proto.graph.node[k].attribute = [.ints("axes", [2, 3]), .int("keepdims", 0)]
        let ops = try onnx.imported().graph.nodes.map(\.op)
        XCTAssertEqual(ops.filter { $0 == .adaptiveAvgPool(Size2(1)) }.count, 1, "\(ops)")
        XCTAssertEqual(ops.filter { $0 == .flatten }.count, 1, "the Flatten of a vector passes it: \(ops)")
    }
}
