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

import NNCore
import Foundation
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

/// The translation of one model's graph.
private struct GraphExport {
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

    // MARK: Nodes

    /// The ONNX nodes of graph node `index`: one, or for an activation opset 17 lacks, its
    /// element-wise decomposition (intermediate values named `<node>/<step>`), or for a
    /// per-position op on a feature map its channels-last form between two Transposes.
    private mutating func export(_ node: Node, index: Int) throws -> [Onnx_NodeProto] {
        var out = Onnx_NodeProto()
        out.name = node.name
        out.input = node.inputs.map(value)
        out.output = [value(index)]
        func set(_ type: String, _ attributes: [Onnx_AttributeProto] = []) { out.opType = type; out.attribute = attributes }
        /// An intermediate node of a decomposition, writing `<node>/<name>`.
        func step(_ type: String, _ inputs: [String], _ name: String) -> Onnx_NodeProto {
            Onnx_NodeProto.with { $0.name = "\(node.name)/\(name)"; $0.opType = type; $0.input = inputs; $0.output = ["\(node.name)/\(name)"] }
        }
        /// The last node of a decomposition, writing the node's own value.
        func finish(_ type: String, _ inputs: [String]) -> Onnx_NodeProto {
            Onnx_NodeProto.with { $0.name = node.name; $0.opType = type; $0.input = inputs; $0.output = out.output }
        }
        func parameter(_ suffix: String) throws -> String {
            let key = "\(node.name).\(suffix)"
            guard let tensor = model.stateDict.tensor(key) else {
                throw NNError.shapeMismatch(node: node.name, reason: "no parameter '\(key)' to write to \(path)")
            }
            initializers.append(floatTensor(key, tensor.shape, tensor.scalars))
            return key
        }
        func constant(_ suffix: String, floats: [Float]? = nil, integers: [Int64]? = nil) -> String {
            let key = "\(node.name).\(suffix)"
            if let floats { initializers.append(floatTensor(key, [], floats)) }
            if let integers { initializers.append(integerTensor(key, [integers.count], integers)) }
            return key
        }
        switch node.op {
        case .input:
            break
        case .conv2d(let a):
            out.input += [try parameter("weight")] + (model.stateDict.tensor("\(node.name).bias") != nil ? [try parameter("bias")] : [])
            let w = model.stateDict.tensor("\(node.name).weight")!.shape
            set("Conv", [ints("kernel_shape", [w[2], w[3]]), ints("strides", a.stride), ints("dilations", a.dilation),
                         ints("pads", [a.padding.h, a.padding.w, a.paddingEnd.h, a.paddingEnd.w]), int("group", a.groups)])
        case .batchNorm(let eps):
            out.input += try ["weight", "bias", "running_mean", "running_var"].map(parameter)
            set("BatchNormalization", [float("epsilon", eps)])
        case .relu: set("Relu")
        case .relu6, .clip:
            let (lower, upper): (Float, Float) = { if case .clip(let l, let u) = node.op { return (l, u) }; return (0, 6) }()
            out.input += [constant("min", floats: [lower]), constant("max", floats: [upper])]
            set("Clip")
        case .leakyRelu(let slope): set("LeakyRelu", [float("alpha", slope)])
        case .sigmoid: set("Sigmoid")
        case .hardSigmoid(let alpha, let beta): set("HardSigmoid", [float("alpha", alpha), float("beta", beta)])
        case .hardSwish: set("HardSwish")
        case .silu:
            // Opset 17 has neither SiLU nor GELU: both are written as the element-wise nodes
            // torch's TorchScript exporter writes, the last one named after the node.
            let x = out.input[0]
            return [step("Sigmoid", [x], "sigmoid"), finish("Mul", [x, "\(node.name)/sigmoid"])]
        case .gelu(tanh: false):
            // x/2 · (1 + erf(x/√2))
            let x = out.input[0]
            return [step("Div", [x, constant("sqrt2", floats: [Float(2).squareRoot()])], "scaled"),
                    step("Erf", ["\(node.name)/scaled"], "erf"),
                    step("Add", ["\(node.name)/erf", constant("one", floats: [1])], "shifted"),
                    step("Mul", [x, "\(node.name)/shifted"], "product"),
                    finish("Mul", ["\(node.name)/product", constant("half", floats: [0.5])])]
        case .gelu(tanh: true):
            // x/2 · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
            let x = out.input[0]
            return [step("Mul", [x, x], "square"),
                    step("Mul", ["\(node.name)/square", x], "cube"),
                    step("Mul", ["\(node.name)/cube", constant("coefficient", floats: [0.044715])], "cubic"),
                    step("Add", [x, "\(node.name)/cubic"], "inner"),
                    step("Mul", ["\(node.name)/inner", constant("sqrt2overpi", floats: [(2 / Float.pi).squareRoot()])], "scaled"),
                    step("Tanh", ["\(node.name)/scaled"], "tanh"),
                    step("Add", ["\(node.name)/tanh", constant("one", floats: [1])], "shifted"),
                    step("Mul", [x, "\(node.name)/shifted"], "product"),
                    finish("Mul", ["\(node.name)/product", constant("half", floats: [0.5])])]
        case .maxPool(let a), .avgPool(let a):
            var attributes = [ints("kernel_shape", a.kernel), ints("strides", a.stride), int("ceil_mode", a.ceilMode ? 1 : 0),
                              ints("pads", [a.padding.h, a.padding.w, a.paddingEnd.h, a.paddingEnd.w])]
            if case .maxPool = node.op {
                attributes.append(ints("dilations", a.dilation))
                set("MaxPool", attributes)
            } else {
                guard a.dilation == Size2(1) else { throw NNError.unsupported(path: path, reason: "layer '\(node.name)': a dilated average pool has no opset-\(ONNXExporter.opset) form") }
                attributes.append(int("count_include_pad", a.countIncludePad ? 1 : 0))
                set("AveragePool", attributes)
            }
        case .adaptiveAvgPool(let size) where size == Size2(1):
            set("GlobalAveragePool")
        case .adaptiveAvgPool(let size):
            return try fixedSizePool(node, index: index, size: size, finish: finish)
        case .add: set("Add")
        case .mul: set("Mul")
        case .concat: set("Concat", [int("axis", 1)])
        case .channelSlice(let start, let count):
            out.input += [constant("starts", integers: [Int64(start)]), constant("ends", integers: [Int64(start + count)]), constant("axes", integers: [1])]
            set("Slice")
        case .channelShuffle(let groups):
            guard let channels = model.outputChannels(of: node.inputs[0]), channels % groups == 0 else {
                throw NNError.shapeMismatch(node: node.name, reason: "cannot shuffle an input whose channels are not a multiple of \(groups)")
            }
            let perChannel = channels / groups
            // Output channel j·g + i is input channel i·(C/g) + j.
            let order = (0..<channels).map { k in Int64((k % groups) * perChannel + k / groups) }
            out.input.append(constant("order", integers: order))
            set("Gather", [int("axis", 1)])
        case .flatten: set("Flatten", [int("axis", 1)])
        case .linear where featureMap[index]:
            // [N, H, W, in] · Wᵀ (+ b) between transposes; the weight keeps its key and [out, in].
            var transpose = Onnx_NodeProto()
            transpose.name = "\(node.name)/weight_t"
            transpose.opType = "Transpose"
            transpose.input = [try parameter("weight")]
            transpose.output = [transpose.name]
            transpose.attribute = [ints("perm", [1, 0])]
            out.input = ["\(node.name)/nhwc", transpose.name]
            set("MatMul")
            var core = [out]
            if model.stateDict.tensor("\(node.name).bias") != nil {
                let bias = try parameter("bias")
                out.output = ["\(node.name)/matmul"]
                core = [out, Onnx_NodeProto.with {
                    $0.name = "\(node.name)/bias"; $0.opType = "Add"; $0.input = [out.output[0], bias]; $0.output = [value(index)]
                }]
            }
            return [transpose] + channelsLast(core, name: node.name, input: value(node.inputs[0]))
        case .linear:
            out.input += [try parameter("weight")] + (model.stateDict.tensor("\(node.name).bias") != nil ? [try parameter("bias")] : [])
            set("Gemm", [int("transB", 1)])
        case .layerNorm(let eps):
            out.input += [try parameter("weight")] + (model.stateDict.tensor("\(node.name).bias") != nil ? [try parameter("bias")] : [])
            set("LayerNormalization", [int("axis", -1), float("epsilon", eps)])
            if featureMap[index] {
                out.input[0] = "\(node.name)/nhwc"
                return channelsLast([out], name: node.name, input: value(node.inputs[0]))
            }
        case .channelScale:
            guard let scale = model.stateDict.tensor(node.name) else {
                throw NNError.shapeMismatch(node: node.name, reason: "no parameter '\(node.name)' to write to \(path)")
            }
            initializers.append(floatTensor(node.name, scale.shape, scale.scalars))
            out.input.append(node.name)
            set("Mul")
        case .identity: set("Identity")
        case .channelAffine(let scale, let shift):
            // BatchNormalization with mean 0, variance 1, epsilon 0: exactly x · scale + shift.
            for (suffix, values) in [("scale", scale), ("shift", shift), ("mean", scale.map { _ in 0 }), ("variance", scale.map { _ in 1 })] {
                initializers.append(floatTensor("\(node.name).\(suffix)", [values.count], values))
                out.input.append("\(node.name).\(suffix)")
            }
            set("BatchNormalization", [float("epsilon", 0)])
        }
        return [out]
    }

