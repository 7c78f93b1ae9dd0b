import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNTorchExport
@testable import NNEngine

/// `.pt2` files written by torch.export.save (scripts/fixtures/torch_export.py): each gives
/// PyTorch's logits and parameter count, layers are named by module path, and ops Shears does
/// not compute are refused by name. The torchvision MobileNetV2, ShuffleNetV2 and the
/// depthwise student run from the ignored out/pt2 with SHEARS_PT2_LARGE=out/pt2.
final class TorchExportImporterTests: XCTestCase {
    struct Case: Decodable {
        let parameters: Int
        let layers: [String]
    }

    /// Loads `<folder>/<name>.pt2` (`file` overrides the file name), runs it on the folder's
    /// input and compares with PyTorch's logits and parameter count.
    func checkAgainstPyTorch(folder: String, name: String, file: String? = nil) throws {
        let path = "\(folder)/\(file ?? name + ".pt2")"
        let manifest = try JSONDecoder().decode([String: Case].self, from: Data(try InputFile.read("\(folder)/manifest.json")))
        let expectedCase = try XCTUnwrap(manifest[name], name)
        let (model, input) = try TorchExportImporter.read(try InputFile.read(path), path: path)
        let x = Tensor(shape: [2] + input, scalars: try floats("\(folder)/input.f32"))
        let expected = try floats("\(folder)/\(name).logits.f32")
        let logits = try Executor(model: model, input: input, maxBatch: 2).run(x)
        XCTAssertEqual(logits.shape, [2, expected.count / 2], path)
        assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), path)
        XCTAssertEqual(ModelStatistics.parameterCount(of: model), expectedCase.parameters, path)
        let names = Set(model.graph.nodes.map(\.name))
        for layer in expectedCase.layers {
            XCTAssertTrue(names.contains(layer), "\(path): no layer '\(layer)'")
            XCTAssertNotNil(model.stateDict.tensor("\(layer).weight"), "\(path): \(layer).weight")
        }
    }

    func floats(_ path: String) throws -> [Float] {
        let raw = try InputFile.read(path)
        return stride(from: 0, to: raw.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
        }
    }

    static let folder = Fixtures.path("pt2")

    func testSmallModelsGivePyTorchLogitsAndParameterCounts() throws {
        for name in ["plain-cnn", "narrow-resnet", "functional", "convnext"] {
            try checkAgainstPyTorch(folder: Self.folder, name: name)
        }
    }

    /// After run_decompositions(): addmm for Linear (also ConvNeXt's view → addmm → view on a
    /// channels-last map), native_layer_norm, hardswish and hardsigmoid as add/clamp/mul/div,
    /// the pooled map's as_strided: the same Shears ops and layer names as the default export
    /// (but SiLU, which the core form writes as x · sigmoid(x) and Shears runs as written, and
    /// dropout, which the eval-mode decompositions remove, so the core form has no p for it).
    func testCoreATenFormGivesTheSameModel() throws {
        for name in ["plain-cnn", "functional", "convnext"] {
            try checkAgainstPyTorch(folder: Self.folder, name: name, file: "\(name).core.pt2")
            let exported = try TorchExportImporter.load(path: "\(Self.folder)/\(name).pt2")
            let core = try TorchExportImporter.load(path: "\(Self.folder)/\(name).core.pt2")
            let silu = exported.graph.nodes.map(\.op).flatMap { op -> [Op] in
                if case .dropout = op { return [] }
                return op == .silu ? [.sigmoid, .mul] : [op]
            }
            XCTAssertEqual(core.graph.nodes.map(\.op), silu, name)
            XCTAssertEqual(core.graph.nodes.filter { $0.op.isParametric }.map(\.name), exported.graph.nodes.filter { $0.op.isParametric }.map(\.name), name)
        }
    }

    /// The functional model's `self.drop = nn.Dropout(0.3)` is `aten.dropout(x, 0.3, False)` in
    /// the default export: a `.dropout` node with its p, before the linear that reads it.
    func testDropoutKeepsItsP() throws {
        let model = try TorchExportImporter.load(path: "\(Self.folder)/functional.pt2")
        let dropouts = model.graph.nodes.indices.filter { if case .dropout = model.graph.nodes[$0].op { return true } else { return false } }
        XCTAssertEqual(dropouts.map { model.graph.nodes[$0].op }, [.dropout(p: 0.3, wholeChannels: false)])
        XCTAssertEqual(dropouts.flatMap { i in model.graph.nodes.filter { $0.inputs.contains(i) }.map(\.name) }, ["fc"])
    }

    /// SHEARS_PT2_LARGE=out/pt2 (written by scripts/fixtures/torch_export.py, not committed):
    /// every model of the folder's manifest, at the input size it was exported at.
    func testTorchvisionModelsGivePyTorchLogits() throws {
        guard let folder = ProcessInfo.processInfo.environment["SHEARS_PT2_LARGE"] else {
            throw XCTSkip("set SHEARS_PT2_LARGE=out/pt2 after running scripts/fixtures/torch_export.py")
        }
        let absolute = folder.hasPrefix("/") ? folder : Fixtures.repositoryRoot.appendingPathComponent(folder).path
        let manifest = try JSONDecoder().decode([String: Case].self, from: Data(try InputFile.read("\(absolute)/manifest.json")))
        for name in manifest.keys.sorted() {
            try checkAgainstPyTorch(folder: absolute, name: name)
        }
    }

    func testFunctionalForwardIsTheGraph() throws {
        let model = try TorchExportImporter.load(path: "\(Self.folder)/functional.pt2")
        let ops = model.graph.nodes.map(\.op)
        XCTAssertTrue(ops.contains(.channelShuffle(groups: 2)))
        XCTAssertTrue(ops.contains(.silu))
        XCTAssertTrue(ops.contains(.gelu(tanh: true)) && ops.contains(.gelu(tanh: false)))
        XCTAssertTrue(ops.contains(.clip(lower: -2, upper: 2)))
        XCTAssertEqual(ops.filter { if case .channelSlice = $0 { return true } else { return false } }.count, 2)
        // Functional ops at the top are named by torch's node names, leaf modules by their path.
        let names = model.graph.nodes.map(\.name)
        for name in ["add", "relu", "mul", "mean", "mean_2.flatten", "chunk.0", "stem", "fc", "head"] {
            XCTAssertTrue(names.contains(name), "no node '\(name)' in \(names)")
        }
        // The squeeze-excite gate reads the feature map first.
        let gate = try XCTUnwrap(model.graph.nodes.first { $0.name == "mul" })
        XCTAssertEqual(model.graph.nodes[gate.inputs[1]].op, .hardSigmoid(alpha: 1.0 / 6, beta: 0.5))
    }

    /// The zoo's ConvNeXt (Tests/Fixtures/architectures, written by the lead's zoo script):
    /// its channels-last stretches, LayerNorm2d and layer scales give PyTorch's logits, and its
    /// parameters keep their torch keys.
    func testConvNeXtGivesPyTorchLogits() throws {
        let folder = Fixtures.path("architectures"), path = "\(folder)/convnext.pt2"
        struct Entry: Decodable { let parameters: Int }
        let manifest = try JSONDecoder().decode([String: Entry].self, from: Data(try InputFile.read("\(folder)/manifest.json")))
        let (model, input) = try TorchExportImporter.read(try InputFile.read(path), path: path)
        XCTAssertEqual(input, [3, 32, 32])
        let expected = try floats("\(folder)/convnext.logits.f32")
        let logits = try Executor(model: model, input: input, maxBatch: 2).run(Tensor(shape: [2] + input, scalars: try floats("\(folder)/convnext.input.f32")))
        XCTAssertEqual(logits.shape, [2, expected.count / 2])
        assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * (expected.map(abs).max() ?? 1), path)
        XCTAssertEqual(ModelStatistics.parameterCount(of: model), try XCTUnwrap(manifest["convnext"]).parameters)
        for key in ["features.1.0.layer_scale", "features.1.0.block.3.weight", "features.1.0.block.2.bias", "features.0.1.weight", "classifier.0.weight"] {
            XCTAssertNotNil(model.stateDict.tensor(key), key)
        }
        let ops = Dictionary(model.graph.nodes.map { ($0.name, $0.op) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(ops["features.1.0.layer_scale"], .channelScale)
        XCTAssertEqual(ops["features.1.0.block.2"], .layerNorm(eps: 1e-6))
        XCTAssertEqual(ops["features.1.0.block.3"], .linear)
        XCTAssertEqual(ops["features.1.0.block.4"], .gelu(tanh: false))
        XCTAssertEqual(ops["classifier.0"], .layerNorm(eps: 1e-6))
    }

    func testModuleCalledTwiceAndBlocksAreNamedByPath() throws {
        let model = try TorchExportImporter.load(path: "\(Self.folder)/narrow-resnet.pt2")
        let names = model.graph.nodes.map(\.name)
        for name in ["conv1", "bn1", "layer1.0.relu", "layer1.0.relu#2", "layer1.0.add_", "layer2.0.downsample.0", "fc"] {
            XCTAssertTrue(names.contains(name), "no node '\(name)' in \(names)")
        }
        XCTAssertNotNil(model.stateDict["layer2.0.downsample.1.num_batches_tracked"])
        XCTAssertEqual(model.architecture, "torch.export")
    }

    func testUnknownOpIsRefusedByName() {
        let path = "\(Self.folder)/bad-op.pt2"
        XCTAssertThrowsError(try TorchExportImporter.load(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): unsupported: node 'erf' (aten.erf.default): Shears does not map this op"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
    }

    func testPermuteOtherThanConvNeXtsIsRefusedByName() {
        let path = "\(Self.folder)/bad-permute.pt2"
        XCTAssertThrowsError(try TorchExportImporter.load(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): unsupported: node 'permute' (aten.permute.default): permutes a feature map to dims [0, 1, 3, 2]"), "\($0)")
        }
    }

    func testSniffsArchivesByContent() throws {
        XCTAssertTrue(TorchExportImporter.isArchive(try InputFile.read("\(Self.folder)/plain-cnn.pt2")))
        XCTAssertFalse(TorchExportImporter.isArchive(Array("PK\u{3}\u{4} not a zip".utf8)))
        XCTAssertFalse(TorchExportImporter.isArchive(try Fixtures.bytes("architectures/dw-relu6.pt")))
    }
}
