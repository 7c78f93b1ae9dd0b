// ModuleTreeImporter+DenseNet: torchvision's DenseNet, _DenseBlock, _DenseLayer and _Transition,
// as torchvision.models.densenet writes their forward (with the layers' dropout where drop_rate says).

import NNCore

extension BlockFamily {
    static let denseNet = BlockFamily(classes: ["DenseNet", "_DenseBlock", "_DenseLayer", "_Transition"]) { translation, module, path, x in
        try translation.denseNet(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func denseNet(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "DenseNet":
            // features → F.relu → adaptive_avg_pool2d((1, 1)) → flatten → classifier.
            let features = try child("features", of: module, path: path, input: x)
            return try pooledClassifier(module, path: path, pool: "avgpool", classifier: "classifier", input: add(Self.join(path, "relu"), .relu, features))
        case "_DenseBlock":
            // features = [x]; each layer appends layer(features); cat(features, 1). The layers'
            // concatenations read 1 + 2 + … + n earlier nodes, which a hostile tree makes many.
            let layers = module.children.count
            try MemoryBudget.check(elements: layers * (layers + 3) / 2, of: MemoryLayout<Int>.stride,
                                   for: "the concatenations of dense block '\(path.prefix(100))'", path: source)
            var features = [x]
            for layer in module.children {
                let layerPath = Self.join(path, layer.name)
                guard layer.module.className == "_DenseLayer" else {
                    throw refusal(layerPath, layer.module, "a _DenseBlock calls each child on the list of all earlier features, which only _DenseLayer takes")
                }
                // The layer's own torch.cat(inputs, 1), made here, where the list is known.
                let joined = concatenation(features, name: Self.join(layerPath, "cat"))
                features.append(try self.module(layer.module, path: layerPath, input: joined))
            }
            return concatenation(features, name: Self.join(path, "cat"))
        case "_DenseLayer":
            // conv2(relu2(norm2(conv1(relu1(norm1(x)))))), x the concatenation of its inputs (a
            // tensor called alone), then F.dropout(p=drop_rate) when drop_rate > 0, a `.dropout`
            // named `<layer>.dropout` (print(model) does not show drop_rate: no node then).
            let y = try chain(["norm1", "relu1", "conv1", "norm2", "relu2", "conv2"], of: module, path: path, input: x)
            guard let rate = module.float("drop_rate"), rate != 0 else { return y }
            guard rate > 0, rate <= 1 else { throw refusal(path, module, "drop_rate \(rate) is not a probability from 0 to 1") }
            return add(Self.join(path, "dropout"), .dropout(p: Float(rate), wholeChannels: false), y)
        default:
            // _Transition is a Sequential: norm, relu, conv, pool.
            return try children(module, path: path, input: x)
        }
    }

    /// `torch.cat(inputs, 1)`: the one input itself, else a concat node.
    private mutating func concatenation(_ inputs: [Int], name: String) -> Int {
        inputs.count == 1 ? inputs[0] : add(name, .concat, inputs: inputs)
    }
}
