// ModuleTreeImporter+Layers: one leaf nn.Module as one op, with the parameter shapes it
// implies. Attributes and defaults are PyTorch's constructor arguments:
//   Conv2d(in, out, kernel_size, stride=1, padding=0 | 'valid' | 'same', dilation=1, groups=1,
//          bias=True, padding_mode='zeros') → weight [out, in/groups, kh, kw], bias [out];
//   BatchNorm2d(C, eps=1e-5, affine=True, track_running_stats=True) → weight, bias,
//          running_mean, running_var [C], num_batches_tracked [];
//   Linear(in_features, out_features, bias=True) → weight [out, in], bias [out];
//   MaxPool2d / AvgPool2d(kernel_size, stride=kernel_size, padding=0, dilation=1,
//          ceil_mode=False, count_include_pad=True); AdaptiveAvgPool2d(output_size);
//   ReLU, ReLU6, Hardtanh(min_val, max_val), LeakyReLU(negative_slope=0.01), Sigmoid,
//          Hardsigmoid, Hardswish, SiLU, GELU(approximate='none' | 'tanh'), Flatten(1, -1),
//          ChannelShuffle(groups); Dropout(p) and Dropout2d(p) → `.dropout` with their p (the
//          identity in inference; no node where the module does not give p); Identity and
//          StochasticDepth (torchvision's drop-path, per sample: the identity in eval) add no node.
//   LayerNorm2d(C, eps) → `.layerNorm` over the channels, weight and bias [C] (+ConvNeXt).
// `padding='same'` pads `d·(k−1)` in total per axis, the extra one at the bottom/right, as torch.
// Window attributes are checked here, naming the module: kernel sizes, strides, dilations,
// groups and output sizes from 1, paddings from 0, all at most `ShapeInference.maximumWindow`.

import NNCore

