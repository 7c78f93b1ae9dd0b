// ModuleTreeImporter+ConvNeXt: torchvision's ConvNeXt and its CNBlock, as
// torchvision.models.convnext writes their forward, and the LayerNorms they use:
//   ConvNeXt: features → avgpool → classifier (Sequential(LayerNorm2d, Flatten, Linear)), its
//             children in order;
//   CNBlock:  result = layer_scale · block(input); stochastic_depth(result) + input, block =
//             Sequential(Conv2d dw 7x7, Permute([0, 2, 3, 1]), LayerNorm(C), Linear(C, 4C), GELU,
//             Linear(4C, C), Permute([0, 3, 1, 2])). Between the permutes the graph stays NCHW:
//             the LayerNorm becomes `.layerNorm` over the channels, each Linear a `.linear` on
//             the feature map (per position), activations act element-wise as they are;
//             `layer_scale` (`[C, 1, 1]`, owned by the CNBlock) a `.channelScale` node named
//             `<block>.layer_scale`, its own state-dict key; StochasticDepth is the identity in eval.
//   LayerNorm2d (a leaf anywhere): `.layerNorm` over the channels.
// A Permute or LayerNorm met elsewhere is refused by name (a print(model) Permute does not
// show its dims), except a LayerNorm on a flat vector, which normalises its features.

import NNCore

extension BlockFamily {
    static let convNeXt = BlockFamily(classes: ["ConvNeXt", "CNBlock"]) { translation, module, path, x in
        try translation.convNeXt(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func convNeXt(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "ConvNeXt":
            return try chain(["features", "avgpool", "classifier"], of: module, path: path, input: x)
        default:
            let block = try required(module, "block", path: path)
            let blockPath = Self.join(path, "block")
            translated.insert(blockPath)  // its children one by one below
            let names = block.children.map(\.module.className)
            guard block.className == "Sequential", names.count >= 3, names[1] == "Permute", names.last == "Permute",
                  !names[2..<(names.count - 1)].contains("Permute") else {
                throw refusal(blockPath, block, "CNBlock's block is not Sequential(Conv2d, Permute, …, Permute) as torchvision writes it")
            }
            try permute(block.children[1].module, path: Self.join(blockPath, block.children[1].name), dims: [0, 2, 3, 1])
            try permute(block.children[names.count - 1].module, path: Self.join(blockPath, block.children[names.count - 1].name), dims: [0, 3, 1, 2])
            var y = try self.module(block.children[0].module, path: Self.join(blockPath, block.children[0].name), input: x)
            for child in block.children[2..<(names.count - 1)] {
                y = try channelsLast(child.module, path: Self.join(blockPath, child.name), input: y)
            }
            let scaleKey = Self.join(path, "layer_scale")
            let channels = Self.convolutions(in: block).first?.int("in_channels") ?? stateDict[scaleKey]?.shape.first ?? 0
            expected.append((scaleKey, [channels, 1, 1]))
            y = add(scaleKey, .channelScale, y)
            if let depth = module.child("stochastic_depth") { y = try self.module(depth, path: Self.join(path, "stochastic_depth"), input: y) }
            return add(Self.join(path, "add"), .add, y, x)
        }
    }

    /// Refuses a Permute whose pickled dims are not `dims` (print(model) shows none: the
    /// CNBlock's layout is torchvision's).
    private func permute(_ module: ModuleTree, path: String, dims: [Int]) throws {
        guard let given = module.attributes["dims"] else { return }
        guard given == .tuple(dims.map { .int($0) }) else {
            throw refusal(path, module, "permutes to \(given), not \(dims) as in torchvision's CNBlock")
        }
    }

    /// A module between CNBlock's permutes, acting on the channels-last view of NCHW node `x`:
    /// LayerNorm over the channels, Linear per position, activations and dropouts as they are.
    private mutating func channelsLast(_ module: ModuleTree, path: String, input x: Int) throws -> Int {
        switch module.className {
        case "LayerNorm":
            return try layerNorm(module, path: path, input: x)
        case "Linear":
            let y = linear(module, path: path, input: x)
            flat.remove(y)  // per position on the feature map, not a flat vector
            return y
        case "GELU", "ReLU", "ReLU6", "SiLU", "Hardswish", "LeakyReLU", "Dropout", "Identity":
            return try self.module(module, path: path, input: x)
        default:
            throw refusal(path, module, "Shears runs LayerNorm, Linear, activations and Dropout between CNBlock's permutes")
        }
    }

    /// `nn.LayerNorm(C)` over the channels of node `x` (LayerNorm2d, or a LayerNorm between
    /// permutes to channels-last and back), or over the features of a flat vector: weight and
    /// bias `[C]`, eps 1e-5 unless given.
    mutating func layerNorm(_ module: ModuleTree, path: String, input x: Int) throws -> Int {
        guard module.bool("elementwise_affine") ?? true else { throw refusal(path, module, "a LayerNorm without elementwise_affine is not supported") }
        var channels = stateDict[path + ".weight"]?.shape.first ?? 0
        switch module.attributes["normalized_shape"] {
        case .int(let c)?: channels = c
        case .tuple(let sizes)? where sizes.count == 1: if case .int(let c) = sizes[0] { channels = c }
        case nil: break
        case let other?: throw refusal(path, module, "normalises over \(other); Shears normalises over the channels only (one size)")
        }
        expected.append((path + ".weight", [channels]))
        if module.bool("bias") ?? (stateDict[path + ".bias"] != nil) { expected.append((path + ".bias", [channels])) }
        return add(path, .layerNorm(eps: Float(module.float("eps") ?? 1e-5)), x)
    }
}
