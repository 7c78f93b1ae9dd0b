// ONNXImporter: an ONNX graph (either torch exporter) as a Shears Model. Node order is
// re-derived (Kahn's algorithm), so an unsorted file still loads, and a cycle or an input
// no node or initializer produces is an error naming the node. Constants (initializers,
// `Constant` nodes) are folded into parameters and attributes; every other value is a graph
// node. Layer names are PyTorch module paths where the file carries them: the parameter's
// own name (`cnn.0.weight` → `cnn.0`, the default exporter), else the node's
// `pkg.torch.onnx.name_scopes` metadata, else the scope path in the node name
// (`/layer1/layer1.0/conv1/Conv` → `layer1.0.conv1`, the TorchScript exporter).
// Both exporters fold BatchNorm into the conv before it, so their parameter counts are
// the folded ones. A channel split (Split, or Slice on axis 1) becomes channel slices, and
// ShuffleNet's view → transpose → view (or a Gather of the permuted channels, as
// ONNXExporter writes it) a channel shuffle; other Reshapes must be flattens. Every attribute
// an op reads goes through ONNXAttributes (declared type, range, auto_pad), and every constant
// input is checked for its type and size, so that a bad value is refused naming the node;
// the decoded constants together are held to the MemoryBudget. Naming and channel lookups
// stay linear in the number of nodes.

import NNCore
import Foundation
import ONNXProto

/// Builds Models from `.onnx` files.
public enum ONNXImporter {
    /// The model in the ONNX file at `path` (external data read from beside it).
    public static func load(path: String) throws -> Model {
        try model(of: try ONNXFile.read(path: path), path: path)
    }

    /// The model `proto` describes, read from `path` (external data is looked up beside it).
    static func model(of proto: Onnx_ModelProto, path: String) throws -> Model {
        var translation = try GraphTranslation(model: proto, path: path)
        return try translation.model()
    }

    /// The module path in a TorchScript-exporter node name: `/layer1/layer1.0/conv1/Conv` →
    /// `layer1.0.conv1` (the segments before the op; "" for a top-level node like `/Reshape`).
    static func modulePath(nodeName: String) -> String {
        guard nodeName.hasPrefix("/") else { return "" }
        return GraphTranslation.joinScopes(nodeName.split(separator: "/").dropLast().map(String.init))
    }
}

/// The state of one translation: values seen so far, nodes and parameters emitted.
struct GraphTranslation {
    enum Value {
        /// Output of Shears node `index`; `rank` per sample (3 feature map, 1 vector).
        case node(Int, rank: Int)
        case constant(ONNXConstant)
        /// Node `index`'s `[C, H, W]` viewed as `[groups, C/groups, H, W]` (`transposed`: the
        /// first two axes swapped): the first steps of a channel shuffle.
        case grouped(Int, groups: Int, transposed: Bool)
        /// Node `index`'s `[C, H, W]` viewed channels-last, `[H, W, C]`, and two more steps of
        /// ConvNeXt's forms (ONNXImporter+LayerNorm.swift).
        case channelsLast(Int)
        case geluPart(GELUPart)
        /// Node `index` (a global average pool) reshaped to `[-1]` (for a batch of one).
        case flatBatch(Int)
    }

    let proto: Onnx_GraphProto
    let path: String
    var values: [String: Value] = [:]
    var builder = GraphBuilder()
    var stateDict = StateDict()
    var usedNames: Set<String> = ["input"]
    /// Per base name, the last `#k` suffix `uniqueName` gave it, so naming stays linear.
    var lastSuffix: [String: Int] = [:]
    /// Channel counts of emitted nodes found so far (`Model.outputChannels(of:known:)`).
    var knownChannels: [Int: Int] = [:]
    /// Bytes of the constants decoded so far (4 a float, 8 an integer), held to the budget.
    var constantBytes = 0

