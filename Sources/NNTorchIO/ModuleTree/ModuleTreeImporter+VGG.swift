// ModuleTreeImporter+VGG: torchvision's VGG and AlexNet, as torchvision.models.vgg and
// torchvision.models.alexnet write their forward: features → avgpool (AdaptiveAvgPool2d((7, 7))
// in VGG, ((6, 6)) in AlexNet) → torch.flatten(·, 1) → classifier.

import NNCore

extension BlockFamily {
    static let vgg = BlockFamily(classes: ["VGG", "AlexNet"]) { translation, module, path, x in
        try translation.featuresPoolClassifier(module, path: path, input: x)
    }
}
