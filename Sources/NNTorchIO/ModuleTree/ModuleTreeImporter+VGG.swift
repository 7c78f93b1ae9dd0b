// ModuleTreeImporter+VGG: torchvision's VGG and AlexNet, as torchvision.models.vgg and
// torchvision.models.alexnet write their forward.

import NNCore

extension BlockFamily {
    static let vgg = BlockFamily(classes: ["VGG", "AlexNet"]) { translation, module, path, x in
        try translation.vgg(module, path: path, input: x)
    }
}

extension TreeTranslation {
    /// features → avgpool (AdaptiveAvgPool2d((7, 7)) in VGG, ((6, 6)) in AlexNet) → flatten → classifier.
    mutating func vgg(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        let y = try chain(["features", "avgpool"], of: module, path: path, input: x)
        return try child("classifier", of: module, path: path, input: add(Self.join(path, "flatten"), .flatten, y))
    }
}
