// TorchExportTranslation+Ops: each ATen op of a CNN as Shears ops. Arguments are read by
// their schema names, with the schema's defaults where the file omits them (torch drops
// arguments left at their defaults). Ops that are identities in eval mode pass their input
// on, but dropout and feature_dropout, which become `.dropout` nodes with their p; ShuffleNet's view → transpose(1, 2) → view becomes one channel shuffle; chunk/split
// become channel slices; `mean` over H and W an adaptive pool (and a flatten without
// keepdim); addmm with a transposed weight (the core ATen form of a Linear) a Linear.
// ConvNeXt's channels-last stretch (permute [0, 2, 3, 1] → layer_norm → linear → gelu →
// linear → permute [0, 3, 1, 2], and LayerNorm2d's permute → layer_norm → permute) stays NCHW:
// the permuted tensor is the node it views (`Value.channelsLast`), layer_norm over its last dim
// a `.layerNorm` over channels, linear a `.linear` on the map; a mul by a model tensor
// `[C, 1, 1]` is a `.channelScale` named after that tensor (`features.1.0.layer_scale`).
// StochasticDepth in eval leaves no node. Every other op, and every use of a supported op
// outside what Shears computes (any other permute, an add of a constant, a batch norm in
// training mode), is refused in one line naming the node and the op.

import NNCore

extension TorchExportTranslation {
    /// Ops that pass their input through in eval mode and leave no node (alpha_dropout, whose
    /// training form is not torch's dropout, too).
    static let identities: Set<String> = [
        "clone.default", "contiguous.default", "alias.default", "detach.default", "lift_fresh_copy.default",
        "alpha_dropout.default",
    ]

    /// What Shears maps, for the refusal of any other op.
    static let supported = "convolution, batch norm, layer norm, relu, hardtanh, leaky_relu, silu, gelu, hardswish, hardsigmoid, sigmoid, add, mul (also by a [C, 1, 1] layer scale), max/avg/adaptive pools, mean over H and W, cat, chunk/split, view/flatten, permute to channels-last and back, linear/addmm, dropout"