    /// An AdaptiveAvgPool2d to `size` (not 1x1) for the input size: per axis, an AveragePool of
    /// kernel and stride `in/out` where `out` divides `in`, a nearest Resize by `out/in` where
    /// `in` divides `out` (bins of one pixel each), as torch's bins
    /// `[⌊i·in/out⌋, ⌈(i+1)·in/out⌉)` are then; any other size is refused.
    private mutating func fixedSizePool(_ node: Node, index: Int, size: Size2,
                                        finish: (String, [String]) -> Onnx_NodeProto) throws -> [Onnx_NodeProto] {
        let layer = "layer '\(node.name)': AdaptiveAvgPool2d to \(size)"
        guard let input else {
            throw NNError.unsupported(path: path, reason: "\(layer) has an ONNX form only for a known input size; give it (`shears prune … --input CxHxW`), or export from PyTorch at a fixed size")
        }
        if shapes == nil { shapes = try ShapeInference(model: model, input: input).shapes }
        let source = shapes?[node.inputs[0]] ?? []
        guard source.count == 3 else { throw NNError.shapeMismatch(node: node.name, reason: "reads \(source), not a feature map") }
        let sides = [(source[1], size.h), (source[2], size.w)]
        guard sides.allSatisfy({ $0 >= 1 && $1 >= 1 }) else { throw NNError.shapeMismatch(node: node.name, reason: "pools a \(source) map to \(size)") }
        guard sides.allSatisfy({ $0 % $1 == 0 || $1 % $0 == 0 }) else {
            throw NNError.unsupported(path: path, reason: "\(layer) of a \(source[1])x\(source[2]) map (input \(input.map(String.init).joined(separator: "x"))) averages bins of unequal size, which no ONNX pool writes exactly; export for an input size where that map's sides are multiples or divisors of \(size)")
        }
        let kernel = sides.map { $0 % $1 == 0 ? $0 / $1 : 1 }, scales = sides.map { $0 % $1 == 0 ? 1 : $1 / $0 }
        var nodes: [Onnx_NodeProto] = [], value = self.value(node.inputs[0]), said: [String] = []
        let last = scales == [1, 1] ? 0 : 1
        if kernel != [1, 1] || scales == [1, 1] {
            var pool = last == 0 ? finish("AveragePool", [value]) : Onnx_NodeProto.with { $0.name = "\(node.name)/pool"; $0.opType = "AveragePool"; $0.input = [value]; $0.output = ["\(node.name)/pool"] }
            pool.attribute = [ints("kernel_shape", kernel), ints("strides", kernel)]
            nodes.append(pool)
            value = pool.output[0]
            said.append("AveragePool kernel \(Size2(kernel[0], kernel[1])) stride \(Size2(kernel[0], kernel[1]))")
        }
        if last == 1 {
            let key = "\(node.name).scales"
            initializers.append(floatTensor(key, [4], [1, 1] + scales.map(Float.init)))
            var resize = finish("Resize", [value, "", key])
            resize.attribute = [string("mode", "nearest"), string("coordinate_transformation_mode", "asymmetric"), string("nearest_mode", "floor")]
            nodes.append(resize)
            said.append("nearest Resize by \(Size2(scales[0], scales[1]))")
        }
        notes.append("\(layer) written for the input \(input.map(String.init).joined(separator: "x")) (its \(source[1])x\(source[2]) map) as \(said.joined(separator: " then ")); the ONNX file declares and runs that size only")
        return nodes
    }

