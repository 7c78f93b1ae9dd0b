import XCTest
import TestSupport
@testable import NNONNX

/// ONNXImporter+Normalization: a BatchNormalization becomes `batchNorm` with its epsilon and
/// torch's four keys.
final class ONNXImporterNormalizationTests: XCTestCase {
    func testABatchNormKeepsItsEpsilonAndTorchsKeys() throws {
        var onnx = ONNXModel.convClassifier(conv: [])
        for name in ["bn.w", "bn.b", "bn.m", "bn.v"] { onnx.initializer(name, dims: [4], floats: [1, 2, 3, 4]) }
        onnx.insert("BatchNormalization", after: "c", extra: ["bn.w", "bn.b", "bn.m", "bn.v"], name: "/bn/BatchNormalization", attributes: [.float("epsilon", 1e-3)])
        let model = try onnx.imported()
        let bn = try XCTUnwrap(model.graph.index(of: "bn"))
        XCTAssertEqual(model.graph.nodes[bn].op, .batchNorm(eps: 1e-3))
        for key in ["weight", "bias", "running_mean", "running_var"] {
            XCTAssertEqual(model.stateDict.tensor("bn.\(key)")?.scalars, [1, 2, 3, 4], key)
        }
    }
}
