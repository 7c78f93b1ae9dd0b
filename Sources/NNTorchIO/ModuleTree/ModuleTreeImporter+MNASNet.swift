// ModuleTreeImporter+MNASNet: torchvision's MNASNet and its _InvertedResidual, as
// torchvision.models.mnasnet writes their forward:
//     _InvertedResidual: layers(x), plus x when apply_residual (stride 1, in == out channels);
//     MNASNet:           layers → x.mean([2, 3]) → classifier (Dropout, Linear).

import NNCore

extension BlockFamily {
    static let mnasNet = BlockFamily(classes: ["MNASNet", "_InvertedResidual"]) { translation, module, path, x in
        try translation.mnasNet(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func mnasNet(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "_InvertedResidual":
            let y = try child("layers", of: module, path: path, input: x)
            return try invertedResidual(module, path: path, flag: "apply_residual") ? add(Self.join(path, "add"), .add, y, x) : y
        default:
            let y = try child("layers", of: module, path: path, input: x)
            return try pooledClassifier(module, path: path, pool: "mean", classifier: "classifier", input: y)
        }
    }
}
