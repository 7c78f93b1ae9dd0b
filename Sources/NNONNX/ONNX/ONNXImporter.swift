// ONNXImporter: an ONNX graph (either torch exporter) as a Shears Model. Node order is
// re-derived (Kahn's algorithm), so an unsorted file still loads, and a cycle or an input
// no node or initializer produces is an error naming the node. Constants (initializers,
// `Constant` nodes) are folded into parameters and attributes; every other value is a graph
// node, a shape computed from run-time sizes (folded where it depends on channel counts
// only: ONNXImporter+Folding), or an element-wise function of a graph node not yet matched
// to a layer (GELU's x/√2 and erf: ONNXImporter+Activations). Layers are named after their
// PyTorch module paths (ONNXImporter+Names). Both exporters fold BatchNorm into the conv
// before it, so their parameter counts are the folded ones. Every attribute an op reads goes
// through ONNXAttributes (declared type, range, auto_pad), and every constant input is
// checked for its type and size, so that a bad value is refused naming the node; the decoded
// constants together are held to the MemoryBudget. Naming and channel lookups stay linear in
// the number of nodes.
//
// The ops are translated by family, one file each, from the dispatch in `translate` (a new
// op is one `case` there and a method in its family's file): ONNXImporter+Convolution (Conv),
// +Normalization (BatchNormalization), +Pooling (MaxPool, AveragePool, GlobalAveragePool,
// ReduceMean), +Linear (Gemm, MatMul), +Reshape (Flatten, Reshape, Transpose: flattens and
// the channel shuffle's views), +Channels (Concat, Split, Slice, Gather), +Folding (Shape and
// the arithmetic on shapes), +Activations (element-wise ops and the activations they spell),
// +Gates (squeeze-excite products); +LayerNorm (ConvNeXt's channels-last forms,
// LayerNormalization, layer scale) sees each node first.

import NNCore
import ONNXProto

/// Builds Models from `.onnx` files.
public enum ONNXImporter {
    /// The model in the ONNX file at `path` (external data read from beside it).
    public static func load(path: String) throws -> Model {
        try model(of: try ONNXFile.read(path: path), path: path)
    }

    /// The image size `[C, H, W]` the file's graph input declares, nil where a side is symbolic.
    public static func declaredInput(path: String) throws -> [Int]? {
        let graph = try ONNXFile.read(path: path).graph
        let initialized = Set(graph.initializer.map(\.name))
        guard let dims = graph.input.first(where: { !initialized.contains($0.name) })?.type.tensorType.shape.dim, dims.count == 4 else { return nil }
        let sides = dims.dropFirst().compactMap { d -> Int? in
            guard case .dimValue(let v)? = d.value, (1...Int64(ShapeInference.maximumDimension)).contains(v) else { return nil }
            return Int(v)
        }
        return sides.count == 3 ? sides : nil
    }

    /// The model `proto` describes, read from `path` (external data is looked up beside it).
    static func model(of proto: Onnx_ModelProto, path: String) throws -> Model {
        var translation = try GraphTranslation(model: proto, path: path)
        return try translation.model()
    }
}

