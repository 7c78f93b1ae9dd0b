// TorchExportTranslation: the state of turning one ExportedProgram graph into a Shears graph:
// what each torch value has become (a node, a parameter, a step of a channel shuffle, a
// channel slice not yet used), the nodes and their names, and the final checks. The ops
// themselves are in TorchExportTranslation+Ops.swift.
//
// Names: a parametric layer is named after the module owning its weight (`features.0.weight`
// → `features.0`), so its tensors keep their state-dict keys; a module whose parameters two
// nodes read (a module called twice) is refused. Any other node is named after the innermost
// module in its `nn_module_stack`: the module itself when it is a torch layer (`layer1.0.relu`),
// else the module path and torch's node name (`layer1.0.add_`, `add` at the top); repeats get
// `#2`, `#3`.

import NNCore

struct TorchExportTranslation {
    /// What a torch value (a placeholder or a node output, by name) is in the Shears graph.
    enum Value {
        /// The output of Shears node `index`.
        case node(Int)
        /// A parameter, buffer or constant: the state-dict key.
        case parameter(String)
        /// A 2-D parameter transposed (`aten.t`, `permute(w, [1, 0])`): addmm's weight.
        case transposedParameter(String)
        /// Node `index`'s `[N, C, H, W]` viewed as `[N, groups, C/groups, H, W]` (`transposed`:
        /// axes 1 and 2 swapped): the first steps of a channel shuffle.
        case grouped(Int, groups: Int, transposed: Bool)
        /// Channels `start ..< start + count` of node `index` (chunk/split), emitted as
        /// `name` when first read.
        case slice(Int, start: Int, count: Int, name: String)
        /// Node `index`'s `[N, C, H, W]` permuted to channels-last `[N, H, W, C]` (permute
        /// `[0, 2, 3, 1]`): ConvNeXt's layout around its LayerNorm and per-position Linears.
        /// LayerNorm over the last dim, Linear, element-wise activations and dropout keep it
        /// (as Shears ops on the NCHW map); the permute `[0, 3, 1, 2]` back makes it `.node`
        /// again; any other op reading it is refused.
        case channelsLast(Int)
        /// Node `index`'s channels-last map of `height` x `width` flattened to rows of channels
        /// `[N·H·W, C]` (view): the core ATen form of a Linear on it is view → addmm → view back.
        case positions(Int, height: Int, width: Int)
        /// A piece of a decomposed hardswish or hardsigmoid of node `index`, not yet finished
        /// (TorchExportTranslation+HardActivations.swift).
        case hardPart(Int, HardStage)
        /// An output Shears does not compute (batch norm's saved statistics, pool indices).
        case unused
    }

    let path: String
    let graph: SerializedGraph
    let tensors: [String: StoredTensor]
    /// Parameter, buffer and constant keys in the graph signature's order.
    let stateKeys: [String]
    /// The image input's batch size and per-sample size `[C, H, W]`, as exported.
    let batch: Int
    let input: [Int]
    var values: [String: Value] = [:]
    var builder = GraphBuilder()
    var usedNames: Set<String> = ["input"]
    /// Per base name, the last `#k` suffix `uniqueName` gave it, so naming stays linear.
    var lastSuffix: [String: Int] = [:]
    /// The torch tensor each Shears node computes, for the final shape check.
    var computes: [Int: String] = [:]
    /// How torch lays out a node's tensor, where not NCHW (see `Value.channelsLast`, `.positions`).
    enum Layout: Equatable { case nchw, channelsLast, positions(height: Int, width: Int) }
    var layouts: [Int: Layout] = [:]

    init(program: SerializedProgram, tensors: [String: StoredTensor], path: String) throws {
        self.path = path
        self.graph = program.graph_module.graph
        self.tensors = tensors
        var stateKeys: [String] = [], image: String?
        for spec in program.graph_module.signature.input_specs {
            guard let placeholder = spec.placeholder else {
                throw NNError.unsupported(path: path, reason: "graph input of kind '\(spec.kind)'; Shears reads programs whose inputs are one image and the model's tensors")
            }
            if spec.kind == "user_input" {
                guard image == nil else {
                    throw NNError.unsupported(path: path, reason: "the program takes more than one input ('\(image ?? "")', '\(placeholder)'); Shears runs one image input")
                }
                image = placeholder
                values[placeholder] = .node(0)
                continue
            }
            guard let key = spec.target, tensors[key] != nil else {
                throw NNError.malformed(path: path, reason: "graph input '\(placeholder)' (\(spec.kind) '\(spec.target ?? "")') has no tensor in the archive's weights or constants")
            }
            values[placeholder] = .parameter(key)
            stateKeys.append(key)
        }
        self.stateKeys = stateKeys
        let outputs = program.graph_module.signature.output_specs.map(\.kind)
        guard outputs == ["user_output"] else {
            throw NNError.unsupported(path: path, reason: "the program's outputs are [\(outputs.prefix(4).joined(separator: ", "))]; Shears runs one output and no buffer mutations (export after model.eval())")
        }
        guard let image, let meta = graph.tensor_values[image] else {
            throw NNError.unsupported(path: path, reason: "the program has no image input with recorded sizes; export with an example input such as torch.randn(1, 3, 32, 32)")
        }
        let layout = try TensorLayout(meta, what: "the input '\(image)'", path: path)
        guard layout.dtype == .float32, layout.shape.count == 4, layout.shape.allSatisfy({ (1...ShapeInference.maximumDimension).contains($0) }) else {
            throw NNError.unsupported(path: path, reason: "the program's input '\(image)' is \(layout.dtype.rawValue) \(layout.shape.prefix(8)), not a float32 image batch [N, C, H, W] with sizes 1 to \(ShapeInference.maximumDimension); export with an example input such as torch.randn(1, 3, 32, 32)")
        }
        batch = layout.shape[0]
        input = Array(layout.shape.dropFirst())
    }

