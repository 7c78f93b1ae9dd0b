// ModuleTreeImporter+MobileNetV2: torchvision's MobileNetV2 and its InvertedResidual (the one
// with a `conv` child), as torchvision.models.mobilenetv2 writes their forward.

import NNCore

extension BlockFamily {
    static let mobileNetV2 = BlockFamily(classes: ["MobileNetV2", "InvertedResidual"]) { translation, module, path, x in
        try translation.mobileNetV2(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func mobileNetV2(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "InvertedResidual":
            // conv(x), plus x when use_res_connect.
            guard module.child("conv") != nil else { return nil }
            let y = try child("conv", of: module, path: path, input: x)
            return try invertedResidual(module, path: path, flag: "use_res_connect") ? add(Self.join(path, "add"), .add, x, y) : y
        default:
            // features → adaptive_avg_pool2d(1) → flatten → classifier.
            let y = try child("features", of: module, path: path, input: x)
            return try pooledClassifier(module, path: path, pool: "avgpool", classifier: "classifier", input: y)
        }
    }
}
