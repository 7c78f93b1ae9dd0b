import Foundation
import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNTorchExport

/// Hostile `.pt2` archives, made by editing a real one (plain-cnn.pt2, written by torch): each
/// is refused in one line naming the file, never a crash, a hang or a wrong model.
final class TorchExportArchiveTests: XCTestCase {
    static let source = Fixtures.path("pt2/plain-cnn.pt2")
    static let model = "plain-cnn/models/model.json"
    static let weights = "plain-cnn/data/weights/model_weights_config.json"

    /// plain-cnn.pt2 with each entry passed through `edit` (nil drops it).
    func rewritten(_ edit: (String, [UInt8]) throws -> [UInt8]?) throws -> [UInt8] {
        let archive = try ZipArchive(bytes: try InputFile.read(Self.source), path: Self.source)
        var writer = ZipWriter()
        for entry in archive.entries {
            if let data = try edit(entry.name, Array(try archive.data(of: entry))) { writer.add(entry.name, data) }
        }
        return writer.finish()
    }

    /// plain-cnn.pt2 with the JSON record `name` changed by `edit`.
    func editingJSON(_ name: String, _ edit: (inout [String: Any]) throws -> Void) throws -> [UInt8] {
        try rewritten { entry, data in
            guard entry == name else { return data }
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(data)) as? [String: Any])
            try edit(&object)
            return [UInt8](try JSONSerialization.data(withJSONObject: object))
        }
    }

    /// The graph's node `name` in a decoded model.json, changed by `edit`.
    func editingNode(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        try editingJSON(Self.model) { program in
            var module = program["graph_module"] as! [String: Any], graph = module["graph"] as! [String: Any]
            var nodes = graph["nodes"] as! [[String: Any]]
            let k = try XCTUnwrap(nodes.firstIndex { $0["name"] as? String == name })
            edit(&nodes[k])
            graph["nodes"] = nodes; module["graph"] = graph; program["graph_module"] = module
        }
    }

    /// A weight's `tensor_meta` in the weights config, changed by `edit`.
    func editingWeight(_ key: String, _ edit: @escaping (inout [String: Any]) -> Void) throws -> [UInt8] {
        try editingJSON(Self.weights) { file in
            var config = file["config"] as! [String: Any], entry = config[key] as! [String: Any]
            var meta = entry["tensor_meta"] as! [String: Any]
            edit(&meta)
            entry["tensor_meta"] = meta; config[key] = entry; file["config"] = config
        }
    }

    func assertRefused(_ bytes: [UInt8], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TorchExportImporter.read(bytes, path: "x.pt2"), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("x.pt2: ") && text.contains(message), text, file: file, line: line)
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
        }
    }

    func testTheUneditedRewriteLoads() throws {
        XCTAssertNoThrow(try TorchExportImporter.read(try rewritten { $1 }, path: "x.pt2"))
    }

    func testEveryTruncationIsRefused() throws {
        let bytes = try InputFile.read(Self.source)
        for length in stride(from: 0, to: bytes.count, by: 1999) {
            XCTAssertThrowsError(try TorchExportImporter.read(Array(bytes.prefix(length)), path: "x.pt2"), "\(length) bytes")
        }
        assertRefused(Array(bytes.prefix(3000)), "zip end-of-central-directory record not found")
    }

    func testMissingRecordsAreNamed() throws {
        assertRefused(try rewritten { $0.hasSuffix("archive_format") ? nil : $1 }, "no 'plain-cnn/archive_format' record saying pt2")
        assertRefused(try rewritten { $0.hasSuffix("/weight_3") ? nil : $1 }, "its record 'plain-cnn/data/weights/weight_3' is missing")
        assertRefused(try rewritten { $0 == Self.model ? nil : $1 }, "no 'plain-cnn/models/<name>.json' program")
        assertRefused(try rewritten { $0 == Self.model ? Array("{\"graph_module\": 3}".utf8) : $1 }, "'plain-cnn/models/model.json': at .graph_module: expected")
        assertRefused(try rewritten { $0 == Self.model ? Array((String(repeating: "[", count: 100_000)).utf8) : $1 }, "'plain-cnn/models/model.json': at the top")
    }

    func testBadWeightViewsAreRefused() throws {
        // fc.0.weight is [10, 128] in a 1280-element record.
        assertRefused(try editingWeight("fc.0.weight") { $0["sizes"] = [["as_int": 10], ["as_int": 129]] },
                      "tensor 'fc.0.weight' in 'plain-cnn/data/weights/")
        assertRefused(try editingWeight("fc.0.weight") { $0["storage_offset"] = ["as_int": 1] }, "reaches element 1280 of a 1280-element storage")
        assertRefused(try editingWeight("fc.0.weight") { $0["strides"] = [["as_int": -128], ["as_int": 1]] }, "negative")
        assertRefused(try editingWeight("fc.0.weight") { $0["dtype"] = 10 }, "unsupported: tensor 'fc.0.weight' has torch ScalarType 10")
        assertRefused(try editingWeight("fc.0.weight") { $0["sizes"] = [["as_expr": ["expr_str": "s0"]], ["as_int": 128]] }, "symbolic sizes")
    }

    func testHugeShapesAreHeldToTheBudget() throws {
        assertRefused(try editingWeight("fc.0.weight") { $0["sizes"] = [["as_int": 1 << 40], ["as_int": 1 << 40]]; $0["strides"] = [["as_int": 0], ["as_int": 0]] },
                      "tensor 'fc.0.weight' of size [1099511627776, 1099511627776] would need more than")
        assertRefused(try editingJSON(Self.model) { program in
            var module = program["graph_module"] as! [String: Any], graph = module["graph"] as! [String: Any]
            var values = graph["tensor_values"] as! [String: Any], x = values["x"] as! [String: Any]
            x["sizes"] = [["as_int": 1], ["as_int": 3], ["as_int": 1 << 30], ["as_int": 1 << 30]]
            values["x"] = x; graph["tensor_values"] = values; module["graph"] = graph; program["graph_module"] = module
        }, "the program's input 'x' is float32 [1, 3, 1073741824, 1073741824], not a float32 image batch")
    }

    func testOpsOutsideWhatShearsComputesAreRefusedByName() throws {
        func target(_ node: String, _ op: String) throws -> [UInt8] { try editingNode(node) { $0["target"] = "torch.ops.aten.\(op)" } }
        assertRefused(try target("relu_1", "layer_norm.default"), "node 'relu_1' (aten.layer_norm.default): argument 'input' is missing, not a tensor")
        assertRefused(try target("relu_1", "erf.default"), "node 'relu_1' (aten.erf.default): Shears does not map this op")
        assertRefused(try editingNode("flatten") {
            $0["target"] = "torch.ops.aten.permute.default"
            $0["inputs"] = [["name": "self", "arg": ["as_tensor": ["name": "max_pool2d_2"]]], ["name": "dims", "arg": ["as_ints": [0, 2, 3, 1]]]]
        }, "node 'linear' (aten.linear.default): a Linear over a channels-last rank-2 tensor")
        assertRefused(try editingNode("flatten") {
            $0["target"] = "torch.ops.aten.permute.default"
            $0["inputs"] = [["name": "self", "arg": ["as_tensor": ["name": "max_pool2d_2"]]], ["name": "dims", "arg": ["as_ints": [0, 3, 2, 1]]]]
        }, "node 'flatten' (aten.permute.default): permutes a feature map to dims [0, 3, 2, 1]")
        assertRefused(try editingNode("batch_norm_1") { node in
            var inputs = node["inputs"] as! [[String: Any]]
            inputs[5]["arg"] = ["as_bool": true]
            node["inputs"] = inputs
        }, "node 'batch_norm_1' (aten.batch_norm.default): batch norm in training mode; call model.eval()")
        assertRefused(try editingNode("conv2d_1") { node in
            var inputs = node["inputs"] as! [[String: Any]]
            inputs[1]["arg"] = ["as_tensor": ["name": "p_cnn_0_weight"]]
            inputs[2]["arg"] = ["as_tensor": ["name": "p_cnn_0_bias"]]
            node["inputs"] = inputs
        }, "node 'conv2d_1' (aten.conv2d.default): module 'cnn.0' is called a second time")
        assertRefused(try editingNode("relu_1") { $0["target"] = "torch.ops.higher_order.cond" }, "node 'relu_1' (torch.ops.higher_order.cond)")
        // x + 3, the first piece of a decomposed hardswish, read by a pool: refused at the pool.
        assertRefused(try editingNode("relu_1") { node in
            node["target"] = "torch.ops.aten.add.Tensor"
            node["inputs"] = [(node["inputs"] as! [[String: Any]])[0], ["name": "other", "arg": ["as_int": 3]]]
        }, "argument 'self' is part of a decomposed hardswish or hardsigmoid")
    }

    func testMetadataThatDisagreesWithTheGraphIsAnError() throws {
        assertRefused(try editingJSON(Self.model) { program in
            var module = program["graph_module"] as! [String: Any], graph = module["graph"] as! [String: Any]
            var values = graph["tensor_values"] as! [String: Any], conv = values["conv2d"] as! [String: Any]
            conv["sizes"] = [["as_int": 1], ["as_int": 4], ["as_int": 31], ["as_int": 31]]
            values["conv2d"] = conv; graph["tensor_values"] = values; module["graph"] = graph; program["graph_module"] = module
        }, "malformed: layer 'cnn.0' computes [1, 4, 32, 32] where torch recorded [1, 4, 31, 31] for 'conv2d'")
    }
}
