// ModuleTreeImporter+MobileNetV3: torchvision's MobileNetV3 and its InvertedResidual (the one
// with a `block` child), as torchvision.models.mobilenetv3 writes their forward:
//     InvertedResidual: block(x), plus x when use_res_connect (stride 1, in == out channels);
//     MobileNetV3:      features → avgpool → flatten → classifier.
// The block's SqueezeExcitation is its own family.

import NNCore

extension BlockFamily {
    static let mobileNetV3 = BlockFamily(classes: ["MobileNetV3", "InvertedResidual"]) { translation, module, path, x in
        try translation.mobileNetV3(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func mobileNetV3(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "InvertedResidual":
            guard module.child("block") != nil else { return nil }
            let y = try child("block", of: module, path: path, input: x)
            return try invertedResidual(module, path: path, flag: "use_res_connect") ? add(Self.join(path, "add"), .add, y, x) : y
        default:
            return try featuresPoolClassifier(module, path: path, input: x)
        }
    }
}
