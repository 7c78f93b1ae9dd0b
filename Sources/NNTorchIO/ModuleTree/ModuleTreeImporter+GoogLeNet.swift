// ModuleTreeImporter+GoogLeNet: torchvision's GoogLeNet, Inception and BasicConv2d, as
// torchvision.models.googlenet writes their eval forward, with `transform_input` (the input's
// per-channel rescaling) as a channel affine. print(model) does not show transform_input, and
// the auxiliary classifiers of aux_logits=True run only in training: such trees are refused,
// naming a form that carries the graph.

import NNCore

extension BlockFamily {
    static let googLeNet = BlockFamily(classes: ["GoogLeNet", "Inception", "BasicConv2d"]) { translation, module, path, x in
        try translation.googLeNet(module, path: path, input: x)
    }
}

extension TreeTranslation {
    /// GoogLeNet's forward in eval: stem, nine Inceptions between max pools, then the head.
    static let googLeNetOrder = ["conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b", "maxpool3",
                                 "inception4a", "inception4b", "inception4c", "inception4d", "inception4e", "maxpool4",
                                 "inception5a", "inception5b", "avgpool"]

    mutating func googLeNet(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "GoogLeNet":
            // _transform_input (where the pickle says so) → googLeNetOrder → flatten → dropout → fc.
            var y = x
            switch module.bool("transform_input") {
            case false?: break
            case true?:
                // x[:, c] · (std_c / 0.5) + (mean_c − 0.5) / 0.5 with ImageNet's mean and std.
                let mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225]
                y = add(Self.join(path, "transform_input"), .channelAffine(scale: std.map { Float($0 / 0.5) }, shift: mean.map { Float(($0 - 0.5) / 0.5) }), x)
            case nil:
                throw refusal(path, module, "print(model) does not show whether transform_input rescales the input; torch.save(model) keeps it")
            }
            for aux in ["aux1", "aux2"] {
                guard let head = module.child(aux) else { continue }
                throw refusal(Self.join(path, aux), head, "the auxiliary classifiers of aux_logits=True run only in training, yet their parameters are the model's; set model.aux_logits = False and model.aux1 = model.aux2 = None before torch.save")
            }
            y = try chain(Self.googLeNetOrder, of: module, path: path, input: y)
            return try chain(["dropout", "fc"], of: module, path: path, input: add(Self.join(path, "flatten"), .flatten, y))
        case "Inception":
            // cat([branch1(x), branch2(x), branch3(x), branch4(x)], 1).
            var branches: [Int] = []
            for name in ["branch1", "branch2", "branch3", "branch4"] { branches.append(try child(name, of: module, path: path, input: x)) }
            return add(Self.join(path, "cat"), .concat, inputs: branches)
        default:
            // BasicConv2d: F.relu(bn(conv(x))).
            let y = try chain(["conv", "bn"], of: module, path: path, input: x)
            return add(Self.join(path, "relu"), .relu, y)
        }
    }
}
