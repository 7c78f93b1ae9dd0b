import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNEngine

/// torchvision's MobileNetV3, MNASNet and EfficientNet (MBConv, FusedMBConv) from module trees
/// (scripts/fixtures/tree_blocks.py, written by PyTorch): from the whole-module pickle (residuals
/// from the pickled flags) and from print(model) with the state dict (residuals derived from
/// strides and channels as the constructors do) each gives PyTorch's logits and parameter
/// count, with no warning: these forwards are known, not guessed. A residual that cannot be
/// derived, and a block named like torchvision's with a child its forward never uses, are refused.
final class ModuleTreeBlocksTests: XCTestCase {
    static let names = ["mobilenet-v3", "mnasnet", "efficientnet"]

    static func path(_ name: String, _ form: String) -> String { Fixtures.path("treeblocks/\(name).\(form)") }

    func testBothFormsGivePyTorchLogitsWithoutWarnings() throws {
        let manifest: [String: [String: Int]] = try Fixtures.json("treeblocks/manifest.json")
        XCTAssertEqual(Set(manifest.keys), Set(Self.names))
        let input = Tensor(shape: [1, 3, 32, 32], scalars: try Fixtures.float32("treeblocks/input.f32"))
        for name in Self.names {
            let expected = try Fixtures.float32("treeblocks/\(name).logits.f32")
            let contents = try Checkpoint.contents(path: Self.path(name, "module.pt"))
            let pickled = try ModuleTreeImporter.model(try XCTUnwrap(contents.moduleTree), stateDict: contents.stateDict, source: "module.pt")
            let printed = try ModuleTreeImporter.model(try ModuleTreeText.load(path: Self.path(name, "txt")),
                                                       stateDict: try Checkpoint.contents(path: Self.path(name, "pt")).stateDict, source: "txt")
            XCTAssertEqual(pickled.model.graph, printed.model.graph, name)
            for (form, result) in [("module.pt", pickled), ("txt", printed)] {
                let label = "\(name).\(form)"
                XCTAssertEqual(result.warnings, [], label)
                let logits = try Executor(model: result.model, input: [3, 32, 32], maxBatch: 1).run(input)
                XCTAssertEqual(logits.shape, [1, 10], label)
                assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), label)
                XCTAssertEqual(try ModelStatistics(model: result.model, input: [3, 32, 32]).parameters, manifest[name]?["parameters"], label)
            }
        }
    }

    func testResidualsFollowTheConstructorsRule() throws {
        // MNASNet's first stack (8 → 8, stride 1) adds its input, the strided one does not.
        let model = try ModuleTreeImporter.model(try ModuleTreeText.load(path: Self.path("mnasnet", "txt")),
                                                 stateDict: try Checkpoint.contents(path: Self.path("mnasnet", "pt")).stateDict, source: "txt").model
        let adds = model.graph.nodes.filter { $0.op == .add }.map(\.name)
        XCTAssertEqual(adds, ["layers.8.0.add"])
        let squeezes = try ModuleTreeImporter.model(try ModuleTreeText.load(path: Self.path("mobilenet-v3", "txt")),
                                                    stateDict: try Checkpoint.contents(path: Self.path("mobilenet-v3", "pt")).stateDict, source: "txt").model
        XCTAssertEqual(squeezes.graph.nodes.filter { $0.op == .mul }.map(\.name), ["features.1.block.1.mul", "features.2.block.2.mul"])
    }

    func testADilatedBlockFromTextIsRefused() {
        let conv: [String: ModuleAttribute] = ["in_channels": .int(8), "out_channels": .int(8), "kernel_size": .int(3), "padding": .int(2), "dilation": .int(2), "groups": .int(8)]
        let block = ModuleTree(className: "InvertedResidual", children: [.init(name: "block", module: ModuleTree(className: "Sequential", children: [.init(name: "0", module: ModuleTree(className: "Conv2d", attributes: conv))]))])
        let tree = ModuleTree(className: "Sequential", children: [.init(name: "0", module: block)])
        XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "t.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("t.txt: unsupported: module '0' (InvertedResidual): a dilated conv hides the stride"), "\($0)")
        }
    }

    func testABlockNamedLikeTorchvisionsWithAnotherChildIsRefused() throws {
        // narrow-resnet's layer1.0 given an extra 1x1 `shortcut` conv, which torchvision's BasicBlock never calls.
        var tree = try ModuleTreeText.load(path: Fixtures.path("architectures/narrow-resnet.txt"))
        let conv = ModuleTree(className: "Conv2d", attributes: ["in_channels": .int(8), "out_channels": .int(8), "kernel_size": .int(1)])
        let layer1 = try XCTUnwrap(tree.children.firstIndex { $0.name == "layer1" })
        tree.children[layer1].module.children[0].module.children.append(.init(name: "shortcut", module: conv))
        XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: try Checkpoint.contents(path: Fixtures.path("architectures/narrow-resnet.pt")).stateDict, source: "r.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("r.txt: unsupported: module 'layer1.0.shortcut' (Conv2d): torchvision's BasicBlock has no child 'shortcut'") && "\($0)".contains("model.pt2"), "\($0)")
        }
    }
}