extension ONNXImporter {
    /// The state of one translation: values seen so far, nodes and parameters emitted.
    struct GraphTranslation {
        enum Value {
            /// Output of Shears node `index`; `rank` per sample (3 feature map, 1 vector).
            case node(Int, rank: Int)
            case constant(ONNXConstant)
            /// Node `index`'s `[C, H, W]` viewed as `[groups, C/groups, H, W]` (`transposed`: the
            /// first two axes swapped): the first steps of a channel shuffle.
            case grouped(Int, groups: Int, transposed: Bool)
            /// A 1-D integer tensor computed from run-time shapes (Shape → Gather → Div → …).
            case shape([Dimension])
            /// An element-wise function of a graph node that no Shears op computes on its own
            /// (yet): the views it has, and `producer` ("node 'n' (Op)") for refusals.
            case pointwise([PointwiseView], producer: String)
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
        /// For values computed element-wise and emitted as a node, the same value as functions
        /// of earlier nodes (`sigmoid(x)` for a Sigmoid of x), so that x · sigmoid(x) is SiLU.
        var views: [String: [PointwiseView]] = [:]
        var builder = GraphBuilder()
        var stateDict = StateDict()
        var usedNames: Set<String> = ["input"]
        /// Per base name, the last `#k` suffix `uniqueName` gave it, so naming stays linear.
        var lastSuffix: [String: Int] = [:]
        /// Channel counts of emitted nodes found so far (`Model.outputChannels(of:known:)`).
        var knownChannels: [Int: Int] = [:]
        /// Bytes of the constants decoded so far (4 a float, 8 an integer), held to the budget.
        var constantBytes = 0
        /// The image input's channel count where the file declares it.
        var inputChannels: Int?

        init(model: Onnx_ModelProto, path: String) throws {
            proto = model.graph
            self.path = path
            for tensor in proto.initializer { values[tensor.name] = .constant(try decode(tensor)) }
            let inputs = proto.input.filter { values[$0.name] == nil }
            guard inputs.count == 1 else {
                throw NNError.unsupported(path: path, reason: "the graph has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); Shears runs one image input")
            }
            values[inputs[0].name] = .node(0, rank: 3)
            let dims = inputs[0].type.tensorType.shape.dim
            if dims.count == 4, case .dimValue(let c)? = dims[1].value, (1...Int64(ShapeInference.maximumDimension)).contains(c) { inputChannels = Int(c) }
        }

        mutating func model() throws -> Model {
            for node in try sortedNodes() { try translate(node) }
            let outputName = proto.output.first?.name ?? ""
            if case .pointwise(_, let producer)? = values[outputName] { throw unmatched(producer) }
            guard case .node(let output, _)? = values[outputName] else {
                throw NNError.malformed(path: path, reason: "the graph output '\(outputName)' is not computed from the input")
            }
            return Model(architecture: "onnx", graph: Self.releasingNames(Self.keepingAncestors(of: output, in: builder.graph)), stateDict: stateDict)
        }

