import XCTest
import TestSupport
import NNTestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNONNX
@testable import NNEngine

/// The architectures of scripts/fixtures/_zoo.py in every form a user has (ONNX from both
/// exporters, whole-module pickle, print(model) text + state dict): each loads, counts torch's
/// parameters and gives PyTorch's logits. ShuffleNet's TorchScript export computes its channel
/// split from run-time shapes, which the importer folds.
final class ArchitectureZooTests: XCTestCase {
    struct Case: Decodable {
        let parameters: Int
        /// Per ONNX file suffix: both exporters fold BatchNorm into the conv before it.
        let onnx_parameters: [String: Int]
        /// The ONNX files Shears reads (".onnx", ".legacy.onnx").
        let onnx_forms: [String]
        let mask_layers: [String]
    }

    func manifest() throws -> [String: Case] { try Fixtures.json("architectures/manifest.json") }

    func testEveryFormGivesPyTorchLogitsAndParameterCount() throws {
        let manifest = try manifest()
        XCTAssertTrue(Set(ZooFixtures.names).isSubset(of: manifest.keys))
        for name in ZooFixtures.names {
            let c = try XCTUnwrap(manifest[name], name)
            let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("architectures/\(name).input.f32"))
            let expected = try Fixtures.float32("architectures/\(name).logits.f32")
            var models = try ZooFixtures.treeModels(name).map { ($0.form, $0.model, c.parameters) }
            for suffix in c.onnx_forms {
                models.append((String(suffix.dropFirst()), try ONNXImporter.load(path: ZooFixtures.path(name, String(suffix.dropFirst()))), c.onnx_parameters[suffix] ?? -1))
            }
            for (form, model, parameters) in models {
                let label = "\(name).\(form)"
                let logits = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input)
                XCTAssertEqual(logits.shape, [2, 11], label)
                assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), label)
                XCTAssertEqual(try ModelStatistics(model: model, input: [3, 32, 32]).parameters, parameters, label)
            }
        }
    }

    func testPickleAndPrintedTreesBuildTheSameGraph() throws {
        for name in ZooFixtures.names {
            let models = try ZooFixtures.treeModels(name)
            XCTAssertEqual(models[0].model.graph, models[1].model.graph, name)
            XCTAssertTrue(models[0].model.graph.nodes.contains { $0.name == (try? manifest()[name]?.mask_layers.first) ?? "" }, name)
        }
    }

    func testOnlyInferredForwardsAreNoted() throws {
        for name in ZooFixtures.names {
            let contents = try Checkpoint.contents(path: ZooFixtures.path(name, "module.pt"))
            let notes = try ModuleTreeImporter.model(contents.moduleTree!, stateDict: contents.stateDict, source: "x").warnings
            let known = ["mobilenet-v2", "squeezenet", "narrow-resnet", "shufflenet"].contains(name)
            XCTAssertEqual(notes.isEmpty, known, "\(name): \(notes)")
        }
    }

    func testShuffleNetsTorchScriptExportFoldsItsShapeArithmetic() throws {
        // Its chunk is Shape → Gather → Add → Div → Mul → Slice on the channel count.
        let model = try ONNXImporter.load(path: ZooFixtures.path("shufflenet", "legacy.onnx"))
        let input = Tensor(shape: [2, 3, 32, 32], scalars: try Fixtures.float32("architectures/shufflenet.input.f32"))
        let expected = try Fixtures.float32("architectures/shufflenet.logits.f32")
        let logits = try Executor(model: model, input: [3, 32, 32], maxBatch: 2).run(input)
        assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), "shufflenet.legacy.onnx")
        let parameters = try XCTUnwrap(try manifest()["shufflenet"]?.onnx_parameters[".onnx"])
        XCTAssertEqual(try ModelStatistics(model: model, input: [3, 32, 32]).parameters, parameters)
    }

    func testTheCatalogRefusesAStateDictItCannotDetermine() throws {
        // The TA student's state dict alone: convs at cnn.0, 3, 7, 11 (pools after some only).
        XCTAssertThrowsError(try ArchitectureCatalog.build(try Checkpoint.contents(path: ZooFixtures.path("ta-student", "pt")).stateDict)) { error in
            XCTAssertTrue("\(error)".contains("convs sit at 0, 3, 7, 11") && "\(error)".contains("moduleTreeText:"), "\(error)")
            XCTAssertEqual((error as? NNError)?.wayOut, .wholeModel())
        }
    }

    func testTextThatDoesNotMatchTheCheckpointNamesFileAndKey() throws {
        let stateDict = try Checkpoint.contents(path: ZooFixtures.path("ta-student", "pt")).stateDict
        let text = Fixtures.path("architectures/ta-student.mismatch.txt")
        XCTAssertThrowsError(try ModuleTreeImporter.model(try ModuleTreeText.load(path: text), stateDict: stateDict, source: text)) { error in
            XCTAssertTrue("\(error)".contains("ta-student.mismatch.txt") && "\(error)".contains("cnn.0.weight: checkpoint [32, 3, 3, 3], model [16, 3, 3, 3]"), "\(error)")
        }
    }

    func testUndeterminedForwardsAndUnknownLayersAreRefused() throws {
        let conv = ModuleTree(className: "Conv2d", attributes: ["in_channels": .int(3), "out_channels": .int(4), "kernel_size": .tuple([.int(1), .int(1)])])
        let nested = ModuleTree(className: "Net", children: [.init(name: "block", module: ModuleTree(className: "MyBlock", children: [.init(name: "conv", module: conv)]))])
        let mish = ModuleTree(className: "Net", children: [.init(name: "conv", module: conv), .init(name: "act", module: ModuleTree(className: "Mish"))])
        var stateDict = StateDict()
        for key in ["block.conv.weight", "conv.weight"] { stateDict.setTensor(key, Tensor(shape: [4, 3, 1, 1])) }
        for (tree, mentions) in [(nested, "module 'block' (MyBlock)"), (mish, "module 'act' (Mish): Shears does not run this layer")] {
            XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: stateDict, source: "net.txt")) { error in
                XCTAssertTrue("\(error)".contains(mentions) && "\(error)".contains("net.txt") && "\(error)".contains("torch.onnx.export"), "\(error)")
            }
        }
    }

    func testMalformedTextNamesTheLine() {
        let cases = [
            ("Net(\n  (a): Conv2d(3, 4, kernel_size=(1, 1)\n)", "line 2: unbalanced parentheses"),
            ("Net(\n  (a): ReLU()\n", "missing ')'"),
            ("Net(\n  (0-2): 3 x ReLU()\n)", "line 2: a collapsed run"),
            ("Net(\n  (a): Conv2d(3, 4, kernel_size=(1, 1), stride=__import__('os'))\n)", "cannot read the value"),
            ("", "no module"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ModuleTreeText.parse(text, path: "m.txt")) { error in
                XCTAssertTrue("\(error)".hasPrefix("m.txt: malformed: ") && "\(error)".contains(message), "\(error)")
            }
        }
    }
}
