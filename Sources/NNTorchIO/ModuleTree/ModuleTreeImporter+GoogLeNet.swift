// ModuleTreeImporter+GoogLeNet: torchvision's GoogLeNet, Inception and BasicConv2d, as
// torchvision.models.googlenet writes their eval forward. The auxiliary classifiers run only
// in training, and `transform_input` (an attribute print(model) does not show) rescales the
// input's channels: a tree with either is refused, naming a form that carries the graph.

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
            // _transform_input (refused unless the pickle says False) → googLeNetOrder → flatten → dropout → fc.
            switch module.bool("transform_input") {
            case false?: break
            case true?:
                // x[:, c] · (std_c / 0.5) + (mean_c − 0.5) / 0.5 turns ImageNet-normalised images
                // into images normalised with mean 0.5 and std 0.5.
                throw NNError.unsupported(path: source, reason: "module '\(path.isEmpty ? "(root)" : path)' (GoogLeNet): transform_input=True rescales each input channel, which Shears does not run; set model.transform_input = False before torch.save and evaluate with --mean 0.5,0.5,0.5 --std 0.5,0.5,0.5, which is what the rescaling computes")
            case nil:
                throw NNError.unsupported(path: source, reason: "module '\(path.isEmpty ? "(root)" : path)' (GoogLeNet): print(model) does not show whether transform_input rescales the input; give the whole module from torch.save(model) instead")
            }
            for aux in ["aux1", "aux2"] where module.child(aux) != nil {
                throw refusal(Self.join(path, aux), module.child(aux) ?? module, "the auxiliary classifiers of aux_logits=True run only in training, yet their parameters are the model's; set model.aux_logits = False and model.aux1 = model.aux2 = None before torch.save")
            }
            let y = try chain(Self.googLeNetOrder, of: module, path: path, input: x)
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