        /// `graph` with each non-parametric `name#k` renamed `name` where no node kept that name:
        /// a Sigmoid emitted before its Mul made it SiLU leaves the SiLU its module's name.
        static func releasingNames(_ graph: Graph) -> Graph {
            var graph = graph
            var names = Set(graph.nodes.map(\.name))
            for k in graph.nodes.indices where !graph.nodes[k].op.isParametric {
                let name = graph.nodes[k].name
                guard let mark = name.lastIndex(of: "#"), name[name.index(after: mark)...].allSatisfy(\.isNumber) else { continue }
                let base = String(name[..<mark])
                if !base.isEmpty, names.insert(base).inserted { graph.nodes[k].name = base }
            }
            return graph
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

        // MARK: Dispatch

        /// The ops Shears reads, for the refusal of any other.
        static let operators = "Conv, BatchNormalization, LayerNormalization, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Gelu, Erf, Tanh, Add, Sub, Mul, Div, Pow, Neg, Concat, Split, Slice, Gather, MaxPool, AveragePool, GlobalAveragePool, ReduceMean, Flatten, Reshape, Transpose, Shape, Unsqueeze, Squeeze, Cast, Gemm, MatMul, Dropout, Identity, Constant"

        private mutating func translate(_ node: Onnx_NodeProto) throws {
            let n = try ONNXAttributes(of: node, path: path)
            // The inputs ONNX requires of each op (a Constant none, most ops one), and one output.
            let binary = ["Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Gather", "Reshape"]
            let required = binary.contains(node.opType) ? 2 : node.opType == "BatchNormalization" ? 5 : node.opType == "Constant" ? 0 : 1
            guard node.input.count >= required, !node.output.isEmpty else {
                throw n.unsupported("has \(node.input.count) inputs and \(node.output.count) outputs; it needs \(required) and at least 1")
            }
            // ConvNeXt's channels-last forms and layer scale (ONNXImporter+LayerNorm) first.
            if try translateLayout(n) { return }
            switch node.opType {
            case "Constant": try constantNode(n)
            case "Identity": passThrough(n)
            case "Dropout": try dropout(n)
            case "Conv": try convolution(n)                                        // +Convolution
            case "BatchNormalization": try batchNorm(n)                            // +Normalization
            case "MaxPool", "AveragePool": try pool(n)                             // +Pooling
            case "GlobalAveragePool", "ReduceMean": try average(n)
            case "Gemm", "MatMul": try linear(n)                                   // +Linear
            case "Flatten": try flatten(n)                                         // +Reshape
            case "Reshape": try reshape(n)
            case "Transpose": try transpose(n)
            case "Relu", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "Clip", "Gelu", "Erf", "Tanh", "Neg": try activation(n) // +Activations
            // On shapes: +Folding; else +Activations and +Channels.
            case "Add", "Sub", "Mul", "Div", "Pow": try isShapeArithmetic(n) ? foldArithmetic(n) : arithmetic(n)
            case "Concat": try isShapeArithmetic(n) ? foldConcat(n) : concat(n)
            case "Slice": try isShapeArithmetic(n) ? foldSlice(n) : slice(n)
            case "Gather": try isShapeArithmetic(n) ? foldGather(n) : gather(n)
            case "Split": try split(n)                                             // +Channels
            case "Shape": try shapeOf(n)                                           // +Folding
            case "Unsqueeze", "Squeeze", "Cast": try foldReshaping(n)
            default:
                throw n.unsupported("unsupported operator (Shears reads \(Self.operators))")
            }
        }

        /// `Constant`: its tensor, folded like an initializer.
        private mutating func constantNode(_ n: ONNXAttributes) throws {
            guard let tensor = try n.tensor("value") else { throw n.unsupported("only tensor-valued constants are supported") }
            values[n.node.output[0]] = .constant(try decode(tensor))
        }

        /// `Dropout` on a graph node: a `.dropout` node (the identity in inference) with the
        /// file's ratio: constant input 1 (opset 12 on), else the attribute `ratio` (earlier
        /// opsets), else ONNX's default 0.5. Where the ratio is not a constant (a graph input)
        /// or the input is no plain node (a constant, a pointwise value with views), the input
        /// passes through: no p is invented. ONNX's Dropout is element-wise (torch's nn.Dropout).
        private mutating func dropout(_ n: ONNXAttributes) throws {
            let node = n.node
            guard case .node(let index, let rank)? = values[node.input[0]], views[node.input[0]] == nil else { passThrough(n); return }
            let ratio: Float
            if node.input.count > 1, !node.input[1].isEmpty {
                guard case .constant(let c)? = values[node.input[1]] else { passThrough(n); return }
                guard let v = c.floats, v.count == 1 else { throw n.invalid("ratio ('\(node.input[1])') is not a float scalar") }
                ratio = v[0]
            } else {
                ratio = try n.float("ratio", 0.5)
            }
            guard ratio >= 0, ratio <= 1 else { throw n.invalid("ratio \(ratio) is not a probability from 0 to 1") }
            emit(n, .dropout(p: ratio, wholeChannels: false), [index], rank: rank)
        }

        /// `Identity`: the input, with its views.
        private mutating func passThrough(_ n: ONNXAttributes) {
            values[n.node.output[0]] = values[n.node.input[0]]
            views[n.node.output[0]] = views[n.node.input[0]]
        }

        // MARK: Inputs and outputs of a node

        /// Input `k` of `n` as a graph node; an element-wise value no layer computes is refused.
        mutating func graphInput(_ n: ONNXAttributes, _ k: Int) throws -> (index: Int, rank: Int) {
            let node = n.node
            guard k < node.input.count else { throw n.unsupported("input \(k) must be computed from the image, not a constant") }
            switch values[node.input[k]] {
            case .node(let index, let rank)?: return (index, rank)
            case .pointwise(_, let producer)?: throw unmatched(producer)
            case .shape?: throw n.unsupported("input \(k) ('\(node.input[k])') is a shape, not a tensor computed from the image")
            default: throw n.unsupported("input \(k) must be computed from the image, not a constant")
            }
        }

        /// Constant input `k` of `n` (a folded shape counts), nil when absent.
        func constant(_ n: ONNXAttributes, _ k: Int) throws -> ONNXConstant? {
            let node = n.node
            guard k < node.input.count, !node.input[k].isEmpty else { return nil }
            switch values[node.input[k]] {
            case .constant(let c)?: return c
            case .shape(let dims)?: return ONNXConstant(dims: [dims.count], integers: try dims.map { Int64(try known($0, n, input: k)) })
            default: throw n.unsupported("input \(k) ('\(node.input[k])') must be a constant")
            }
        }

        /// The integers of constant input `k` (or of the attribute `name`, older opsets' form).
        func integers(_ n: ONNXAttributes, _ k: Int, or name: String? = nil) throws -> [Int]? {
            if let c = try constant(n, k) {
                guard let values = c.integers else { throw n.invalid("input \(k) ('\(n.node.input[k])') must hold integers") }
                return values.map(Int.init)
            }
            return try name.flatMap(n.ints)
        }

        /// Adds `op` reading `inputs` as the node for `n`'s first output.
        @discardableResult
        mutating func emit(_ n: ONNXAttributes, _ op: Op, _ inputs: [Int], rank: Int, parameterName: String? = nil) -> Int {
            let index = builder.add(uniqueName(n.node, parameterName: parameterName), op, inputs: inputs)
            values[n.node.output[0]] = .node(index, rank: rank)
            return index
        }

        /// `n`'s first output is `input` unchanged.
        mutating func pass(_ n: ONNXAttributes, _ input: (index: Int, rank: Int)) { values[n.node.output[0]] = .node(input.index, rank: input.rank) }

        /// `axis` (default `fallback`) once it is 1 or, counted from the end of NCHW, −3.
        func channelAxis(_ n: ONNXAttributes, _ fallback: Int, _ what: String) throws {
            let axis = try n.int("axis", fallback, in: Int.min...Int.max)
            guard axis == 1 || axis == -3 else { throw n.unsupported("\(what) along axis \(axis); only channels (1)") }
        }

        /// `tensor`'s values, counted with every constant decoded before against the `MemoryBudget`
        /// (so that many tensors naming one large stretch of external data cannot add up unchecked).
        mutating func decode(_ tensor: Onnx_TensorProto) throws -> ONNXConstant {
            let constant = try ONNXFile.decode(tensor, path: path, decodedBefore: constantBytes)
            constantBytes += constant.decodedBytes
            return constant
        }

        /// Output channels of the node `index` emitted so far.
        mutating func currentChannels(of index: Int) -> Int? {
            Model(architecture: "onnx", graph: builder.graph, stateDict: stateDict).outputChannels(of: index, known: &knownChannels)
                ?? (index == 0 ? inputChannels : nil)
        }

        mutating func setParameters(of index: Int, weight: Tensor, bias: ONNXConstant?, _ n: ONNXAttributes) throws {
            let name = builder.nodes[index].name
            stateDict.setTensor("\(name).weight", weight)
            if let bias {
                guard let values = bias.floats, values.count == weight.shape[0] else { throw n.unsupported("bias \(bias.dims) does not match \(weight.shape[0]) outputs") }
                stateDict.setTensor("\(name).bias", Tensor(shape: [values.count], scalars: values))
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
                node.inputs = node.inputs.compactMap { newIndex[$0] }
                return node
            })
        }
    }
}
