// ModuleTreeImporter: a ModuleTree plus a state dict as a Model, where the tree determines
// the forward pass:
//   - Sequential (and its torchvision subclasses Conv2dNormActivation, ConvBNReLU, …): the
//     children in order;
//   - torchvision classes known by name (ResNet, MobileNetV2/V3, ShuffleNetV2, SqueezeNet,
//     MNASNet, EfficientNet and their blocks): their forward as torchvision writes it, one
//     family per file, dispatched by ModuleTreeImporter+Blocks.swift;
//   - the root, when its class is unknown and its children are all leaf layers, Sequentials
//     or known blocks: the children in order, a flatten before the first Linear that meets a
//     feature map. This is a guess (forward() is code, not data), made only where nothing
//     visible contradicts it (ModuleTreeImporter+GuessedForward.swift), and announced in
//     `warnings`;
//   - anything else is refused (an unknown class below the root is a block whose forward()
//     probably adds or concatenates), naming the way to give the exact graph: a .pt2 from
//     torch.export.save, or ONNX.
// Leaf layers map to ops in ModuleTreeImporter+Layers.swift. Every parameter the tree implies
// is checked against the state dict as load_state_dict(strict=True) would. A tree nested
// deeper than `ModuleTree.maximumDepth`, with more than `ModuleTree.maximumNodes` modules
// (shared subtrees counted at each place), or whose paths add up past the `MemoryBudget`, is
// refused.

/// Builds Models from module trees.
import NNCore

public enum ModuleTreeImporter {
    /// Containers whose forward is their children in order.
    static let sequentialClasses: Set<String> = ["Sequential", "Conv2dNormActivation", "ConvNormActivation", "ConvBNActivation", "ConvBNReLU"]

    /// The model `tree` describes, with the parameters of `stateDict`.
    ///
    /// - Parameter source: the file the tree came from, named in errors.
    /// - Returns: the model, and a warning naming the assumption when the root's forward pass
    ///   was guessed as its children in order.
    public static func model(_ tree: ModuleTree, stateDict: StateDict, source: String) throws -> (model: Model, warnings: [String]) {
        var translation = TreeTranslation(source: source, stateDict: stateDict)
        var x = try translation.module(tree, path: "", input: translation.builder.input)
        if !translation.flat.contains(x) { x = translation.add("flatten", .flatten, x) }
        let spec = ModuleTreeSpec(name: "\(tree.className) in \(source)", built: translation.builder.graph, shapes: translation.expected)
        var model = try spec.model(with: stateDict)
        model.architecture = tree.className
        try translation.checkGuessedForward(of: tree, in: model)
        return (model, translation.warnings)
    }
}

/// The graph and expected parameters a tree produced, checked like a catalog architecture.
private struct ModuleTreeSpec: ArchitectureSpec {
    let name: String
    let built: Graph
    let shapes: [(key: String, shape: [Int])]

    func graph() -> Graph { built }
    func expectedShapes() -> [(key: String, shape: [Int])] { shapes }
}

/// The state of one translation: nodes emitted, which of them are flat vectors, the
/// parameters the leaves imply, and where the root's forward was guessed.
struct TreeTranslation {
    let source: String
    let stateDict: StateDict
    var builder = GraphBuilder()
    var flat: Set<Int> = []
    var expected: [(key: String, shape: [Int])] = []
    var warnings: [String] = []
    /// The joins between the root's children when its forward is guessed, in order.
    var seams: [Seam] = []
    /// The nodes each known torchvision block emitted (nested blocks each listed).
    var knownNodes: [Range<Int>] = []
    private var usedNames: Set<String> = ["input"]
    /// The last suffix given to each name, so that the next search starts there.
    private var lastSuffix: [String: Int] = [:]
    /// Modules being translated (the current path's length), translated so far, and the
    /// bytes of their paths (long names repeated at every level add up).
    private var depth = 0, modules = 0, pathBytes = 0
    /// The path of every module translated so far (a known block's unused children are refused).
    var translated: Set<String> = []

    init(source: String, stateDict: StateDict) {
        self.source = source; self.stateDict = stateDict
    }

    /// `path.name`, or `name` at the root.
    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// An error naming the file, the module and the way to give the exact graph.
    func refusal(_ path: String, _ module: ModuleTree, _ reason: String) -> NNError {
        .unsupported(path: source, reason: "module '\(path.isEmpty ? "(root)" : path)' (\(module.className)): \(reason); \(ModuleTreeImporter.wayOut)")
    }

    /// Appends a node under `name` (made unique with a `_1`, `_2` suffix); its output is flat
    /// (`[N, F]`) after a flatten or a Linear, or when its one input is.
    mutating func add(_ name: String, _ op: Op, _ inputs: Int...) -> Int {
        var unique = name, k = lastSuffix[name] ?? 0
        while usedNames.contains(unique) { k += 1; unique = "\(name)_\(k)" }
        usedNames.insert(unique)
        lastSuffix[name] = k
        let index = builder.add(unique, op, inputs: inputs)
        if op == .flatten || op == .linear || (inputs.count == 1 && flat.contains(inputs[0])) { flat.insert(index) }
        return index
    }

    /// The output of `module` (at `path`) applied to node `x`.
    mutating func module(_ module: ModuleTree, path: String, input x: Int) throws -> Int {
        depth += 1
        modules += 1
        defer { depth -= 1 }
        guard depth <= ModuleTree.maximumDepth else { throw refusal(path, module, "nested more than \(ModuleTree.maximumDepth) modules deep") }
        guard modules <= ModuleTree.maximumNodes else { throw refusal(path, module, "the tree has more than \(ModuleTree.maximumNodes) modules") }
        pathBytes += path.utf8.count
        translated.insert(path)
        try MemoryBudget.check(pathBytes, for: "the paths of its modules (up to '\(path.prefix(100))')", path: source)
        if ModuleTreeImporter.sequentialClasses.contains(module.className) { return try children(module, path: path, input: x) }
        if let block = try knownBlock(module, path: path, input: x) { return block }
        if Self.knownBlocks.contains(module.className) {
            throw refusal(path, module, "no torchvision \(module.className) Shears knows has the children \(module.children.map(\.name).joined(separator: ", "))")
        }
        if module.children.isEmpty { return try leaf(module, path: path, input: x) }
        guard path.isEmpty else {
            throw refusal(path, module, "a custom block inside the model: a module tree cannot show how its forward() uses its children (a residual add or a concatenation would be lost)")
        }
        return try guessedChildren(module, input: x)
    }

    /// The children of `module` applied in order.
    mutating func children(_ module: ModuleTree, path: String, input x: Int) throws -> Int {
        var x = x
        for child in module.children { x = try self.module(child.module, path: Self.join(path, child.name), input: x) }
        return x
    }

    /// `module.child(name)`, or an error naming the missing child.
    func required(_ module: ModuleTree, _ name: String, path: String) throws -> ModuleTree {
        guard let child = module.child(name) else { throw refusal(path, module, "has no child '\(name)', which \(module.className)'s forward uses") }
        return child
    }
}
