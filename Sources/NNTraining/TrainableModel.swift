// TrainableModel: a Model opened for training. The graph stays as imported; the float
// tensors its nodes read are split into trainable parameters (weights, biases, BatchNorm
// affine, layer scales) and buffers (BatchNorm running statistics), held as mutable tensors
// by state-dict key, so that an optimizer steps them in place and `model` writes them back.

import NNCore

/// A model's graph with its parameters and buffers open for training.
public struct TrainableModel: Sendable {
    /// The graph, as the model's importer built it.
    public let graph: Graph
    /// Trainable tensors by state-dict key (`<node>.weight`, `<node>.bias`, a layer scale's node name).
    public var parameters: [String: Tensor]
    /// The keys of `parameters` in state-dict order (the order an optimizer visits them).
    public let parameterKeys: [String]
    /// BatchNorm running statistics by key (`<node>.running_mean`, `<node>.running_var`).
    public var buffers: [String: Tensor]
    /// Each BatchNorm's `num_batches_tracked`, by node name; training mode adds one per batch.
    public var batchesTracked: [String: Int64]
    /// `nn.BatchNorm2d(momentum=)`: `running = (1 - m) · running + m · batch statistic`.
    /// A state dict does not store it; torch's default is 0.1 (torchvision's MNASNet uses 0.0003).
    public var batchNormMomentum: Float
    /// The stream dropout draws its masks from in training-mode forwards (each forward
    /// advances it): the same seed and the same forwards give the same masks. Shears' own
    /// SplitMix64 draws, not torch's generator (the keep rate and scaling are torch's).
    public var dropoutGenerator: SplitMix64
    /// The model the tensors came from (architecture name, entries no node reads).
    private let source: Model

    /// Opens `model` for training: every float tensor a parametric node reads becomes a
    /// parameter, but BatchNorm running statistics, which become buffers.
    /// `dropoutSeed` seeds `dropoutGenerator`.
    public init(_ model: Model, batchNormMomentum: Float = 0.1, dropoutSeed: UInt64 = 0) throws {
        guard batchNormMomentum.isFinite, batchNormMomentum >= 0, batchNormMomentum <= 1 else {
            throw TrainingError.invalidSetting(name: "BatchNorm momentum", reason: "\(batchNormMomentum) is not in [0, 1]")
        }
        var parameters: [String: Tensor] = [:], buffers: [String: Tensor] = [:], tracked: [String: Int64] = [:]
        for node in model.graph.nodes where node.op.isParametric {
            for key in TrainableModel.parameterKeys(of: node) {
                guard let tensor = model.stateDict.tensor(key) else { continue }
                parameters[key] = tensor
            }
            if case .batchNorm = node.op {
                for suffix in ["running_mean", "running_var"] {
                    let key = "\(node.name).\(suffix)"
                    guard let tensor = model.stateDict.tensor(key) else { throw TrainingError.missingParameter(key) }
                    buffers[key] = tensor
                }
                if case .integer(let count, _)? = model.stateDict["\(node.name).num_batches_tracked"], count.scalars.count == 1 {
                    tracked[node.name] = count.scalars[0]
                } else {
                    tracked[node.name] = 0
                }
            }
        }
        self.graph = model.graph
        self.parameters = parameters
        self.parameterKeys = model.stateDict.keys.filter { parameters[$0] != nil }
        self.buffers = buffers
        self.batchesTracked = tracked
        self.batchNormMomentum = batchNormMomentum
        self.dropoutGenerator = SplitMix64(seed: dropoutSeed)
        self.source = model
    }

    /// The trainable keys a parametric node may own (those present are parameters).
    static func parameterKeys(of node: Node) -> [String] {
        if case .channelScale = node.op { return [node.name] }
        return ["\(node.name).weight", "\(node.name).bias"]
    }

    /// The parameter `key`, or `TrainingError.missingParameter`.
    func parameter(_ key: String) throws -> Tensor {
        guard let tensor = parameters[key] else { throw TrainingError.missingParameter(key) }
        return tensor
    }

    /// The model with the current parameters, buffers and batch counts written back under their keys.
    public var model: Model {
        var model = source
        for key in model.stateDict.keys {
            if let tensor = parameters[key] ?? buffers[key] { model.stateDict.setTensor(key, tensor) }
        }
        for (name, count) in batchesTracked {
            let key = "\(name).num_batches_tracked"
            if case .integer(let old, let dtype)? = model.stateDict[key], old.scalars.count == 1 {
                model.stateDict[key] = .integer(IntTensor(shape: old.shape, scalars: [count]), dtype)
            }
        }
        return model
    }
}
