import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNONNX
@testable import NNEngine

/// The torchvision families of scripts/fixtures/tree_families.py (RegNet, DenseNet, GoogLeNet,
/// ResNeXt's Bottleneck), narrowed (VGG and AlexNet: ZooFormsTests on the zoo's): from the whole-module pickle and from
/// print(model) with its state dict, each runs torchvision's forward (PyTorch's logits within
/// 1e-4, torch's parameter count, no guessed forward). GoogLeNet's text, which hides
/// transform_input, is refused, as are trees whose eval forward Shears does not run.
final class ModuleTreeFamiliesTests: XCTestCase {
    struct Case: Decodable {
        let parameters: Int
        let input: [Int]
        let classes: Int
    }

    static let names = ["regnet-y", "densenet", "googlenet", "resnext"]
    static let directory = Fixtures.path("treefamilies")

    static func path(_ name: String, _ form: String, in directory: String = directory) -> String { "\(directory)/\(name).\(form)" }

    /// The script's input: element i is ((37·i) mod 101) / 50 − 1, computed in double precision.
    static func pattern(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(Double((37 * $0) % 101) / 50 - 1) })
    }

    static func pickled(_ name: String, in directory: String = directory) throws -> (tree: ModuleTree, stateDict: StateDict) {
        let contents = try Checkpoint.contents(path: path(name, "module.pt", in: directory))
        return (try XCTUnwrap(contents.moduleTree, "\(name).module.pt has no module tree"), contents.stateDict)
    }

    /// The model of the whole-module pickle and, but for GoogLeNet, whose text hides
    /// transform_input, of print(model) with the pickle's state dict.
    static func models(_ name: String, in directory: String = directory) throws -> [(form: String, model: Model, warnings: [String])] {
        let (tree, stateDict) = try pickled(name, in: directory)
        let pickle = path(name, "module.pt", in: directory), text = path(name, "txt", in: directory)
        var models = [("module.pt", try ModuleTreeImporter.model(tree, stateDict: stateDict, source: pickle))]
        if tree.className != "GoogLeNet" {
            models.append(("txt", try ModuleTreeImporter.model(try ModuleTreeText.load(path: text), stateDict: stateDict, source: text)))
        }
        return models.map { ($0.0, $0.1.model, $0.1.warnings) }
    }

    /// Every model of `directory`'s manifest, from each form, against PyTorch's logits and
    /// parameter count.
    func assertEveryFormMatchesPyTorch(in directory: String) throws -> [String] {
        let manifest = try JSONDecoder().decode([String: Case].self, from: Data(try InputFile.read("\(directory)/manifest.json")))
        for (name, c) in manifest {
            let expected = try InputFile.read(Self.path(name, "logits.f32", in: directory)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            assertMatchPyTorch(try Self.models(name, in: directory), name: name, input: Self.pattern(c.input), logits: expected,
                               classes: c.classes, parameters: c.parameters)
        }
        return Array(manifest.keys)
    }

    /// Each form's logits of `input` within 1e-4 of PyTorch's, its parameter count torch's, no
    /// guessed forward, and the forms' graphs equal (but for _DenseLayer's dropout, which only
    /// the pickle gives: print(model) does not show its drop_rate).
    func assertMatchPyTorch(_ models: [(form: String, model: Model, warnings: [String])], name: String, input: Tensor,
                            logits expected: [Float], classes: Int, parameters: Int) {
        for (form, model, warnings) in models {
            let label = "\(name).\(form)"
            XCTAssertNoThrow(try {
                let logits = try Executor(model: model, input: Array(input.shape.dropFirst()), maxBatch: input.shape[0]).run(input)
                XCTAssertEqual(logits.shape, [input.shape[0], classes], label)
                assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), label)
                XCTAssertEqual(try ModelStatistics(model: model, input: Array(input.shape.dropFirst())).parameters, parameters, label)
            }(), label)
            XCTAssertEqual(warnings, [], label)
        }
        if models.count == 2 { XCTAssertEqual(Self.withoutDenseLayerDropout(models[0].model.graph), models[1].model.graph, name) }
    }

    /// `graph` without the `.dropout` nodes of DenseNet's layers, each reader reading its input.
    static func withoutDenseLayerDropout(_ graph: Graph) -> Graph {
        var builder = GraphBuilder()
        var index = [0: builder.input]
        for (i, node) in graph.nodes.enumerated().dropFirst() {
            if case .dropout = node.op, node.name.contains(".denselayer") {
                index[i] = index[node.inputs[0]]
            } else {
                index[i] = builder.add(node.name, node.op, inputs: node.inputs.compactMap { index[$0] })
            }
        }
        return builder.graph
    }

    func testEveryFamilyGivesPyTorchLogitsAndParameterCount() throws {
        XCTAssertEqual(Set(try assertEveryFormMatchesPyTorch(in: Self.directory)), Set(Self.names))
    }

    /// The unnarrowed classifiers (ResNet-50, ResNeXt-50 32x4d, Wide ResNet-50-2, RegNetY/X-400MF,
    /// DenseNet-121, GoogLeNet, VGG-11-BN, AlexNet at 64x64); runs only with
    /// SHEARS_FULL_FAMILIES=DIR written by `scripts/fixtures/tree_families.py --full` (1.2 GB).
    /// _DenseLayer's `F.dropout(p=drop_rate)`: a `.dropout` per layer (the fixture's drop_rate
    /// 0.2, two blocks of two layers) from the pickle; none from print(model), which omits it.
    func testDenseLayerDropoutComesFromThePickle() throws {
        let counts = try Self.models("densenet").map { form in form.model.graph.nodes.filter { $0.op == .dropout(p: 0.2, wholeChannels: false) }.count }
        XCTAssertEqual(counts, [4, 0])
    }

    func testFullSizeClassifiersMatchPyTorch() throws {
        guard let directory = ProcessInfo.processInfo.environment["SHEARS_FULL_FAMILIES"] else {
            throw XCTSkip("set SHEARS_FULL_FAMILIES to the folder `scripts/fixtures/tree_families.py --full` writes")
        }
        XCTAssertEqual(try assertEveryFormMatchesPyTorch(in: directory).count, 9)
    }

    func testFunctionalOpsAreNodesNamedAfterTheirModule() throws {
        let names = { (name: String) in Set(try Self.models(name)[0].model.graph.nodes.map(\.name)) }
        let regnet = try names("regnet-y")
        for node in ["trunk_output.block1.block1-0.add", "trunk_output.block1.block1-0.f.se.mul", "flatten"] {
            XCTAssertTrue(regnet.contains(node), node)
        }
        let densenet = try names("densenet")
        for node in ["features.denseblock1.denselayer2.cat", "features.denseblock1.cat", "relu", "avgpool"] {
            XCTAssertTrue(densenet.contains(node), node)
        }
        XCTAssertFalse(densenet.contains("features.denseblock1.denselayer1.cat"), "one input needs no concatenation")
        XCTAssertTrue(try names("googlenet").isSuperset(of: ["inception3a.cat", "inception3a.branch1.relu", "conv1.relu"]))
    }

    func testRegNetBlocksWithoutProjAddTheirInput() throws {
        let model = try Self.models("regnet-y")[0].model
        let nodes = model.graph.nodes
        let add = try XCTUnwrap(nodes.first { $0.name == "trunk_output.block2.block2-1.add" })
        XCTAssertEqual(nodes[add.inputs[0]].name, "trunk_output.block2.block2-0.activation")
        let projected = try XCTUnwrap(nodes.first { $0.name == "trunk_output.block2.block2-0.add" })
        XCTAssertEqual(nodes[projected.inputs[0]].name, "trunk_output.block2.block2-0.proj.1")
    }

    func testGoogLeNetTransformsItsInputWhereThePickleSaysSo() throws {
        // The fixture is set up as googlenet(weights=...) leaves it: transform_input=True.
        let (tree, stateDict) = try Self.pickled("googlenet")
        let transformed = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: "g.pt").model.graph.nodes
        XCTAssertEqual(transformed[1].name, "transform_input")
        XCTAssertEqual(transformed[1].op, .channelAffine(scale: [0.458, 0.448, 0.45], shift: [-0.03, -0.088, -0.188]))
        var plain = tree
        plain.attributes["transform_input"] = .bool(false)
        let nodes = try ModuleTreeImporter.model(plain, stateDict: stateDict, source: "g.pt").model.graph.nodes
        XCTAssertEqual(nodes[1].name, "conv1.conv")
        XCTAssertEqual(nodes[1].inputs, [0])
    }

    func testGoogLeNetFromTextOrWithAuxiliaryClassifiersIsRefused() throws {
        let text = Self.path("googlenet", "txt")
        let (tree, stateDict) = try Self.pickled("googlenet")
        XCTAssertThrowsError(try ModuleTreeImporter.model(try ModuleTreeText.load(path: text), stateDict: stateDict, source: text)) {
            XCTAssertEqual("\($0)", "\(text): unsupported: module '(root)' (GoogLeNet): print(model) does not show whether transform_input rescales the input; torch.save(model) keeps it; \(ModuleTreeImporter.wayOut)")
        }
        var auxiliary = tree
        auxiliary.children.append(.init(name: "aux1", module: ModuleTree(className: "InceptionAux")))
        XCTAssertThrowsError(try ModuleTreeImporter.model(auxiliary, stateDict: stateDict, source: "g.pt")) {
            XCTAssertTrue("\($0)".hasPrefix("g.pt: unsupported: module 'aux1' (InceptionAux): the auxiliary classifiers") && "\($0)".contains("model.aux1 = model.aux2 = None"), "\($0)")
        }
    }

    func testChannelAffineExportsAsBatchNormalizationOfTheSameLogits() throws {
        let (tree, stateDict) = try Self.pickled("googlenet")
        let model = try ModuleTreeImporter.model(tree, stateDict: stateDict, source: "g.pt").model
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("googlenet.onnx").path
        try ONNXExporter.write(model, to: path)
        let exported = try ONNXImporter.load(path: path)
        let input = Self.pattern([2, 3, 32, 32])
        let logits = try Executor(model: exported, input: [3, 32, 32], maxBatch: 2).run(input)
        assertClose(logits.scalars, try Fixtures.float32("treefamilies/googlenet.logits.f32"), rtol: 1e-4, atol: 1e-6, "googlenet.onnx")
    }

    func testDenseBlocksWhoseConcatenationsOutgrowTheBudgetAreRefused() {
        // 100,000 layers would read 5·10⁹ earlier nodes in all.
        let layer = ModuleTree.Child(name: "denselayer", module: ModuleTree(className: "_DenseLayer"))
        let block = ModuleTree(className: "_DenseBlock", children: Array(repeating: layer, count: 100_000))
        let tree = ModuleTree(className: "Sequential", children: [.init(name: "block", module: block)])
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 1 << 30
        XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "d.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("d.txt: the concatenations of dense block 'block'"), "\($0)")
        }
    }

    func testDenseBlockOfOtherClassesIsRefused() throws {
        let block = ModuleTree(className: "_DenseBlock", children: [.init(name: "denselayer1", module: ModuleTree(className: "Conv2d"))])
        let tree = ModuleTree(className: "Sequential", children: [.init(name: "block", module: block)])
        XCTAssertThrowsError(try ModuleTreeImporter.model(tree, stateDict: StateDict(), source: "d.txt")) {
            XCTAssertTrue("\($0)".hasPrefix("d.txt: unsupported: module 'block.denselayer1' (Conv2d): a _DenseBlock calls each child on the list") && "\($0)".contains("torch.onnx.export"), "\($0)")
        }
    }
}
