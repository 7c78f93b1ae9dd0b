import XCTest
import TestSupport
import ONNXProto
@testable import NNCore
@testable import NNONNX
@testable import NNEngine

/// Every attribute the ONNX importer reads is validated at import, in one line naming the file
/// and the node: hostile ModelProtos built in Swift (TestSupport's `ONNXModel`).
final class ONNXAttributesTests: XCTestCase {
    typealias A = Onnx_AttributeProto

    /// The classifier with a Conv carrying `attributes` (weight `[4, channels/group, k, k]`).
    func conv(_ attributes: [A], channels: Int = 3, kernel: Int = 3, group: Int = 1) -> ONNXModel {
        ONNXModel.convClassifier(channels: channels, kernel: kernel, group: group, conv: attributes)
    }

    /// The classifier with node `name` running `op` inserted after the conv's output `c`.
    func after(_ op: String, _ attributes: [A] = [], extra: [(String, [Int]?, [Float]?)] = [], name: String = "/x/Op") -> ONNXModel {
        var model = conv([])
        for (input, integers, floats) in extra {
            if let integers { model.integers(input, integers) } else { model.initializer(input, dims: [floats!.count], floats: floats) }
        }
        model.insert(op, after: "c", extra: extra.map(\.0), name: name, attributes: attributes)
        return model
    }

    /// The classifier with its Gemm's attributes replaced by `attributes`.
    func gemm(_ attributes: [A]) -> ONNXModel {
        var model = conv([])
        let k = model.proto.graph.node.firstIndex { $0.opType == "Gemm" }!
        model.proto.graph.node[k].attribute = attributes
        return model
    }

    /// The classifier whose Flatten is a Reshape to `shape`.
    func reshape(_ shape: [Int]) -> ONNXModel {
        var model = conv([])
        let k = model.proto.graph.node.firstIndex { $0.opType == "Flatten" }!
        model.integers("shape", shape)
        model.proto.graph.node[k].opType = "Reshape"
        model.proto.graph.node[k].input.append("shape")
        return model
    }

    func load(_ model: ONNXModel, name: String = "model.onnx") throws -> Model {
        let path = "/nonexistent/\(name)"
        return try ONNXImporter.model(of: try ONNXFile.parse(Data(try model.bytes(output: "logits")), path: path), path: path)
    }

