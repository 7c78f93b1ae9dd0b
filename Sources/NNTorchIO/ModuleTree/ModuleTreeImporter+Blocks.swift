// ModuleTreeImporter+Blocks: the dispatcher over the torchvision classes whose forward() the
// importer knows by class name. Each family (ResNet, MobileNetV2, ShuffleNetV2, SqueezeNet, …)
// lives in its own file, `ModuleTreeImporter+<Family>.swift`, as one `BlockFamily`: the class
// names it handles and a function that writes their forward, or returns nil when the module
// is not its own (ShuffleNetV2's and MobileNetV2's blocks are both called InvertedResidual;
// each family tells its own by its children). Adding a family is one file and one line in
// `blockFamilies`. Node names follow the catalog's ResNet (`layer1.0.add`,
// `layer1.0.relu_out`) where a module is used twice or a functional op has no module.

import NNCore

/// The torchvision classes of one model family and their forward.
struct BlockFamily {
    /// Class names the family handles (other families may handle the same name).
    let classes: Set<String>
    /// The output of `module` (at `path`) applied to node `x`, or nil when it is not this family's.
    let forward: (_ translation: inout TreeTranslation, _ module: ModuleTree, _ path: String, _ x: Int) throws -> Int?
}

extension TreeTranslation {
    /// Every known family, tried in this order.
    static let blockFamilies: [BlockFamily] = [
        .resNet,
        .mobileNetV2,
        .shuffleNetV2,
        .squeezeNet,
        .squeezeExcitation,
        .mobileNetV3,
        .mnasNet,
        .efficientNet,
        .convNeXt,
    ]

    /// Classes some family handles.
    static let knownBlocks: Set<String> = blockFamilies.reduce(into: []) { $0.formUnion($1.classes) }

    /// The output of a known torchvision class, or nil when `module` is not one. A child the
    /// family's forward did not use is refused unless it is the identity in eval (an empty
    /// Sequential, Identity, Dropout, StochasticDepth): a class named like torchvision's with
    /// another child (a `shortcut`, an extra layer) has a forward of its own.
    mutating func knownBlock(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        for family in Self.blockFamilies where family.classes.contains(module.className) {
            let start = builder.nodes.count
            guard let y = try family.forward(&self, module, path, x) else { continue }
            knownNodes.append(start..<builder.nodes.count)
            for child in module.children where !translated.contains(Self.join(path, child.name)) && !Self.isIdentityInEval(child.module) {
                throw refusal(Self.join(path, child.name), child.module, "torchvision's \(module.className) has no child '\(child.name)' its forward() uses, so this \(module.className) is another class of the same name")
            }
            return y
        }
        return nil
    }

    /// Modules that pass their input through in eval mode.
    static func isIdentityInEval(_ module: ModuleTree) -> Bool {
        module.children.isEmpty && ["Sequential", "Identity", "Dropout", "Dropout2d", "StochasticDepth"].contains(module.className)
    }

    /// Child `name` of `module` (at `path`) applied to node `x`; a missing child is refused.
    mutating func child(_ name: String, of module: ModuleTree, path: String, input x: Int) throws -> Int {
        try self.module(try required(module, name, path: path), path: Self.join(path, name), input: x)
    }

    /// The children `names` of `module` applied in turn, from node `x`.
    mutating func chain(_ names: [String], of module: ModuleTree, path: String, input x: Int) throws -> Int {
        var y = x
        for name in names { y = try child(name, of: module, path: path, input: y) }
        return y
    }

    /// `features → avgpool → torch.flatten(·, 1) → classifier`, the forward of MobileNetV3
    /// and EfficientNet (`avgpool` a child).
    mutating func featuresPoolClassifier(_ module: ModuleTree, path: String, input x: Int) throws -> Int {
        let y = try chain(["features", "avgpool"], of: module, path: path, input: x)
        return try child("classifier", of: module, path: path, input: add(Self.join(path, "flatten"), .flatten, y))
    }

    /// A functional global average pool (`adaptive_avg_pool2d(x, 1)` or `x.mean([2, 3])`,
    /// node `pool`), a flatten, then child `classifier`: the head of MobileNetV2, MNASNet and
    /// ShuffleNetV2.
    mutating func pooledClassifier(_ module: ModuleTree, path: String, pool: String, classifier: String, input x: Int) throws -> Int {
        let pooled = add(Self.join(path, pool), .adaptiveAvgPool(Size2(1)), x)
        return try child(classifier, of: module, path: path, input: add(Self.join(path, "flatten"), .flatten, pooled))
    }

    /// Whether an inverted-residual block adds its input (MobileNetV2/V3's and EfficientNet's
    /// `use_res_connect`, MNASNet's `apply_residual`): the pickled attribute `flag`, else what
    /// each constructor computes from its config, `stride == 1 and in_channels == out_channels`,
    /// read off the block's convs: stride 1 throughout and the first's in_channels equal to the
    /// last's out_channels. A dilated conv hides the configured stride (MobileNetV3 builds
    /// stride 1 where it dilates), so it is refused, as are convs that do not give their channels.
    func invertedResidual(_ module: ModuleTree, path: String, flag: String) throws -> Bool {
        if let value = module.bool(flag) { return value }
        let convs = Self.convolutions(in: module)
        guard let first = convs.first?.int("in_channels"), let last = convs.last?.int("out_channels") else {
            throw refusal(path, module, "its convs do not give their channels, so whether it adds its input (\(flag)) cannot be known")
        }
        guard convs.allSatisfy({ ($0.size2("dilation") ?? Size2(1)) == Size2(1) }) else {
            throw refusal(path, module, "a dilated conv hides the stride that decides whether it adds its input (\(flag)); torch.save(model) keeps \(flag)")
        }
        return first == last && convs.allSatisfy { ($0.size2("stride") ?? Size2(1)) == Size2(1) }
    }

    /// Every Conv2d below `module`, depth first (a loop: the tree may be deep).
    static func convolutions(in module: ModuleTree) -> [ModuleTree] {
        var found: [ModuleTree] = [], pending = [module]
        while let next = pending.popLast() {
            if next.className == "Conv2d" { found.append(next) } else { pending += next.children.reversed().map(\.module) }
        }
        return found
    }
}
