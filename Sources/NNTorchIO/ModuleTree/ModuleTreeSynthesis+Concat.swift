// ModuleTreeSynthesis+Concat: torchvision's concatenating families from their keys.
//   DenseNet (121/161/169/201 and any other block config): features = conv0 (7x7/2, pad 3),
//     norm0, relu0, pool0 (3/2, pad 1), denseblock1…N (_DenseBlock of _DenseLayers: norm1,
//     relu1, conv1 1x1, norm2, relu2, conv2 3x3 pad 1, each reading the concat of all before)
//     with _Transition (norm, relu, 1x1 conv, AvgPool2d(2, 2)) between, norm5; then ReLU,
//     adaptive average pool to 1x1, classifier.
//   GoogLeNet: BasicConv2d (conv without bias, BatchNorm eps 0.001, ReLU) stems conv1 (7x7/2,
//     pad 3), conv2 (1x1), conv3 (3x3, pad 1), ceil-mode max pools, Inception 3a…5b (branch1
//     1x1; branch2 1x1 → 3x3; branch3 1x1 → 3x3; branch4 MaxPool2d(3, 1, 1, ceil) → 1x1;
//     concatenated), aux1/aux2 where keys show them (unused in eval), avgpool, dropout, fc;
//     transform_input False (the default constructor's: googlenet(weights=…) sets it True).

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

    /// torchvision's `GoogLeNet`.
    mutating func googLeNet() throws -> ModuleTree {
        variant = "googlenet"
        assumptions.append("transform_input=False, the default constructor's")
        var width = 0
        func basic(_ path: String, input: Int?, stride: Int = 1) throws -> (tree: ModuleTree, out: Int) {
            let c = try conv(path + ".conv", input: input, stride: stride)
            return (Self.module("BasicConv2d", [("conv", c.tree), ("bn", try batchNorm(path + ".bn", eps: 0.001))]), c.out)
        }
        func inception(_ path: String) throws -> ModuleTree {
            let b1 = try basic(path + ".branch1", input: width)
            let b2a = try basic(path + ".branch2.0", input: width), b2b = try basic(path + ".branch2.1", input: b2a.out)
            let b3a = try basic(path + ".branch3.0", input: width), b3b = try basic(path + ".branch3.1", input: b3a.out)
            let b4 = try basic(path + ".branch4.1", input: width)
            width = b1.out + b2b.out + b3b.out + b4.out
            return Self.module("Inception", [("branch1", b1.tree), ("branch2", Self.sequential([b2a.tree, b2b.tree])), ("branch3", Self.sequential([b3a.tree, b3b.tree])),
                                             ("branch4", Self.sequential([Self.maxPool(3, 1, padding: 1, ceil: true), b4.tree]))])
        }
        let c1 = try basic("conv1", input: nil, stride: 2), c2 = try basic("conv2", input: c1.out), c3 = try basic("conv3", input: c2.out)
        width = c3.out
        var children: [(String, ModuleTree)] = [("conv1", c1.tree), ("maxpool1", Self.maxPool(3, 2, ceil: true)), ("conv2", c2.tree), ("conv3", c3.tree),
                                                 ("maxpool2", Self.maxPool(3, 2, ceil: true))]
        for name in ["3a", "3b", "maxpool3", "4a", "4b", "4c", "4d", "4e", "maxpool4", "5a", "5b"] {
            if name.hasPrefix("maxpool") {
                children.append((name, name == "maxpool4" ? Self.maxPool(2, 2, ceil: true) : Self.maxPool(3, 2, ceil: true)))
            } else {
                children.append(("inception" + name, try inception("inception" + name)))
            }
        }
        let aux = has("aux1.conv.conv.weight") && has("aux2.conv.conv.weight")
        if aux {
            for name in ["aux1", "aux2"] {
                children.append((name, Self.module("InceptionAux", [("conv", try basic(name + ".conv", input: nil).tree), ("fc1", try linear(name + ".fc1").tree),
                                                                    ("fc2", try linear(name + ".fc2").tree), ("dropout", Self.dropout(0.7))])))
            }
        }
        children += [("avgpool", Self.adaptiveAvgPool(1)), ("dropout", Self.dropout(0.2)), ("fc", try linear("fc").tree)]
        return Self.module("GoogLeNet", children, ["aux_logits": .bool(aux), "transform_input": .bool(false)])
    }
}
