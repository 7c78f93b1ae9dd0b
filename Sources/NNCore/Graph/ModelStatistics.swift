// ModelStatistics: parameter counts and multiply-accumulates per layer, the numbers of a
// torchsummary table. MACs count conv and linear layers only (the convention behind
// "ResNet18 = 1.82 GMAC"): conv `out_c · out_h · out_w · (in_c / groups) · kh · kw`,
// linear `in · out` (per position on a feature map), and one per BatchNorm, LayerNorm, Mul,
// layer-scale or ChannelAffine output element (eval BN is `y = x · a + b`).
// Effective MACs count only the products with a nonzero weight. Counts are multiplied and
// summed with overflow checks: a size too large for 64 bits is an error naming the layer.

/// Per-layer and total size and cost of a model at one input size.
public struct ModelStatistics: Sendable {
    /// One row per graph node except the input.
    public struct Layer: Sendable, Equatable {
        public let name: String
        /// PyTorch module type ("Conv2d", "BatchNorm2d", "Linear", "ReLU", …).
        public let type: String
        /// Output shape per sample.
        public let outputShape: [Int]
        /// Parameters the layer owns (weights and biases; BN weight and bias, not running stats).
        public let parameters: Int
        /// Nonzero parameters among `parameters`.
        public let nonzero: Int
        public let macs: Int
        public let effectiveMACs: Int
    }

    public let layers: [Layer]
    /// Every floating tensor element of the state dict that a layer owns as a parameter.
    public var parameters: Int { layers.reduce(0) { $0 + $1.parameters } }
    public var nonzero: Int { layers.reduce(0) { $0 + $1.nonzero } }
    /// Σ layers' MACs (checked against overflow when the statistics were made).
    public var macs: Int { layers.reduce(0) { $0 + $1.macs } }
    public var effectiveMACs: Int { layers.reduce(0) { $0 + $1.effectiveMACs } }

    /// Computes the statistics of `model` for one `[C, H, W]` input.
    ///
    /// - Throws: ShapeInference's errors, or `NNError.shapeMismatch` naming the layer whose
    ///   MACs would overflow a 64-bit count (alone or in the total).
    public init(model: Model, input: [Int]) throws {
        let shapes = try ShapeInference(model: model, input: input).shapes
        let nodes = model.graph.nodes
        var total = 0
        layers = try nodes.indices.dropFirst().map { i in
            let node = nodes[i]
            let tensors = Self.parameterNames(of: node).compactMap { model.stateDict.tensor($0) }
            let parameters = tensors.reduce(0) { $0 + $1.count }
            let nonzero = tensors.reduce(0) { $0 + $1.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
            // Per-sample outputs passed ShapeInference's budget, so their element counts fit.
            let elements = shapes[i].reduce(1, *)
            var macs: Int? = 0, effective: Int? = 0
            if let weight = model.stateDict.tensor("\(node.name).weight") {
                let weightNonzero = weight.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
                switch node.op {
                case .conv2d:
                    let positions = shapes[i][1] * shapes[i][2]
                    macs = [positions, weight.count].checkedProduct
                    effective = [positions, weightNonzero].checkedProduct
                case .linear:
                    // Per position on a feature map [out, H, W]; once on a vector.
                    let positions = shapes[i].count == 3 ? shapes[i][1] * shapes[i][2] : 1
                    macs = [positions, weight.count].checkedProduct
                    effective = [positions, weightNonzero].checkedProduct
                case .batchNorm, .layerNorm:
                    macs = elements
                    effective = macs
                default: break
                }
            } else {
                switch node.op {
                case .mul, .channelScale, .channelAffine:
                    macs = elements
                    effective = macs
                default: break
                }
            }
            guard let macs, let effective, case let (sum, overflow) = total.addingReportingOverflow(macs), !overflow else {
                throw NNError.shapeMismatch(node: node.name, reason: "its multiply-accumulates at input \(input) overflow a 64-bit count")
            }
            total = sum
            return Layer(name: node.name, type: Self.typeName(node.op), outputShape: shapes[i],
                         parameters: parameters, nonzero: nonzero, macs: macs, effectiveMACs: effective)
        }
    }

    /// Trainable parameters of `model`: the weights and biases of its conv, BatchNorm, LayerNorm
    /// and linear layers and its layer scales (not running statistics), as `torch`'s `sum(p.numel() for p in model.parameters())`.
    /// What `parameters` sums, without needing an input size.
    public static func parameterCount(of model: Model) -> Int {
        parameterTensors(of: model).reduce(0) { $0 + $1.count }
    }

    /// The nonzero entries of those parameters.
    public static func nonzeroCount(of model: Model) -> Int {
        parameterTensors(of: model).reduce(0) { $0 + $1.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }

    private static func parameterTensors(of model: Model) -> [Tensor] {
        model.graph.nodes.flatMap(parameterNames(of:)).compactMap { model.stateDict.tensor($0) }
    }

    /// State-dict keys of the trainable parameters a node owns (a layer scale's is its name).
    public static func parameterNames(of node: Node) -> [String] {
        if case .channelScale = node.op { return [node.name] }
        return node.op.isParametric ? ["\(node.name).weight", "\(node.name).bias"] : []
    }

    /// The PyTorch module class an op stands for.
    public static func typeName(_ op: Op) -> String {
        switch op {
        case .input: return "Input"
        case .conv2d: return "Conv2d"
        case .batchNorm: return "BatchNorm2d"
        case .relu: return "ReLU"
        case .relu6: return "ReLU6"
        case .leakyRelu: return "LeakyReLU"
        case .clip: return "Clip"
        case .sigmoid: return "Sigmoid"
        case .hardSigmoid: return "Hardsigmoid"
        case .hardSwish: return "Hardswish"
        case .silu: return "SiLU"
        case .gelu: return "GELU"
        case .mul: return "Mul"
        case .concat: return "Concat"
        case .channelSlice: return "Slice"
        case .channelShuffle: return "ChannelShuffle"
        case .maxPool: return "MaxPool2d"
        case .avgPool: return "AvgPool2d"
        case .adaptiveAvgPool: return "AdaptiveAvgPool2d"
        case .add: return "Add"
        case .flatten: return "Flatten"
        case .linear: return "Linear"
        case .layerNorm: return "LayerNorm"
        case .channelScale: return "LayerScale"
        case .identity: return "Identity"
        case .dropout(_, let wholeChannels): return wholeChannels ? "Dropout2d" : "Dropout"
        case .channelAffine: return "ChannelAffine"
        }
    }
}
