// ChannelDependencies: which layers share one channel dimension, so that removing output
// channel c of a convolution stays consistent through the graph. A "channel space" starts
// at a conv (ungrouped or grouped) or a linear layer on a feature map (a 1x1 conv with
// weight `[out, in]`) and flows through BN, activations, pooling, identity, layer scales
// (their `[C, 1, 1]` follows the space) and depthwise convs (groups == in == out channels,
// which follow their producer); a residual
// `add` merges the spaces of its inputs into one dependency group, and so does a
// squeeze-excite `mul` (the gate's producer joins the gated space). Its readers are convs
// and linear layers on feature maps (input channels) and linear layers behind a flatten
// (in-features, in blocks of H·W). A
// grouped conv (g groups, not depthwise) producing or reading a space splits it into g
// contiguous groups that must each lose the same number of channels: the space records it
// in `grouped`, and with several the blocks are their least common multiple. A `concat`
// joins its inputs' spaces in blocks: each input space whose channels reach the concat's
// ungrouped conv readers only through element-wise ops and pooling is pruned on its own,
// the readers' input channels at that block's offset. A space reaching the network input
// or output, a channel slice or shuffle, a flatten read by anything but a linear layer, a
// concat read by anything but ungrouped convs (a grouped reader would tie the blocks'
// counts together), or an activation with f(0) ≠ 0 other than a Mul's gate cannot be pruned,
// nor can a space a LayerNorm reads (its mean and variance over all channels would change
// with one removed).

import NNCore

/// One set of channels that must be pruned together.
struct ChannelSpace {
    /// Convs (and linear layers on feature maps) whose output channels form the space.
    var producers: [Int] = []
    var batchNorms: [Int] = []
    /// Layer scales over the space (their `[C, 1, 1]` parameter follows).
    var scales: [Int] = []
    /// Depthwise convs over the space (their filters and groups follow).
    var depthwise: [Int] = []
    /// Convs and linear layers on feature maps reading the space (their input channels,
    /// weight dim 1, follow, per group for grouped convs).
    var convReaders: [Int] = []
    /// Grouped, not depthwise, convs producing or reading the space: each of their groups
    /// loses the same number of channels.
    var grouped: [Int] = []
    /// Linear layers reading the space through a flatten (in-features follow, in blocks).
    var linearReaders: [Int] = []
    /// Convs reading the space as block `input` of a concat whose blocks are the spaces of
    /// `blockProducers` (one producer each, in order): their input channels at that block's
    /// offset follow.
    var concatReaders: [(conv: Int, input: Int, blockProducers: [Int])] = []
    /// Joined by a residual add.
    var isResidual = false
    var blocked = false
}

enum ChannelDependencies {
    /// Whether `op` maps 0 to something other than 0.
    static func isNonzeroAtZero(_ op: Op) -> Bool {
        switch op {
        case .sigmoid, .hardSigmoid: return true
        case .clip(let lower, let upper): return lower > 0 || upper < 0
        default: return false
        }
    }

