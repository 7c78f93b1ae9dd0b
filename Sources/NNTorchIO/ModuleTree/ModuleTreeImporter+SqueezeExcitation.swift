// ModuleTreeImporter+SqueezeExcitation: torchvision.ops.SqueezeExcitation, the channel gate
// of MobileNetV3, EfficientNet and RegNetY, as torchvision.ops.misc writes its forward:
//     scale = scale_activation(fc2(activation(fc1(avgpool(x)))))    [C, 1, 1]
//     out   = scale * x                                             [C, H, W]
// (avgpool an AdaptiveAvgPool2d(1), fc1/fc2 1x1 convs C → S → C).

import NNCore

extension BlockFamily {
    static let squeezeExcitation = BlockFamily(classes: ["SqueezeExcitation"]) { translation, module, path, x in
        try translation.squeezeExcitation(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func squeezeExcitation(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        let scale = try chain(["avgpool", "fc1", "activation", "fc2", "scale_activation"], of: module, path: path, input: x)
        return add(Self.join(path, "mul"), .mul, x, scale)
    }
}