    init(model: Onnx_ModelProto, path: String) throws {
        proto = model.graph
        self.path = path
        for tensor in proto.initializer { values[tensor.name] = .constant(try decode(tensor)) }
        let inputs = proto.input.filter { values[$0.name] == nil }
        guard inputs.count == 1 else {
            throw NNError.unsupported(path: path, reason: "the graph has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); Shears runs one image input")
        }
        values[inputs[0].name] = .node(0, rank: 3)
    }

    mutating func model() throws -> Model {
        for node in try sortedNodes() { try translate(node) }
        guard let outputName = proto.output.first?.name, case .node(let output, _)? = values[outputName] else {
            throw NNError.malformed(path: path, reason: "the graph output '\(proto.output.first?.name ?? "")' is not computed from the input")
        }
        return Model(architecture: "onnx", graph: Self.keepingAncestors(of: output, in: builder.graph), stateDict: stateDict)
    }

    /// Nodes in an order where every input is produced first (Kahn's algorithm over the
    /// values that nodes produce; file order among nodes that are ready together).
    private func sortedNodes() throws -> [Onnx_NodeProto] {
        let nodes = proto.node
        var producer: [String: Int] = [:]
        for (k, node) in nodes.enumerated() { for output in node.output where !output.isEmpty { producer[output] = k } }
        var waiting = [Int](repeating: 0, count: nodes.count), readers = [[Int]](repeating: [], count: nodes.count)
        for (k, node) in nodes.enumerated() {
            for input in node.input where !input.isEmpty && values[input] == nil {
                guard let source = producer[input] else {
                    throw NNError.malformed(path: path, reason: "node '\(node.name)' (\(node.opType)): input '\(input)' is produced by no node or initializer")
                }
                waiting[k] += 1
                readers[source].append(k)
            }
        }
        var order = nodes.indices.filter { waiting[$0] == 0 }, next = 0
        while next < order.count {
            for reader in readers[order[next]] {
                waiting[reader] -= 1
                if waiting[reader] == 0 { order.append(reader) }
            }
            next += 1
        }
        if let stuck = nodes.indices.first(where: { waiting[$0] > 0 }) {
            let node = nodes[stuck]
            let input = node.input.first { producer[$0].map { waiting[$0] > 0 } ?? false } ?? ""
            throw NNError.malformed(path: path, reason: "node '\(node.name)' (\(node.opType)): input '\(input)' is never ready: its producers depend on themselves (a cycle)")
        }
        return order.map { nodes[$0] }
    }

    // MARK: Operators

