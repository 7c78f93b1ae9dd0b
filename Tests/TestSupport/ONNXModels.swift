// ONNXModels: small ONNX models built in Swift, for tests that need a graph no exporter would
// write (negative dilations, a group of 0, pads of 2^62, external data pointing anywhere):
// one image input, nodes in the order given, float initializers inline or as external data.

import Foundation
import ONNXProto
import SwiftProtobuf

/// An ONNX ModelProto under construction.
public struct ONNXModel {
    public var proto = Onnx_ModelProto()

    /// An empty graph whose one input is `input`.
    public init(input: String = "input") {
        proto.irVersion = 8
        proto.opsetImport = [Onnx_OperatorSetIdProto.with { $0.domain = ""; $0.version = 17 }]
        proto.graph.name = "test"
        proto.graph.input = [Onnx_ValueInfoProto.with { $0.name = input }]
    }

    /// Adds an inline float initializer (values 0.01·k for k = 0, 1, … unless given).
    public mutating func initializer(_ name: String, dims: [Int], floats: [Float]? = nil) {
        let count = dims.reduce(1, *)
        proto.graph.initializer.append(Onnx_TensorProto.with {
            $0.name = name
            $0.dims = dims.map(Int64.init)
            $0.dataType = 1
            $0.floatData = floats ?? (0..<count).map { Float($0 % 100) * 0.01 }
        })
    }

    /// Adds an int64 initializer (shapes, indices, axes).
    public mutating func integers(_ name: String, _ values: [Int]) {
        proto.graph.initializer.append(Onnx_TensorProto.with {
            $0.name = name
            $0.dims = [Int64(values.count)]
            $0.dataType = 7
            $0.int64Data = values.map(Int64.init)
        })
    }

    /// Adds a float initializer stored as external data: `entries` are its `external_data`
    /// (`location`, `offset`, `length`) as given, unchecked.
    public mutating func externalInitializer(_ name: String, dims: [Int], entries: [(String, String)]) {
        proto.graph.initializer.append(Onnx_TensorProto.with {
            $0.name = name
            $0.dims = dims.map(Int64.init)
            $0.dataType = 1
            $0.dataLocation = .external
            $0.externalData = entries.map { entry in Onnx_StringStringEntryProto.with { $0.key = entry.0; $0.value = entry.1 } }
        })
    }

    /// Appends node `name` running `op` on `inputs` into `output`.
    public mutating func node(_ op: String, _ inputs: [String], _ output: String, name: String, attributes: [Onnx_AttributeProto] = []) {
        proto.graph.node.append(Onnx_NodeProto.with {
            $0.opType = op
            $0.name = name
            $0.input = inputs
            $0.output = [output]
            $0.attribute = attributes
        })
    }

    /// Inserts node `name` running `op` on `value` (then `extra`) where `value` was read: the
    /// nodes that read `value` read the new node's output (`name`) instead.
    public mutating func insert(_ op: String, after value: String, extra: [String] = [], name: String, attributes: [Onnx_AttributeProto] = []) {
        for k in proto.graph.node.indices {
            proto.graph.node[k].input = proto.graph.node[k].input.map { $0 == value ? name : $0 }
        }
        node(op, [value] + extra, name, name: name, attributes: attributes)
    }

    /// Removes the initializer `name` (to put another in its place).
    public mutating func removeInitializer(_ name: String) {
        proto.graph.initializer.removeAll { $0.name == name }
    }

    /// The file's bytes, with `output` as the graph's output.
    public func bytes(output: String) throws -> [UInt8] {
        var model = proto
        model.graph.output = [Onnx_ValueInfoProto.with { $0.name = output }]
        return try model.serializedBytes()
    }

    /// `input [1, channels, H, W]` → Conv `conv` (weight `[4, channels / group, k, k]`, bias, the
    /// attributes given) → Relu → GlobalAveragePool → Flatten → Gemm `fc` (10 classes, transB 1):
    /// the graph hostile Conv attributes are tried in. Output `logits`.
    public static func convClassifier(channels: Int = 3, kernel: Int = 3, group: Int = 1, conv: [Onnx_AttributeProto]) -> ONNXModel {
        var model = ONNXModel()
        model.initializer("conv.weight", dims: [4, max(channels / max(group, 1), 1), kernel, kernel])
        model.initializer("conv.bias", dims: [4])
        model.initializer("fc.weight", dims: [10, 4])
        model.initializer("fc.bias", dims: [10])
        model.node("Conv", ["input", "conv.weight", "conv.bias"], "c", name: "/conv/Conv", attributes: conv)
        model.node("Relu", ["c"], "r", name: "/relu/Relu")
        model.node("GlobalAveragePool", ["r"], "p", name: "/pool/GlobalAveragePool")
        model.node("Flatten", ["p"], "f", name: "/Flatten")
        model.node("Gemm", ["f", "fc.weight", "fc.bias"], "logits", name: "/fc/Gemm", attributes: [.int("transB", 1)])
        return model
    }
}

extension Onnx_AttributeProto {
    /// An INTS attribute.
    public static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .ints; $0.ints = values.map(Int64.init) }
    }

    /// An INT attribute.
    public static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .int; $0.i = Int64(value) }
    }

    /// A FLOAT attribute.
    public static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .float; $0.f = value }
    }

    /// A STRING attribute.
    public static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        .with { $0.name = name; $0.type = .string; $0.s = Data(value.utf8) }
    }
}