    func testBadAttributesAreRefusedNamingFileAndNode() throws {
        let bn = [("bn.w", nil, [Float](repeating: 1, count: 4)), ("bn.b", nil, [0, 0, 0, 0]), ("bn.m", nil, [0, 0, 0, 0]),
                  ("bn.v", nil, [1, 1, 1, 1])] as [(String, [Int]?, [Float]?)]
        let cases: [(ONNXModel, String, String)] = [
            (conv([.ints("dilations", [-1, -1])]), "/conv/Conv", "dilations [-1, -1]: each must be in 1...65536"),
            (conv([.ints("dilations", [1, 0])]), "/conv/Conv", "dilations [1, 0]"),
            (conv([.ints("strides", [0, 1])]), "/conv/Conv", "strides [0, 1]"),
            (conv([.ints("strides", [70_000, 1])]), "/conv/Conv", "strides [70000, 1]"),
            (conv([.ints("pads", [-1, 0, 0, 0])]), "/conv/Conv", "pads [-1, 0, 0, 0]: each must be in 0...65536"),
            (conv([.ints("pads", [1 << 62, 1 << 62, 1 << 62, 1 << 62])]), "/conv/Conv", "pads [4611686018427387904"),
            (conv([.ints("pads", [1, 1])]), "/conv/Conv", "pads [1, 1] has 2 values; a 2-D window has 4"),
            (conv([.ints("strides", [1, 1, 1])]), "/conv/Conv", "strides [1, 1, 1] has 3 values"),
            (conv([.int("group", 0)]), "/conv/Conv", "group 0 must be at least 1"),
            (conv([.int("group", -2)]), "/conv/Conv", "group -2"),
            (conv([.int("group", 3)]), "/conv/Conv", "group 3 does not divide the weight's 4 output channels"),
            (conv([.ints("kernel_shape", [5, 5])]), "/conv/Conv", "kernel_shape [5, 5] does not match the weight's [4, 3, 3, 3]"),
            (conv([.ints("kernel_shape", [0, 3])]), "/conv/Conv", "kernel_shape [0, 3]"),
            (conv([.string("auto_pad", "SAME_UPPER")]), "/conv/Conv", "auto_pad SAME_UPPER pads by the input's size"),
            (conv([.string("auto_pad", "BOGUS")]), "/conv/Conv", "auto_pad 'BOGUS' is not NOTSET"),
            (conv([.string("auto_pad", "VALID"), .ints("pads", [1, 1, 1, 1])]), "/conv/Conv", "auto_pad VALID with pads"),
            (conv([.with { $0.name = "strides"; $0.type = .float; $0.f = 2 }]), "/conv/Conv", "attribute 'strides' is FLOAT, not INTS"),
            (conv([.int("group", 1), .int("group", 1)]), "/conv/Conv", "attribute 'group' is given twice"),
            (conv([.ints("group", [1])]), "/conv/Conv", "attribute 'group' is INTS, not INT"),
            (after("MaxPool", [.ints("kernel_shape", [-1, 2])]), "/x/Op", "kernel_shape [-1, 2]"),
            (after("MaxPool", [.ints("kernel_shape", [2, 2, 2])]), "/x/Op", "kernel_shape [2, 2, 2] is not 2-D"),
            (after("MaxPool"), "/x/Op", "needs a 2-D kernel_shape"),
            (after("MaxPool", [.ints("kernel_shape", [2, 2]), .int("ceil_mode", 2)]), "/x/Op", "ceil_mode 2 is outside 0...1"),
            (after("MaxPool", [.ints("kernel_shape", [2, 2]), .int("storage_order", 7)]), "/x/Op", "storage_order 7"),
            (after("MaxPool", [.ints("kernel_shape", [2, 2]), .ints("pads", [0, 0, 0])]), "/x/Op", "pads [0, 0, 0] has 3 values"),
            (after("AveragePool", [.ints("kernel_shape", [2, 2]), .int("count_include_pad", -1)]), "/x/Op", "count_include_pad -1"),
            (after("AveragePool", [.ints("kernel_shape", [2, 2]), .ints("dilations", [-2, -2])]), "/x/Op", "dilations [-2, -2]"),
            (after("BatchNormalization", [.float("epsilon", .nan)], extra: bn), "/x/Op", "epsilon nan is not a finite number"),
            (after("BatchNormalization", [.float("epsilon", -1)], extra: bn), "/x/Op", "epsilon -1.0 is negative"),
            (after("BatchNormalization", [.int("training_mode", 1)], extra: bn), "/x/Op", "training_mode 1"),
            (after("BatchNormalization", [.int("epsilon", 1)], extra: bn), "/x/Op", "attribute 'epsilon' is INT, not FLOAT"),
            (after("BatchNormalization", extra: [("bn.w3", nil, [1, 1, 1])] + bn.dropFirst()), "/x/Op", "hold [3, 4, 4, 4] values"),
            (after("LeakyRelu", [.float("alpha", .infinity)]), "/x/Op", "alpha inf is not a finite number"),
            (after("HardSigmoid", [.float("beta", .nan)]), "/x/Op", "beta nan"),
            (after("Clip", extra: [("clip.min", nil, [.nan])]), "/x/Op", "input 1 ('clip.min') is not a float scalar"),
            (after("Clip", extra: [("clip.min", nil, [0, 1])]), "/x/Op", "input 1 ('clip.min') is not a float scalar"),
            (after("Clip", extra: [("clip.min", [0], nil)]), "/x/Op", "input 1 ('clip.min') is not a float scalar"),
            (after("Clip", [.float("min", .nan)]), "/x/Op", "min nan is not a number"),
            (after("Concat", [.int("axis", 2)]), "/x/Op", "concatenates along axis 2"),
            (after("Gather", [.int("axis", 1)], extra: [("idx", [0, 1, 9], nil)]), "/x/Op", "indices [0, 1, 9] are not all within the input's 4 channels"),
            (after("Gather", [.int("axis", 1)], extra: [("idx", [-1], nil)]), "/x/Op", "indices [-1]"),
            (after("Gather", [.int("axis", 1)], extra: [("idx", nil, [0])]), "/x/Op", "input 1 ('idx') must hold integers"),
            (after("Split", [.int("axis", 1)], extra: [("sizes", [5], nil)]), "/x/Op", "split sizes [5] do not cover 4 channels in 1 parts"),
            (after("Split", [.int("axis", 1), .int("num_outputs", 3)]), "/x/Op", "num_outputs 3 but 1 outputs"),
            (after("Reshape", extra: [("shape5", [1, 0, 2, 32, 32], nil)]), "/x/Op", "with 0 groups"),
            (after("ReduceMean", [.ints("axes", [2, 3]), .int("keepdims", 7)]), "/x/Op", "keepdims 7 is outside 0...1"),
            (after("Slice", extra: [("s", [0], nil), ("e", [2], nil), ("a", [1], nil), ("st", [2], nil)]), "/x/Op", "only a slice"),
            (gemm([.int("transA", 1)]), "/fc/Gemm", "transA 1"),
            (gemm([.int("transB", 2)]), "/fc/Gemm", "transB 2 is outside 0...1"),
            (gemm([.int("transB", 1), .float("alpha", .nan)]), "/fc/Gemm", "alpha nan"),
            (gemm([.int("transB", 1), .float("beta", .infinity)]), "/fc/Gemm", "beta inf"),
            (reshape([-2, 4]), "/Flatten", "reshapes to [-2, 4]"),
            (reshape([-1, -1]), "/Flatten", "reshapes to [-1, -1]"),
            (reshape([1, 0]), "/Flatten", "reshapes to [1, 0]"),
        ]
        for (model, node, words) in cases {
            XCTAssertThrowsError(try load(model, name: "hostile.onnx"), words) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("/nonexistent/hostile.onnx: "), text)
                XCTAssertTrue(text.contains("node '\(node)'"), text)
                XCTAssertTrue(text.contains(words), "no '\(words)' in: \(text)")
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
    }

