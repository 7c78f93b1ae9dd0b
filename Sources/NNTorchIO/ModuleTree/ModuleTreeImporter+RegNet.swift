// ModuleTreeImporter+RegNet: torchvision's RegNet (SimpleStemIN, AnyStage, ResBottleneckBlock,
// BottleneckTransform) and the SqueezeExcitation of torchvision.ops.misc it uses, as
// torchvision.models.regnet writes their forward.

import NNCore

extension BlockFamily {
    static let regNet = BlockFamily(classes: ["RegNet", "SimpleStemIN", "AnyStage", "BottleneckTransform", "ResBottleneckBlock", "SqueezeExcitation"]) {
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
        case "SqueezeExcitation":
            // input · scale_activation(fc2(activation(fc1(avgpool(input))))), the gate [C, 1, 1].
            let scale = try chain(["avgpool", "fc1", "activation", "fc2", "scale_activation"], of: module, path: path, input: x)
            return add(Self.join(path, "mul"), .mul, x, scale)
        default:
            // SimpleStemIN (a Conv2dNormActivation), AnyStage and BottleneckTransform (a, b, [se,] c)
            // are Sequentials: their children in order.
            return try children(module, path: path, input: x)
        }
    }
}
