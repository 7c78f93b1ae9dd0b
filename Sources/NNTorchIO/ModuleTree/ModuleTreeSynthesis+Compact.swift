// ModuleTreeSynthesis+Compact: torchvision's ShuffleNetV2 and SqueezeNet from their keys.
//   ShuffleNetV2: conv1 = Sequential(3x3/2 conv, BatchNorm, ReLU), maxpool 3/2 pad 1,
//     stage2…4 of InvertedResidual (the first of each stride 2 with branch1 = depthwise 3x3/2,
//     BatchNorm, 1x1, BatchNorm, ReLU; branch2 = 1x1, BatchNorm, ReLU, depthwise 3x3, BatchNorm,
//     1x1, BatchNorm, ReLU), conv5 = Sequential(1x1, BatchNorm, ReLU), fc. Any repeats and widths.
//   SqueezeNet 1.0 (fires at features.3, 4, 5, 7, 8, 9, 10, 12; conv1 7x7/2) or 1.1 (fires at
//     3, 4, 6, 7, 9, 10, 11, 12; conv1 3x3/2), MaxPool2d(3, 2, ceil_mode) between; classifier =
//     Dropout, 1x1 conv, ReLU, AdaptiveAvgPool2d(1).

import NNCore

extension TreeSynthesizer {
    /// torchvision's `ShuffleNetV2`.
    mutating func shuffleNetV2() throws -> ModuleTree {
        variant = "shufflenet_v2"
        assumptions.append("torchvision's ShuffleNetV2 strides")
        let relu = Self.leaf("ReLU")
        let stem = try conv("conv1.0", input: nil, stride: 2)
        var children: [(String, ModuleTree)] = [("conv1", Self.sequential([stem.tree, try batchNorm("conv1.1"), relu])), ("maxpool", Self.maxPool(3, 2, padding: 1))]
        var width = stem.out
        for stage in 2...4 {
            var blocks: [ModuleTree] = []
            for b in 0..<(try run(under: "stage\(stage)")) {
                let p = "stage\(stage).\(b)", stride = b == 0 ? 2 : 1
                var branch1: [ModuleTree] = [], out = 0
                if stride == 2 {
                    let d = try conv(p + ".branch1.0", input: width, stride: 2), c = try conv(p + ".branch1.2", input: d.out)
                    branch1 = [d.tree, try batchNorm(p + ".branch1.1"), c.tree, try batchNorm(p + ".branch1.3"), relu]
                    out = c.out
                } else if width % 2 == 0 {
                    out = width / 2
                } else {
                    throw refusal("block '\(p)' splits \(width) channels in two")
                }
                let a = try conv(p + ".branch2.0", input: stride == 2 ? width : width / 2)
                let d = try conv(p + ".branch2.3", input: a.out, stride: stride), c = try conv(p + ".branch2.5", input: d.out)
                let branch2 = [a.tree, try batchNorm(p + ".branch2.1"), relu, d.tree, try batchNorm(p + ".branch2.4"), c.tree, try batchNorm(p + ".branch2.6"), relu]
                blocks.append(Self.module("InvertedResidual", [("branch1", Self.sequential(branch1)), ("branch2", Self.sequential(branch2))], ["stride": .int(stride)]))
                width = out + c.out
            }
            children.append(("stage\(stage)", Self.sequential(blocks)))
        }
        let last = try conv("conv5.0", input: width)
        children += [("conv5", Self.sequential([last.tree, try batchNorm("conv5.1"), relu])), ("fc", try linear("fc").tree)]
        return Self.module("ShuffleNetV2", children)
    }

    /// torchvision's `SqueezeNet` 1.0 or 1.1.
    mutating func squeezeNet() throws -> ModuleTree {
        let fires = indices(under: "features").filter { has("features.\($0).squeeze.weight") }
        let versions: [[Int]: (String, [Int])] = [[3, 4, 5, 7, 8, 9, 10, 12]: ("squeezenet1_0", [2, 6, 11]), [3, 4, 6, 7, 9, 10, 11, 12]: ("squeezenet1_1", [2, 5, 8])]
        guard let (name, pools) = versions[fires] else { throw refusal("its Fire modules sit at features \(fires.map(String.init).joined(separator: ", ")), neither SqueezeNet 1.0's nor 1.1's") }
        variant = name
        assumptions.append("\(name)'s pools")
        let relu = Self.leaf("ReLU")
        let stem = try conv("features.0", input: nil, stride: 2, padding: 0)
        var features = [stem.tree, relu], width = stem.out
        for i in 2...12 {
            if pools.contains(i) { features.append(Self.maxPool(3, 2, ceil: true)); continue }
            let p = "features.\(i)"
            let s = try conv(p + ".squeeze", input: width), e1 = try conv(p + ".expand1x1", input: s.out), e3 = try conv(p + ".expand3x3", input: s.out)
            features.append(Self.module("Fire", [("squeeze", s.tree), ("squeeze_activation", relu), ("expand1x1", e1.tree), ("expand1x1_activation", relu),
                                                 ("expand3x3", e3.tree), ("expand3x3_activation", relu)]))
            width = e1.out + e3.out
        }
        let classifier = Self.sequential([Self.dropout(0.5), try conv("classifier.1", input: width).tree, relu, Self.adaptiveAvgPool(1)])
        return Self.module("SqueezeNet", [("features", Self.sequential(features)), ("classifier", classifier)])
    }
}