    mutating func translate(_ node: SerializedNode) throws {
        let prefix = "torch.ops.aten."
        let op = node.target.hasPrefix(prefix) ? String(node.target.dropFirst(prefix.count)) : node.target
        let label = "node '\(node.name ?? node.outputs.first?.tensor?.name ?? "?")' (\(node.target.hasPrefix(prefix) ? "aten.\(op)" : node.target))"
        func refuse(_ reason: String) -> NNError { .unsupported(path: path, reason: "\(label): \(reason)") }
        func malformed(_ reason: String) -> NNError { .malformed(path: path, reason: "\(label): \(reason)") }
        var arguments: [String: SerializedArgument] = [:]
        for input in node.inputs where arguments[input.name] == nil && input.arg.kind != "as_none" { arguments[input.name] = input.arg }

        // MARK: Arguments

        func tensorName(_ name: String) throws -> String {
            guard let tensor = arguments[name]?.tensor?.name else { throw refuse("argument '\(name)' is \(arguments[name]?.kind ?? "missing"), not a tensor") }
            return tensor
        }
        func value(_ name: String) throws -> (tensor: String, value: Value) {
            let tensor = try tensorName(name)
            guard let value = values[tensor] else { throw malformed("reads '\(tensor)', which no earlier node computes") }
            return (tensor, value)
        }
        func feature(_ name: String) throws -> Int {
            let (tensor, value) = try value(name)
            guard value.isFeature else { throw refuse("argument '\(name)' is \(describe(value)), where Shears reads a tensor computed from the input") }
            return try read(value, tensor: tensor)
        }
        func parameter(_ name: String) throws -> String? {
            guard arguments[name] != nil else { return nil }
            let (tensor, value) = try value(name)
            guard case .parameter(let key) = value else { throw refuse("argument '\(name)' is '\(tensor)', computed from the input, where Shears needs the model's tensor") }
            return key
        }
        func ints(_ name: String, _ fallback: [Int]) throws -> [Int] {
            guard let argument = arguments[name] else { return fallback }
            guard let values = argument.ints ?? argument.int.map({ [$0] }) else { throw refuse("argument '\(name)' is \(argument.kind), not integers") }
            return values
        }
        func int(_ name: String, _ fallback: Int) throws -> Int {
            let values = try ints(name, [fallback])
            guard values.count == 1 else { throw refuse("argument '\(name)' is \(values), not one integer") }
            return values[0]
        }
        func pair(_ values: [Int], _ name: String) throws -> Size2 {
            switch values.count {
            case 1: return Size2(values[0])
            case 2: return Size2(values[0], values[1])
            default: throw refuse("argument '\(name)' is \(values.prefix(8)), not 1 or 2 integers")
            }
        }
        func pair(_ name: String, _ fallback: Int) throws -> Size2 { try pair(try ints(name, [fallback]), name) }
        func float(_ name: String, _ fallback: Double) throws -> Double {
            guard let argument = arguments[name] else { return fallback }
            guard let value = argument.float ?? argument.int.map(Double.init) else { throw refuse("argument '\(name)' is \(argument.kind), not a number") }
            return value
        }
        func bool(_ name: String, _ fallback: Bool) throws -> Bool {
            guard let argument = arguments[name] else { return fallback }
            guard let value = argument.bool else { throw refuse("argument '\(name)' is \(argument.kind), not a bool") }
            return value
        }
        /// A mul's operands as a layer scale: a model tensor `[C, 1, 1]` (ConvNeXt's
        /// `layer_scale`) times a feature map of C channels, in either order; nil otherwise.
        func layerScale() throws -> (x: Int, key: String)? {
            for (scale, map) in [("self", "other"), ("other", "self")] {
                guard let s = arguments[scale]?.tensor?.name, case .parameter(let key)? = values[s],
                      let m = arguments[map]?.tensor?.name, let value = values[m], value.isFeature else { continue }
                let shape = try shape(of: m)
                guard shape.count == 4, tensors[key]?.floatTensor != nil, tensors[key]?.shape == [shape[1], 1, 1] else { continue }
                return (try read(value, tensor: m), key)
            }
            return nil
        }
        /// A dim of a rank-`rank` tensor, negative dims counted from the end.
        func dim(_ value: Int, rank: Int) -> Int { value < 0 ? value + rank : value }

        // MARK: Outputs

        func output() throws -> String {
            guard let tensor = node.outputs.first?.tensor?.name else { throw malformed("has no output tensor") }
            for extra in node.outputs.dropFirst() { if let name = extra.tensor?.name { values[name] = .unused } }
            return tensor
        }
        /// Adds `op`; `layout`: how torch lays out its output (the value it becomes).
        func emit(_ op: Op, _ inputs: [Int], name: String? = nil, layout: Layout = .nchw) throws {
            let tensor = try output()
            let index = builder.add(name ?? layerName(node), op, inputs: inputs)
            computes[index] = tensor
            layouts[index] = layout
            switch layout {
            case .nchw: values[tensor] = .node(index)
            case .channelsLast: values[tensor] = .channelsLast(index)
            case .positions(let height, let width): values[tensor] = .positions(index, height: height, width: width)
            }
        }
        func pass(_ value: Value) throws { values[try output()] = value }
        /// The module owning the parameter `key` (its path without `.weight`).
        func owner(of key: String) throws -> String {
            guard key.hasSuffix(".weight"), key.count > ".weight".count, tensors[key]?.floatTensor != nil else {
                throw refuse("its weight is the tensor '\(key)', not a module's floating `.weight`; Shears names layers after the modules owning them: use an nn.Conv2d, nn.BatchNorm2d or nn.Linear module")
            }
            return String(key.dropLast(".weight".count))
        }
        func expect(_ key: String?, _ suffix: String, of module: String) throws {
            if let key, key != "\(module).\(suffix)" { throw refuse("reads '\(key)' where Shears expects '\(module).\(suffix)', the same module's") }
        }
        /// A parametric layer named after its module, which no other node may have used.
        func emitLayer(_ op: Op, _ inputs: [Int], module: String, layout: Layout = .nchw) throws {
            guard !usedNames.contains(module) else {
                throw refuse("module '\(module)' is called a second time; Shears gives each call its own layer and parameters: use one module per call")
            }
            usedNames.insert(module)
            try emit(op, inputs, name: module, layout: layout)
        }
        /// The node a per-position op reads and how torch lays it out: a feature map, one
        /// seen channels-last, or its rows of channels (the op's output keeps the layout).
        func perPosition(_ name: String) throws -> (index: Int, layout: Layout) {
            switch try value(name).value {
            case .channelsLast(let index): return (index, .channelsLast)
            case .positions(let index, let height, let width): return (index, .positions(height: height, width: width))
            default: return (try feature(name), .nchw)
            }
        }
        /// An element-wise op, in whichever layout its input is.
        func activation(_ op: Op) throws {
            let (x, layout) = try perPosition("self")
            try emit(op, [x], layout: layout)
        }

        // MARK: Ops

        switch try hardActivationStep(op, arguments) {
        case .pending(let value)?: return try pass(value)
        case .emit(let op, let x)?: return try emit(op, [x])
        case nil: break
        }
        switch op {
        case "conv2d.default", "convolution.default":
            if try bool("transposed", false) { throw refuse("a transposed convolution; Shears has no ConvTranspose2d") }
            let x = try feature("input")
            guard let weight = try parameter("weight") else { throw refuse("convolution without a weight") }
            let module = try owner(of: weight)
            try expect(try parameter("bias"), "bias", of: module)
            guard tensors[weight]?.shape.count == 4 else { throw refuse("weight '\(weight)' is \(tensors[weight]?.shape ?? []), not a 2-D convolution's [out, in/groups, kh, kw]") }
            let attributes = Conv2dAttributes(stride: try pair("stride", 1), padding: try pair("padding", 0),
                                              dilation: try pair("dilation", 1), groups: try int("groups", 1))
            try emitLayer(.conv2d(attributes), [x], module: module)
        case "batch_norm.default", "_native_batch_norm_legit_no_training.default":
            if try bool("training", false) { throw refuse("batch norm in training mode; call model.eval() before torch.export.export") }
            let x = try feature("input")
            guard let weight = try parameter("weight"), let bias = try parameter("bias") else {
                throw refuse("batch norm without weight and bias (affine=False); Shears's BatchNorm2d has both")
            }
            let module = try owner(of: weight)
            guard let mean = try parameter("running_mean"), let variance = try parameter("running_var") else {
                throw refuse("batch norm without running statistics (track_running_stats=False); Shears's BatchNorm2d uses them")
            }
            for (key, suffix) in [(bias, "bias"), (mean, "running_mean"), (variance, "running_var")] { try expect(key, suffix, of: module) }
            try emitLayer(.batchNorm(eps: Float(try float("eps", 1e-5))), [x], module: module)
        case "relu.default", "relu_.default":
            try activation(.relu)
        case "hardtanh.default", "hardtanh_.default", "clamp.default", "clamp_.default":
            let clamp = op.hasPrefix("clamp")
            let lower = try float(clamp ? "min" : "min_val", clamp ? -.infinity : -1), upper = try float(clamp ? "max" : "max_val", clamp ? .infinity : 1)
            try activation(lower == 0 && upper == 6 ? .relu6 : lower == 0 && upper == .infinity ? .relu : .clip(lower: Float(lower), upper: Float(upper)))
        case "leaky_relu.default", "leaky_relu_.default":
            try activation(.leakyRelu(slope: Float(try float("negative_slope", 0.01))))
        case "silu.default", "silu_.default":
            try activation(.silu)
        case "gelu.default", "gelu_.default":
            let approximate = arguments["approximate"].map { $0.string ?? "" } ?? "none"
            guard ["none", "tanh"].contains(approximate) else { throw refuse("approximate '\(approximate.prefix(20))', not 'none' or 'tanh'") }
            try activation(.gelu(tanh: approximate == "tanh"))
        case "hardswish.default", "hardswish_.default":
            try activation(.hardSwish)
        case "hardsigmoid.default", "hardsigmoid_.default":
            try activation(.hardSigmoid(alpha: 1.0 / 6, beta: 0.5))
        case "sigmoid.default", "sigmoid_.default":
            try activation(.sigmoid)
        case "add.Tensor", "add_.Tensor", "mul.Tensor", "mul_.Tensor":
            let add = op.hasPrefix("add")
            if add, try float("alpha", 1) != 1 { throw refuse("an add with alpha \(try float("alpha", 1)); Shears adds with alpha 1") }
            if !add, let scale = try layerScale() {
                try emitLayer(.channelScale, [scale.x], module: scale.key)
                break
            }
            guard let other = arguments["other"]?.tensor?.name, let value = values[other], value.isFeature else {
                let what = arguments["other"]?.tensor.map { values[$0.name].map(describe) ?? "'\($0.name)'" } ?? "a constant (\(arguments["other"]?.kind ?? "none"))"
                throw refuse("\(add ? "adds" : "multiplies by") \(what); Shears's Add and Mul take two tensors computed from the input")
            }
            var a = try feature("self"), b = try feature("other")
            let left = Array(try shape(of: try tensorName("self")).dropFirst()), right = Array(try shape(of: other).dropFirst())
            if add, left != right { throw refuse("adds tensors of sizes \(left) and \(right) per sample; Shears adds equal sizes (no broadcasting)") }
            if !add, right.count == 3, left == [right[0], 1, 1], right != left { swap(&a, &b) }
            try emit(add ? .add : .mul, [a, b])
        case "max_pool2d.default", "max_pool2d_with_indices.default", "avg_pool2d.default":
            let kernel = try pair(try ints("kernel_size", []), "kernel_size")
            let strides = try ints("stride", [])
            let stride = strides.isEmpty ? kernel : try pair(strides, "stride")
            let x = try feature("self")
            if op.hasPrefix("max") {
                try emit(.maxPool(Pool2dAttributes(kernel: kernel, stride: stride, padding: try pair("padding", 0),
                                                   dilation: try pair("dilation", 1), ceilMode: try bool("ceil_mode", false))), [x])
            } else {
                if arguments["divisor_override"] != nil { throw refuse("an average pool with divisor_override; Shears divides by the window") }
                try emit(.avgPool(Pool2dAttributes(kernel: kernel, stride: stride, padding: try pair("padding", 0), ceilMode: try bool("ceil_mode", false),
                                                   countIncludePad: try bool("count_include_pad", true))), [x])
            }
        case "adaptive_avg_pool2d.default", "_adaptive_avg_pool2d.default":
            try emit(.adaptiveAvgPool(try pair(try ints("output_size", []), "output_size")), [try feature("self")])
        case "mean.dim":
            let rank = try shape(of: try tensorName("self")).count
            let dims = try ints("dim", []).map { dim($0, rank: rank) }
            guard rank == 4, Set(dims) == [2, 3], dims.count == 2 else {
                throw refuse("a mean over dims \(dims.prefix(8)) of a rank-\(rank) tensor; Shears averages feature maps over H and W (dims [2, 3])")
            }
            let x = try feature("self")
            if try bool("keepdim", false) {
                try emit(.adaptiveAvgPool(Size2(1)), [x])
            } else {
                let name = layerName(node)
                let pool = builder.add(name, .adaptiveAvgPool(Size2(1)), x)
                try emit(.flatten, [pool], name: uniqueName("\(name).flatten"))
            }
        case "cat.default":
            guard let list = arguments["tensors"]?.tensors, let first = list.first else { throw refuse("argument 'tensors' is not a list of tensors") }
            let rank = try shape(of: first.name).count, axis = try int("dim", 0)
            guard rank == 4, dim(axis, rank: rank) == 1 else {
                throw refuse("concatenates rank-\(rank) tensors along dim \(axis); Shears concatenates feature maps along channels (dim 1)")
            }
            var inputs: [Int] = []
            for item in list {
                guard let value = values[item.name] else { throw malformed("reads '\(item.name)', which no earlier node computes") }
                guard value.isFeature else { throw refuse("concatenates \(describe(value)); Shears concatenates tensors computed from the input") }
                inputs.append(try read(value, tensor: item.name))
            }
            try emit(.concat, inputs)
        case "chunk.default", "split.Tensor", "split_with_sizes.default":
            try split(op, node, label: label, arguments: arguments)
        case "view.default", "reshape.default", "_unsafe_view.default", "flatten.using_ints":
            let (tensor, source) = try value("self")
            let from = try shape(of: tensor), to = try shape(of: try output())
            switch source {
            case .node, .slice:
                if from == to {
                    try pass(source)
                } else if from.count == 4, to.count == 2, to[0] == from[0], to[1] == from.dropFirst().checkedProduct {
                    try emit(.flatten, [try read(source, tensor: tensor)])
                } else if from.count == 4, to.count == 5, to[0] == from[0], to[1] >= 1, to[1].multipliedReportingOverflow(by: to[2]) == (from[1], false),
                          Array(to.suffix(2)) == Array(from.suffix(2)) {
                    try pass(.grouped(try read(source, tensor: tensor), groups: to[1], transposed: false))
                } else {
                    throw refuse("reshapes \(from.prefix(8)) to \(to.prefix(8)); Shears reads flattens to [N, -1] and ShuffleNet's channel shuffle (view, transpose(1, 2), view)")
                }
            case .grouped(let index, let groups, true) where to == (try recordedShape(of: index)):
                try emit(.channelShuffle(groups: groups), [index])
            // Row counts are products of sizes from the file: computed with overflow checks.
            case .channelsLast(let index) where from.count == 4 && to.count == 2 && to == [Array(from[0...2]).checkedProduct ?? -1, from[3]]:
                try pass(.positions(index, height: from[1], width: from[2]))
            case .positions(let index, let height, let width) where to.count == 4 && from.count == 2 && Array(to[1...]) == [height, width, from[1]] && [to[0], height, width].checkedProduct == from[0]:
                try pass(.channelsLast(index))
            default:
                throw refuse("reshapes \(describe(source)) to \(to.prefix(8)); Shears reads flattens to [N, -1] and ShuffleNet's channel shuffle (view, transpose(1, 2), view)")
            }
        case "layer_norm.default", "native_layer_norm.default":
            let (tensor, source) = try value("input")
            let from = try shape(of: tensor), normalized = try ints("normalized_shape", [])
            let (x, layout) = try perPosition("input")
            guard from.count == (layout == .channelsLast ? 4 : 2), normalized == [from[from.count - 1]] else {
                throw refuse("normalises \(describe(source)) \(from.prefix(8)) over its last \(normalized.prefix(8)); Shears normalises the channels of a map permuted to channels-last (ConvNeXt's LayerNorm, LayerNorm2d) or the features of a vector")
            }
            guard let weight = try parameter("weight") else { throw refuse("a layer norm without a weight (elementwise_affine=False); Shears's LayerNorm has one") }
            let module = try owner(of: weight)
            try expect(try parameter("bias"), "bias", of: module)
            try emitLayer(.layerNorm(eps: Float(try float("eps", 1e-5))), [x], module: module, layout: layout)
        case "as_strided.default":
            // Core ATen's restride of a pooled map before ConvNeXt's classifier LayerNorm2d:
            // on a dense [N, C, 1, 1] (not a channel slice), sizes unchanged, strides [C, 1, ·, ·]
            // and no offset, every element stays where it is.
            let (tensor, source) = try value("self")
            let from = try shape(of: tensor), strides = try ints("stride", [])
            var dense = false
            if case .node(let x) = source, x < builder.nodes.count { if case .channelSlice = builder.nodes[x].op {} else { dense = true } }
            guard dense, from.count == 4, from[2] == 1, from[3] == 1,
                  try ints("size", []) == from, strides.count == 4, strides[1] == 1 || from[1] == 1, strides[0] == from[1] || from[0] == 1,
                  try int("storage_offset", 0) == 0 else {
                throw refuse("restrides \(describe(source)) \(from.prefix(8)) to sizes \(try ints("size", []).prefix(8)), strides \(strides.prefix(8)); Shears reads an as_strided only where it keeps a pooled [N, C, 1, 1] map as it is: export without run_decompositions()")
            }
            try pass(source)
        case "transpose.int", "permute.default", "t.default":
            let (_, source) = try value("self")
            let rank = op == "t.default" ? 2 : try shape(of: try tensorName("self")).count
            let order: [Int]
            if op == "permute.default" {
                order = try ints("dims", []).map { dim($0, rank: rank) }
            } else {
                let (d0, d1) = op == "t.default" ? (0, 1) : (dim(try int("dim0", 0), rank: rank), dim(try int("dim1", 1), rank: rank))
                var swapped = Array(0..<rank)
                guard swapped.indices.contains(d0), swapped.indices.contains(d1) else { throw refuse("dims \(d0), \(d1) outside a rank-\(rank) tensor") }
                swapped.swapAt(d0, d1)
                order = swapped
            }
            switch source {
            case .parameter(let key) where order == [1, 0]:
                try pass(.transposedParameter(key))
            case .grouped(let index, let groups, let transposed) where order == [0, 2, 1, 3, 4]:
                try pass(.grouped(index, groups: groups, transposed: !transposed))
            case _ where source.isFeature && rank == 4 && order == [0, 2, 3, 1]:
                try pass(.channelsLast(try read(source, tensor: try tensorName("self"))))
            case .channelsLast(let index) where order == [0, 3, 1, 2]:
                try pass(.node(index))
            default:
                throw refuse("permutes \(describe(source)) to dims \(order.prefix(8)); Shears reads the permute of a feature map to channels-last ([0, 2, 3, 1]) and back ([0, 3, 1, 2]) around LayerNorm, Linear and activations (ConvNeXt), a channel shuffle's transpose(1, 2) and a Linear's weight.t()")
            }
        case "linear.default":
            let rank = try shape(of: try tensorName("input")).count
            let (x, layout) = try perPosition("input")
            guard rank == (layout == .channelsLast ? 4 : 2) else {
                throw refuse("a Linear over a\(layout == .nchw ? "" : " channels-last") rank-\(rank) tensor; Shears's Linear takes [N, features] or a map permuted to channels-last [N, H, W, C] (ConvNeXt)")
            }
            guard let weight = try parameter("weight") else { throw refuse("a linear without a weight") }
            let module = try owner(of: weight)
            try expect(try parameter("bias"), "bias", of: module)
            try emitLayer(.linear, [x], module: module, layout: layout)
        case "addmm.default", "mm.default":
            if try float("beta", 1) != 1 || float("alpha", 1) != 1 { throw refuse("addmm with beta or alpha other than 1") }
            guard case .transposedParameter(let weight)? = values[try tensorName("mat2")] else {
                throw refuse("multiplies by a tensor that is not a Linear's transposed weight; Shears reads addmm(bias, x, weight.t())")
            }
            let (x, layout) = try perPosition(op == "mm.default" ? "self" : "mat1")
            if layout == .channelsLast { throw refuse("multiplies a channels-last map not viewed as rows [N·H·W, C]") }
            let module = try owner(of: weight)
            if op == "addmm.default" {
                guard let bias = try parameter("self") else { throw refuse("addmm without a bias") }
                try expect(bias, "bias", of: module)
            }
            try emitLayer(.linear, [x], module: module, layout: layout)
        case "dropout.default", "dropout_.default", "feature_dropout.default":
            // nn.Dropout (element-wise, in any layout) and nn.Dropout2d (feature_dropout: whole
            // channels of an NCHW map) with the p the graph records; without one, the identity.
            if try bool("train", false) { throw refuse("dropout in training mode; call model.eval() before torch.export.export") }
            let input = op == "dropout_.default" ? "self" : "input"
            guard arguments["p"] != nil else { return try pass(try value(input).value) }
            let p = try float("p", 0)
            guard p >= 0, p <= 1 else { throw refuse("p \(p) is not a probability from 0 to 1") }
            if op == "feature_dropout.default" {
                try emit(.dropout(p: Float(p), wholeChannels: true), [try feature(input)])
            } else {
                let (x, layout) = try perPosition(input)
                try emit(.dropout(p: Float(p), wholeChannels: false), [x], layout: layout)
            }
        case _ where Self.identities.contains(op):
            if op.contains("dropout"), try bool("train", false) { throw refuse("dropout in training mode; call model.eval() before torch.export.export") }
            guard let first = node.inputs.first?.arg.tensor?.name, let value = values[first] else { throw refuse("its input is not a tensor the graph computes") }
            try pass(value)
        case "_assert_tensor_metadata.default":
            break
        default:
            throw refuse("Shears does not map this op (it reads \(Self.supported)); export a model without it")
        }
    }

