// ChannelPruner: structured pruning that physically removes convolution output channels,
// exactly (see below). Per channel space (ChannelDependencies) the channels are ranked by
// the options' ChannelImportance (by default the L1 norm of their filters, summed over the
// space's producers: one producer gives exactly `ln_structured(n=1, dim=0)`'s ranking; or the
// L2 norm; or the BatchNorm scale |gamma|, network slimming), ties broken as torch.topk breaks
// them, and `round(ratio · C)` of them (half to even, as torch) are removed, keeping at least one;
// `roundTo` r rounds the kept count to the nearest multiple of r (at least r, at most C).
// A space with grouped convs (ChannelDependencies' `grouped`) is cut into B equal blocks,
// B the least common multiple of their group counts, and each block is ranked on its own
// (torch.topk per row of the `[B, C/B]` importances) and keeps the same number
// `C/B - round(ratio · C/B)` (at least one), rounded to a multiple of r / gcd(r, B) so that
// the total stays a multiple of r; the group counts stay. (Torch-Pruning sums importances
// over the groups and removes the same in-group indices in every group; ranking each block
// on its own keeps each group's strongest filters.)
// Residual groups (spaces joined by an add) are left alone unless `pruneResidualGroups`.
//
// Removal: producer filters and biases, the BN channels, layer scales and depthwise filters
// (groups updated) of the space, the readers' input channels (conv weight dim 1, for a grouped
// conv per group: the filters of group G keep the kept channels of input group G at their
// offsets in it; a linear layer's in-features in blocks of H·W = in / C after a flatten; a
// concat reader's input channels at the space's block offset).
// Exactness: the masked twin (`maskChannels`, over the same `plan`, in the Prune tests) keeps
// all shapes and zeroes the removed channels' producer filters and biases (grouped
// producers' too), depthwise filters and biases, BN weight and bias, and layer scales, so
// those channels output exactly 0 everywhere (BN: (x - μ)/σ · 0 + 0). The channel-removed
// network computes the same logits as that masked network (up to float summation order).

import NNCore

/// Options for channel pruning.
public struct ChannelPruningOptions: Equatable, Sendable {
    /// Kept channel counts are rounded to a multiple of this (1: no rounding).
    public var roundTo: Int
    /// Prune channel groups joined by residual adds (together, by summed importance).
    public var pruneResidualGroups: Bool
    /// Convs whose output channels may be pruned (a group needs all its producers selected).
    public var selection: LayerSelection
    /// What ranks the channels of a space (the least important are removed).
    public var importance: ChannelImportance

    public init(roundTo: Int = 1, pruneResidualGroups: Bool = false, selection: LayerSelection = LayerSelection(),
                importance: ChannelImportance = .l1) {
        self.roundTo = roundTo; self.pruneResidualGroups = pruneResidualGroups; self.selection = selection
        self.importance = importance
    }
}

/// Output-channel pruning of convolutions.
public enum ChannelPruner {
    /// Removes `ratio` of the output channels of every prunable channel group; shapes shrink.
    public static func removeChannels(_ model: Model, ratio: Double, options: ChannelPruningOptions = ChannelPruningOptions()) throws -> (Model, PruneRecord) {
        var pruned = model
        var keys: [String] = []
        var concatKept: [Int: (producers: [Int], kept: [Int: [Int]])] = [:]  // reader conv → its blocks
        let plan = try self.plan(model, ratio: ratio, options: options)
        for (space, kept) in plan {
            let channels = kept.count
            for key in space.perChannelKeys(in: model, suffixes: ["weight", "bias", "running_mean", "running_var"]) {
                guard let t = pruned.stateDict.tensor(key) else { continue }
                pruned.stateDict.setTensor(key, select(t, dim: 0, kept))
            }
            for i in space.depthwise {
                if case .conv2d(var attributes) = model.graph.nodes[i].op {
                    attributes.groups = channels
                    pruned.graph.nodes[i].op = .conv2d(attributes)
                }
            }
            for i in space.convReaders {
                // A conv's input channels per group; a linear layer on a feature map's in one group.
                let groups: Int
                if case .conv2d(let attributes) = model.graph.nodes[i].op { groups = attributes.groups } else { groups = 1 }
                let key = "\(model.graph.nodes[i].name).weight"
                pruned.stateDict.setTensor(key, selectInputs(pruned.stateDict.tensor(key)!, groups: groups, kept))
            }
            for i in space.linearReaders {
                let key = "\(model.graph.nodes[i].name).weight"
                let weight = pruned.stateDict.tensor(key)!
                let before = space.channels(in: model)
                guard weight.rank == 2, weight.shape[1] % before == 0 else {
                    throw PruneError.unsupportedGraph("linear '\(key)' has \(weight.shape) in-features, not a multiple of \(before) channels")
                }
                let block = weight.shape[1] / before
                pruned.stateDict.setTensor(key, select(weight, dim: 1, kept.flatMap { ($0 * block)..<(($0 + 1) * block) }))
            }
            for reader in space.concatReaders { concatKept[reader.conv, default: (reader.blockProducers, [:])].kept[reader.input] = kept }
            keys += space.producers.map { "\(model.graph.nodes[$0].name).weight" }
        }
        // Readers of a concat keep, block by block, the kept channels of each pruned input.
        for (conv, blocks) in concatKept {
            var indices: [Int] = [], offset = 0
            for (k, producer) in blocks.producers.enumerated() {
                let channels = model.stateDict.tensor("\(model.graph.nodes[producer].name).weight")!.shape[0]
                indices += blocks.kept[k]?.map { $0 + offset } ?? Array(offset..<(offset + channels))
                offset += channels
            }
            let key = "\(model.graph.nodes[conv].name).weight"
            pruned.stateDict.setTensor(key, select(pruned.stateDict.tensor(key)!, dim: 1, indices))
        }
        return (pruned, PruneRecord(model: pruned, keys: keys, masks: [:], channelGroups: groupRecords(model, plan)))
    }

