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
// ONNXExporter writes it) a channel shuffle; other Reshapes must be flattens.

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
private struct GraphTranslation {
    enum Value {
        /// Output of Shears node `index`; `rank` per sample (3 feature map, 1 vector).
        case node(Int, rank: Int)
        case constant(ONNXConstant)
        /// Node `index`'s `[C, H, W]` viewed as `[groups, C/groups, H, W]` (`transposed`: the
        /// first two axes swapped): the first steps of a channel shuffle.
        case grouped(Int, groups: Int, transposed: Bool)
    }

    let proto: Onnx_GraphProto
    let path: String
    var values: [String: Value] = [:]
    var builder = GraphBuilder()
    var stateDict = StateDict()
    var usedNames: Set<String> = ["input"]

    init(model: Onnx_ModelProto, path: String) throws {
        proto = model.graph
        self.path = path
        for tensor in proto.initializer { values[tensor.name] = .constant(try ONNXFile.decode(tensor, path: path)) }
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
        let file = path
        func fail(_ reason: String) -> NNError { .unsupported(path: file, reason: "node '\(node.name)' (\(node.opType)): \(reason)") }
        // The inputs ONNX requires of each op (a Constant none, most ops one), and one output.
        let required = ["Conv": 2, "Gemm": 2, "MatMul": 2, "Add": 2, "Mul": 2, "BatchNormalization": 5][node.opType] ?? (node.opType == "Constant" ? 0 : 1)
        guard node.input.count >= required, !node.output.isEmpty else {
            throw fail("has \(node.input.count) inputs and \(node.output.count) outputs; it needs \(required) and at least 1")
        }
        let attributes = Dictionary(node.attribute.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        func ints(_ name: String) -> [Int]? { attributes[name].map { $0.ints.map(Int.init) } }
        func int(_ name: String, _ fallback: Int) -> Int { attributes[name].map { Int($0.i) } ?? fallback }
        func float(_ name: String, _ fallback: Float) -> Float { attributes[name].map(\.f) ?? fallback }
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
        let window = try windowAttributes(ints, fail)

        switch node.opType {
        case "Constant":
            guard let tensor = attributes["value"]?.t else { throw fail("only tensor-valued constants are supported") }
            values[node.output[0]] = .constant(try ONNXFile.decode(tensor, path: path))
        case "Identity", "Dropout":
            if case .constant(let c)? = values[node.input[0]] { values[node.output[0]] = .constant(c) } else { pass(try graphInput(0)) }
        case "Conv":
            let x = try graphInput(0)
            guard let weight = try constant(1), let w = weight.floats, weight.dims.count == 4 else { throw fail("needs a constant 4-D weight") }
            let name = emit(.conv2d(Conv2dAttributes(stride: window.stride, padding: window.padding, paddingEnd: window.paddingEnd,
                                                     dilation: window.dilation, groups: int("group", 1))),
                            [x.index], rank: 3, parameterName: node.input[1])
            let bias = try constant(2)
            try setParameters(of: name, weight: Tensor(shape: weight.dims, scalars: w), bias: bias, fail)
        case "BatchNormalization":
            let x = try graphInput(0)
            let parts = try (1...4).map { k -> [Float] in
                guard let c = try constant(k), let f = c.floats else { throw fail("needs constant scale, bias, mean and variance") }
                return f
            }
            let index = emit(.batchNorm(eps: float("epsilon", 1e-5)), [x.index], rank: 3, parameterName: node.input[1])
            let name = builder.nodes[index].name
            for (suffix, part) in zip(["weight", "bias", "running_mean", "running_var"], parts) {
                stateDict.setTensor("\(name).\(suffix)", Tensor(shape: [part.count], scalars: part))
            }
        case "Relu": try elementwise(.relu)
        case "Sigmoid": try elementwise(.sigmoid)
        case "HardSwish": try elementwise(.hardSwish)
        case "HardSigmoid": try elementwise(.hardSigmoid(alpha: float("alpha", 0.2), beta: float("beta", 0.5)))
        case "LeakyRelu": try elementwise(.leakyRelu(slope: float("alpha", 0.01)))
        case "Clip":
            let lower = try constant(1)?.floats?.first ?? float("min", -.greatestFiniteMagnitude)
            let upper = try constant(2)?.floats?.first ?? float("max", .greatestFiniteMagnitude)
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
            guard int("axis", 1) == 1 || int("axis", 1) == -3 else { throw fail("concatenates along axis \(int("axis", 1)); only channels (1)") }
            _ = emit(.concat, try node.input.indices.map { try graphInput($0).index }, rank: 3)
        case "MaxPool", "AveragePool":
            let x = try graphInput(0)
            guard let kernel = ints("kernel_shape"), kernel.count == 2 else { throw fail("needs a 2-D kernel_shape") }
            let a = Pool2dAttributes(kernel: Size2(kernel[0], kernel[1]), stride: window.stride, padding: window.padding, paddingEnd: window.paddingEnd,
                                     dilation: window.dilation, ceilMode: int("ceil_mode", 0) != 0, countIncludePad: int("count_include_pad", 0) != 0)
            _ = emit(node.opType == "MaxPool" ? .maxPool(a) : .avgPool(a), [x.index], rank: 3)
        case "GlobalAveragePool":
            _ = emit(.adaptiveAvgPool(Size2(1)), [try graphInput(0).index], rank: 3)
        case "ReduceMean":
            let x = try graphInput(0)
            let axes = Set((try constant(1)?.integers).map { $0.map(Int.init) } ?? ints("axes") ?? [])
            guard x.rank == 3, axes == [2, 3] || axes == [-1, -2] else { throw fail("averages over axes \(axes.sorted()); only H and W (2, 3)") }
            let pool = emit(.adaptiveAvgPool(Size2(1)), [x.index], rank: 3)
            if int("keepdims", 1) == 0 { _ = emit(.flatten, [pool], rank: 1) }
        case "Reshape" where node.input.count == 2:
            // view(N, g, C/g, H, W) → transpose(1, 2) → view(N, C, H, W): a channel shuffle.
            let shape = try constant(1)?.integers ?? []
            if case .grouped(let index, let groups, true)? = values[node.input[0]], shape.count == 4 {
                _ = emit(.channelShuffle(groups: groups), [index], rank: 3)
            } else if shape.count == 5, case .node(let index, 3)? = values[node.input[0]] {
                values[node.output[0]] = .grouped(index, groups: Int(shape[1]), transposed: false)
            } else {
                guard shape.count == 2 else { throw fail("only a reshape to [batch, features] (a flatten) or a channel shuffle is supported") }
                let x = try graphInput(0)
                if x.rank == 1 { pass(x) } else { _ = emit(.flatten, [x.index], rank: 1) }
            }
        case "Transpose":
            guard case .grouped(let index, let groups, false)? = values[node.input[0]], ints("perm") == [0, 2, 1, 3, 4] else {
                throw fail("only the transpose of a channel shuffle (a [N, g, C/g, H, W] view, perm [0, 2, 1, 3, 4]) is supported")
            }
            values[node.output[0]] = .grouped(index, groups: groups, transposed: true)
        case "Split":
            let x = try graphInput(0)
            guard int("axis", 0) == 1 || int("axis", 0) == -3, x.rank == 3, let channels = currentChannels(of: x.index) else {
                throw fail("only a split of a feature map's channels (axis 1) is supported")
            }
            let outputs = node.output.count
            // Without split sizes (num_outputs), torch.chunk's: ceil(C / n) each, the rest last.
            let chunk = (channels + outputs - 1) / outputs
            let sizes = try constant(1)?.integers.map { $0.map(Int.init) } ?? (0..<outputs).map { min(chunk, channels - $0 * chunk) }
            guard sizes.count == outputs, sizes.reduce(0, +) == channels, sizes.allSatisfy({ $0 > 0 }) else {
                throw fail("split sizes \(sizes) do not cover \(channels) channels")
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
            guard int("axis", 0) == 1, x.rank == 3, let indices = try constant(1)?.integers.map({ $0.map(Int.init) }),
                  let channels = currentChannels(of: x.index) else {
                throw fail("only a gather of a feature map's channels (axis 1, constant indices) is supported")
            }
            if let first = indices.first, indices == Array(first..<(first + indices.count)), first >= 0, first + indices.count <= channels {
                _ = emit(.channelSlice(start: first, count: indices.count), [x.index], rank: 3)
            } else if let groups = (2...max(2, channels)).first(where: { g in
                channels % g == 0 && indices == (0..<channels).map { k in (k % g) * (channels / g) + k / g }
            }) {
                _ = emit(.channelShuffle(groups: groups), [x.index], rank: 3)
            } else {
                throw fail("the channel indices are neither a range nor a channel shuffle")
            }
        case "Slice":
            let x = try graphInput(0)
            let starts = try constant(1)?.integers ?? [], ends = try constant(2)?.integers ?? []
            let axes = try constant(3)?.integers ?? [0], steps = try constant(4)?.integers ?? [1]
            guard x.rank == 3, axes == [1] || axes == [-3], steps == [1], starts.count == 1, ends.count == 1,
                  let channels = currentChannels(of: x.index) else {
                throw fail("only a slice of a feature map's channels (axis 1, step 1, constant bounds) is supported")
            }
            let clamp = { (v: Int64) -> Int in Int(min(max(v < 0 ? v + Int64(channels) : v, 0), Int64(channels))) }
            let (begin, end) = (clamp(starts[0]), clamp(ends[0]))
            guard end > begin else { throw fail("the slice [\(begin), \(end)) of \(channels) channels is empty") }
            _ = emit(.channelSlice(start: begin, count: end - begin), [x.index], rank: 3)
        case "Flatten", "Reshape":
            let x = try graphInput(0)
            if node.opType == "Reshape" {
                throw fail("needs a constant target shape")
            } else if int("axis", 1) != 1 {
                throw fail("flattens from axis \(int("axis", 1)); only 1")
            }
            if x.rank == 1 { pass(x) } else { _ = emit(.flatten, [x.index], rank: 1) }
        case "Gemm", "MatMul":
            let x = try graphInput(0)
            guard x.rank == 1, int("transA", 0) == 0, let b = try constant(1), let values = b.floats, b.dims.count == 2 else {
                throw fail("needs a [batch, features] input and a constant 2-D weight")
            }
            // Shears keeps torch's [out, in]: Gemm transB=1 stores that; otherwise B is [in, out].
            let transposed = node.opType == "Gemm" && int("transB", 0) != 0
            let (rows, columns) = transposed ? (b.dims[0], b.dims[1]) : (b.dims[1], b.dims[0])
            let alpha = node.opType == "Gemm" ? float("alpha", 1) : 1
            let weight = (0..<(rows * columns)).map { k -> Float in
                let (o, i) = (k / columns, k % columns)
                return alpha * (transposed ? values[k] : values[i * rows + o])
            }
            let index = emit(.linear, [x.index], rank: 1, parameterName: node.input[1])
            let beta = node.opType == "Gemm" ? float("beta", 1) : 1
            var bias = try constant(2)
            if let b = bias?.floats { bias?.floats = b.map { $0 * beta } }
            try setParameters(of: index, weight: Tensor(shape: [rows, columns], scalars: weight), bias: bias, fail)
        default:
            throw fail("unsupported operator (Shears reads Conv, BatchNormalization, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Add, Mul, Concat, Split, Slice, Gather, MaxPool, AveragePool, GlobalAveragePool, ReduceMean, Flatten, Reshape, Transpose, Gemm, MatMul, Dropout, Identity, Constant)")
        }
    }

    /// Output channels of the node `index` emitted so far.
    private func currentChannels(of index: Int) -> Int? {
        Model(architecture: "onnx", graph: builder.graph, stateDict: stateDict).outputChannels(of: index)
    }

    /// Stride, pads (begin, end) and dilations of a Conv or pool node; `auto_pad` other than NOTSET is refused.
    private func windowAttributes(_ ints: (String) -> [Int]?, _ fail: (String) -> NNError) throws
        -> (stride: Size2, padding: Size2, paddingEnd: Size2, dilation: Size2) {
        let strides = ints("strides") ?? [1, 1], dilations = ints("dilations") ?? [1, 1], pads = ints("pads") ?? [0, 0, 0, 0]
        guard strides.count == 2, dilations.count == 2, pads.count == 4 else { throw fail("only 2-D windows are supported") }
        return (Size2(strides[0], strides[1]), Size2(pads[0], pads[1]), Size2(pads[2], pads[3]), Size2(dilations[0], dilations[1]))
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
    private mutating func uniqueName(_ node: Onnx_NodeProto, parameterName: String?) -> String {
        var base = Self.modulePath(node, parameterName: parameterName)
        if base.isEmpty { base = node.name.isEmpty ? node.opType : node.name }
        var name = base, k = 1
        while usedNames.contains(name) { k += 1; name = "\(base)#\(k)" }
        usedNames.insert(name)
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

    /// Scope segments as one dotted path: a segment that already extends the path replaces it.
    fileprivate static func joinScopes<S: Sequence>(_ segments: S) -> String where S.Element == String {
        segments.reduce("") { path, segment in
            segment.isEmpty ? path : path.isEmpty || segment.hasPrefix(path + ".") ? segment : "\(path).\(segment)"
        }
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
