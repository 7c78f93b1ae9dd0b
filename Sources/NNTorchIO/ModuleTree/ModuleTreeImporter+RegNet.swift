// ModuleTreeImporter+RegNet: torchvision's RegNet (SimpleStemIN, AnyStage, ResBottleneckBlock,
// BottleneckTransform), as torchvision.models.regnet writes their forward; RegNetY's
// SqueezeExcitation is its own family (ModuleTreeImporter+SqueezeExcitation.swift).

import NNCore

extension BlockFamily {
    static let regNet = BlockFamily(classes: ["RegNet", "SimpleStemIN", "AnyStage", "BottleneckTransform", "ResBottleneckBlock"]) {
        translation, module, path, x in
        try translation.regNet(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func regNet(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "RegNet":
            // stem → trunk_output → avgpool → flatten → fc.
            let y = try chain(["stem", "trunk_output", "avgpool"], of: module, path: path, input: x)
            return try child("fc", of: module, path: path, input: add(Self.join(path, "flatten"), .flatten, y))
        case "ResBottleneckBlock":
            // activation(proj(x) + f(x)), or activation(x + f(x)) where proj is None (then not a
            // child: torchvision assigns it only when the width or stride changes).
            let f = try child("f", of: module, path: path, input: x)
            let shortcut = module.child("proj") == nil ? x : try child("proj", of: module, path: path, input: x)
            let sum = add(Self.join(path, "add"), .add, shortcut, f)
            return try child("activation", of: module, path: path, input: sum)
        default:
            // SimpleStemIN (a Conv2dNormActivation), AnyStage and BottleneckTransform (a, b, [se,] c)
            // are Sequentials: their children in order.
            return try children(module, path: path, input: x)
        }
    }
}
