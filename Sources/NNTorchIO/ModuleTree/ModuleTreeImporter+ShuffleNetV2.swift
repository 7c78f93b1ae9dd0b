// ModuleTreeImporter+ShuffleNetV2: torchvision's ShuffleNetV2 and its InvertedResidual (the
// one with `branch1`/`branch2` children), as torchvision.models.shufflenetv2 writes their forward.

import NNCore

extension BlockFamily {
    static let shuffleNetV2 = BlockFamily(classes: ["ShuffleNetV2", "InvertedResidual"]) { translation, module, path, x in
        try translation.shuffleNetV2(module, path: path, input: x)
    }
}

extension TreeTranslation {
    mutating func shuffleNetV2(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        switch module.className {
        case "InvertedResidual":
            // stride 1: cat(x1, branch2(x2)) of x.chunk(2, 1); else cat(branch1(x), branch2(x));
            // then channel_shuffle(·, 2). branch1 is empty at stride 1.
            guard module.child("branch2") != nil else { return nil }
            let stride = module.int("stride") ?? ((module.child("branch1")?.children.isEmpty ?? true) ? 1 : 2)
            var parts: [Int]
            if stride == 1 {
                let model = Model(architecture: "", graph: builder.graph, stateDict: stateDict)
                guard let channels = model.outputChannels(of: x), channels % 2 == 0 else {
                    throw refusal(path, module, "cannot split an input whose channel count is unknown or odd")
                }
                let half = channels / 2
                parts = [add(Self.join(path, "chunk"), .channelSlice(start: 0, count: half), x),
                         add(Self.join(path, "chunk"), .channelSlice(start: half, count: half), x)]
                parts[1] = try child("branch2", of: module, path: path, input: parts[1])
            } else {
                parts = [try child("branch1", of: module, path: path, input: x), try child("branch2", of: module, path: path, input: x)]
            }
            let joined = add(Self.join(path, "cat"), .concat, parts[0], parts[1])
            return add(Self.join(path, "shuffle"), .channelShuffle(groups: 2), joined)
        default:
            // conv1 → maxpool → stage2…4 → conv5 → mean([2, 3]) → fc.
            let y = try chain(["conv1", "maxpool", "stage2", "stage3", "stage4", "conv5"], of: module, path: path, input: x)
            return try pooledClassifier(module, path: path, pool: "mean", classifier: "fc", input: y)
        }
    }
}
