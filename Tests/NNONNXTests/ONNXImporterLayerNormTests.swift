import XCTest
import ONNXProto
import TestSupport
import NNTestSupport
@testable import NNCore
@testable import NNONNX

/// ConvNeXt's ONNX forms (scripts/fixtures/convnext.py): both exporters' Transpose →
/// LayerNormalization / MatMul / Add / Gelu (or its Erf form) → Transpose, the layer-scale Mul and the default
/// exporter's Reshape/Gather of the pooled map load with PyTorch's logits and the file's
/// parameter count; ONNXExporter's own form of the model reads back identically; a Transpose
/// that leaves the channels-last pattern is refused naming the node.
final class ONNXImporterLayerNormTests: XCTestCase {
    struct Manifest: Decodable { let onnx_parameters: [String: Int] }

    /// Both exporters at their default opsets (Gelu) and at opsets without Gelu (its Erf form,
    /// the 0.5 applied last by the TorchScript exporter and before x by the default one).
    func testBothExportersGivePyTorchLogitsAndTheFilesParameters() throws {
        let manifest: Manifest = try Fixtures.json("convnext/manifest.json")
        for form in ["onnx", "legacy.onnx", "opset17.legacy.onnx", "opset18.onnx"] {
            let model = try ONNXImporter.load(path: Fixtures.path("convnext/convnext.\(form)"))
            try ConvNeXtFixtures.assertMatchesPyTorch(model, form, parameters: manifest.onnx_parameters[".\(form)"])
            XCTAssertEqual(model.graph.index(of: "features.3.0.layer_scale").map { model.graph.nodes[$0].op }, .channelScale, form)
            XCTAssertEqual(model.graph.index(of: "features.3.0.block.3").map { model.graph.nodes[$0].op }, .linear, form)
            XCTAssertEqual(model.stateDict.tensor("features.3.0.block.3.weight")?.shape, [32, 8], form)
        }
    }

    func testShearsOwnExportReadsBackWithTheSameLogitsAndKeys() throws {
        let model = try ONNXImporter.load(path: Fixtures.path("convnext/convnext.legacy.onnx"))
        let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("convnext.onnx").path
        try ONNXExporter.write(model, to: path)
        let back = try ONNXImporter.load(path: path)
        try ConvNeXtFixtures.assertMatchesPyTorch(back, "re-exported", parameters: ModelStatistics.parameterCount(of: model))
        XCTAssertEqual(Set(back.stateDict.keys), Set(model.stateDict.keys))
    }

    func testAnErfFormThatStopsBeingAGELUIsRefusedNamingTheNode() throws {
        var proto = try ONNXFile.read(path: Fixtures.path("convnext/convnext.opset17.legacy.onnx"))
        let k = try XCTUnwrap(proto.graph.node.firstIndex { $0.opType == "Erf" })
        proto.graph.node[k].opType = "Tanh"
        XCTAssertThrowsError(try ONNXImporter.model(of: proto, path: "x.onnx")) { error in
            XCTAssertTrue("\(error)".contains("x.onnx") && "\(error)".contains(proto.graph.node[k].name) && "\(error)".contains("GELU"), "\(error)")
        }
    }

    func testATransposeOutsideThePatternIsRefusedNamingTheNode() throws {
        var proto = try ONNXFile.read(path: Fixtures.path("convnext/convnext.legacy.onnx"))
        let k = try XCTUnwrap(proto.graph.node.firstIndex { $0.opType == "Transpose" })
        proto.graph.node[k].attribute = [Onnx_AttributeProto.with { $0.name = "perm"; $0.type = .ints; $0.ints = [0, 3, 2, 1] }]
        XCTAssertThrowsError(try ONNXImporter.model(of: proto, path: "x.onnx")) { error in
            XCTAssertTrue("\(error)".contains("x.onnx") && "\(error)".contains(proto.graph.node[k].name), "\(error)")
        }
    }
}
