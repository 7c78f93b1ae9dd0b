import XCTest
import TestSupport
import ONNXProto
@testable import NNCore
@testable import NNONNX
@testable import NNEngine

/// ONNXImporter+Folding: shape arithmetic on channel counts is folded, sizes that depend on
/// the batch or the image stay symbols a reshape may keep in place, and anything else that
/// needs them as numbers is refused naming the node that computed them.
final class ONNXImporterFoldingTests: XCTestCase {
    func testShuffleNetExportedWithDynamicAxesFoldsItsChunkAndShuffle() throws {
        let model = try ONNXPatternFixtures.assertPyTorchLogits("shufflenet", "dynamic.legacy.onnx")
        let ops = model.graph.nodes.map(\.op)
        XCTAssertEqual(ops.filter { if case .channelShuffle(2) = $0 { return true }; return false }.count, 4)
        XCTAssertTrue(ops.contains(.channelSlice(start: 0, count: 4)), "\(ops)")
    }

    func testSizesComputedFromTheImageSizeAreRefusedNamingTheNode() throws {
        for (name, c) in try ONNXPatternFixtures.manifest() {
            for (form, phrase) in c.refused {
                XCTAssertThrowsError(try ONNXImporter.load(path: ONNXPatternFixtures.path(name, form))) { error in
                    let message = "\(error)"
                    for part in [phrase, "\(name).\(form)", "node '", "export with a fixed input size"] {
                        XCTAssertTrue(message.contains(part), "\(name).\(form): \(message)")
                    }
                }
            }
        }
    }

    /// A graph `x → Conv → Reshape(shape)` where `shape` is computed by `steps` from Shape(conv).
    func model(reshapedBy steps: [Onnx_NodeProto], target: String, extra: [Onnx_TensorProto] = []) throws -> Model {
        var graph = Onnx_GraphProto()
        func tensor(_ name: String, _ dims: [Int64], ints: [Int64]? = nil, floats: [Float]? = nil) -> Onnx_TensorProto {
            Onnx_TensorProto.with {
                $0.name = name; $0.dims = dims
                if let ints { $0.dataType = 7; $0.int64Data = ints } else { $0.dataType = 1; $0.floatData = floats ?? [] }
            }
        }
        graph.initializer = [tensor("w", [4, 3, 1, 1], floats: Array(repeating: 0.5, count: 12))] + extra
        graph.input = [Onnx_ValueInfoProto.with { $0.name = "x" }]
        graph.output = [Onnx_ValueInfoProto.with { $0.name = "y" }]
        func node(_ op: String, _ inputs: [String], _ output: String) -> Onnx_NodeProto {
            Onnx_NodeProto.with { $0.opType = op; $0.name = "/\(output)"; $0.input = inputs; $0.output = [output] }
        }
        graph.node = [node("Conv", ["x", "w"], "c"), node("Shape", ["c"], "s")] + steps + [node("Reshape", ["c", target], "y")]
        return try ONNXImporter.model(of: Onnx_ModelProto.with { $0.graph = graph }, path: "net.onnx")
    }

    func testAFlattenByTheBatchFoldsAndOneByTheHeightIsRefused() throws {
        func node(_ op: String, _ inputs: [String], _ output: String) -> Onnx_NodeProto {
            Onnx_NodeProto.with { $0.opType = op; $0.name = "/\(output)"; $0.input = inputs; $0.output = [output] }
        }
        let constants = [0, 1, 2].map { k in Onnx_TensorProto.with { $0.name = "k\(k)"; $0.dims = [1]; $0.dataType = 7; $0.int64Data = [Int64(k)] } }
            + [Onnx_TensorProto.with { $0.name = "minus1"; $0.dims = [1]; $0.dataType = 7; $0.int64Data = [-1] }]
        // x.view(x.size(0), -1)
        let flatten = try model(reshapedBy: [node("Gather", ["s", "k0"], "n"), node("Concat", ["n", "minus1"], "t")], target: "t", extra: constants)
        XCTAssertEqual(flatten.graph.nodes.last?.op, .flatten)
        // x.view(-1, x.size(2) * 2): the height in a place that needs a number.
        let doubled = [node("Gather", ["s", "k2"], "h"), node("Mul", ["h", "k2"], "h2"), node("Concat", ["minus1", "h2"], "t")]
        XCTAssertThrowsError(try model(reshapedBy: doubled, target: "t", extra: constants)) { error in
            XCTAssertTrue("\(error)".contains("net.onnx") && "\(error)".contains("node '/y' (Reshape)") && "\(error)".contains("through node '/h2' (Mul)"), "\(error)")
        }
    }
}
