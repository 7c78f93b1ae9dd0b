import XCTest
import TestSupport
import NNTestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNEngine

/// torchvision's ConvNeXt (tiny widths, scripts/fixtures/convnext.py) from its module trees:
/// LayerNorm2d, CNBlock's permute → LayerNorm → Linear → GELU → Linear → permute and its layer
/// scale give PyTorch's logits and parameter count from the whole-module pickle and from
/// print(model) + state dict; a Permute or LayerNorm outside a CNBlock is refused by name.
final class ModuleTreeImporterConvNeXtTests: XCTestCase {
    static func path(_ form: String) -> String { Fixtures.path("convnext/convnext.\(form)") }

    func pickledTree() throws -> (ModuleTree, StateDict) {
        let contents = try Checkpoint.contents(path: Self.path("module.pt"))
        return (try XCTUnwrap(contents.moduleTree), contents.stateDict)
    }

    func testWholeModulePickleGivesPyTorchLogitsAndParameters() throws {
        let (tree, stateDict) = try pickledTree()
        let model = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: Self.path("module.pt")).model
        try ConvNeXtFixtures.assertMatchesPyTorch(model, "module.pt")
        XCTAssertEqual(model.graph.index(of: "features.1.0.layer_scale").map { model.graph.nodes[$0].op }, .channelScale)
        XCTAssertEqual(model.graph.index(of: "features.1.0.block.2").map { model.graph.nodes[$0].op }, .layerNorm(eps: 1e-6))
    }

    func testPrintedTreeWithItsStateDictGivesPyTorchLogitsAndThePicklesGraph() throws {
        let text = try ModuleTreeText.load(path: Self.path("txt"))
        let model = try ModuleTreeImporter.model(text, stateDict: try Checkpoint.contents(path: Self.path("pt")).stateDict, source: Self.path("txt")).model
        try ConvNeXtFixtures.assertMatchesPyTorch(model, "txt")
        let (tree, stateDict) = try pickledTree()
        XCTAssertEqual(model.graph, try ModuleTreeImporter.model(tree, stateDict: stateDict, source: Self.path("module.pt")).model.graph)
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
