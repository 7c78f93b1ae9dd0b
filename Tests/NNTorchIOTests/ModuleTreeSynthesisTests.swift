import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNEngine

/// State dicts alone (scripts/fixtures/state_dicts.py, real PyTorch, random weights): the tree
/// ModuleTreeSynthesis rebuilds from the keys runs to PyTorch's logits and counts torch's
/// parameters. Tests/Fixtures/statedicts holds the families the importer runs today and the
/// homework networks; the rest are written to the ignored out/statedicts (torch's files cost
/// ~160 bytes a tensor) and tested when it exists. GoogLeNet's keys are refused (whether
/// transform_input is on is not in them): ZooFormsTests checks that refusal.
final class ModuleTreeSynthesisTests: XCTestCase {
    struct Case: Decodable {
        let input: [Int]
        let parameters: Int
        let logits: [Float]
    }

    static let optIn = Fixtures.repositoryRoot.appendingPathComponent("out/statedicts").path

    /// The `[2, C, H, W]` batch the fixture script ran: element i is ((i · 7919) mod 2000) / 1000 − 1.
    static func batch(_ shape: [Int]) -> Tensor {
        let count = 2 * shape.reduce(1, *)
        return Tensor(shape: [2] + shape, scalars: (0..<count).map { Float(($0 * 7919) % 2000) / 1000 - 1 })
    }

    /// The model of fixture `name` from its state dict alone, through the synthesized tree, or
    /// the catalog where its keys are the catalog's.
    static func model(_ path: String, input: [Int]) throws -> (model: Model, note: String?) {
        let stateDict = try Checkpoint.contents(path: path).stateDict
        if ArchitectureCatalog.detect(stateDict) != nil { return (try ArchitectureCatalog.build(stateDict, inputSize: input[1]), nil) }
        guard let synthesized = try ModuleTreeSynthesis.model(for: stateDict, source: path) else { throw NNError.unknownArchitecture("no family has the keys of \(path)") }
        return synthesized
    }

    /// Loads `name` from `folder` and compares logits and parameter count with PyTorch's.
    func check(_ name: String, in folder: String = Fixtures.path("statedicts")) throws {
        let manifestPath = folder + "/manifest.json"
        guard FileManager.default.fileExists(atPath: manifestPath) else { throw XCTSkip("\(folder) not written: run scripts/fixtures/state_dicts.py") }
        let manifest = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        let c = try XCTUnwrap(manifest[name], name)
        let loaded = try Self.model("\(folder)/\(name).pt", input: c.input)
        let logits = try Executor(model: loaded.model, input: c.input, maxBatch: 2).run(Self.batch(c.input))
        XCTAssertEqual(logits.shape, [2, 10], name)
        assertClose(logits.scalars, c.logits, rtol: 1e-4, atol: 1e-5 * (c.logits.map(abs).max() ?? 1), name)
        XCTAssertEqual(try ModelStatistics(model: loaded.model, input: c.input).parameters, c.parameters, name)
    }

    /// The synthesized classifiers' dropout carries torchvision's p (the identity in inference,
    /// which `check` runs; a dropout in training).
    func testClassifierDropoutHasTorchvisionsP() throws {
        let folder = Fixtures.path("statedicts")
        let manifest = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/manifest.json")))
        for (name, p) in [("mobilenet-v2", Float(0.2)), ("mobilenet-v3-small", 0.2), ("efficientnet-b0", 0.2), ("squeezenet1-0", 0.5)] {
            let input = try XCTUnwrap(manifest[name], name).input
            let ops = try Self.model("\(folder)/\(name).pt", input: input).model.graph.nodes.map(\.op)
            XCTAssertEqual(ops.filter { if case .dropout = $0 { return true } else { return false } }, [.dropout(p: p, wholeChannels: false)], name)
        }
    }

