// PruneRecord: what one pruning step did — per-layer counts, the model's totals, the masks
// (so a later step composes with them as torch's PruningContainer does) and, for channel
// removal, the channel counts of each group. A record, not a report: no formatting here.

import NNCore

/// The result of pruning a model once.
public struct PruneRecord: Equatable, Sendable {
    /// One pruned tensor.
    public struct Layer: Equatable, Sendable {
        /// State-dict key of the weight ("layer1.0.conv1.weight").
        public let name: String
        public let total: Int
        public let zeros: Int
        /// `zeros / total`.
        public var sparsity: Double { total == 0 ? 0 : Double(zeros) / Double(total) }
    }

    /// Output channels of one dependency group before and after channel pruning.
    public struct ChannelGroup: Equatable, Sendable {
        /// The convolutions producing the group's channels (several when joined by residual adds).
        public let producers: [String]
        public let before: Int
        public let after: Int
    }

    public let layers: [Layer]
    /// Masks by weight key (0/1, the weight's shape); empty after physical channel removal.
    public let masks: [String: Tensor]
    public let channelGroups: [ChannelGroup]
    /// Weights and biases of every conv, BN and linear layer of the pruned model.
    public let parameters: Int
    public let nonzero: Int
    /// `1 - nonzero / parameters`.
    public var sparsity: Double { parameters == 0 ? 0 : 1 - Double(nonzero) / Double(parameters) }

    /// Counts the tensors `keys` and the parameters of `model`.
    init(model: Model, keys: [String], masks: [String: Tensor], channelGroups: [ChannelGroup] = []) {
        layers = keys.compactMap { key in
            model.stateDict.tensor(key).map { t in Layer(name: key, total: t.count, zeros: t.scalars.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }) }
        }
        self.masks = masks
        self.channelGroups = channelGroups
        parameters = ModelStatistics.parameterCount(of: model)
        nonzero = ModelStatistics.nonzeroCount(of: model)
    }
}
