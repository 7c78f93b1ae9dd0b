// ModuleTreeImporter+ResNet: torchvision's ResNet and its BasicBlock and Bottleneck, as
// torchvision.models.resnet writes their forward.

import NNCore

extension BlockFamily {
    static let resNet = BlockFamily(classes: ["ResNet", "BasicBlock", "Bottleneck"]) { translation, module, path, x in
        try translation.resNet(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func resNet(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "ResNet":
            // conv1, bn1, relu, maxpool, layer1…4, avgpool, torch.flatten, fc: the children in order.
            return try children(module, path: path, input: x)
        default:
            // out = relu(bn2(conv2(relu(bn1(conv1(x)))))) [→ relu → bn3(conv3)] + (downsample(x) or x); relu.
            var y = try chain(["conv1", "bn1", "relu", "conv2", "bn2"], of: module, path: path, input: x)
            if module.className == "Bottleneck" {
                y = add(Self.join(path, "relu_mid"), .relu, y)
                y = try chain(["conv3", "bn3"], of: module, path: path, input: y)
            }
            let identity = module.child("downsample") == nil ? x : try child("downsample", of: module, path: path, input: x)
            y = add(Self.join(path, "add"), .add, y, identity)
            return add(Self.join(path, "relu_out"), .relu, y)
        }
    }
}