    private mutating func translate(_ node: Onnx_NodeProto) throws {
        let attributes = try ONNXAttributes(of: node, path: path)
        let fail = attributes.unsupported, invalid = attributes.invalid
        // The inputs ONNX requires of each op (a Constant none, most ops one), and one output.
        let required = ["Conv": 2, "Gemm": 2, "MatMul": 2, "Add": 2, "Mul": 2, "BatchNormalization": 5][node.opType] ?? (node.opType == "Constant" ? 0 : 1)
        guard node.input.count >= required, !node.output.isEmpty else {
            throw fail("has \(node.input.count) inputs and \(node.output.count) outputs; it needs \(required) and at least 1")
        }
        if try translateLayout(node, attributes) { return }
        func graphInput(_ k: Int) throws -> (index: Int, rank: Int) {
            guard k < node.input.count, case .node(let index, let rank)? = values[node.input[k]] else {
                throw fail("input \(k) must be computed from the image, not a constant")
            }
            return (index, rank)
        }
        func constant(_ k: Int) throws -> ONNXConstant? {
            guard k < node.input.count, !node.input[k].isEmpty else { return nil }
            guard case .constant(let c)? = values[node.input[k]] else { throw fail("input \(k) ('\(node.input[k])') must be a constant") }
            return c
        }
        /// The integers of constant input `k` (or of the attribute `name`, older opsets' form).
        func integers(_ k: Int, or name: String? = nil) throws -> [Int]? {
            if let c = try constant(k) {
                guard let values = c.integers else { throw invalid("input \(k) ('\(node.input[k])') must hold integers") }
                return values.map(Int.init)
            }
            return try name.flatMap(attributes.ints)
        }
        func emit(_ op: Op, _ inputs: [Int], rank: Int, parameterName: String? = nil) -> Int {
            let index = builder.add(uniqueName(node, parameterName: parameterName), op, inputs: inputs)
            values[node.output[0]] = .node(index, rank: rank)
            return index
        }
        func pass(_ input: (index: Int, rank: Int)) { values[node.output[0]] = .node(input.index, rank: input.rank) }
        func elementwise(_ op: Op) throws {
            let x = try graphInput(0)
            _ = emit(op, [x.index], rank: x.rank)
        }
        /// `axis` (default `fallback`) once it is 1 or, counted from the end of NCHW, −3.
        func channelAxis(_ fallback: Int, _ what: String) throws {
            let axis = try attributes.int("axis", fallback, in: Int.min...Int.max)
            guard axis == 1 || axis == -3 else { throw fail("\(what) along axis \(axis); only channels (1)") }
        }

        switch node.opType {
        case "Constant":
            guard let tensor = try attributes.tensor("value") else { throw fail("only tensor-valued constants are supported") }
            values[node.output[0]] = .constant(try decode(tensor))
        case "Identity", "Dropout":
            if case .constant(let c)? = values[node.input[0]] { values[node.output[0]] = .constant(c) } else { pass(try graphInput(0)) }
        case "Conv":
            let x = try graphInput(0)
            guard let weight = try constant(1), let w = weight.floats, weight.dims.count == 4, weight.dims.allSatisfy({ $0 >= 1 }) else {
                throw fail("needs a constant 4-D float weight, every size at least 1")
            }
            let kernel = Size2(weight.dims[2], weight.dims[3])
            if let shape = try attributes.kernelShape(), shape != kernel {
                throw invalid("kernel_shape [\(shape.h), \(shape.w)] does not match the weight's \(weight.dims)")
            }
            let groups = try attributes.int("group", 1, in: 1...Int.max)
            guard weight.dims[0] % groups == 0 else { throw invalid("group \(groups) does not divide the weight's \(weight.dims[0]) output channels") }
            let window = try attributes.window()
            let name = emit(.conv2d(Conv2dAttributes(stride: window.stride, padding: window.padding, paddingEnd: window.paddingEnd,
                                                     dilation: window.dilation, groups: groups)),
                            [x.index], rank: 3, parameterName: node.input[1])
            let bias = try constant(2)
            try setParameters(of: name, weight: Tensor(shape: weight.dims, scalars: w), bias: bias, fail)
        case "BatchNormalization":
            let x = try graphInput(0)
            let eps = try attributes.float("epsilon", 1e-5)
            guard eps >= 0 else { throw invalid("epsilon \(eps) is negative") }
            guard try !attributes.flag("training_mode") else { throw fail("training_mode 1 normalises with the batch's statistics; Shears runs inference") }
            guard try attributes.int("spatial", 1, in: 0...1) == 1 else { throw fail("spatial 0 (statistics per element) is not supported") }
            let parts = try (1...4).map { k -> [Float] in
                guard let c = try constant(k), let f = c.floats else { throw fail("needs constant scale, bias, mean and variance") }
                guard c.dims.count == 1, !f.isEmpty else { throw invalid("input \(k) has dims \(c.dims); it must hold one value per channel") }
                return f
            }
            guard parts.allSatisfy({ $0.count == parts[0].count }) else {
                throw invalid("scale, bias, mean and variance hold \(parts.map(\.count)) values; each must be one per channel")
            }
            let index = emit(.batchNorm(eps: eps), [x.index], rank: 3, parameterName: node.input[1])
            let name = builder.nodes[index].name
            for (suffix, part) in zip(["weight", "bias", "running_mean", "running_var"], parts) {
                stateDict.setTensor("\(name).\(suffix)", Tensor(shape: [part.count], scalars: part))
            }
        case "Relu": try elementwise(.relu)
        case "Sigmoid": try elementwise(.sigmoid)
        case "HardSwish": try elementwise(.hardSwish)
        case "HardSigmoid": try elementwise(.hardSigmoid(alpha: try attributes.float("alpha", 0.2), beta: try attributes.float("beta", 0.5)))
        case "LeakyRelu": try elementwise(.leakyRelu(slope: try attributes.float("alpha", 0.01)))
        case "Clip":
            /// The bound of constant input `k`, else of the attribute `name` (opset < 11).
            func bound(_ k: Int, _ name: String, _ fallback: Float) throws -> Float {
                guard let c = try constant(k) else { return try attributes.float(name, fallback, infinite: true) }
                guard let f = c.floats, f.count == 1, !f[0].isNaN else { throw invalid("input \(k) ('\(node.input[k])') is not a float scalar") }
                return f[0]
            }
            let lower = try bound(1, "min", -.greatestFiniteMagnitude), upper = try bound(2, "max", .greatestFiniteMagnitude)
            let op: Op = lower == 0 && upper == 6 ? .relu6 : lower == 0 && upper == .greatestFiniteMagnitude ? .relu : .clip(lower: lower, upper: upper)
            try elementwise(op)
        case "Add", "Mul":
            let a = try graphInput(0)
            if case .constant(let c)? = values[node.input[1]] {
                // A constant addend is the bias of a bias-free linear layer (MatMul + Add).
                guard node.opType == "Add", case .linear = builder.nodes[a.index].op,
                      stateDict["\(builder.nodes[a.index].name).bias"] == nil, let bias = c.floats else {
                    throw fail("a constant operand is supported only as the bias after MatMul")
                }
                stateDict.setTensor("\(builder.nodes[a.index].name).bias", Tensor(shape: [bias.count], scalars: bias))
                pass(a)
            } else {
                var (first, second) = (a, try graphInput(1))
                if node.opType == "Mul", isGate(first.index) { swap(&first, &second) }
                _ = emit(node.opType == "Add" ? .add : .mul, [first.index, second.index], rank: first.rank)
            }
        case "Concat":
            try channelAxis(1, "concatenates")
            _ = emit(.concat, try node.input.indices.map { try graphInput($0).index }, rank: 3)
        case "MaxPool", "AveragePool":
            let x = try graphInput(0)
            guard let kernel = try attributes.kernelShape() else { throw fail("needs a 2-D kernel_shape") }
            let window = try attributes.window()
            let ceilMode = try attributes.flag("ceil_mode")
            let countIncludePad = node.opType == "AveragePool" ? try attributes.flag("count_include_pad") : false
            if node.opType == "MaxPool" { _ = try attributes.int("storage_order", 0, in: 0...1) }
            let a = Pool2dAttributes(kernel: kernel, stride: window.stride, padding: window.padding, paddingEnd: window.paddingEnd,
                                     dilation: window.dilation, ceilMode: ceilMode, countIncludePad: countIncludePad)
            _ = emit(node.opType == "MaxPool" ? .maxPool(a) : .avgPool(a), [x.index], rank: 3)
        case "GlobalAveragePool":
            _ = emit(.adaptiveAvgPool(Size2(1)), [try graphInput(0).index], rank: 3)
        case "ReduceMean":
            let x = try graphInput(0)
            let keep = try attributes.int("keepdims", 1, in: 0...1) == 1
            _ = try attributes.flag("noop_with_empty_axes")
            let axes = Set(try integers(1, or: "axes") ?? [])
            guard x.rank == 3, axes == [2, 3] || axes == [-1, -2] else { throw fail("averages over axes \(axes.sorted()); only H and W (2, 3)") }
            let pool = emit(.adaptiveAvgPool(Size2(1)), [x.index], rank: 3)
            if !keep { _ = emit(.flatten, [pool], rank: 1) }
        case "Reshape":
            _ = try attributes.flag("allowzero")
            guard let shape = try integers(1) else { throw fail("needs a constant target shape") }
            // view(N, g, C/g, H, W) → transpose(1, 2) → view(N, C, H, W): a channel shuffle.
            if case .grouped(let index, let groups, true)? = values[node.input[0]], shape.count == 4 {
                _ = emit(.channelShuffle(groups: groups), [index], rank: 3)
            } else if shape.count == 5, case .node(let index, 3)? = values[node.input[0]] {
                guard shape[1] >= 1 else { throw invalid("a [N, groups, C/groups, H, W] view with \(shape[1]) groups") }
                values[node.output[0]] = .grouped(index, groups: shape[1], transposed: false)
            } else {
                // A flatten: [N or -1 or 0, F or -1], at most one -1.
                guard shape.count == 2, shape.allSatisfy({ $0 >= -1 }), shape[1] != 0, shape != [-1, -1] else {
                    throw fail("reshapes to \(shape); only a reshape to [batch, features] (a flatten) or a channel shuffle is supported")
                }
                let x = try graphInput(0)
                if x.rank == 1 { pass(x) } else { _ = emit(.flatten, [x.index], rank: 1) }
            }
        case "Transpose":
            guard case .grouped(let index, let groups, false)? = values[node.input[0]], try attributes.ints("perm") == [0, 2, 1, 3, 4] else {
                throw fail("only the transpose of a channel shuffle (a [N, g, C/g, H, W] view, perm [0, 2, 1, 3, 4]) is supported")
            }
            values[node.output[0]] = .grouped(index, groups: groups, transposed: true)
        case "Split":
            let x = try graphInput(0)
            try channelAxis(0, "splits")
            guard x.rank == 3, let channels = currentChannels(of: x.index) else {
                throw fail("only a split of a feature map's channels (axis 1) is supported")
            }
            let outputs = node.output.count
            guard try attributes.int("num_outputs", outputs, in: 1...Int.max) == outputs else {
                throw invalid("num_outputs \(try attributes.int("num_outputs", outputs, in: 1...Int.max)) but \(outputs) outputs")
            }
            // Without split sizes (num_outputs), torch.chunk's: ceil(C / n) each, the rest last.
            let chunk = (channels + outputs - 1) / outputs
            let sizes = try integers(1, or: "split") ?? (0..<outputs).map { min(chunk, channels - $0 * chunk) }
            guard sizes.count == outputs, sizes.allSatisfy({ (1...channels).contains($0) }), sizes.reduce(0, +) == channels else {
                throw invalid("split sizes \(sizes) do not cover \(channels) channels in \(outputs) parts")
            }
            var start = 0
            for (k, size) in sizes.enumerated() {
                let index = builder.add(uniqueName(node, parameterName: nil), .channelSlice(start: start, count: size), inputs: [x.index])
                values[node.output[k]] = .node(index, rank: 3)
                start += size
            }
        case "Gather":
            // Constant channel indices (what ONNXExporter writes): a shuffle's permutation or a range.
            let x = try graphInput(0)
            try channelAxis(0, "gathers")
            guard x.rank == 3, let indices = try integers(1), let channels = currentChannels(of: x.index) else {
                throw fail("only a gather of a feature map's channels (axis 1, constant indices) is supported")
            }
            guard indices.allSatisfy({ (0..<channels).contains($0) }) else {
                throw invalid("indices \(indices.count > 8 ? "\(indices.prefix(8))…" : "\(indices)") are not all within the input's \(channels) channels")
            }
            // A shuffle of g groups reads channel C/g second: that alone can tell g.
            let groups = indices.count == channels && channels > 1 && indices[1] > 0 && channels % indices[1] == 0 ? channels / indices[1] : 0
            if let first = indices.first, indices == Array(first..<(first + indices.count)) {
                _ = emit(.channelSlice(start: first, count: indices.count), [x.index], rank: 3)
            } else if groups >= 2, indices == (0..<channels).map({ k in (k % groups) * (channels / groups) + k / groups }) {
                _ = emit(.channelShuffle(groups: groups), [x.index], rank: 3)
            } else {
                throw fail("the channel indices are neither a range nor a channel shuffle")
            }
        case "Slice":
            let x = try graphInput(0)
            let starts = try integers(1) ?? [], ends = try integers(2) ?? []
            let axes = try integers(3) ?? [0], steps = try integers(4) ?? [1]
            guard x.rank == 3, axes == [1] || axes == [-3], steps == [1], starts.count == 1, ends.count == 1,
                  let channels = currentChannels(of: x.index) else {
                throw fail("only a slice of a feature map's channels (axis 1, step 1, constant bounds) is supported")
            }
            let clamp = { (v: Int) -> Int in min(max(v < 0 ? v + channels : v, 0), channels) }
            let (begin, end) = (clamp(starts[0]), clamp(ends[0]))
            guard end > begin else { throw fail("the slice [\(begin), \(end)) of \(channels) channels is empty") }
            _ = emit(.channelSlice(start: begin, count: end - begin), [x.index], rank: 3)
        case "Flatten":
            let x = try graphInput(0)
            let axis = try attributes.int("axis", 1, in: Int.min...Int.max)
            guard axis == 1 || (axis == -3 && x.rank == 3) else { throw fail("flattens from axis \(axis); only 1") }
            if x.rank == 1 { pass(x) } else { _ = emit(.flatten, [x.index], rank: 1) }
        case "Gemm", "MatMul":
            let x = try graphInput(0)
            let isGemm = node.opType == "Gemm"
            guard try !attributes.flag("transA") else { throw fail("transA 1 (a transposed input) is not supported") }
            guard x.rank == 1, let b = try constant(1), let values = b.floats, b.dims.count == 2, b.dims.allSatisfy({ $0 >= 1 }) else {
                throw fail("needs a [batch, features] input and a constant 2-D float weight")
            }
            // Shears keeps torch's [out, in]: Gemm transB=1 stores that; otherwise B is [in, out].
            let transposed = try attributes.flag("transB")
            let (rows, columns) = transposed ? (b.dims[0], b.dims[1]) : (b.dims[1], b.dims[0])
            let alpha = isGemm ? try attributes.float("alpha", 1) : 1
            let weight = (0..<(rows * columns)).map { k -> Float in
                let (o, i) = (k / columns, k % columns)
                return alpha * (transposed ? values[k] : values[i * rows + o])
            }
            let index = emit(.linear, [x.index], rank: 1, parameterName: node.input[1])
            let beta = isGemm ? try attributes.float("beta", 1) : 1
            var bias = try constant(2)
            if let b = bias?.floats { bias?.floats = b.map { $0 * beta } }
            try setParameters(of: index, weight: Tensor(shape: [rows, columns], scalars: weight), bias: bias, fail)
        default:
            throw fail("unsupported operator (Shears reads Conv, BatchNormalization, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Add, Mul, Concat, Split, Slice, Gather, MaxPool, AveragePool, GlobalAveragePool, ReduceMean, Flatten, Reshape, Transpose, Gemm, MatMul, Dropout, Identity, Constant)")
        }
    }

