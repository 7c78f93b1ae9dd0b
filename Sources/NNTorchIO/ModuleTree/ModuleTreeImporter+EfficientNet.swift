// ModuleTreeImporter+EfficientNet: torchvision's EfficientNet (B0–B7 and V2) and its MBConv
// and FusedMBConv blocks, as torchvision.models.efficientnet writes their forward:
//     MBConv, FusedMBConv: block(x), plus x when use_res_connect (stride 1, in == out
//                          channels), the branch through stochastic_depth (identity in eval);
//     EfficientNet:        features → avgpool → flatten → classifier.
// MBConv's SqueezeExcitation is its own family.

import NNCore

extension BlockFamily {
    static let efficientNet = BlockFamily(classes: ["EfficientNet", "MBConv", "FusedMBConv"]) { translation, module, path, x in
        try translation.efficientNet(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func efficientNet(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "MBConv", "FusedMBConv":
            let y = try child("block", of: module, path: path, input: x)
            guard try invertedResidual(module, path: path, flag: "use_res_connect") else { return y }
            let dropped = try child("stochastic_depth", of: module, path: path, input: y)
            return add(Self.join(path, "add"), .add, dropped, x)
        default:
            return try featuresPoolClassifier(module, path: path, input: x)
        }
    }
}
