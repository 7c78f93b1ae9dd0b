import XCTest
import TestSupport
import ONNXProto
@testable import NNONNX

/// ONNXImporter+Linear: a MatMul by a constant `[in, out]` becomes `linear` with torch's
/// `[out, in]` weight, and the Add after it its bias.
final class ONNXImporterLinearTests: XCTestCase {
    func testAMatMulStoresTheTransposedWeightAndTakesTheAddAsItsBias() throws {
        var onnx = ONNXModel.convClassifier(conv: [])
        let k = try onnx.index(of: "Gemm")
        let b = (0..<40).map { Float($0) }
        onnx.initializer("fc.b", dims: [4, 10], floats: b)
        onnx.proto.graph.node[k] = Onnx_NodeProto.with { $0.opType = "MatMul"; $0.name = "/fc/MatMul"; $0.input = ["f", "fc.b"]; $0.output = ["m"] }
        onnx.node("Add", ["m", "fc.bias"], "logits", name: "/fc/Add")
        let model = try onnx.imported()
        let fc = try XCTUnwrap(model.graph.index(of: "fc"))
        XCTAssertEqual(model.graph.nodes[fc].op, .linear)
        XCTAssertEqual(model.stateDict.tensor("fc.weight")?.shape, [10, 4])
        XCTAssertEqual(model.stateDict.tensor("fc.weight")?.scalars, (0..<40).map { k in b[(k % 4) * 10 + k / 4] })
        XCTAssertEqual(model.stateDict.tensor("fc.bias")?.shape, [10])
    }
}
