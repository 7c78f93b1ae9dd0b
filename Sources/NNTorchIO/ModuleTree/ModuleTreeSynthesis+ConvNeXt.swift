// ModuleTreeSynthesis+ConvNeXt: torchvision's ConvNeXt (tiny/small/base/large and any other
// block setting) from its keys: features.0 = Conv2dNormActivation(4x4/4 conv with bias,
// LayerNorm2d eps 1e-6); then stages of CNBlocks (block = depthwise 7x7 pad 3, Permute(0, 2,
// 3, 1), LayerNorm eps 1e-6, Linear, GELU, Linear, Permute(0, 3, 1, 2); layer_scale;
// StochasticDepth, identity in eval; plus the input), each but the last followed by a
// downsample Sequential(LayerNorm2d, 2x2/2 conv); avgpool (adaptive 1x1); classifier =
// LayerNorm2d, Flatten, Linear.

import NNCore

extension TreeSynthesizer {
    /// torchvision's `ConvNeXt`.
    mutating func convNeXt() throws -> ModuleTree {
        let count = try run(under: "features")
        func layerNorm(_ path: String, _ className: String) throws -> ModuleTree {
            let c = try shape(path + ".weight", rank: 1)[0]
            return Self.leaf(className, ["normalized_shape": .tuple([.int(c)]), "eps": .float(1e-6), "elementwise_affine": .bool(true)])
        }
        let stem = try conv("features.0.0", input: nil, stride: 4, padding: 0)
        var features = [Self.sequential([stem.tree, try layerNorm("features.0.1", "LayerNorm2d")], className: "Conv2dNormActivation")]
        var width = stem.out, depths: [Int] = []
        for i in 1..<count {
            let p = "features.\(i)"
            if i % 2 == 0 {
                let c = try conv(p + ".1", input: width, stride: 2, padding: 0)
                features.append(Self.sequential([try layerNorm(p + ".0", "LayerNorm2d"), c.tree]))
                width = c.out
                continue
            }
            var blocks: [ModuleTree] = []
            for b in 0..<(try run(under: p)) {
                let q = "\(p).\(b)"
                let d = try conv(q + ".block.0", input: width), l3 = try linear(q + ".block.3"), l5 = try linear(q + ".block.5")
                let block = Self.sequential([d.tree, Self.leaf("Permute", ["dims": .tuple([.int(0), .int(2), .int(3), .int(1)])]), try layerNorm(q + ".block.2", "LayerNorm"),
                                             l3.tree, Self.leaf("GELU", ["approximate": .string("none")]), l5.tree,
                                             Self.leaf("Permute", ["dims": .tuple([.int(0), .int(3), .int(1), .int(2)])])])
                guard try shape(q + ".layer_scale", rank: 3) == [width, 1, 1] else { throw refusal("'\(q).layer_scale' is not [\(width), 1, 1]") }
                blocks.append(Self.module("CNBlock", [("block", block), ("stochastic_depth", Self.leaf("StochasticDepth", ["p": .float(0), "mode": .string("row")]))]))
            }
            depths.append(blocks.count)
            features.append(Self.sequential(blocks))
        }
        let names: [[Int]: String] = [[3, 3, 9, 3]: "convnext_tiny", [3, 3, 27, 3]: "convnext_small or larger"]
        variant = names[depths] ?? "ConvNeXt with depths \(depths)"
        let classifier = Self.sequential([try layerNorm("classifier.0", "LayerNorm2d"), Self.leaf("Flatten", ["start_dim": .int(1), "end_dim": .int(-1)]),
                                          try linear("classifier.2").tree])
        return Self.module("ConvNeXt", [("features", Self.sequential(features)), ("avgpool", Self.adaptiveAvgPool(1)), ("classifier", classifier)])
    }
}
