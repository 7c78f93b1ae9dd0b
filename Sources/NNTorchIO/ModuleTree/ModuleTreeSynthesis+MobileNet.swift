// ModuleTreeSynthesis+MobileNet: torchvision's inverted-residual families from their keys.
// Which block has stride 2 (and, in MobileNetV3, Hardswish or ReLU) is fixed by each default
// configuration, so the block count must be the default's; kernels, widths, whether a block
// expands and where squeeze-excite sits come from the keys, and a block adds its input where
// torchvision's rule says: stride 1 and as many output channels as input channels.
//   MobileNetV2: features.0 Conv2dNormActivation(3x3/2, ReLU6), 17 InvertedResidual
//     (conv: [expand 1x1], depthwise, 1x1 Conv2d, BatchNorm2d), features.18 1x1 ReLU6,
//     classifier (Dropout, Linear).
//   MobileNetV3 large (15 blocks) / small (11): BatchNorm eps 0.001, `block` = [expand],
//     depthwise, [SqueezeExcitation(ReLU, Hardsigmoid)], project; classifier (Linear,
//     Hardswish, Dropout, Linear).
//   EfficientNet B0…B7: 7 stages of MBConv (SiLU, SqueezeExcitation(SiLU, Sigmoid),
//     StochasticDepth), stage strides 1, 2, 2, 2, 1, 2, 1; the stage depths tell the variant,
//     B5…B7 use BatchNorm eps 0.001, the classifier's Dropout p is the variant's (0.2 … 0.5;
//     none for B1/B2, whose depths are equal and whose p differ).
//   MNASNet: `layers` = stem (3x3/2, depthwise 3x3, 1x1), six stacks of _InvertedResidual
//     with strides 2, 2, 2, 1, 2, 1, 1x1 conv, BatchNorm, ReLU; mean over H, W; classifier.

import NNCore

extension TreeSynthesizer {
    /// torchvision's `MobileNetV2` with the default inverted-residual setting.
    mutating func mobileNetV2() throws -> ModuleTree {
        let blocks = try run(under: "features") - 2
        let strided: Set<Int> = [2, 4, 7, 14]
        guard blocks == 17 else { throw refusal("it has \(blocks) inverted-residual blocks, not the default setting's 17 (a custom inverted_residual_setting's strides are not in the keys)") }
        variant = "mobilenet_v2"
        assumptions.append("strides of the default inverted_residual_setting, ReLU6")
        var (stem, width) = try convNormActivation("features.0", input: nil, stride: 2, activation: "ReLU6")
        var features = [stem]
        for i in 1...blocks {
            let p = "features.\(i).conv", stride = strided.contains(i) ? 2 : 1
            var layers: [ModuleTree] = []
            var x = width
            if has("\(p).3.running_mean") {
                let expand = try convNormActivation(p + ".0", input: x, activation: "ReLU6")
                layers.append(expand.tree)
                x = expand.out
            }
            let j = layers.count
            let depthwise = try convNormActivation("\(p).\(j)", input: x, stride: stride, activation: "ReLU6")
            let project = try conv("\(p).\(j + 1)", input: depthwise.out)
            layers += [depthwise.tree, project.tree, try batchNorm("\(p).\(j + 2)")]
            let residual = stride == 1 && width == project.out
            features.append(Self.module("InvertedResidual", [("conv", Self.sequential(layers))],
                                        ["stride": .int(stride), "use_res_connect": .bool(residual), "out_channels": .int(project.out)]))
            width = project.out
        }
        (stem, width) = try convNormActivation("features.\(blocks + 1)", input: width, activation: "ReLU6")
        features.append(stem)
        return Self.module("MobileNetV2", [("features", Self.sequential(features)),
                                           ("classifier", Self.sequential([Self.dropout(0.2), try linear("classifier.1").tree]))])
    }

