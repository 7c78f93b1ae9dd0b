import XCTest
import TestSupport
@testable import NNCore
@testable import NNONNX

/// ONNXImporter+Activations and +Gates: every spelling both exporters write of GELU, SiLU,
/// hardswish and hardsigmoid becomes its layer, and squeeze-excite gates with any activation
/// inside (EfficientNet's SiLU, MobileNetV3's hardsigmoid) gate their feature maps.
final class ONNXImporterActivationsTests: XCTestCase {
    func testEveryFormGivesPyTorchLogits() throws {
        for name in ["activations", "efficientnet", "mobilenet-v3"] {
            let c = try XCTUnwrap(try ONNXPatternFixtures.manifest()[name], name)
            XCTAssertEqual(c.forms.count, name == "activations" ? 3 : 2, name)
            for form in c.forms { try ONNXPatternFixtures.assertPyTorchLogits(name, form) }
        }
    }

    func testSpelledActivationsBecomeLayers() throws {
        for form in try XCTUnwrap(try ONNXPatternFixtures.manifest()["activations"]).forms {
            let ops = try ONNXImporter.load(path: ONNXPatternFixtures.path("activations", form)).graph.nodes.map(\.op)
            // nn.GELU and the hand-written erf form; the tanh forms; nn.SiLU and x * sigmoid(x); both hardswishes.
            let counts = [Op.gelu(tanh: false), .gelu(tanh: true), .silu, .hardSwish].map { op in ops.filter { $0 == op }.count }
            XCTAssertEqual(counts, [2, 2, 2, 2], "\(form): \(ops)")
            XCTAssertTrue(ops.contains(.hardSigmoid(alpha: 1 / 6, beta: 0.5)), form)
            XCTAssertFalse(ops.contains(.mul), "\(form): a product was left unrecognised")
        }
    }

    func testShearsOwnSpellingsReadBackAsTheSameLayers() throws {
        // ONNXExporter writes SiLU and GELU as opset 17's element-wise nodes.
        for name in ["activations", "efficientnet"] {
            let model = try ONNXImporter.load(path: ONNXPatternFixtures.path(name, "onnx"))
            let path = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("\(name).onnx").path
            try ONNXExporter.write(model, to: path)
            let back = try ONNXPatternFixtures.assertPyTorchLogits(name, "onnx", path: path)
            XCTAssertEqual(back.graph.nodes.map(\.op), model.graph.nodes.map(\.op), name)
        }
    }

    func testSqueezeExciteGatesComeSecondWithTheirActivations() throws {
        for name in ["efficientnet", "mobilenet-v3"] {
            for form in try XCTUnwrap(try ONNXPatternFixtures.manifest()[name]).forms {
                let model = try ONNXImporter.load(path: ONNXPatternFixtures.path(name, form))
                let shapes = try ShapeInference(model: model, input: [3, 32, 32]).shapes
                let products = model.graph.nodes.filter { $0.op == .mul }
                XCTAssertFalse(products.isEmpty, "\(name).\(form)")
                for node in products {
                    XCTAssertEqual(shapes[node.inputs[1]].suffix(2), [1, 1], "\(name).\(form): \(node.name)")
                }
                if name == "efficientnet" { XCTAssertTrue(model.graph.nodes.contains { $0.op == .silu && $0.name == "features.1.0.block.1.fc1" || $0.op == .silu }, form) }
            }
        }
    }

    func testAnElementWiseFunctionNoLayerComputesIsRefusedNamingItsNode() throws {
        XCTAssertThrowsError(try ONNXImporter.load(path: Fixtures.path("onnx/bad-unsupported-op.onnx"))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("bad-unsupported-op.onnx") && message.contains("node '/erf/Erf' (Erf): computes an element-wise function"), message)
            XCTAssertTrue(message.contains("export again"), message)
        }
    }
}
