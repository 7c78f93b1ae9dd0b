import XCTest
import TestSupport
@testable import NNCore
@testable import NNONNX
@testable import NNEngine

/// The fixtures of scripts/fixtures/onnx_patterns.py: per model the ONNX forms Shears must
/// read (logits within 1e-4 of PyTorch's on the shared input) and the forms it must refuse.
enum ONNXPatternFixtures {
    struct Case: Decodable {
        let forms: [String]
        /// Per refused form, a phrase its error contains.
        let refused: [String: String]
    }

    static func manifest() throws -> [String: Case] { try Fixtures.json("onnxpatterns/manifest.json") }

    static func path(_ name: String, _ form: String) -> String { Fixtures.path("onnxpatterns/\(name).\(form)") }

    /// Loads `name`.`form` (or the file at `path`) and checks its logits against PyTorch's
    /// for `name`; returns the model.
    @discardableResult
    static func assertPyTorchLogits(_ name: String, _ form: String, path: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Model {
        let model = try ONNXImporter.load(path: path ?? self.path(name, form))
        let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("onnxpatterns/input.f32"))
        let expected = try Fixtures.float32("onnxpatterns/\(name).logits.f32")
        let logits = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input)
        XCTAssertEqual(logits.shape, [2, 11], "\(name).\(form)", file: file, line: line)
        assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), "\(name).\(form)", file: file, line: line)
        return model
    }
}

extension ONNXModel {
    /// The Model ONNXImporter makes of this graph (output `logits`), as if read from `name`.
    func imported(name: String = "model.onnx") throws -> Model {
        let path = "/nonexistent/\(name)"
        return try ONNXImporter.model(of: try ONNXFile.parse(Data(try bytes(output: "logits")), path: path), path: path)
    }

    /// The index of the first node running `op`.
    func index(of op: String) throws -> Int { try XCTUnwrap(proto.graph.node.firstIndex { $0.opType == op }, op) }
}