    /// torchvision's `MobileNetV3` (large or small, not dilated).
    mutating func mobileNetV3() throws -> ModuleTree {
        let blocks = try run(under: "features") - 2
        // Per block: stride, Hardswish (else ReLU), squeeze-excite; from _mobilenet_v3_conf.
        let large: [(Int, Bool, Bool)] = [(1, false, false), (2, false, false), (1, false, false), (2, false, true), (1, false, true), (1, false, true),
                                          (2, true, false), (1, true, false), (1, true, false), (1, true, false), (1, true, true), (1, true, true),
                                          (2, true, true), (1, true, true), (1, true, true)]
        let small: [(Int, Bool, Bool)] = [(2, false, true), (2, false, false), (1, false, false), (2, true, true), (1, true, true), (1, true, true),
                                          (1, true, true), (1, true, true), (2, true, true), (1, true, true), (1, true, true)]
        guard let config = [15: large, 11: small][blocks] else {
            throw refusal("it has \(blocks) inverted-residual blocks, neither mobilenet_v3_large's 15 nor mobilenet_v3_small's 11")
        }
        let name = blocks == 15 ? "mobilenet_v3_large" : "mobilenet_v3_small"
        variant = name
        assumptions.append("strides and activations of \(name)'s default configuration")
        let eps = 0.001
        var (stem, width) = try convNormActivation("features.0", input: nil, stride: 2, eps: eps, activation: "Hardswish")
        var features = [stem]
        for (i, (stride, hardswish, se)) in config.enumerated() {
            let p = "features.\(i + 1).block", activation = hardswish ? "Hardswish" : "ReLU"
            let count = try run(under: p), hasSE = (0..<count).contains { has("\(p).\($0).fc1.weight") }
            guard hasSE == se else { throw refusal("block 'features.\(i + 1)' \(se ? "lacks" : "has") a squeeze-excite where \(name) has \(se ? "one" : "none")") }
            var layers: [ModuleTree] = [], x = width
            if count - (se ? 1 : 0) == 3 {
                let expand = try convNormActivation(p + ".0", input: x, eps: eps, activation: activation)
                layers.append(expand.tree)
                x = expand.out
            }
            let depthwise = try convNormActivation("\(p).\(layers.count)", input: x, stride: stride, eps: eps, activation: activation)
            layers.append(depthwise.tree)
            if se { layers.append(try squeezeExcitation("\(p).\(layers.count)", activation: "ReLU", scale: "Hardsigmoid")) }
            let project = try convNormActivation("\(p).\(layers.count)", input: depthwise.out, eps: eps, activation: nil)
            layers.append(project.tree)
            let residual = stride == 1 && width == project.out
            features.append(Self.module("InvertedResidual", [("block", Self.sequential(layers))],
                                        ["use_res_connect": .bool(residual), "out_channels": .int(project.out)]))
            width = project.out
        }
        (stem, width) = try convNormActivation("features.\(blocks + 1)", input: width, eps: eps, activation: "Hardswish")
        features.append(stem)
        let classifier = Self.sequential([try linear("classifier.0").tree, Self.leaf("Hardswish"),
                                          Self.dropout(0.2), try linear("classifier.3").tree])
        return Self.module("MobileNetV3", [("features", Self.sequential(features)), ("avgpool", Self.adaptiveAvgPool(1)), ("classifier", classifier)])
    }

    /// torchvision's `SqueezeExcitation` at `path`: avgpool, fc1, fc2 (1x1 convs with bias), activations.
    func squeezeExcitation(_ path: String, activation: String, scale: String) throws -> ModuleTree {
        let fc1 = try conv(path + ".fc1", input: nil), fc2 = try conv(path + ".fc2", input: fc1.out)
        return Self.module("SqueezeExcitation", [("avgpool", Self.adaptiveAvgPool(1)), ("fc1", fc1.tree), ("fc2", fc2.tree),
                                                 ("activation", Self.leaf(activation)), ("scale_activation", Self.leaf(scale))])
    }