    /// `tensor`'s values, counted with every constant decoded before against the `MemoryBudget`
    /// (so that many tensors naming one large stretch of external data cannot add up unchecked).
    private mutating func decode(_ tensor: Onnx_TensorProto) throws -> ONNXConstant {
        let constant = try ONNXFile.decode(tensor, path: path, decodedBefore: constantBytes)
        constantBytes += constant.decodedBytes
        return constant
    }

    /// Output channels of the node `index` emitted so far.
    mutating func currentChannels(of index: Int) -> Int? {
        Model(architecture: "onnx", graph: builder.graph, stateDict: stateDict).outputChannels(of: index, known: &knownChannels)
    }

    /// Whether node `index` computes a squeeze-excite gate (its chain back to a pool is [C, 1, 1]).
    private func isGate(_ index: Int) -> Bool {
        var i = index
        while true {
            switch builder.nodes[i].op {
            case .adaptiveAvgPool(let size): return size == Size2(1)
            case .input, .maxPool, .avgPool, .concat, .add, .mul, .flatten, .linear: return false
            default: i = builder.nodes[i].inputs[0]
            }
        }
    }

    private mutating func setParameters(of index: Int, weight: Tensor, bias: ONNXConstant?, _ fail: (String) -> NNError) throws {
        let name = builder.nodes[index].name
        stateDict.setTensor("\(name).weight", weight)
        if let bias {
            guard let values = bias.floats, values.count == weight.shape[0] else { throw fail("bias \(bias.dims) does not match \(weight.shape[0]) outputs") }
            stateDict.setTensor("\(name).bias", Tensor(shape: [values.count], scalars: values))
        }
    }

