import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine
@testable import NNTorchIO

/// torchvision's ConvNeXt (tiny widths, scripts/fixtures/convnext.py) from its module trees:
/// LayerNorm2d, CNBlock's permute → LayerNorm → Linear → GELU → Linear → permute and its layer
/// scale give PyTorch's logits and parameter count from the whole-module pickle and from
/// print(model) + state dict; a Permute or LayerNorm outside a CNBlock is refused by name.
final class ModuleTreeImporterConvNeXtTests: XCTestCase {
    struct Manifest: Decodable { let parameters: Int }

    static func path(_ form: String) -> String { Fixtures.path("convnext/convnext.\(form)") }

    func pickledTree() throws -> (ModuleTree, StateDict) {
        let contents = try Checkpoint.contents(path: Self.path("module.pt"))
        return (try XCTUnwrap(contents.moduleTree), contents.stateDict)
    }

    func testWholeModulePickleGivesPyTorchLogitsAndParameters() throws {
        let (tree, stateDict) = try pickledTree()
        let model = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: Self.path("module.pt")).model
        try Self.assertMatchesPyTorch(model, "module.pt")
        XCTAssertEqual(model.graph.index(of: "features.1.0.layer_scale").map { model.graph.nodes[$0].op }, .channelScale)
        XCTAssertEqual(model.graph.index(of: "features.1.0.block.2").map { model.graph.nodes[$0].op }, .layerNorm(eps: 1e-6))
    }

    func testPrintedTreeWithItsStateDictGivesPyTorchLogitsAndThePicklesGraph() throws {
        let text = try ModuleTreeText.load(path: Self.path("txt"))
        let model = try ModuleTreeImporter.model(text, stateDict: try Checkpoint.contents(path: Self.path("pt")).stateDict, source: Self.path("txt")).model
        try Self.assertMatchesPyTorch(model, "txt")
        let (tree, stateDict) = try pickledTree()
        XCTAssertEqual(model.graph, try ModuleTreeImporter.model(tree, stateDict: stateDict, source: Self.path("module.pt")).model.graph)
    }

    /// Logits within 1e-4 of PyTorch's and torch's parameter count.
    static func assertMatchesPyTorch(_ model: Model, _ label: String, parameters: Int? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("convnext/convnext.input.f32"))
        let expected = try Fixtures.float32("convnext/convnext.logits.f32")
        let logits = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input)
        XCTAssertEqual(logits.shape, [2, 11], label, file: file, line: line)
        assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), label, file: file, line: line)
        let manifest: Manifest = try Fixtures.json("convnext/manifest.json")
        XCTAssertEqual(try ModelStatistics(model: model, input: [3, 32, 32]).parameters, parameters ?? manifest.parameters, label, file: file, line: line)
    }

    func testPermuteOrLayerNormOutsideACNBlockIsRefusedByName() throws {
        let (tree, stateDict) = try pickledTree()
        // The block's Sequential moved out of its CNBlock: a bare Sequential with a Permute.
        let block = try XCTUnwrap(tree.child("features")?.child("1")?.child("0")?.child("block"))
        var features = try XCTUnwrap(tree.child("features"))
        features.children[1] = ModuleTree.Child(name: "1", module: block)
        var moved = tree
        moved.children[0] = ModuleTree.Child(name: "features", module: features)
        XCTAssertThrowsError(try ModuleTreeImporter.model(moved, stateDict: stateDict, source: "m.pt")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("m.pt") && message.contains("features.1.1") && message.contains("Permute"), message)
        }
    }
}
