// ONNXExporter: a Shears Model as an ONNX file (opset 17, IR 8) that ONNX Runtime runs and
// ONNXImporter reads back. One ONNX node per graph node, named after it, each output value
// named like its node; parameters become initializers under their state-dict keys
// (`cnn.0.weight`, `cnn.1.running_mean`), so module paths survive the round trip. The
// weights are the model's own: masks already multiplied in, channels already removed,
// dequantized values after quantization. The input is `[batch, C, height, width]` with
// symbolic batch and size; the output is `logits`.
//
//   conv2d → Conv (pads [top, left, bottom, right]);  batchNorm → BatchNormalization;
//   relu, relu6/clip → Relu, Clip(min, max);  leakyRelu, sigmoid, hardSigmoid, hardSwish;
//   silu → Sigmoid, Mul;  gelu → Div, Erf, Add, Mul, Mul (tanh form: its nine nodes);
//   maxPool/avgPool → MaxPool/AveragePool;  adaptiveAvgPool(1) → GlobalAveragePool;
//   add, mul, concat(axis 1);  channelSlice → Slice;  channelShuffle → Gather of the
//   permuted channels;  flatten → Flatten(1);  linear → Gemm(transB=1);  identity → Identity;
//   layerNorm → LayerNormalization(axis −1) and linear on a feature map → MatMul by the
//   Transpose of the `[out, in]` weight (+ Add of the bias), each between a Transpose to
//   channels-last (perm [0, 2, 3, 1]) and one back ([0, 3, 1, 2]), as torch exports ConvNeXt
//   (ONNX Runtime cancels the adjacent pairs); channelScale → Mul by its `[C, 1, 1]`
//   parameter under its own key (its output value is `<name>/scaled`, the key being taken).
// An AdaptiveAvgPool2d to k x k (k > 1) has no size-free ONNX form: given the input size, it
// is written for that size where its bins are uniform (per axis, an input that is a multiple
// of k is an AveragePool of kernel and stride in/k; a divisor of k, a nearest Resize by k/in:
// each bin one pixel), the input declared at that fixed size, and a note says so; without
// the size, or with bins of unequal size, it is refused naming the layer.
//
// This file holds the entry points and the graph (inputs, outputs, value names); the nodes
// of each op are ONNXExporter+Nodes', the fixed-size pool ONNXExporter+AdaptivePool's, the
// attribute and initializer values ONNXExporter+Protobuf's.

import NNCore
import ONNXProto
import SwiftProtobuf

/// Writes Models as ONNX files.
public enum ONNXExporter {
    /// The ONNX opset the files declare.
    public static let opset: Int64 = 17

    /// Writes `model` to `path` atomically, for images of `input` (`[C, H, W]`) where a
    /// layer's ONNX form depends on the size; returns notes on what was fixed to that size.
    @discardableResult
    public static func write(_ model: Model, to path: String, input: [Int]? = nil) throws -> [String] {
        let (bytes, notes) = try serialized(model, path: path, input: input)
        try AtomicFile.write(bytes, to: path)
        return notes
    }

    /// The file's bytes and the notes on layers written for the size `input`; `path` names
    /// the file in errors.
    static func serialized(_ model: Model, path: String, input: [Int]? = nil) throws -> (bytes: [UInt8], notes: [String]) {
        var proto = Onnx_ModelProto()
        proto.irVersion = 8
        proto.producerName = "shears"
        proto.opsetImport = [Onnx_OperatorSetIdProto.with { $0.domain = ""; $0.version = opset }]
        var export = GraphExport(model: model, path: path, input: input)
        proto.graph = try export.graph()
        return (try proto.serializedBytes(), export.notes)
    }
}

extension ONNXExporter {
    /// The translation of one model's graph.
    struct GraphExport {
        let model: Model
        let path: String
        /// The image size `[C, H, W]` the file is written for, where a layer needs one.
        let input: [Int]?
        var initializers: [Onnx_TensorProto] = []
        /// Per-sample output shapes for `input`, inferred when a layer first needs them.
        var shapes: [[Int]]?
        /// What was written for `input` only, one line per layer.
        var notes: [String] = []
        /// Whether each node's output is a feature map (`Graph.producesFeatureMap`).
        let featureMap: [Bool]

        init(model: Model, path: String, input: [Int]?) {
            self.model = model; self.path = path; self.input = input; featureMap = model.graph.producesFeatureMap
        }

        /// The ONNX value name of node `index`'s output (a layer scale's name is its parameter's).
        func value(_ index: Int) -> String {
            if index == 0 { return "input" }
            if index == model.graph.outputIndex { return "logits" }
            let node = model.graph.nodes[index]
            return node.op == .channelScale ? "\(node.name)/scaled" : node.name
        }

        mutating func graph() throws -> Onnx_GraphProto {
            var graph = Onnx_GraphProto()
            graph.name = model.architecture
            let nodes = model.graph.nodes
            for (index, node) in nodes.enumerated() where index > 0 {
                graph.node += try export(node, index: index)
            }
            graph.initializer = initializers
            // A file with layers written for one input size declares that size.
            let (height, width): (Dimension, Dimension) = notes.isEmpty ? (.symbol("height"), .symbol("width")) : (.size(input?[1] ?? 1), .size(input?[2] ?? 1))
            graph.input = [valueInfo("input", [.symbol("batch"), .size(model.outputChannels(of: 0) ?? 3), height, width])]
            graph.output = [valueInfo("logits", [.symbol("batch"), .symbol("classes")])]
            return graph
        }

        private enum Dimension { case size(Int), symbol(String) }

        private func valueInfo(_ name: String, _ dims: [Dimension]) -> Onnx_ValueInfoProto {
            Onnx_ValueInfoProto.with { info in
                info.name = name
                info.type.tensorType.elemType = Int32(ONNXFile.float)
                info.type.tensorType.shape.dim = dims.map { d in
                    Onnx_TensorShapeProto.Dimension.with {
                        switch d {
                        case .size(let n): $0.dimValue = Int64(n)
                        case .symbol(let s): $0.dimParam = s
                        }
                    }
                }
            }
        }
    }
}