    /// `core` (reading `<name>/nhwc`, writing the node's output value) between a Transpose of
    /// `input` to channels-last and one of the core's result back to NCHW.
    private func channelsLast(_ core: [Onnx_NodeProto], name: String, input: String) -> [Onnx_NodeProto] {
        guard var last = core.last else { return core }
        let output = last.output[0]
        last.output = ["\(name)/nhwc_out"]
        let toLast = Onnx_NodeProto.with {
            $0.name = "\(name)/to_nhwc"; $0.opType = "Transpose"; $0.input = [input]; $0.output = ["\(name)/nhwc"]
            $0.attribute = [ints("perm", [0, 2, 3, 1])]
        }
        let back = Onnx_NodeProto.with {
            $0.name = "\(name)/to_nchw"; $0.opType = "Transpose"; $0.input = last.output; $0.output = [output]
            $0.attribute = [ints("perm", [0, 3, 1, 2])]
        }
        return [toLast] + core.dropLast() + [last, back]
    }

    // MARK: Protobuf values

    private func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .string; $0.s = Data(value.utf8) }
    }

    private func floatTensor(_ name: String, _ dims: [Int], _ values: [Float]) -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name; $0.dims = dims.map(Int64.init); $0.dataType = Int32(ONNXFile.float)
            $0.rawData = values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }
        }
    }

    private func integerTensor(_ name: String, _ dims: [Int], _ values: [Int64]) -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name; $0.dims = dims.map(Int64.init); $0.dataType = Int32(ONNXFile.int64)
            $0.rawData = values.map { $0.littleEndian }.withUnsafeBytes { Data($0) }
        }
    }

    private func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .int; $0.i = Int64(value) }
    }

    private func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .ints; $0.ints = values.map(Int64.init) }
    }

    private func ints(_ name: String, _ size: Size2) -> Onnx_AttributeProto { ints(name, [size.h, size.w]) }

    private func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .float; $0.f = value }
    }
}
