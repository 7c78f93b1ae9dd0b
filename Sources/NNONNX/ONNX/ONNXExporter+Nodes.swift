// ONNXExporter+Nodes: the ONNX nodes of each graph node (the table in ONNXExporter.swift):
// one node with its attributes and parameters as initializers, opset 17's element-wise
// spellings of SiLU and GELU, and the per-position ops on a feature map (LayerNorm, linear)
// between a Transpose to channels-last and one back. AdaptiveAvgPool2d to k x k:
// ONNXExporter+AdaptivePool.

import NNCore
import ONNXProto

extension ONNXExporter.GraphExport {
    /// The ONNX nodes of graph node `index`: one, or for an activation opset 17 lacks, its
    /// element-wise decomposition (intermediate values named `<node>/<step>`), or for a
    /// per-position op on a feature map its channels-last form between two Transposes.
    mutating func export(_ node: Node, index: Int) throws -> [Onnx_NodeProto] {
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
        case .dropout(let p, wholeChannels: false) where p < 1:
            // ONNX Dropout (the identity in inference) with its ratio, a scalar in [0, 1).
            out.input.append(constant("ratio", floats: [p]))
            set("Dropout")
        case .dropout:
            // Dropout2d and p = 1 have no ONNX Dropout: the identity they are in inference.
            set("Identity")
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

    /// `core` (reading `<name>/nhwc`, writing the node's output value) between a Transpose of
    /// `input` to channels-last and one of the core's result back to NCHW.
    func channelsLast(_ core: [Onnx_NodeProto], name: String, input: String) -> [Onnx_NodeProto] {
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
}
