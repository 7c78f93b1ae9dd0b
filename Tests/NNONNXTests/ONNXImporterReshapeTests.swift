import XCTest
import TestSupport
@testable import NNONNX

/// ONNXImporter+Reshape: a Reshape to `[batch, -1]` is a flatten, and ShuffleNet's view →
/// transpose → view is a channel shuffle.
final class ONNXImporterReshapeTests: XCTestCase {
    func testAReshapeToBatchAndFeaturesFlattens() throws {
        var onnx = ONNXModel.convClassifier(conv: [])
        onnx.integers("shape", [0, -1])
        let k = try onnx.index(of: "Flatten")
        onnx.proto.graph.node[k].opType = "Reshape"
        onnx.proto.graph.node[k].input.append("shape")
        XCTAssertEqual(try onnx.imported().graph.nodes.map(\.op).filter { $0 == .flatten }.count, 1)
    }

    func testViewTransposeViewIsAChannelShuffle() throws {
        var onnx = ONNXModel.convClassifier(conv: [])
        onnx.integers("grouped", [1, 2, 2, 8, 8])
        onnx.integers("whole", [1, 4, 8, 8])
        onnx.insert("Reshape", after: "c", extra: ["grouped"], name: "/shuffle/Reshape")
        onnx.insert("Transpose", after: "/shuffle/Reshape", name: "/shuffle/Transpose", attributes: [.ints("perm", [0, 2, 1, 3, 4])])
        onnx.insert("Reshape", after: "/shuffle/Transpose", extra: ["whole"], name: "/shuffle/Reshape_1")
        let ops = try onnx.imported().graph.nodes.map(\.op)
        XCTAssertTrue(ops.contains(.channelShuffle(groups: 2)), "\(ops)")
    }
}
