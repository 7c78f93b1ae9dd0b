// ModuleTreeSynthesis: the module tree `torch.save(model)` would carry, rebuilt from a state
// dict alone where its keys name a torchvision classifier family (or a homework student
// whose keys are its own), so that ModuleTreeImporter runs the one forward it knows for each
// class. Widths, kernel sizes and group counts come from the shapes (a channel-pruned
// checkpoint loads as it is); strides, paddings, activations and which blocks add a residual
// come from the family's default constructor in torchvision, picked by the key set. A key set
// that names a family but not one of its default configurations (a custom
// `inverted_residual_setting`, an EfficientNetV2) is refused, naming the file and the forms
// that carry the graph. The families live in `ModuleTreeSynthesis+<Family>.swift`.

import NNCore

/// Rebuilds module trees from state dicts alone.
public enum ModuleTreeSynthesis {
    /// A synthesized tree and what it assumed, one line for the loader's notes (its way out,
    /// `WayOut.wholeModel`, is the caller's to word).
    public struct Result {
        public var tree: ModuleTree
        public var note: String
        /// The family's name ("ResNet").
        public var family: String
        /// Whether the root's forward is its children in order with a flatten before the first
        /// Linear (VGG, AlexNet, the HW7 student), so the importer's inference for it is exact.
        public var rootInOrder: Bool
    }

    /// One family: whether a key set is its own, and its tree.
    typealias Family = (name: String, matches: (StateDict) -> Bool, build: (inout TreeSynthesizer) throws -> ModuleTree)

    /// Families whose root forward is its children in order.
    static let rootInOrder: Set<String> = ["AlexNet", "VGG", "StudentNet"]

    /// The families, tried in order; each `matches` on keys no other family has.
    static let families: [Family] = [
        ("ResNet", { $0.has("conv1.weight", "layer1.0.conv1.weight", "fc.weight") }, { try $0.resNet() }),
        ("MobileNetV2", { $0.has("features.1.conv.0.0.weight", "classifier.1.weight") }, { try $0.mobileNetV2() }),
        ("MobileNetV3", { $0.has("features.1.block.0.0.weight", "classifier.0.weight", "classifier.3.weight") }, { try $0.mobileNetV3() }),
        ("EfficientNet", { $0.has("features.1.0.block.0.0.weight", "classifier.1.weight") }, { try $0.efficientNet() }),
        ("MNASNet", { $0.has("layers.0.weight", "layers.8.0.layers.0.weight", "classifier.1.weight") }, { try $0.mnasNet() }),
        ("RegNet", { $0.has("stem.0.weight", "trunk_output.block1.block1-0.f.a.0.weight", "fc.weight") }, { try $0.regNet() }),
        ("DenseNet", { $0.has("features.conv0.weight", "features.denseblock1.denselayer1.conv1.weight", "classifier.weight") }, { try $0.denseNet() }),
        ("GoogLeNet", { $0.has("conv1.conv.weight", "inception3a.branch1.conv.weight", "fc.weight") }, { try $0.googLeNet() }),
        ("SqueezeNet", { $0.has("features.0.weight", "features.3.squeeze.weight", "classifier.1.weight") }, { try $0.squeezeNet() }),
        ("ShuffleNetV2", { $0.has("conv1.0.weight", "stage2.0.branch1.0.weight", "fc.weight") }, { try $0.shuffleNetV2() }),
        ("ConvNeXt", { $0.has("features.0.0.weight", "features.1.0.block.0.weight", "features.1.0.layer_scale", "classifier.2.weight") }, { try $0.convNeXt() }),
        ("AlexNet", { $0.has("features.0.weight", "classifier.1.weight", "classifier.4.weight", "classifier.6.weight") }, { try $0.alexNet() }),
        ("VGG", { $0.has("features.0.weight", "classifier.0.weight", "classifier.3.weight", "classifier.6.weight") }, { try $0.vgg() }),
        ("StudentNet", { $0.has("cnn.0.0.weight", "cnn.1.0.weight", "cnn.1.3.weight", "fc.0.weight") }, { try $0.hw7Student() }),
    ]

    /// The tree of the family whose key set `stateDict` has, or nil when none has it.
    ///
    /// - Parameter source: the checkpoint, named in refusals and the note.
    /// - Throws: `NNError.unsupported` naming `source` when the keys name a family but not a
    ///   configuration whose graph they determine.
    public static func tree(for stateDict: StateDict, source: String) throws -> Result? {
        guard let family = families.first(where: { $0.matches(stateDict) }) else { return nil }
        var synthesizer = TreeSynthesizer(stateDict: stateDict, source: source, family: family.name)
        let tree = try family.build(&synthesizer)
        let assumed = synthesizer.assumptions.isEmpty ? "" : " (\(synthesizer.assumptions.joined(separator: "; ")))"
        return Result(tree: tree, note: "\(source): a state dict alone, read as \(synthesizer.variant ?? family.name) by its keys: widths from the shapes\(assumed); if the model was built otherwise",
                      family: family.name, rootInOrder: rootInOrder.contains(family.name))
    }

    /// The model of `stateDict` through its synthesized tree and ModuleTreeImporter, with the
    /// note, or nil when no family has its keys. A tree the importer could only run by
    /// inferring a forward (a class it does not know yet, beyond a root whose forward is its
    /// children in order) is refused: the tree names torchvision's classes, whose forwards are code.
    ///
    /// - Parameter inputSize: the side of the square input the model will run at, where known:
    ///   a default configuration whose shapes do not work out at it (a stem built with another
    ///   stride, so a pool meets a map smaller than its window) is refused here, naming the file.
    public static func model(for stateDict: StateDict, source: String, inputSize: Int? = nil) throws -> (model: Model, note: String)? {
        guard let result = try tree(for: stateDict, source: source) else { return nil }
        let (model, notes) = try ModuleTreeImporter.model(result.tree, stateDict: stateDict, source: source)
        if let inferred = notes.first(where: { !(result.rootInOrder && $0.hasPrefix("the model (")) }) {
            throw NNError.unsupported(path: source, reason: "its keys are \(result.family)'s, but Shears does not know the forward of every class in it yet (\(inferred)); give a torch.onnx.export .onnx file")
        }
        if let inputSize, let channels = stateDict.entries.first(where: { $0.value.shape.count == 4 })?.value.shape[1] {
            do {
                _ = try ShapeInference(model: model, input: [channels, inputSize, inputSize])
            } catch let error as NNError {
                throw NNError.unsupported(path: source, reason: "its keys are \(result.family)'s, but torchvision's default constructor does not fit a \(inputSize)x\(inputSize) input (\(error)), so the model was built otherwise, and a state dict alone cannot show how", wayOut: .wholeModel())
            }
        }
        return (model, result.note)
    }
}

extension StateDict {
    /// Whether every key in `keys` is present.
    func has(_ keys: String...) -> Bool { keys.allSatisfy { self[$0] != nil } }
}
