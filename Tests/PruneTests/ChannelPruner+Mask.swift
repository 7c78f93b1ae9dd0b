// ChannelPruner+Mask: the masked twin of channel removal, the oracle the channel-pruning tests
// check removal against. Same plan as `ChannelPruner.removeChannels`, applied as zeros.

import NN
@testable import Prune

extension ChannelPruner {
    /// The same selection as `removeChannels`, applied as zeros: shapes unchanged, removed
    /// channels' producer filters and biases, depthwise filters and biases, BN weight and bias and
    /// layer scales set to 0.
    static func maskChannels(_ model: Model, ratio: Double, options: ChannelPruningOptions = ChannelPruningOptions()) throws -> (Model, PruneRecord) {
        var masked = model
        var keys: [String] = []
        var masks: [String: Tensor] = [:]
        let plan = try self.plan(model, ratio: ratio, options: options)
        for (space, kept) in plan {
            let keep = Set(kept)
            for key in space.perChannelKeys(in: model, suffixes: ["weight", "bias"]) {
                guard let t = model.stateDict.tensor(key) else { continue }
                let slices = ChannelSlices(shape: t.shape, dim: 0)
                var mask = Tensor(shape: t.shape, repeating: 1)
                for c in 0..<slices.channels where !keep.contains(c) {
                    for e in slices.elements(of: c) { mask.scalars[e] = 0 }
                }
                masked.stateDict.setTensor(key, Tensor(shape: t.shape, scalars: zip(t.scalars, mask.scalars).map(*)))
                if key.hasSuffix(".weight") { masks[key] = mask; keys.append(key) }
            }
        }
        return (masked, PruneRecord(model: masked, keys: keys, masks: masks, channelGroups: groupRecords(model, plan)))
    }
}