    /// The Shears model and the exported per-sample input size.
    mutating func model() throws -> (model: Model, input: [Int]) {
        for node in graph.nodes { try translate(node) }
        guard graph.outputs.count == 1, let name = graph.outputs[0].tensor?.name, let value = values[name] else {
            throw NNError.unsupported(path: path, reason: "the program's output is not one tensor computed from the input image")
        }
        var output = try read(value, tensor: name)
        if output != builder.nodes.count - 1 || output == 0 {
            output = builder.add(uniqueName("output"), .identity, output)
            computes[output] = name
        }
        var stateDict = StateDict()
        for key in stateKeys { stateDict[key] = tensors[key] }
        let model = Model(architecture: "torch.export", graph: builder.graph, stateDict: stateDict)
        try checkShapes(of: model)
        return (model, input)
    }

    /// Every node's shape at the exported input size must be the shape torch recorded for the
    /// tensor it computes.
    private func checkShapes(of model: Model) throws {
        let shapes: [[Int]]
        do {
            shapes = try ShapeInference(model: model, input: input).shapes
        } catch NNError.shapeMismatch(let node, let reason) {
            throw NNError.malformed(path: path, reason: "layer '\(node)': \(reason)")
        } catch NNError.overBudget(let what, let detail, let bytes, let limit) {
            throw NNError.overBudget(path: path, what: "\(what): \(detail)", bytes: bytes, limit: limit)
        }
        for (index, tensor) in computes.sorted(by: { $0.key < $1.key }) {
            let recorded = try shape(of: tensor)
            let s = shapes[index]
            var computed = [batch] + s
            switch layouts[index] ?? .nchw {
            case .nchw: break
            case .channelsLast where s.count == 3: computed = [batch, s[1], s[2], s[0]]
            case .positions where s.count == 3: computed = [[batch, s[1], s[2]].checkedProduct ?? -1, s[0]]
            default: computed = []
            }
            guard recorded == computed else {
                throw NNError.malformed(path: path, reason: "layer '\(model.graph.nodes[index].name)' computes \(computed) where torch recorded \(recorded) for '\(tensor)'")
            }
        }
    }

    // MARK: Values

    /// The Shears node holding `value` (the torch tensor `tensor`), emitting a pending channel slice.
    mutating func read(_ value: Value, tensor: String) throws -> Int {
        switch value {
        case .node(let index): return index
        case .slice(let source, let start, let count, let name):
            let index = builder.add(name, .channelSlice(start: start, count: count), source)
            computes[index] = tensor
            values[tensor] = .node(index)
            return index
        default:
            throw NNError.unsupported(path: path, reason: "tensor '\(tensor)' is read as a feature map but is \(describe(value))")
        }
    }

    func describe(_ value: Value) -> String {
        switch value {
        case .node, .slice: return "a feature map"
        case .parameter(let key), .transposedParameter(let key): return "the model's tensor '\(key)'"
        case .grouped: return "a 5-D view of a feature map (a channel shuffle's first steps)"
        case .channelsLast: return "a feature map permuted to channels-last [N, H, W, C]"
        case .positions: return "a channels-last feature map viewed as rows of channels [N·H·W, C]"
        case .hardPart: return "part of a decomposed hardswish or hardsigmoid (x + 3 clamped to [0, 6], times x, divided by 6) that does not continue it"
        case .unused: return "an output Shears does not compute"
        }
    }

    /// The sizes torch recorded for `tensor`, all concrete.
    func shape(of tensor: String) throws -> [Int] {
        guard let meta = graph.tensor_values[tensor] else {
            throw NNError.malformed(path: path, reason: "tensor '\(tensor)' has no entry in the graph's tensor_values")
        }
        let shape = meta.sizes.compactMap(\.as_int)
        guard shape.count == meta.sizes.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw NNError.unsupported(path: path, reason: "tensor '\(tensor)' has symbolic or negative sizes; export with static shapes (no dynamic_shapes)")
        }
        return shape
    }

    // MARK: Names

    /// `base`, or `base#k` for the smallest k not yet taken.
    mutating func uniqueName(_ base: String) -> String {
        var name = base, k = lastSuffix[base] ?? 1
        while usedNames.contains(name) { k += 1; name = "\(base)#\(k)" }
        usedNames.insert(name)
        lastSuffix[base] = k
        return name
    }

    /// The name of a non-parametric node (see the file comment).
    mutating func layerName(_ node: SerializedNode) -> String {
        let own = node.name ?? node.outputs.first?.tensor?.name ?? node.target
        guard let stack = node.metadata?["nn_module_stack"], let last = stack.split(separator: ";").last else { return uniqueName(own) }
        // "key,path,type": the key has no comma; the type is after the last one.
        let fields = last.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        guard fields.count == 2, let comma = fields[1].lastIndex(of: ",") else { return uniqueName(own) }
        let module = String(fields[1][..<comma]), type = fields[1][fields[1].index(after: comma)...]
        if module.isEmpty { return uniqueName(own) }
        return uniqueName(type.hasPrefix("torch.nn.modules.") ? module : "\(module).\(own)")
    }
}