    func testResNet50Bottlenecks() throws { try check("resnet50") }
    func testResNeXtGroupsFromTheShapes() throws { try check("resnext") }
    func testWideResNet() throws { try check("wide-resnet") }
    func testMobileNetV2() throws { try check("mobilenet-v2") }
    func testShuffleNetV2() throws { try check("shufflenet-v2") }
    func testSqueezeNet10() throws { try check("squeezenet1-0") }
    func testSqueezeNet11() throws { try check("squeezenet1-1") }
    func testHW7Student() throws { try check("hw7-student") }
    func testTeacherNetWithoutALastPoolAtItsInputSize() throws { try check("teacher-no-last-pool") }

    func testMobileNetV3Small() throws { try check("mobilenet-v3-small") }
    func testMobileNetV3Large() throws { try check("mobilenet-v3-large", in: Self.optIn) }
    func testEfficientNetB0() throws { try check("efficientnet-b0") }
    func testMNASNet() throws { try check("mnasnet", in: Self.optIn) }
    func testRegNetX() throws { try check("regnet-x", in: Self.optIn) }
    func testRegNetY() throws { try check("regnet-y", in: Self.optIn) }
    func testDenseNet() throws { try check("densenet", in: Self.optIn) }
    func testVGG11BN() throws { try check("vgg11-bn") }
    func testAlexNet() throws { try check("alexnet") }
    func testConvNeXt() throws { try check("convnext", in: Self.optIn) }

    /// Where `synthesized` differs from `pickled` (torch.save(model)'s tree): class names, child
    /// names in order, and every attribute the synthesized tree sets (sizes compared as pairs).
    static func differences(_ synthesized: ModuleTree, _ pickled: ModuleTree, path: String = "") -> [String] {
        var found: [String] = []
        var pending = [(synthesized, pickled, path)]
        while let (a, b, p) = pending.popLast() {
            guard a.className == b.className else { found.append("\(p): \(a.className) vs \(b.className)"); continue }
            for (key, value) in a.attributes {
                let same: Bool
                switch key {
                case "kernel_size", "stride", "padding", "dilation", "output_size": same = a.size2(key) == b.size2(key)
                case "eps", "p": same = a.float(key) == b.float(key)
                default: same = value == b.attributes[key] || (a.int(key) != nil && a.int(key) == b.int(key))
                }
                if !same { found.append("\(p): \(key) \(value) vs \(b.attributes[key].map { "\($0)" } ?? "none")") }
            }
            guard a.children.map(\.name) == b.children.map(\.name) else {
                found.append("\(p): children \(a.children.map(\.name)) vs \(b.children.map(\.name))")
                continue
            }
            for (x, y) in zip(a.children, b.children) { pending.append((x.module, y.module, p.isEmpty ? x.name : "\(p).\(x.name)")) }
        }
        return found
    }