    /// torchvision's `EfficientNet` B0…B7 (MBConv stages).
    mutating func efficientNet() throws -> ModuleTree {
        guard (try shape("features.1.0.block.0.0.weight", rank: 4))[1] == 1 else {
            throw refusal("its first stage is FusedMBConv (EfficientNetV2), whose configuration the keys do not fix")
        }
        let stages = try run(under: "features") - 2
        let depths = try (1...max(stages, 1)).map { try run(under: "features.\($0)") }
        // (name, BatchNorm eps, the classifier's dropout p: b1's 0.2 and b2's 0.3 share depths, so unknown).
        let variants: [[Int]: (String, Double, Double?)] = [
            [1, 2, 2, 3, 3, 4, 1]: ("efficientnet_b0", 1e-5, 0.2), [2, 3, 3, 4, 4, 5, 2]: ("efficientnet_b1 or b2", 1e-5, nil),
            [2, 3, 3, 5, 5, 6, 2]: ("efficientnet_b3", 1e-5, 0.3), [2, 4, 4, 6, 6, 8, 2]: ("efficientnet_b4", 1e-5, 0.4),
            [3, 5, 5, 7, 7, 9, 3]: ("efficientnet_b5", 1e-3, 0.4), [3, 6, 6, 8, 8, 11, 3]: ("efficientnet_b6", 1e-3, 0.5),
            [4, 7, 7, 10, 10, 13, 4]: ("efficientnet_b7", 1e-3, 0.5),
        ]
        guard let (name, eps, dropout) = variants[depths] else { throw refusal("its stage depths \(depths) are none of EfficientNet-B0…B7's") }
        variant = name
        assumptions.append("stage strides 1, 2, 2, 2, 1, 2, 1 and BatchNorm eps \(eps) of \(name)")
        let strides = [1, 2, 2, 2, 1, 2, 1]
        var (stem, width) = try convNormActivation("features.0", input: nil, stride: 2, eps: eps, activation: "SiLU")
        var features = [stem], blockID = 0
        for (s, depth) in depths.enumerated() {
            var blocks: [ModuleTree] = []
            for b in 0..<depth {
                // The class's stochastic_depth_prob 0.2, ramped over the blocks (identity in eval).
                let p = "features.\(s + 1).\(b).block", stride = b == 0 ? strides[s] : 1, dropProbability = 0.2 * Double(blockID) / Double(depths.reduce(0, +))
                blockID += 1
                var layers: [ModuleTree] = [], x = width
                if try run(under: p) == 4 {
                    let expand = try convNormActivation(p + ".0", input: x, eps: eps, activation: "SiLU")
                    layers.append(expand.tree)
                    x = expand.out
                }
                let depthwise = try convNormActivation("\(p).\(layers.count)", input: x, stride: stride, eps: eps, activation: "SiLU")
                layers += [depthwise.tree, try squeezeExcitation("\(p).\(layers.count + 1)", activation: "SiLU", scale: "Sigmoid")]
                let project = try convNormActivation("\(p).\(layers.count)", input: depthwise.out, eps: eps, activation: nil)
                layers.append(project.tree)
                let residual = stride == 1 && width == project.out
                blocks.append(Self.module("MBConv", [("block", Self.sequential(layers)), ("stochastic_depth", Self.leaf("StochasticDepth", ["p": .float(dropProbability), "mode": .string("row")]))],
                                          ["use_res_connect": .bool(residual), "out_channels": .int(project.out)]))
                width = project.out
            }
            features.append(Self.sequential(blocks))
        }
        (stem, width) = try convNormActivation("features.\(stages + 1)", input: width, eps: eps, activation: "SiLU")
        features.append(stem)
        return Self.module("EfficientNet", [("features", Self.sequential(features)), ("avgpool", Self.adaptiveAvgPool(1)),
                                            ("classifier", Self.sequential([Self.dropout(dropout), try linear("classifier.1").tree]))])
    }

    /// torchvision's `MNASNet` (any alpha, version 2 stem).
    mutating func mnasNet() throws -> ModuleTree {
        guard indices(under: "layers") == [0, 1, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] else { throw refusal("'layers' does not hold MNASNet's 17 modules") }
        variant = "mnasnet"
        assumptions.append("stack strides 2, 2, 2, 1, 2, 1 of torchvision's MNASNet")
        let relu = Self.leaf("ReLU")
        let c0 = try conv("layers.0", input: nil, stride: 2), c3 = try conv("layers.3", input: c0.out), c6 = try conv("layers.6", input: c3.out)
        var layers = [c0.tree, try batchNorm("layers.1"), relu, c3.tree, try batchNorm("layers.4"), relu, c6.tree, try batchNorm("layers.7")]
        var width = c6.out
        for (k, stride) in [2, 2, 2, 1, 2, 1].enumerated() {
            var stack: [ModuleTree] = []
            for b in 0..<(try run(under: "layers.\(k + 8)")) {
                let p = "layers.\(k + 8).\(b).layers", s = b == 0 ? stride : 1
                let a = try conv(p + ".0", input: width), d = try conv(p + ".3", input: a.out, stride: s), c = try conv(p + ".6", input: d.out)
                let residual = s == 1 && width == c.out
                stack.append(Self.module("_InvertedResidual", [("layers", Self.sequential([a.tree, try batchNorm(p + ".1"), relu, d.tree, try batchNorm(p + ".4"), relu,
                                                                                          c.tree, try batchNorm(p + ".7")]))], ["apply_residual": .bool(residual)]))
                width = c.out
            }
            layers.append(Self.sequential(stack))
        }
        let last = try conv("layers.14", input: width)
        layers += [last.tree, try batchNorm("layers.15"), relu]
        return Self.module("MNASNet", [("layers", Self.sequential(layers)), ("classifier", Self.sequential([Self.dropout(0.2), try linear("classifier.1").tree]))])
    }
}
