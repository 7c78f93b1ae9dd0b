// ModuleTreeSynthesis+ResNet: torchvision's ResNet from its keys: conv1 (7x7/2, pad 3), bn1,
// relu, maxpool (3/2, pad 1), layer1…layerN of BasicBlocks (conv1 3x3, conv2 3x3) or
// Bottlenecks (conv1 1x1, conv2 3x3, conv3 1x1; ResNet V1.5: the stride on conv2), the first
// block of every stage after the first with stride 2, downsample = Sequential(1x1 conv with
// the block's stride, BatchNorm) where keys show one; avgpool (adaptive 1x1), fc. Block counts
// come from the keys (resnet18/34/50/101/152 and any other), widths from the shapes: wide
// ResNets' wider conv2, ResNeXt's groups (conv2's input width over its weight's in-channels).

import NNCore

extension TreeSynthesizer {
    /// torchvision's `ResNet`.
    mutating func resNet() throws -> ModuleTree {
        let bottleneck = has("layer1.0.conv3.weight")
        let stem = try conv("conv1", input: nil, stride: 2, padding: 3)
        var children: [(String, ModuleTree)] = [("conv1", stem.tree), ("bn1", try batchNorm("bn1")), ("relu", Self.leaf("ReLU")),
                                                 ("maxpool", Self.maxPool(3, 2, padding: 1))]
        var width = stem.out, counts: [Int] = [], groups: Set<Int> = []
        var stage = 1
        while has("layer\(stage).0.conv1.weight") {
            let count = try run(under: "layer\(stage)")
            var blocks: [ModuleTree] = []
            for b in 0..<count {
                let p = "layer\(stage).\(b)", stride = stage > 1 && b == 0 ? 2 : 1
                let c1 = try conv(p + ".conv1", input: width, stride: bottleneck ? 1 : stride)
                let c2 = try conv(p + ".conv2", input: c1.out, stride: bottleneck ? stride : 1)
                var block: [(String, ModuleTree)] = [("conv1", c1.tree), ("bn1", try batchNorm(p + ".bn1")), ("conv2", c2.tree), ("bn2", try batchNorm(p + ".bn2"))]
                var out = c2.out
                if bottleneck {
                    let c3 = try conv(p + ".conv3", input: c2.out)
                    block += [("conv3", c3.tree), ("bn3", try batchNorm(p + ".bn3"))]
                    out = c3.out
                    groups.insert(c2.tree.int("groups") ?? 1)
                }
                block.append(("relu", Self.leaf("ReLU")))
                if has(p + ".downsample.0.weight") {
                    let down = try conv(p + ".downsample.0", input: width, stride: stride)
                    block.append(("downsample", Self.sequential([down.tree, try batchNorm(p + ".downsample.1")])))
                } else if stride != 1 || width != out {
                    throw refusal("block '\(p)' changes the shape (stride \(stride), \(width) → \(out) channels) with no downsample")
                }
                blocks.append(Self.module(bottleneck ? "Bottleneck" : "BasicBlock", block, ["stride": .int(stride)]))
                width = out
            }
            children.append(("layer\(stage)", Self.sequential(blocks)))
            counts.append(count)
            stage += 1
        }
        children += [("avgpool", Self.adaptiveAvgPool(1)), ("fc", try linear("fc").tree)]
        let depths: [[Int]: String] = bottleneck ? [[3, 4, 6, 3]: "resnet50", [3, 4, 23, 3]: "resnet101", [3, 8, 36, 3]: "resnet152"]
                                                 : [[2, 2, 2, 2]: "resnet18", [3, 4, 6, 3]: "resnet34"]
        let base = depths[counts] ?? "ResNet with \(bottleneck ? "Bottleneck" : "BasicBlock") stages \(counts)"
        if groups.count == 1, let g = groups.first, g > 1 { variant = "\(base) (ResNeXt, \(g) groups)" } else { variant = base }
        assumptions.append("strides of torchvision's ResNet V1.5")
        return Self.module("ResNet", children)
    }
}
