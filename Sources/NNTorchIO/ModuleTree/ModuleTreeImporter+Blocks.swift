// ModuleTreeImporter+Blocks: the torchvision classes whose forward() the importer knows by
// class name. Node names follow the catalog's ResNet (`layer1.0.add`, `layer1.0.relu_out`)
// where a module is used twice or a functional op has no module.

import NNCore

extension TreeTranslation {
    /// Classes handled here.
    static let knownBlocks: Set<String> = ["BasicBlock", "Bottleneck", "InvertedResidual", "Fire", "MobileNetV2", "SqueezeNet", "ResNet", "ShuffleNetV2"]

    /// The output of a known torchvision class, or nil when `module` is not one.
    mutating func knownBlock(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        func child(_ name: String, _ input: Int) throws -> Int {
            try self.module(try required(module, name, path: path), path: Self.join(path, name), input: input)
        }
        func chain(_ names: [String], _ input: Int) throws -> Int { try names.reduce(input) { try child($1, $0) } }
        switch module.className {
        case "ResNet":
            // conv1, bn1, relu, maxpool, layer1…4, avgpool, torch.flatten, fc: the children in order.
            return try children(module, path: path, input: x)
        case "BasicBlock", "Bottleneck":
            // out = relu(bn2(conv2(relu(bn1(conv1(x)))))) [→ relu → bn3(conv3)] + (downsample(x) or x); relu.
            var y = try chain(["conv1", "bn1", "relu"], x)
            y = try chain(["conv2", "bn2"], y)
            if module.className == "Bottleneck" {
                y = add(Self.join(path, "relu_mid"), .relu, y)
                y = try chain(["conv3", "bn3"], y)
            }
            let identity = module.child("downsample") == nil ? x : try child("downsample", x)
            y = add(Self.join(path, "add"), .add, y, identity)
            return add(Self.join(path, "relu_out"), .relu, y)
        case "InvertedResidual" where module.child("branch2") != nil:
            // ShuffleNetV2's: stride 1: cat(x1, branch2(x2)) of x.chunk(2, 1); else
            // cat(branch1(x), branch2(x)); then channel_shuffle(·, 2). branch1 is empty at stride 1.
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
                parts[1] = try child("branch2", parts[1])
            } else {
                parts = [try child("branch1", x), try child("branch2", x)]
            }
            let joined = add(Self.join(path, "cat"), .concat, parts[0], parts[1])
            return add(Self.join(path, "shuffle"), .channelShuffle(groups: 2), joined)
        case "InvertedResidual":
            // MobileNetV2's: conv(x), plus x when use_res_connect.
            let y = try child("conv", x)
            return try residual(module) ? add(Self.join(path, "add"), .add, x, y) : y
        case "Fire":
            // cat([expand1x1_activation(expand1x1(s)), expand3x3_activation(expand3x3(s))], 1), s = squeeze_activation(squeeze(x)).
            let s = try chain(["squeeze", "squeeze_activation"], x)
            let one = try chain(["expand1x1", "expand1x1_activation"], s)
            let three = try chain(["expand3x3", "expand3x3_activation"], s)
            return add(Self.join(path, "cat"), .concat, one, three)
        case "MobileNetV2":
            // features → adaptive_avg_pool2d(1) → flatten → classifier.
            var y = try child("features", x)
            y = add(Self.join(path, "avgpool"), .adaptiveAvgPool(Size2(1)), y)
            y = add(Self.join(path, "flatten"), .flatten, y)
            return try child("classifier", y)
        case "ShuffleNetV2":
            // conv1 → maxpool → stage2…4 → conv5 → mean([2, 3]) → fc.
            var y = try chain(["conv1", "maxpool", "stage2", "stage3", "stage4", "conv5"], x)
            y = add(Self.join(path, "mean"), .adaptiveAvgPool(Size2(1)), y)
            y = add(Self.join(path, "flatten"), .flatten, y)
            return try child("fc", y)
        case "SqueezeNet":
            // features → classifier → flatten.
            let y = try chain(["features", "classifier"], x)
            return add(Self.join(path, "flatten"), .flatten, y)
        default:
            return nil
        }
    }

    /// MobileNetV2's `use_res_connect`: the pickled flag, else stride 1 throughout `conv` and
    /// as many output channels as input channels.
    private func residual(_ module: ModuleTree) throws -> Bool {
        if let flag = module.bool("use_res_connect") { return flag }
        let convs = Self.convolutions(in: module)
        guard let first = convs.first, let last = convs.last,
              let inChannels = first.int("in_channels"), let outChannels = last.int("out_channels") else { return false }
        return inChannels == outChannels && convs.allSatisfy { ($0.size2("stride") ?? Size2(1)) == Size2(1) }
    }

    /// Every Conv2d below `module`, depth first (a loop: the tree may be deep).
    private static func convolutions(in module: ModuleTree) -> [ModuleTree] {
        var found: [ModuleTree] = [], pending = [module]
        while let next = pending.popLast() {
            if next.className == "Conv2d" { found.append(next) } else { pending += next.children.reversed().map(\.module) }
        }
        return found
    }
}
