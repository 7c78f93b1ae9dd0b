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
        .regNet,
        .denseNet,
        .googLeNet,
        .vgg,
    ]

    /// Classes some family handles.
    static let knownBlocks: Set<String> = blockFamilies.reduce(into: []) { $0.formUnion($1.classes) }

    /// The output of a known torchvision class, or nil when `module` is not one.
    mutating func knownBlock(_ module: ModuleTree, path: String, input x: Int) throws -> Int? {
        for family in Self.blockFamilies where family.classes.contains(module.className) {
            if let y = try family.forward(&self, module, path, x) { return y }
        }
        return nil
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

    /// Every Conv2d below `module`, depth first (a loop: the tree may be deep).
    static func convolutions(in module: ModuleTree) -> [ModuleTree] {
        var found: [ModuleTree] = [], pending = [module]
        while let next = pending.popLast() {
            if next.className == "Conv2d" { found.append(next) } else { pending += next.children.reversed().map(\.module) }
        }
        return found
    }
}