    /// The prunable spaces with the channels each keeps (ascending).
    static func plan(_ model: Model, ratio: Double, options: ChannelPruningOptions) throws -> [(ChannelSpace, [Int])] {
        guard options.roundTo >= 1 else { throw PruneError.invalidAmount("roundTo must be at least 1, got \(options.roundTo)") }
        let selected = Set(try options.selection.nodes(in: model, structured: true))
        let consumers = model.graph.consumers
        var plan: [(ChannelSpace, [Int])] = []
        for space in try ChannelDependencies.spaces(of: model) {
            guard !space.blocked, !space.isResidual || options.pruneResidualGroups,
                  space.producers.allSatisfy(selected.contains) else { continue }
            let channels = space.channels(in: model)
            let name = model.graph.nodes[space.producers[0]].name
            let blocks = try space.blocks(in: model, channels: channels)
            let size = channels / blocks
            var keep = size - min(size - 1, try PruningAmount.fraction(ratio).units(of: size, name: name))
            if options.roundTo > 1 {
                let step = options.roundTo / ChannelSpace.gcd(options.roundTo, blocks)
                keep = min(size, max(step, Int((Double(keep) / Double(step)).rounded(.toNearestOrEven)) * step))
            }
            let importance = try options.importance.scores(of: space, in: model, channels: channels, consumers: consumers)
            let kept = (0..<blocks).flatMap { b in
                TorchTopK.indices(Array(importance[(b * size)..<((b + 1) * size)]), k: keep, largest: true).map { $0 + b * size }
            }
            plan.append((space, kept))
        }
        return plan
    }

    static func groupRecords(_ model: Model, _ plan: [(ChannelSpace, [Int])]) -> [PruneRecord.ChannelGroup] {
        plan.map { space, kept in
            PruneRecord.ChannelGroup(producers: space.producers.map { model.graph.nodes[$0].name },
                                     before: space.channels(in: model), after: kept.count)
        }
    }

    /// A conv weight `[O, C/g, kh, kw]` of `groups` g keeping the input channels `kept` (of C,
    /// the same count in each group): the filters of group G = o / (O/g) keep the kept
    /// channels in G·C/g ..< (G+1)·C/g at their offsets in the group. g = 1: `select(dim: 1)`.
    static func selectInputs(_ weight: Tensor, groups: Int, _ kept: [Int]) -> Tensor {
        let width = weight.shape[1], filters = weight.shape[0] / groups
        var scalars: [Float] = [], shape = weight.shape
        for g in 0..<groups {
            let local = kept.filter { $0 / width == g }.map { $0 - g * width }
            scalars += select(select(weight, dim: 0, Array((g * filters)..<((g + 1) * filters))), dim: 1, local).scalars
            shape[1] = local.count
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The slices `indices` of `tensor` along `dim`, in that order.
    static func select(_ tensor: Tensor, dim: Int, _ indices: [Int]) -> Tensor {
        let outer = tensor.shape[..<dim].reduce(1, *), inner = tensor.shape[(dim + 1)...].reduce(1, *)
        let size = tensor.shape[dim]
        var shape = tensor.shape
        shape[dim] = indices.count
        var scalars: [Float] = []
        scalars.reserveCapacity(outer * indices.count * inner)
        for o in 0..<outer {
            for c in indices { scalars += tensor.scalars[((o * size + c) * inner)..<((o * size + c + 1) * inner)] }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}

extension ChannelSpace {
    /// State-dict keys whose dim 0 is the space's channels: each suffix of its producers,
    /// depthwise convs and BatchNorms (where present), and its layer scales' own keys.
    func perChannelKeys(in model: Model, suffixes: [String]) -> [String] {
        (producers + depthwise + batchNorms).flatMap { i in suffixes.map { "\(model.graph.nodes[i].name).\($0)" } }
            + scales.map { model.graph.nodes[$0].name }
    }

    /// Channel count: the first producer's output channels.
    func channels(in model: Model) -> Int {
        model.stateDict.tensor("\(model.graph.nodes[producers[0]].name).weight")?.shape[0] ?? 0
    }

    /// The number of equal contiguous blocks that prune evenly: the least common multiple of
    /// the `grouped` convs' group counts (1 without them), each of which must divide `channels`.
    /// Throws where a conv reader's weight `[O, C/g, kh, kw]` does not take `channels` = C.
    func blocks(in model: Model, channels: Int) throws -> Int {
        for i in convReaders {
            guard case .conv2d(let attributes) = model.graph.nodes[i].op else { continue }
            let name = model.graph.nodes[i].name, shape = model.stateDict.tensor("\(name).weight")?.shape ?? []
            guard shape.count == 4, attributes.groups >= 1, channels % attributes.groups == 0, shape[1] == channels / attributes.groups else {
                throw PruneError.unsupportedGraph("conv '\(name)' reads \(channels) channels with a \(shape) weight in \(attributes.groups) groups")
            }
        }
        return try grouped.reduce(1) { blocks, i in
            guard case .conv2d(let attributes) = model.graph.nodes[i].op, attributes.groups >= 1, channels % attributes.groups == 0 else {
                throw PruneError.unsupportedGraph("grouped conv '\(model.graph.nodes[i].name)': its groups do not divide the \(channels) channels it shares with '\(model.graph.nodes[producers[0]].name)'")
            }
            return blocks / Self.gcd(blocks, attributes.groups) * attributes.groups
        }
    }

    /// Greatest common divisor of two positive integers.
    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
