// ConvNeXtFixtures: torchvision's ConvNeXt at tiny widths (scripts/fixtures/convnext.py,
// Tests/Fixtures/convnext): a model read from any of its forms gives PyTorch's logits and
// torch's parameter count. Shared by the module-tree and the ONNX importers' tests.

import XCTest
import TestSupport
import NNCore
import NNEngine

public enum ConvNeXtFixtures {
    struct Manifest: Decodable { let parameters: Int }

    /// Logits within 1e-4 of PyTorch's and torch's parameter count.
    public static func assertMatchesPyTorch(_ model: Model, _ label: String, parameters: Int? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("convnext/convnext.input.f32"))
        let expected = try Fixtures.float32("convnext/convnext.logits.f32")
        let logits = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input)
        XCTAssertEqual(logits.shape, [2, 11], label, file: file, line: line)
        assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), label, file: file, line: line)
        let manifest: Manifest = try Fixtures.json("convnext/manifest.json")
        XCTAssertEqual(try ModelStatistics(model: model, input: [3, 32, 32]).parameters, parameters ?? manifest.parameters, label, file: file, line: line)
    }
}