    func testSynthesizedTreesAreTheTreesTorchSaveWrites() throws {
        let manifests = [Fixtures.path("statedicts"), Self.optIn].map { $0 + "/manifest.json" }
        guard FileManager.default.fileExists(atPath: Self.optIn + "/manifest.json") else { throw XCTSkip("out/statedicts not written: run scripts/fixtures/state_dicts.py") }
        for manifest in manifests {
            let folder = (manifest as NSString).deletingLastPathComponent
            for name in try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: URL(fileURLWithPath: manifest))).keys.sorted() {
                let stateDict = try Checkpoint.contents(path: "\(folder)/\(name).pt").stateDict
                guard let synthesized = try ModuleTreeSynthesis.tree(for: stateDict, source: name) else { continue }  // the catalog's
                let pickled = try XCTUnwrap(try Checkpoint.contents(path: "\(Self.optIn)/\(name).module.pt").moduleTree, name)
                XCTAssertEqual(Self.differences(synthesized.tree, pickled), [], name)
            }
        }
    }

    /// Full-size torchvision key sets (out/statedicts/fullsize.json, zero weights): each is read
    /// as its variant, and where today's importer runs the tree, it counts torch's parameters
    /// at 224x224.
    func testFullSizeKeySetsAreReadAsTheirVariants() throws {
        struct KeySet: Decodable { let variant: String; let shapes: [String: [Int]] }
        let path = Self.optIn + "/fullsize.json"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("out/statedicts not written: run scripts/fixtures/state_dicts.py") }
        let sets = try JSONDecoder().decode([String: KeySet].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        var imported: [String] = []
        for (name, set) in sets.sorted(by: { $0.key < $1.key }) {
            var stateDict = StateDict()
            for (key, shape) in set.shapes.sorted(by: { $0.key < $1.key }) {
                stateDict[key] = key.hasSuffix("num_batches_tracked") ? .integer(IntTensor(shape: shape, scalars: [0]), .int64) : .float(Tensor(shape: shape), .float32)
            }
            let synthesized = try XCTUnwrap(try ModuleTreeSynthesis.tree(for: stateDict, source: name), name)
            XCTAssertTrue(synthesized.note.contains(set.variant), "\(name): \(synthesized.note)")
            guard let model = try? ModuleTreeSynthesis.model(for: stateDict, source: name)?.model else { continue }
            let parameters = set.shapes.filter { !["running_mean", "running_var", "num_batches_tracked"].contains(String($0.key.split(separator: ".").last ?? "")) }
                .values.map { $0.reduce(1, *) }.reduce(0, +)
            XCTAssertEqual(try ModelStatistics(model: model, input: [3, 224, 224]).parameters, parameters, name)
            imported.append(name)
        }
        // Today's importer: the ResNets, MobileNetV2, ShuffleNetV2, SqueezeNet and AlexNet.
        XCTAssertGreaterThanOrEqual(imported.count, 14, "\(imported)")
    }

    func testTheNoteNamesTheFileTheVariantAndTheAssumption() throws {
        let path = Fixtures.path("statedicts/resnet50.pt")
        let note = try XCTUnwrap(try ModuleTreeSynthesis.tree(for: try Checkpoint.contents(path: path).stateDict, source: path)).note
        XCTAssertTrue(note.contains(path) && note.contains("resnet50") && note.contains("V1.5") && note.hasSuffix("if the model was built otherwise"), note)
    }

    func testResNeXtIsNamedWithItsGroups() throws {
        let path = Fixtures.path("statedicts/resnext.pt")
        let note = try XCTUnwrap(try ModuleTreeSynthesis.tree(for: try Checkpoint.contents(path: path).stateDict, source: path)).note
        XCTAssertTrue(note.contains("ResNeXt, 2 groups"), note)
    }

    func testKeysOfAFamilyWithACustomConfigurationAreRefused() throws {
        // MobileNetV2 with its last block dropped: its strides are not the default setting's.
        var stateDict = StateDict()
        for (key, value) in try Checkpoint.contents(path: Fixtures.path("statedicts/mobilenet-v2.pt")).stateDict.entries where !key.hasPrefix("features.17.") {
            stateDict[key.hasPrefix("features.18.") ? "features.17." + key.dropFirst("features.18.".count) : key] = value
        }
        XCTAssertThrowsError(try ModuleTreeSynthesis.tree(for: stateDict, source: "mnv2.pt")) { error in
            XCTAssertTrue("\(error)".contains("mnv2.pt") && "\(error)".contains("not the default setting's 17") && "\(error)".contains("torch.save(model)"), "\(error)")
        }
    }

    func testUnknownKeysAreNoFamily() throws {
        var stateDict = StateDict()
        stateDict.setTensor("encoder.weight", Tensor(shape: [4, 3, 1, 1]))
        XCTAssertNil(try ModuleTreeSynthesis.tree(for: stateDict, source: "x.pt"))
    }

    func testMalformedShapesAreRefusedNotCrashed() throws {
        var stateDict = try Checkpoint.contents(path: Fixtures.path("statedicts/resnext.pt")).stateDict
        stateDict.setTensor("layer1.0.conv2.weight", Tensor(shape: [5, 3, 3, 3]))
        XCTAssertThrowsError(try ModuleTreeSynthesis.tree(for: stateDict, source: "bad.pt")) { error in
            XCTAssertTrue("\(error)".contains("bad.pt") && "\(error)".contains("layer1.0.conv2.weight"), "\(error)")
        }
    }
}
