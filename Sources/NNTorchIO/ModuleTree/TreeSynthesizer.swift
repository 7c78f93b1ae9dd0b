// TreeSynthesizer: the state of one ModuleTreeSynthesis and the leaves it writes. A leaf
// carries the constructor attributes `torch.save(model)` would (Conv2d's in/out channels,
// kernel_size, stride, padding, dilation, groups; BatchNorm2d's num_features and eps; …),
// its sizes read from the weight shapes: a conv's groups are its input width over the
// weight's in-channel count, so depthwise convs, ResNeXt's and RegNet's grouped convs and
// channel-pruned widths all come out as they are.

import NNCore

/// Builds the tree of one state dict.
struct TreeSynthesizer {
    let stateDict: StateDict
    let source: String
    /// The family whose key set matched ("ResNet").
    let family: String
    /// The variant the keys show ("resnet50", "mobilenet_v3_small"), named in the note.
    var variant: String?
    /// What the tree takes from the default constructor rather than the keys, for the note.
    var assumptions: [String] = []

    /// A refusal naming the file, the family, what the keys cannot show, and the forms that work.
    func refusal(_ reason: String) -> NNError {
        .unsupported(path: source, reason: "its keys are \(family)'s but \(reason), and a state dict alone cannot show the graph", wayOut: .wholeModel())
    }

    func has(_ key: String) -> Bool { stateDict[key] != nil }

    /// The shape of the tensor at `key`, which must have `rank` dimensions, each at least 1.
    func shape(_ key: String, rank: Int) throws -> [Int] {
        guard let shape = stateDict[key]?.shape else { throw refusal("'\(key)' is missing") }
        guard shape.count == rank, shape.allSatisfy({ $0 >= 1 }) else { throw refusal("'\(key)' has shape \(shape), not \(rank) positive sizes") }
        return shape
    }

    /// The distinct integers `i` of keys `prefix.i.…`, ascending.
    func indices(under prefix: String) -> [Int] {
        Set(childNames(under: prefix).compactMap { Int($0) }).sorted()
    }

    /// The distinct next components of keys `prefix.<name>.…`, in key order.
    func childNames(under prefix: String) -> [String] {
        let head = prefix.isEmpty ? "" : prefix + "."
        var seen: Set<Substring> = [], names: [String] = []
        for key in stateDict.keys where key.hasPrefix(head) {
            guard let name = key.dropFirst(head.count).split(separator: ".", maxSplits: 1).first, seen.insert(name).inserted else { continue }
            names.append(String(name))
        }
        return names
    }

    /// `count` consecutive integers from 0 under `prefix` (`prefix.0`, `prefix.1`, …), or a
    /// refusal when the indices are not 0..<n.
    func run(under prefix: String) throws -> Int {
        let found = indices(under: prefix)
        guard found == Array(0..<found.count) else { throw refusal("'\(prefix)' holds modules \(found.map(String.init).joined(separator: ", ")), not 0 to \(found.count - 1)") }
        return found.count
    }

    /// `nn.Conv2d` at `path` fed `input` channels (nil: groups 1): kernel, output width and
    /// groups from the weight `[out, input / groups, kh, kw]`; padding (k − 1) / 2 · dilation unless given.
    func conv(_ path: String, input: Int?, stride: Int = 1, padding: Int? = nil, dilation: Int = 1) throws -> (tree: ModuleTree, out: Int) {
        let w = try shape(path + ".weight", rank: 4)
        let input = input ?? w[1]
        guard input >= w[1], input % w[1] == 0, w[0] % (input / w[1]) == 0 else {
            throw refusal("'\(path).weight' \(w) does not fit an input of \(input) channels")
        }
        let pad = padding ?? dilation * (w[2] - 1) / 2
        let pair = { (v: Int) -> ModuleAttribute in .tuple([.int(v), .int(v)]) }
        return (ModuleTree(className: "Conv2d", attributes: [
            "in_channels": .int(input), "out_channels": .int(w[0]), "kernel_size": .tuple([.int(w[2]), .int(w[3])]),
            "stride": pair(stride), "padding": pair(pad), "dilation": pair(dilation), "groups": .int(input / w[1]),
            "padding_mode": .string("zeros"),
        ]), w[0])
    }

    /// `nn.BatchNorm2d` at `path` (affine, with running statistics).
    func batchNorm(_ path: String, eps: Double = 1e-5) throws -> ModuleTree {
        let channels = try shape(path + ".running_mean", rank: 1)[0]
        return ModuleTree(className: "BatchNorm2d", attributes: ["num_features": .int(channels), "eps": .float(eps), "affine": .bool(true), "track_running_stats": .bool(true)])
    }

    /// `nn.Linear` at `path`, and its output width.
    func linear(_ path: String) throws -> (tree: ModuleTree, out: Int) {
        let w = try shape(path + ".weight", rank: 2)
        return (ModuleTree(className: "Linear", attributes: ["in_features": .int(w[1]), "out_features": .int(w[0])]), w[0])
    }

    /// A parameterless module.
    static func leaf(_ className: String, _ attributes: [String: ModuleAttribute] = [:]) -> ModuleTree {
        ModuleTree(className: className, attributes: attributes)
    }

    /// A module with named children.
    static func module(_ className: String, _ children: [(String, ModuleTree)], _ attributes: [String: ModuleAttribute] = [:]) -> ModuleTree {
        ModuleTree(className: className, attributes: attributes, children: children.map { .init(name: $0.0, module: $0.1) })
    }

    /// An `nn.Sequential` (or a subclass) whose children are named 0, 1, 2, ….
    static func sequential(_ modules: [ModuleTree], className: String = "Sequential") -> ModuleTree {
        module(className, modules.enumerated().map { (String($0.offset), $0.element) })
    }

    /// `nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceil)`.
    static func maxPool(_ kernel: Int, _ stride: Int, padding: Int = 0, ceil: Bool = false) -> ModuleTree {
        leaf("MaxPool2d", ["kernel_size": .int(kernel), "stride": .int(stride), "padding": .int(padding), "dilation": .int(1), "ceil_mode": .bool(ceil)])
    }

    /// `nn.AdaptiveAvgPool2d(side)`.
    static func adaptiveAvgPool(_ side: Int) -> ModuleTree {
        leaf("AdaptiveAvgPool2d", ["output_size": .tuple([.int(side), .int(side)])])
    }

    /// `nn.Dropout(p)` (identity in eval); without p (the keys do not tell it) no node is made of it.
    static func dropout(_ p: Double?) -> ModuleTree { leaf("Dropout", p.map { ["p": .float($0)] } ?? [:]) }

    /// torchvision's `Conv2dNormActivation`: conv at `path.0`, BatchNorm at `path.1`, then
    /// `activation` (nil: none), and the block's output width.
    func convNormActivation(_ path: String, input: Int?, stride: Int = 1, eps: Double = 1e-5, activation: String?,
                            className: String = "Conv2dNormActivation") throws -> (tree: ModuleTree, out: Int) {
        let conv = try conv(path + ".0", input: input, stride: stride)
        var layers = [conv.tree, try batchNorm(path + ".1", eps: eps)]
        if let activation { layers.append(Self.leaf(activation)) }
        return (Self.sequential(layers, className: className), conv.out)
    }
}
