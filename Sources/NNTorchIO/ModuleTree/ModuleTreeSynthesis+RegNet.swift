// ModuleTreeSynthesis+RegNet: torchvision's RegNet (X and Y, any size) from its keys: stem =
// SimpleStemIN (3x3/2 conv, BatchNorm, ReLU); trunk_output = blocks `block1`…`blockN`
// (AnyStage) of ResBottleneckBlocks `block<s>-<i>`, the first of each stage with stride 2:
// f = BottleneckTransform(a 1x1, b 3x3 grouped (groups from the shapes), [se:
// SqueezeExcitation(ReLU, Sigmoid)], c 1x1 without activation), proj = 1x1 conv + BatchNorm
// where keys show one, then ReLU; avgpool (adaptive 1x1), fc.

import NNCore

extension TreeSynthesizer {
    /// torchvision's `RegNet`.
    mutating func regNet() throws -> ModuleTree {
        let relu = Self.leaf("ReLU")
        var (stem, width) = try convNormActivation("stem", input: nil, stride: 2, activation: "ReLU", className: "SimpleStemIN")
        var stages: [(String, ModuleTree)] = []
        var s = 1, se = false
        while has("trunk_output.block\(s).block\(s)-0.f.a.0.weight") {
            var blocks: [(String, ModuleTree)] = []
            var i = 0
            while has("trunk_output.block\(s).block\(s)-\(i).f.a.0.weight") {
                let p = "trunk_output.block\(s).block\(s)-\(i)", stride = i == 0 ? 2 : 1
                let a = try convNormActivation(p + ".f.a", input: width, activation: "ReLU")
                let b = try convNormActivation(p + ".f.b", input: a.out, stride: stride, activation: "ReLU")
                var f: [(String, ModuleTree)] = [("a", a.tree), ("b", b.tree)]
                if has(p + ".f.se.fc1.weight") {
                    f.append(("se", try squeezeExcitation(p + ".f.se", activation: "ReLU", scale: "Sigmoid")))
                    se = true
                }
                let c = try convNormActivation(p + ".f.c", input: b.out, activation: nil)
                f.append(("c", c.tree))
                var block: [(String, ModuleTree)] = []
                if has(p + ".proj.0.weight") {
                    block.append(("proj", try convNormActivation(p + ".proj", input: width, stride: stride, activation: nil).tree))
                } else if stride != 1 || width != c.out {
                    throw refusal("block '\(p)' changes the shape (stride \(stride), \(width) → \(c.out) channels) with no proj")
                }
                block += [("f", Self.module("BottleneckTransform", f)), ("activation", relu)]
                blocks.append(("block\(s)-\(i)", Self.module("ResBottleneckBlock", block)))
                width = c.out
                i += 1
            }
            stages.append(("block\(s)", Self.module("AnyStage", blocks)))
            s += 1
        }
        variant = se ? "RegNetY" : "RegNetX"
        assumptions.append("stride 2 at every stage's first block, as torchvision's RegNet")
        return Self.module("RegNet", [("stem", stem), ("trunk_output", Self.module("Sequential", stages)),
                                      ("avgpool", Self.adaptiveAvgPool(1)), ("fc", try linear("fc").tree)])
    }
}