extension TreeTranslation {
    /// The output of leaf `module` (at `path`) applied to node `x`.
    mutating func leaf(_ module: ModuleTree, path: String, input x: Int) throws -> Int {
        /// The attribute `key` (one int or a pair) each in `minimum...ShapeInference.maximumWindow`, or `fallback` when absent.
        func size(_ key: String, _ fallback: Size2, minimum: Int = 1) throws -> Size2 {
            guard module.attributes[key] != nil else { return fallback }
            guard let value = module.size2(key), [value.h, value.w].allSatisfy({ (minimum...ShapeInference.maximumWindow).contains($0) }) else {
                throw refusal(path, module, "\(key) must be one int or a pair of ints from \(minimum) to \(ShapeInference.maximumWindow)")
            }
            return value
        }
        func count(_ key: String) throws -> Int? {
            guard let value = module.int(key) else { return nil }
            guard (1...ShapeInference.maximumWindow).contains(value) else { throw refusal(path, module, "\(key) must be from 1 to \(ShapeInference.maximumWindow), got \(value)") }
            return value
        }
        switch module.className {
        case "Conv2d":
            let kernel = try size("kernel_size", Size2(1)), dilation = try size("dilation", Size2(1))
            guard (module.string("padding_mode") ?? "zeros") == "zeros" else { throw refusal(path, module, "padding_mode '\(module.string("padding_mode")!)' is not supported") }
            var padding = Size2(0), paddingEnd = Size2(0)
            switch module.string("padding") {
            case "same"?:
                let total = Size2(dilation.h * (kernel.h - 1), dilation.w * (kernel.w - 1))
                padding = Size2(total.h / 2, total.w / 2)
                paddingEnd = Size2(total.h - padding.h, total.w - padding.w)
            case "valid"?: break
            case let other?: throw refusal(path, module, "padding '\(other)' is not supported")
            case nil: padding = try size("padding", Size2(0), minimum: 0); paddingEnd = padding
            }
            let groups = try count("groups") ?? 1
            let weight = stateDict[path + ".weight"]?.shape
            let outChannels = module.int("out_channels") ?? weight?.first ?? 0
            let inChannels = module.int("in_channels") ?? weight.map { $0.count > 1 ? $0[1] * groups : 0 } ?? 0
            expected.append((path + ".weight", [outChannels, inChannels / max(groups, 1), kernel.h, kernel.w]))
            if module.bool("bias") ?? (stateDict[path + ".bias"] != nil) { expected.append((path + ".bias", [outChannels])) }
            return add(path, .conv2d(Conv2dAttributes(stride: try size("stride", Size2(1)), padding: padding, paddingEnd: paddingEnd,
                                                      dilation: dilation, groups: groups)), x)
        case "BatchNorm2d":
            guard module.bool("affine") ?? true, module.bool("track_running_stats") ?? true else {
                throw refusal(path, module, "only affine BatchNorm with running statistics is supported")
            }
            let channels = module.int("num_features") ?? stateDict[path + ".running_mean"]?.shape.first ?? 0
            expected += batchNormShapes(path, channels)
            return add(path, .batchNorm(eps: Float(module.float("eps") ?? 1e-5)), x)
        case "Linear":
            return linear(module, path: path, input: flat.contains(x) ? x : add("flatten", .flatten, x))
        case "MaxPool2d", "AvgPool2d":
            let kernel = try size("kernel_size", Size2(1))
            if case .int? = module.attributes["divisor_override"] { throw refusal(path, module, "divisor_override is not supported") }
            let attributes = Pool2dAttributes(kernel: kernel, stride: module.attributes["stride"] == .null ? kernel : try size("stride", kernel),
                                              padding: try size("padding", Size2(0), minimum: 0), dilation: try size("dilation", Size2(1)),
                                              ceilMode: module.bool("ceil_mode") ?? false, countIncludePad: module.bool("count_include_pad") ?? true)
            return add(path, module.className == "MaxPool2d" ? .maxPool(attributes) : .avgPool(attributes), x)
        case "AdaptiveAvgPool2d":
            guard module.size2("output_size") != nil else { throw refusal(path, module, "output_size must be ints (None keeps an input size, which is not supported)") }
            return add(path, .adaptiveAvgPool(try size("output_size", Size2(1))), x)
        case "Flatten":
            guard (module.int("start_dim") ?? 1) == 1, (module.int("end_dim") ?? -1) == -1 else { throw refusal(path, module, "only Flatten(1, -1) is supported") }
            return add(path, .flatten, x)
        case "ChannelShuffle":
            guard let groups = try count("groups") else { throw refusal(path, module, "no groups") }
            return add(path, .channelShuffle(groups: groups), x)
        case "Dropout", "Dropout2d":
            guard let p = module.float("p") else { return x }
            guard p >= 0, p <= 1 else { throw refusal(path, module, "p \(p) is not a probability from 0 to 1") }
            return add(path, .dropout(p: Float(p), wholeChannels: module.className == "Dropout2d"), x)
        case "Identity", "StochasticDepth":
            return x
        case "GELU":
            switch module.string("approximate") ?? "none" {
            case "none": return add(path, .gelu(tanh: false), x)
            case "tanh": return add(path, .gelu(tanh: true), x)
            case let other: throw refusal(path, module, "approximate '\(other)' is not 'none' or 'tanh'")
            }
        case "LayerNorm2d":
            return try layerNorm(module, path: path, input: x)
        case "LayerNorm" where flat.contains(x):
            return try layerNorm(module, path: path, input: x)
        case "LayerNorm", "Permute":
            throw refusal(path, module, "Shears runs \(module.className) only inside ConvNeXt's CNBlock (LayerNorm on the channels between its permutes) or, for LayerNorm, on a flat vector")
        default:
            guard let op = activation(module) else { throw refusal(path, module, "Shears does not run this layer") }
            return add(path, op, x)
        }
    }

    /// `nn.Linear` applied to node `x` as it is (a vector, or a feature map per position), with
    /// its weight `[out, in]` and bias `[out]` expected.
    mutating func linear(_ module: ModuleTree, path: String, input x: Int) -> Int {
        let weight = stateDict[path + ".weight"]?.shape
        let shape = [module.int("out_features") ?? weight?.first ?? 0, module.int("in_features") ?? weight?.last ?? 0]
        expected.append((path + ".weight", shape))
        if module.bool("bias") ?? (stateDict[path + ".bias"] != nil) { expected.append((path + ".bias", [shape[0]])) }
        return add(path, .linear, x)
    }

    /// The op of an activation layer, or nil for other classes.
    private func activation(_ module: ModuleTree) -> Op? {
        switch module.className {
        case "ReLU": return .relu
        case "ReLU6": return .relu6
        case "Hardtanh":
            let lower = Float(module.float("min_val") ?? -1), upper = Float(module.float("max_val") ?? 1)
            return lower == 0 && upper == 6 ? .relu6 : .clip(lower: lower, upper: upper)
        case "LeakyReLU": return .leakyRelu(slope: Float(module.float("negative_slope") ?? 0.01))
        case "Sigmoid": return .sigmoid
        case "Hardsigmoid": return .hardSigmoid(alpha: 1.0 / 6, beta: 0.5)
        case "Hardswish": return .hardSwish
        case "SiLU": return .silu
        default: return nil
        }
    }
}
