// ModuleTreeSynthesis+Concat: torchvision's concatenating families from their keys.
//   DenseNet (121/161/169/201 and any other block config): features = conv0 (7x7/2, pad 3),
//     norm0, relu0, pool0 (3/2, pad 1), denseblock1…N (_DenseBlock of _DenseLayers: norm1,
//     relu1, conv1 1x1, norm2, relu2, conv2 3x3 pad 1, each reading the concat of all before)
//     with _Transition (norm, relu, 1x1 conv, AvgPool2d(2, 2)) between, norm5; then ReLU,
//     adaptive average pool to 1x1, classifier.
//   GoogLeNet: refused, naming the file: whether transform_input rescales the input is not in
//     the keys (googlenet() leaves it off, googlenet(weights=…) turns it on).

import NNCore

extension TreeSynthesizer {
    /// torchvision's `DenseNet`.
    mutating func denseNet() throws -> ModuleTree {
        let relu = Self.leaf("ReLU")
        let stem = try conv("features.conv0", input: nil, stride: 2, padding: 3)
        var features: [(String, ModuleTree)] = [("conv0", stem.tree), ("norm0", try batchNorm("features.norm0")), ("relu0", relu), ("pool0", Self.maxPool(3, 2, padding: 1))]
        var width = stem.out, blocks: [Int] = []
        var n = 1
        while has("features.denseblock\(n).denselayer1.conv1.weight") {
            var layers: [(String, ModuleTree)] = []
            var l = 1
            while has("features.denseblock\(n).denselayer\(l).conv1.weight") {
                let p = "features.denseblock\(n).denselayer\(l)"
                let c1 = try conv(p + ".conv1", input: width), c2 = try conv(p + ".conv2", input: c1.out)
                layers.append(("denselayer\(l)", Self.module("_DenseLayer", [("norm1", try batchNorm(p + ".norm1")), ("relu1", relu), ("conv1", c1.tree),
                                                                             ("norm2", try batchNorm(p + ".norm2")), ("relu2", relu), ("conv2", c2.tree)],
                                                             ["drop_rate": .float(0), "memory_efficient": .bool(false)])))
                width += c2.out
                l += 1
            }
            features.append(("denseblock\(n)", Self.module("_DenseBlock", layers)))
            blocks.append(l - 1)
            let t = "features.transition\(n)"
            if has(t + ".conv.weight") {
                let c = try conv(t + ".conv", input: width)
                features.append(("transition\(n)", Self.module("_Transition", [("norm", try batchNorm(t + ".norm")), ("relu", relu), ("conv", c.tree),
                                                                              ("pool", Self.leaf("AvgPool2d", ["kernel_size": .int(2), "stride": .int(2), "padding": .int(0),
                                                                                                              "ceil_mode": .bool(false), "count_include_pad": .bool(true)]))])))
                width = c.out
            }
            n += 1
        }
        features.append(("norm5", try batchNorm("features.norm5")))
        let names: [[Int]: String] = [[6, 12, 24, 16]: "densenet121", [6, 12, 36, 24]: "densenet161", [6, 12, 32, 32]: "densenet169", [6, 12, 48, 32]: "densenet201"]
        variant = names[blocks] ?? "DenseNet with blocks \(blocks)"
        return Self.module("DenseNet", [("features", Self.module("Sequential", features)), ("classifier", try linear("classifier").tree)])
    }

    /// torchvision's `GoogLeNet`: refused. Its keys read the same whether `transform_input`
    /// rescales the input (`googlenet(weights=…)` turns it on) or not, so they do not determine
    /// the forward.
    func googLeNet() throws -> ModuleTree {
        throw NNError.unsupported(path: source, reason: "its keys are GoogLeNet's, which read the same whether transform_input rescales the input (googlenet(weights=…) turns it on) or not: give the torch.save(model) file, a .pt2 from torch.export.save, or a torch.onnx.export .onnx file")
    }
}
