// ModuleTreeImporter+SqueezeNet: torchvision's SqueezeNet and its Fire module, as
// torchvision.models.squeezenet writes their forward.

import NNCore

extension BlockFamily {
    static let squeezeNet = BlockFamily(classes: ["SqueezeNet", "Fire"]) { translation, module, path, x in
        try translation.squeezeNet(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func squeezeNet(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "Fire":
            // cat([expand1x1_activation(expand1x1(s)), expand3x3_activation(expand3x3(s))], 1), s = squeeze_activation(squeeze(x)).
            let s = try chain(["squeeze", "squeeze_activation"], of: module, path: path, input: x)
            let one = try chain(["expand1x1", "expand1x1_activation"], of: module, path: path, input: s)
            let three = try chain(["expand3x3", "expand3x3_activation"], of: module, path: path, input: s)
            return add(Self.join(path, "cat"), .concat, one, three)
        default:
            // features → classifier → flatten.
            let y = try chain(["features", "classifier"], of: module, path: path, input: x)
            return add(Self.join(path, "flatten"), .flatten, y)
        }
    }
}
