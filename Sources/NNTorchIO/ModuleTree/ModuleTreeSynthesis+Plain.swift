// ModuleTreeSynthesis+Plain: torchvision's VGG and AlexNet from their keys.
//   VGG (11/13/16/19, with or without BatchNorm): `features` from make_layers, each conv 3x3
//     pad 1 at index i, its BatchNorm at i + 1 where keys show one, ReLU, and a MaxPool2d(2, 2)
//     wherever the next conv sits one index further, and after the last conv: the layout must
//     be one of torchvision's cfgs, which all end with "M" (no key shows that pool); avgpool AdaptiveAvgPool2d(7); classifier = Linear, ReLU, Dropout, Linear,
//     ReLU, Dropout, Linear.
//   AlexNet: features = conv 11x11/4 pad 2, ReLU, MaxPool2d(3, 2), conv 5x5 pad 2, ReLU, pool,
//     three 3x3 pad 1 convs with ReLU, pool; avgpool AdaptiveAvgPool2d(6); classifier =
//     Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear.

import NNCore

extension TreeSynthesizer {
    /// torchvision's VGG configurations 'A', 'B', 'D', 'E' (c a conv, M a max pool).
    static let vggConfigurations = ["cMcMccMccMccM": "vgg11", "ccMccMccMccMccM": "vgg13", "ccMccMcccMcccMcccM": "vgg16", "ccMccMccccMccccMccccM": "vgg19"]

    /// torchvision's `VGG`.
    mutating func vgg() throws -> ModuleTree {
        let relu = Self.leaf("ReLU")
        let convs = indices(under: "features").filter { has("features.\($0).weight") && !has("features.\($0).running_mean") }
        var features: [ModuleTree] = [], width: Int? = nil, layout = ""
        for (k, i) in convs.enumerated() {
            guard i == features.count else { throw refusal("'features.\(i)' is not where make_layers puts the next conv (index \(features.count))") }
            let c = try conv("features.\(i)", input: width)
            features.append(c.tree)
            if has("features.\(i + 1).running_mean") { features.append(try batchNorm("features.\(i + 1)")) }
            features.append(relu)
            layout += "c"
            let next = k + 1 < convs.count ? convs[k + 1] : nil
            if next == nil || next == features.count + 1 {
                features.append(Self.maxPool(2, 2))
                layout += "M"
            } else if let next, next != features.count {
                throw refusal("'features.\(next)' is not where make_layers puts the next conv")
            }
            width = c.out
        }
        // The pool after the last conv leaves no key: only torchvision's own configurations,
        // which all end with one, say that it is there.
        guard let depth = Self.vggConfigurations[layout] else {
            throw refusal("its convs and pools (\(layout), c a conv, M a pool) are none of torchvision's VGG configurations, so whether a pool follows the last conv is not in the keys")
        }
        let batchNorm = features.contains { $0.className == "BatchNorm2d" }
        variant = depth + (batchNorm ? "_bn" : "")
        assumptions.append("3x3 convs with padding 1")
        let classifier = Self.sequential([try linear("classifier.0").tree, relu, Self.dropout(0.5), try linear("classifier.3").tree, relu, Self.dropout(0.5),
                                          try linear("classifier.6").tree])
        return Self.module("VGG", [("features", Self.sequential(features)), ("avgpool", Self.adaptiveAvgPool(7)), ("classifier", classifier)])
    }

    /// torchvision's `AlexNet`.
    mutating func alexNet() throws -> ModuleTree {
        guard indices(under: "features").filter({ has("features.\($0).weight") }) == [0, 3, 6, 8, 10] else {
            throw refusal("its convs do not sit at features 0, 3, 6, 8, 10")
        }
        variant = "alexnet"
        let relu = Self.leaf("ReLU")
        let c0 = try conv("features.0", input: nil, stride: 4, padding: 2), c3 = try conv("features.3", input: c0.out)
        let c6 = try conv("features.6", input: c3.out), c8 = try conv("features.8", input: c6.out), c10 = try conv("features.10", input: c8.out)
        let features = [c0.tree, relu, Self.maxPool(3, 2), c3.tree, relu, Self.maxPool(3, 2), c6.tree, relu, c8.tree, relu, c10.tree, relu, Self.maxPool(3, 2)]
        let classifier = Self.sequential([Self.dropout(0.5), try linear("classifier.1").tree, relu, Self.dropout(0.5), try linear("classifier.4").tree, relu,
                                          try linear("classifier.6").tree])
        return Self.module("AlexNet", [("features", Self.sequential(features)), ("avgpool", Self.adaptiveAvgPool(6)), ("classifier", classifier)])
    }
}