    func testFlattenAxesOtherThanOneAreRefused() throws {
        var model = conv([])
        let k = model.proto.graph.node.firstIndex { $0.opType == "Flatten" }!
        model.proto.graph.node[k].attribute = [.int("axis", 0)]
        XCTAssertThrowsError(try load(model)) { XCTAssertTrue("\($0)".contains("node '/Flatten' (Flatten): flattens from axis 0"), "\($0)") }
    }

    func testValidWindowsImportAndRunToFiniteLogits() throws {
        let models = [
            conv([.ints("pads", [1, 1, 1, 1])]),
            conv([.string("auto_pad", "VALID")]),
            conv([.string("auto_pad", "NOTSET"), .ints("pads", [0, 1, 2, 3]), .ints("strides", [2, 1]), .ints("dilations", [2, 2])]),
            conv([.int("group", 2), .ints("kernel_shape", [3, 3])], channels: 4, group: 2),
            after("MaxPool", [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]), .ints("pads", [1, 1, 1, 1]), .int("ceil_mode", 1)]),
        ]
        for (k, model) in models.enumerated() {
            let loaded = try load(model)
            let channels = k == 3 ? 4 : 3
            let executor = try Executor(model: loaded, input: [channels, 16, 16], maxBatch: 2)
            let logits = try executor.run(Tensor(shape: [2, channels, 16, 16]))
            XCTAssertEqual(logits.shape, [2, 10])
            XCTAssertTrue(logits.scalars.allSatisfy(\.isFinite), "\(k): \(logits.scalars)")
        }
    }

    func testAThousandNodeChainWithSplitsImportsInLinearTime() throws {
        var model = conv([])
        var last = "c"
        for k in 0..<3_000 {
            model.node(k % 2 == 0 ? "Relu" : "Split", [last], "v\(k)", name: "", attributes: k % 2 == 0 ? [] : [.int("axis", 1)])
            last = "v\(k)"
        }
        let relu = model.proto.graph.node.firstIndex { $0.opType == "Relu" && $0.input == ["c"] && $0.name == "/relu/Relu" }!
        model.proto.graph.node[relu].input = [last]
        let start = Date()
        let loaded = try load(model)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(Set(loaded.graph.nodes.map(\.name)).count, loaded.graph.nodes.count)
    }
}
