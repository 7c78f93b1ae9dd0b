// ModuleTreeSynthesis+Student: the ML2020 HW7 StudentNet (network compression, the TA's
// depthwise-separable sample) from its keys: cnn = Sequential of Sequentials: cnn.0 = (3x3
// conv pad 1 with bias, BatchNorm, ReLU6, MaxPool2d(2, 2)); cnn.1…7 = (depthwise 3x3 pad 1,
// BatchNorm, ReLU6, pointwise 1x1 conv with bias), with a MaxPool2d(2, 2) after the pointwise
// conv in cnn.1…3; cnn.8 AdaptiveAvgPool2d to the side fc.0's width gives; fc = Sequential(Linear).
// Activations and pools have no keys: they are the TA's, and the note says so.

import NNCore

extension TreeSynthesizer {
    /// The ML2020 HW7 `StudentNet`.
    mutating func hw7Student() throws -> ModuleTree {
        let blocks = try run(under: "cnn")
        guard blocks >= 2 else { throw refusal("'cnn' holds one block") }
        variant = "the ML2020 HW7 StudentNet"
        assumptions.append("the TA's ReLU6 and max pools after cnn.0…3")
        let relu6 = Self.leaf("ReLU6")
        let stem = try conv("cnn.0.0", input: nil)
        var cnn = [Self.sequential([stem.tree, try batchNorm("cnn.0.1"), relu6, Self.maxPool(2, 2)])], width = stem.out
        for b in 1..<blocks {
            let p = "cnn.\(b)"
            let d = try conv(p + ".0", input: width), pw = try conv(p + ".3", input: d.out)
            var layers = [d.tree, try batchNorm(p + ".1"), relu6, pw.tree]
            if b <= 3 { layers.append(Self.maxPool(2, 2)) }
            cnn.append(Self.sequential(layers))
            width = pw.out
        }
        let fc = try shape("fc.0.weight", rank: 2)
        let side = (1...64).first { $0 * $0 * width >= fc[1] } ?? 0
        guard side * side * width == fc[1] else { throw refusal("fc.0 reads \(fc[1]) features, not \(width) channels times a square") }
        cnn.append(Self.adaptiveAvgPool(side))
        return Self.module("StudentNet", [("cnn", Self.sequential(cnn)), ("fc", Self.sequential([try linear("fc.0").tree]))])
    }
}