    /// chunk / split / split_with_sizes along channels: one pending channel slice per output,
    /// the sizes torch computes from the arguments checked against the recorded outputs.
    private mutating func split(_ op: String, _ node: SerializedNode, label: String, arguments: [String: SerializedArgument]) throws {
        func refuse(_ reason: String) -> NNError { .unsupported(path: path, reason: "\(label): \(reason)") }
        func malformed(_ reason: String) -> NNError { .malformed(path: path, reason: "\(label): \(reason)") }
        guard let tensor = arguments["self"]?.tensor?.name, let source = values[tensor], source.isFeature else {
            throw refuse("argument 'self' is not a tensor computed from the input")
        }
        let from = try shape(of: tensor)
        let axis = arguments["dim"]?.int ?? 0
        guard from.count == 4, (axis < 0 ? axis + 4 : axis) == 1 else {
            throw refuse("splits a rank-\(from.count) tensor along dim \(axis); Shears splits feature maps along channels (dim 1)")
        }
        let channels = from[1]
        guard let outputs = node.outputs.first?.tensors else { throw malformed("its output is not a list of tensors") }
        let sizes: [Int]
        if op == "split_with_sizes.default" {
            sizes = arguments["split_sizes"]?.ints ?? []
        } else {
            let count = op == "chunk.default" ? arguments["chunks"]?.int ?? 0 : arguments["split_size"]?.int ?? 0
            guard count >= 1 else { throw refuse("a split into \(count) parts or of size \(count)") }
            // torch's chunk takes parts of ceil(C / chunks) channels; the last part is smaller.
            let size = op == "chunk.default" ? channels / count + (channels % count == 0 ? 0 : 1) : count
            guard size >= 1, channels / size + (channels % size == 0 ? 0 : 1) == outputs.count else {
                throw malformed("splits \(channels) channels into parts of \(size), which its \(outputs.count) outputs do not match")
            }
            sizes = outputs.indices.map { min(size, channels - $0 * size) }
        }
        // The sum is computed with overflow checks: split_sizes come from the file.
        let total = sizes.reduce(Optional(0)) { sum, size in sum.flatMap { $0.addingReportingOverflow(size).overflow ? nil : $0 + size } }
        guard outputs.count == sizes.count, sizes.allSatisfy({ $0 >= 1 }), total == channels else {
            throw malformed("splits \(channels) channels into \(sizes.prefix(8)), which its \(outputs.count) outputs do not match")
        }
        let x = try read(source, tensor: tensor)
        let base = layerName(node)
        var start = 0
        for (k, (output, size)) in zip(outputs, sizes).enumerated() {
            guard try shape(of: output.name) == [from[0], size, from[2], from[3]] else {
                throw malformed("output '\(output.name)' is \(try shape(of: output.name).prefix(8)), not channels \(start)..<\(start + size) of \(from)")
            }
            values[output.name] = .slice(x, start: start, count: size, name: uniqueName("\(base).\(k)"))
            start += size
        }
    }

    /// The sizes torch recorded for the output of Shears node `index` (the input for node 0).
    private func recordedShape(of index: Int) throws -> [Int] {
        guard let tensor = computes[index] else { return [batch] + input }
        return try shape(of: tensor)
    }
}

extension TorchExportTranslation.Value {
    /// Whether the value is (or will be, once read) a Shears node's output.
    var isFeature: Bool {
        switch self {
        case .node, .slice: return true
        default: return false
        }
    }
}