    // MARK: Names

    /// The PyTorch module path of `node`, made unique within the graph.
    mutating func uniqueName(_ node: Onnx_NodeProto, parameterName: String?) -> String {
        var base = Self.modulePath(node, parameterName: parameterName)
        if base.isEmpty { base = node.name.isEmpty ? node.opType : node.name }
        var name = base, k = lastSuffix[base] ?? 1
        while usedNames.contains(name) { k += 1; name = "\(base)#\(k)" }
        usedNames.insert(name)
        lastSuffix[base] = k
        return name
    }

    static func modulePath(_ node: Onnx_NodeProto, parameterName: String?) -> String {
        if let parameterName, parameterName.hasSuffix(".weight"), !parameterName.hasPrefix("onnx::") {
            return String(parameterName.dropLast(".weight".count))
        }
        if let scopes = node.metadataProps.first(where: { $0.key == "pkg.torch.onnx.name_scopes" })?.value {
            // "['', 'cnn', 'cnn.2', 'hardtanh']": the last module scope before the op itself.
            let parts = scopes.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).components(separatedBy: ", ")
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
            return joinScopes(parts.dropLast())
        }
        return ONNXImporter.modulePath(nodeName: node.name)
    }

    /// Scope segments as one dotted path: a segment that already extends the path replaces it,
    /// and one that extends the previous segment replaces that segment (the TorchScript
    /// exporter's `/features.1.0/block/block.3/MatMul` is `features.1.0.block.3`).
    fileprivate static func joinScopes<S: Sequence>(_ segments: S) -> String where S.Element == String {
        var path = "", last = ""
        for segment in segments where !segment.isEmpty {
            if path.isEmpty || segment.hasPrefix(path + ".") {
                path = segment
            } else if segment.hasPrefix(last + "."), path.hasSuffix("." + last) {
                path = String(path.dropLast(last.count)) + segment
            } else {
                path = "\(path).\(segment)"
            }
            last = segment
        }
        return path
    }

    /// `graph` restricted to the ancestors of `output`, renumbered, so the output is last.
    static func keepingAncestors(of output: Int, in graph: Graph) -> Graph {
        var keep = Set([0, output]), stack = [output]
        while let i = stack.popLast() { for input in graph.nodes[i].inputs where keep.insert(input).inserted { stack.append(input) } }
        let kept = graph.nodes.indices.filter(keep.contains)
        let newIndex = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        return Graph(nodes: kept.map { i in
            var node = graph.nodes[i]
            node.inputs = node.inputs.map { newIndex[$0]! }
            return node
        })
    }
}
