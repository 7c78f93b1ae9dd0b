import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNEngine

/// Custom classes whose forward() does more than its children in order (scripts/fixtures/
/// functional_forwards.py, written by PyTorch): in both module-tree forms (print(model) text
/// with the state dict, whole-module pickle) each is refused in one line naming the file, the
/// modules, why and the way out, and never run. A class whose forward() is its children in
/// order still loads, with PyTorch's logits and a warning naming the assumption.
final class ModuleTreeGuessedForwardTests: XCTestCase {
    static func path(_ name: String, _ form: String) -> String { Fixtures.path("functional/\(name).\(form)") }

    /// The importer's result for the text + state dict and for the pickle.
    static func forms(_ name: String) throws -> [(source: String, result: Result<(model: Model, warnings: [String]), Error>)] {
        let text = path(name, "txt"), pickle = path(name, "module.pt")
        let contents = try Checkpoint.contents(path: pickle)
        let tree = try XCTUnwrap(contents.moduleTree)
        return [
            (text, Result { try ModuleTreeImporter.model(try ModuleTreeText.load(path: text), stateDict: try Checkpoint.contents(path: path(name, "pt")).stateDict, source: text) }),
            (pickle, Result { try ModuleTreeImporter.model(tree, stateDict: contents.stateDict, source: pickle) }),
        ]
    }

    func testFunctionalForwardsAreRefusedNamingWhyAndTheWayOut() throws {
        let cases = [
            ("relu-between-convs", "module '(root)' (ReluBetweenConvs): 'bn1' (BatchNorm2d) feeds 'conv2' (Conv2d) with no activation module between them"),
            ("residual-add", "module '(root)' (ResidualAdd): 'bn2' (BatchNorm2d) feeds 'fc' (Linear) with no activation module between them"),
            ("cat-forward", "module '(root)' (CatForward): 'head.0' (Conv2d) takes 16 channels but the child before it gives 8"),
            ("shared-module", "module '(root)' (SharedModule): 'block.0' (Conv2d) and 'again.0' (Conv2d) hold the same parameters"),
        ]
        for (name, reason) in cases {
            for (source, result) in try Self.forms(name) {
                guard case .failure(let error) = result else { XCTFail("\(source) loaded"); continue }
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("\(source): unsupported: \(reason)"), message)
                XCTAssertTrue(message.hasSuffix("save it with torch.export.save(torch.export.export(model, (x,)), 'model.pt2') or export it with torch.onnx.export"), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }

    func testChildrenInOrderLoadWithPyTorchsLogitsAndAWarning() throws {
        let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("functional/plain-children.input.f32"))
        let expected = try Fixtures.float32("functional/plain-children.logits.f32")
        for (source, result) in try Self.forms("plain-children") {
            let (model, warnings) = try result.get()
            let logits = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input)
            assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), source)
            XCTAssertEqual(warnings, ["the model (PlainChildren): forward() assumed to be its children in order (conv1, bn1, act1, pool1, conv2, bn2, act2, gap, fc), flattening before the first Linear; if forward() does more (a functional activation, a residual add, a concatenation), the logits are wrong: save it with torch.export.save(torch.export.export(model, (x,)), 'model.pt2') or export it with torch.onnx.export"], source)
        }
    }

    func testCustomBlocksBelowTheRootAreRefused() {
        let conv: [String: ModuleAttribute] = ["in_channels": .int(3), "out_channels": .int(3), "kernel_size": .int(1)]
        let block = ModuleTree(className: "MyBlock", children: [.init(name: "conv", module: ModuleTree(className: "Conv2d", attributes: conv))])
        let tree = ModuleTree(className: "Net", children: [.init(name: "body", module: ModuleTree(className: "Sequential", children: [.init(name: "0", module: block)]))])
        XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "t.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("t.txt: unsupported: module 'body.0' (MyBlock): a class Shears does not know, inside the model"), "\($0)")
        }
        let unknownShape = ModuleTree(className: "Net", children: [.init(name: "b", module: ModuleTree(className: "Fire", children: [.init(name: "conv", module: ModuleTree(className: "Conv2d", attributes: conv))]))])
        XCTAssertThrowsError(try ModuleTreeImporter.model(unknownShape, stateDict: StateDict(), source: "t.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("t.txt: unsupported: module 'b' (Fire): has no child 'squeeze'"), "\($0)")
        }
    }

    /// A state dict of `shapes`, each BatchNorm prefix (`bn:`) given its five entries.
    static func stateDict(_ shapes: [(String, [Int])]) -> StateDict {
        var stateDict = StateDict()
        for (key, shape) in shapes {
            guard key.hasPrefix("bn:") else { stateDict.setTensor(key, Tensor(shape: shape)); continue }
            let prefix = String(key.dropFirst(3))
            for (name, s) in [("weight", shape), ("bias", shape), ("running_mean", shape), ("running_var", shape), ("num_batches_tracked", [])] {
                stateDict.setTensor("\(prefix).\(name)", Tensor(shape: s))
            }
        }
        return stateDict
    }

    func testOnlyTheModelsOwnSequentialsShowThatALayerMayFeedAnotherBare() throws {
        // BatchNorm → conv with nothing between inside the user's own Sequential: the BatchNorm →
        // Linear at the join is that style, and the guess stands. Inside torchvision's blocks it
        // says nothing about the user's forward(): refused.
        let own = """
        Net(
          (features): Sequential(
            (0): Conv2d(3, 8, kernel_size=(1, 1), stride=(1, 1), bias=False)
            (1): BatchNorm2d(8)
            (2): Conv2d(8, 8, kernel_size=(1, 1), stride=(2, 2), bias=False)
            (3): BatchNorm2d(8)
            (4): AdaptiveAvgPool2d(output_size=1)
          )
          (fc): Linear(in_features=8, out_features=2, bias=True)
        )
        """
        let ownState = Self.stateDict([("features.0.weight", [8, 3, 1, 1]), ("bn:features.1", [8]), ("features.2.weight", [8, 8, 1, 1]),
                                       ("bn:features.3", [8]), ("fc.weight", [2, 8]), ("fc.bias", [2])])
        XCTAssertEqual(try ModuleTreeImporter.model(try ModuleTreeText.parse(own, path: "own.txt"), stateDict: ownState, source: "own.txt").warnings.count, 1)
        let blocks = """
        Net(
          (features): Sequential(
            (0): InvertedResidual(
              (conv): Sequential(
                (0): Conv2d(3, 8, kernel_size=(1, 1), stride=(1, 1), bias=False)
                (1): BatchNorm2d(8)
              )
            )
            (1): InvertedResidual(
              (conv): Sequential(
                (0): Conv2d(8, 8, kernel_size=(1, 1), stride=(2, 2), bias=False)
                (1): BatchNorm2d(8)
              )
            )
            (2): AdaptiveAvgPool2d(output_size=1)
          )
          (fc): Linear(in_features=8, out_features=2, bias=True)
        )
        """
        let blockState = Self.stateDict([("features.0.conv.0.weight", [8, 3, 1, 1]), ("bn:features.0.conv.1", [8]), ("features.1.conv.0.weight", [8, 8, 1, 1]),
                                         ("bn:features.1.conv.1", [8]), ("fc.weight", [2, 8]), ("fc.bias", [2])])
        XCTAssertThrowsError(try ModuleTreeImporter.model(try ModuleTreeText.parse(blocks, path: "blocks.txt"), stateDict: blockState, source: "blocks.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("blocks.txt: unsupported: module '(root)' (Net): 'features.1.conv.1' (BatchNorm2d) feeds 'fc' (Linear) with no activation module"), "\($0)")
        }
    }
}