    /// The channel spaces of `model` that have at least one producer, in producer order.
    static func spaces(of model: Model) throws -> [ChannelSpace] {
        let nodes = model.graph.nodes
        var parent = Array(nodes.indices)
        func find(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        var space = Array(nodes.indices)  // node → representative node of its output's space
        var events: [(space: Int, apply: (inout ChannelSpace) -> Void)] = []
        var flattenSource: [Int: Int] = [:]
        var concatInputs: [Int: [Int]] = [:]  // concat node → its inputs' spaces
        var blocked: [Int] = [0, nodes.count - 1]
        let featureMap = model.graph.producesFeatureMap
        for (i, node) in nodes.enumerated() {
            let input = node.inputs.first.map { space[$0] }
            switch node.op {
            case .input:
                break
            case .conv2d(let attributes):
                guard let input, let weight = model.stateDict.tensor("\(node.name).weight"), weight.rank == 4,
                      attributes.groups >= 1, weight.shape[0] % attributes.groups == 0 else {
                    throw PruneError.unsupportedGraph("conv '\(node.name)' has no input or no 4-D weight whose filters split into its \(attributes.groups) groups")
                }
                if attributes.groups > 1 && weight.shape[1] == 1 && weight.shape[0] == attributes.groups {
                    space[i] = input
                    events.append((input, { $0.depthwise.append(i) }))
                } else {
                    events.append((i, { $0.producers.append(i) }))
                    events.append((input, { $0.convReaders.append(i) }))
                    if attributes.groups > 1 {
                        events.append((i, { $0.grouped.append(i) }))
                        events.append((input, { $0.grouped.append(i) }))
                    }
                }
            case .batchNorm:
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                space[i] = input
                events.append((input, { $0.batchNorms.append(i) }))
            case .relu, .relu6, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .silu, .gelu, .maxPool, .avgPool, .adaptiveAvgPool, .identity:
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                space[i] = input
            case .add, .mul:
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                for other in node.inputs.dropFirst() { parent[find(space[other])] = find(input) }
                space[i] = input
                if case .add = node.op { events.append((input, { $0.isResidual = true })) }
            case .concat:
                concatInputs[i] = node.inputs.map { space[$0] }
                blocked += node.inputs.filter { concatInputs[space[$0]] != nil }  // nested concats
            case .channelSlice, .channelShuffle, .channelAffine:
                // A channel affine's constants are per channel of its input: it pins them.
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                blocked += [i, input]
            case .dropout:
                // Element by element (or channel by channel): passes the channels through; after a
                // flatten (AlexNet's classifier) the linear reading it still reads the flatten's source.
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                space[i] = input
                if let source = flattenSource[node.inputs[0]] { flattenSource[i] = source }
            case .flatten:
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                flattenSource[i] = input
                blocked.append(i)
            case .linear where featureMap[i]:
                // Per position on a feature map: a 1x1 conv, producer and reader alike.
                guard let input, model.stateDict.tensor("\(node.name).weight")?.rank == 2 else {
                    throw PruneError.unsupportedGraph("linear '\(node.name)' has no 2-D weight or no input")
                }
                events.append((i, { $0.producers.append(i) }))
                events.append((input, { $0.convReaders.append(i) }))
            case .layerNorm:
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                space[i] = input
                blocked.append(i)
            case .channelScale:
                guard let input else { throw PruneError.unsupportedGraph("'\(node.name)' has no input") }
                space[i] = input
                events.append((input, { $0.scales.append(i) }))
            case .linear:
                if let source = node.inputs.first.flatMap({ flattenSource[$0] }) {
                    events.append((source, { $0.linearReaders.append(i) }))
                } else if let input { blocked.append(input) }
                blocked.append(i)
            }
        }
        // An activation with f(0) ≠ 0 (sigmoid, hard sigmoid, a clip away from 0) would turn a
        // removed channel's zeros into a constant its readers still see, so it pins its space,
        // unless it only gates a Mul (a removed channel is then 0 · gate = 0 either way).
        let consumers = model.graph.consumers
        for (i, node) in nodes.enumerated() where Self.isNonzeroAtZero(node.op) {
            let onlyGates = !consumers[i].isEmpty && consumers[i].allSatisfy { c in
                if case .mul = nodes[c].op { return nodes[c].inputs == [nodes[c].inputs[0], i] && nodes[c].inputs[0] != i }
                return false
            }
            if !onlyGates { blocked.append(i) }
        }
        // A flatten read by anything but a linear layer (or a dropout before one), or giving the output (a conv
        // classifier's logits, as SqueezeNet's), pins its source's channels.
        if let source = flattenSource[nodes.count - 1] { blocked.append(source) }
        for node in nodes {
            for input in node.inputs where flattenSource[input] != nil {
                if case .linear = node.op { continue }
                if case .dropout = node.op { continue }  // its own readers are checked in turn
                blocked.append(flattenSource[input]!)
            }
        }
        var byRoot: [Int: ChannelSpace] = [:]
        for event in events { event.apply(&byRoot[find(event.space), default: ChannelSpace()]) }
        for b in blocked { byRoot[find(space[b]), default: ChannelSpace()].blocked = true }
        // A concat's readers become block readers of its inputs' spaces; anything else
        // downstream of the concat (or an input space that is not a plain one) pins them all.
        for (concat, inputs) in concatInputs.sorted(by: { $0.key < $1.key }) {
            let roots = inputs.map(find)
            let joined = byRoot[find(concat)] ?? ChannelSpace()
            let plain = joined.producers.isEmpty && joined.batchNorms.isEmpty && joined.depthwise.isEmpty
                && joined.linearReaders.isEmpty && joined.concatReaders.isEmpty && joined.grouped.isEmpty && !joined.isResidual && !joined.blocked
                && Set(roots).count == roots.count && roots.allSatisfy { !(byRoot[$0]?.producers.isEmpty ?? true) }
            let blockProducers = plain ? roots.map { byRoot[$0]!.producers[0] } : []
            for (k, root) in roots.enumerated() {
                if plain {
                    byRoot[root]!.concatReaders += joined.convReaders.map { ($0, k, blockProducers) }
                } else {
                    byRoot[root, default: ChannelSpace()].blocked = true
                }
            }
            byRoot[find(concat)]?.blocked = true
        }
        return byRoot.values.filter { !$0.producers.isEmpty }.sorted { $0.producers[0] < $1.producers[0] }
    }
}
