// Pruner: applies a PruningMethod to a model's selected layers and returns the pruned
// model with weights multiplied by their masks (the state after `prune.remove`), plus a
// PruneRecord that keeps the masks so the next call composes as torch's repeated calls do.
// Schedules (one shot, iterative) are in Pruner+Schedule.swift.

import NNCore

/// Pruning of whole models.
public enum Pruner {
    /// Prunes `model` once.
    ///
    /// - Parameters:
    ///   - method: what to prune; `.channel(importance:)` removes the channels least important
    ///     by that ranking (amount must be a fraction).
    ///   - amount: fraction of what remains, or a count, per layer (of all selected weights for `.globalL1`).
    ///   - selection: layers to prune (default: every conv and linear, convs only when structured).
    ///   - seed: for `.random` (layer i uses `seed + i`).
    ///   - previous: the record of the step before, whose masks the new masks extend.
    ///   - roundTo: `.channel`: kept channel counts are multiples of this (1: no rounding).
    ///   - pruneResidualGroups: `.channel`: also prune channels joined by residual adds.
    public static func prune(_ model: Model, method: PruningMethod, amount: PruningAmount,
                             selection: LayerSelection = LayerSelection(), seed: UInt64 = 0,
                             previous: PruneRecord? = nil, roundTo: Int = 1,
                             pruneResidualGroups: Bool = false) throws -> (Model, PruneRecord) {
        if case .channel(let importance) = method {
            guard case .fraction(let ratio) = amount else {
                throw PruneError.invalidAmount("channel pruning takes a fraction, got the count \(amount)")
            }
            let options = ChannelPruningOptions(roundTo: roundTo, pruneResidualGroups: pruneResidualGroups, selection: selection,
                                                importance: importance)
            return try ChannelPruner.removeChannels(model, ratio: ratio, options: options)
        }
        let keys = try selection.nodes(in: model, structured: method.isStructured).map { "\(model.graph.nodes[$0].name).weight" }
        let weights = try keys.map { key -> Tensor in
            guard let w = model.stateDict.tensor(key) else { throw PruneError.unknownLayer("the model has no tensor '\(key)'") }
            return w
        }
        let existing = keys.map { previous?.masks[$0] }
        var masks: [Tensor]
        switch method {
        case .l1:
            masks = try keys.indices.map { try UnstructuredMask.l1(weight: weights[$0], amount: amount, existing: existing[$0], name: keys[$0]) }
        case .random:
            masks = try keys.indices.map {
                try UnstructuredMask.random(weight: weights[$0], amount: amount, existing: existing[$0], seed: seed &+ UInt64($0), name: keys[$0])
            }
        case .globalL1:
            let starting = try keys.indices.map { try UnstructuredMask.startingMask(weights[$0], existing[$0], keys[$0]) }
            masks = try UnstructuredMask.globalL1(weights: weights, amount: amount, existing: starting, names: keys)
        case .ln(let n):
            masks = try keys.indices.map { try StructuredMask.ln(weight: weights[$0], amount: amount, n: n, dim: 0, existing: existing[$0], name: keys[$0]) }
        case .channel:
            masks = []
        }
        var pruned = model
        var kept = previous?.masks ?? [:]
        for (i, key) in keys.enumerated() {
            pruned.stateDict.setTensor(key, Tensor(shape: weights[i].shape, scalars: zip(weights[i].scalars, masks[i].scalars).map(*)))
            kept[key] = masks[i]
        }
        return (pruned, PruneRecord(model: pruned, keys: keys, masks: kept))
    }
}
