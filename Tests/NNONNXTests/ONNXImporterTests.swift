import XCTest
import TestSupport
import ONNXProto
import Foundation
@testable import NNCore
@testable import NNONNX
@testable import NNEngine

/// ONNX files from both torch exporters against PyTorch's logits (fixtures from
/// scripts/fixtures/onnx_models.py; the six architectures are ArchitectureZooTests'), and
/// the one-line errors for bad files.
final class ONNXImporterTests: XCTestCase {
    struct Case: Decodable {
        let input: [Int]
        let logits_shape: [Int]
        let bn_folded_parameters: Int
    }

    func testBothExportersGivePyTorchLogits() throws {
        let manifest: [String: Case] = try Fixtures.json("onnx/manifest.json")
        XCTAssertEqual(Set(manifest.keys), ["blocks"])
        for (name, c) in manifest {
            let input = Tensor(shape: c.input, scalars: try Fixtures.float32("onnx/\(name).input.f32"))
            let expected = try Fixtures.float32("onnx/\(name).logits.f32")
            for file in ["\(name).onnx", "\(name).legacy.onnx"] {
                let model = try ONNXImporter.load(path: Fixtures.path("onnx/\(file)"))
                let executor = try Executor(model: model, input: Array(c.input.dropFirst()), maxBatch: c.input[0])
                let logits = try executor.run(input)
                XCTAssertEqual(logits.shape, c.logits_shape, file)
                let scale = expected.map(abs).max() ?? 1
                assertClose(logits.scalars, expected, rtol: 1e-4, atol: 1e-5 * scale, file)
                let statistics = try ModelStatistics(model: model, input: Array(c.input.dropFirst()))
                XCTAssertEqual(statistics.parameters, c.bn_folded_parameters, file)
            }
        }
    }

    func testLayerNamesAreModulePaths() throws {
        for file in ["ta-student.onnx", "ta-student.legacy.onnx"] {
            let names = try ONNXImporter.load(path: Fixtures.path("architectures/\(file)")).graph.nodes.map(\.name)
            for expected in ["cnn.0", "cnn.2", "cnn.6", "cnn.15", "fc.0"] { XCTAssertTrue(names.contains(expected), "\(file): \(names)") }
        }
    }

    /// ONNX Dropout: a `.dropout` with the file's ratio: constant input 1 (opset 12 on), the
    /// attribute `ratio` (earlier opsets) or ONNX's default 0.5; a ratio outside [0, 1] is
    /// refused naming the node.
    func testDropoutKeepsTheFilesRatio() throws {
        func dropouts(_ ratio: Float?, attributes: [Onnx_AttributeProto] = []) throws -> [Op] {
            var onnx = ONNXModel.convClassifier(conv: [])
            if let ratio { onnx.initializer("ratio", dims: [], floats: [ratio]) }
            onnx.insert("Dropout", after: "f", extra: ratio == nil ? [] : ["ratio"], name: "drop", attributes: attributes)
            let model = try ONNXImporter.model(of: try ONNXFile.parse(Data(try onnx.bytes(output: "logits")), path: "d.onnx"), path: "d.onnx")
            return model.graph.nodes.map(\.op).filter { if case .dropout = $0 { return true } else { return false } }
        }
        XCTAssertEqual(try dropouts(0.25), [.dropout(p: 0.25, wholeChannels: false)])
        XCTAssertEqual(try dropouts(nil, attributes: [.float("ratio", 0.3)]), [.dropout(p: 0.3, wholeChannels: false)])
        XCTAssertEqual(try dropouts(nil), [.dropout(p: 0.5, wholeChannels: false)])
        XCTAssertThrowsError(try dropouts(1.5)) { XCTAssertTrue("\($0)".contains("'drop'") && "\($0)".contains("ratio 1.5"), "\($0)") }
    }

    func testBadGraphsNameTheNode() throws {
        let cases = [
            ("bad-unsupported-op.onnx", "node '/erf/Erf' (Erf): computes an element-wise function"),
            ("bad-dangling-input.onnx", "input 'ghost' is produced by no node or initializer"),
            ("bad-cycle.onnx", "(a cycle)"),
        ]
        for (file, message) in cases {
            XCTAssertThrowsError(try ONNXImporter.load(path: Fixtures.path("onnx/\(file)"))) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
                XCTAssertTrue("\(error)".contains(file), "\(error)")
            }
        }
    }

    func testTruncatedAndForeignFilesAreRefused() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let bytes = try Fixtures.bytes("architectures/ta-student.legacy.onnx")
        let cases: [(String, [UInt8], String)] = [
            ("truncated.onnx", Array(bytes.prefix(bytes.count / 2)), "not a readable ONNX protobuf"),
            ("text.onnx", Array("not a model at all".utf8), "not a readable ONNX protobuf"),
            ("empty.onnx", [], "empty file"),
        ]
        for (name, content, message) in cases {
            let path = directory.appendingPathComponent(name).path
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(content)))
            XCTAssertThrowsError(try ONNXImporter.load(path: path)) { error in
                XCTAssertTrue("\(error)".contains(message) && "\(error)".contains(name), "\(error)")
            }
        }
    }

    func testMissingExternalDataNamesTheDataFile() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let path = directory.appendingPathComponent("ta-student.onnx").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(try Fixtures.bytes("architectures/ta-student.onnx"))))
        XCTAssertThrowsError(try ONNXImporter.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("ta-student.onnx.data"), "\(error)")
        }
    }
}
