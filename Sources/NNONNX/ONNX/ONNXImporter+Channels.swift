// ONNXImporter+Channels: the ops that split, join and permute channels. Concat along
// channels; a channel split (Split, or Slice on axis 1, bounds constant or folded from
// the input's channel count) becomes channel slices; ShuffleNet's view → transpose → view
// (or a Gather of the permuted channels, as ONNXExporter writes it) a channel shuffle, its
// view sizes constant or computed from the tensor's own shape (the batch, its own H and W,
// channel counts); other Reshapes must be flattens.

import NNCore
import ONNXProto

extension ONNXImporter.GraphTranslation {
    mutating func concat(_ n: ONNXAttributes) throws {
        try channelAxis(n, 1, "concatenates")
        emit(n, .concat, try n.node.input.indices.map { try graphInput(n, $0).index }, rank: 3)
    }

    mutating func split(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        try channelAxis(n, 0, "splits")
        guard x.rank == 3, let channels = currentChannels(of: x.index) else {
            throw n.unsupported("only a split of a feature map's channels (axis 1) is supported")
        }
        let outputs = n.node.output.count
        let declared = try n.int("num_outputs", outputs, in: 1...Int.max)
        guard declared == outputs else { throw n.invalid("num_outputs \(declared) but \(outputs) outputs") }
        // Without split sizes (num_outputs), torch.chunk's: ceil(C / n) each, the rest last.
        let chunk = (channels + outputs - 1) / outputs
        let sizes = try integers(n, 1, or: "split") ?? (0..<outputs).map { min(chunk, channels - $0 * chunk) }
        guard sizes.count == outputs, sizes.allSatisfy({ (1...channels).contains($0) }), sizes.reduce(0, +) == channels else {
            throw n.invalid("split sizes \(sizes) do not cover \(channels) channels in \(outputs) parts")
        }
        var start = 0
        for (k, size) in sizes.enumerated() {
            let index = builder.add(uniqueName(n.node, parameterName: nil), .channelSlice(start: start, count: size), inputs: [x.index])
            values[n.node.output[k]] = .node(index, rank: 3)
            start += size
        }
    }

    /// Constant channel indices (what ONNXExporter writes): a shuffle's permutation or a range.
    mutating func gather(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        try channelAxis(n, 0, "gathers")
        guard x.rank == 3, let indices = try integers(n, 1), let channels = currentChannels(of: x.index) else {
            throw n.unsupported("only a gather of a feature map's channels (axis 1, constant indices) is supported")
        }
        guard indices.allSatisfy({ (0..<channels).contains($0) }) else {
            throw n.invalid("indices \(indices.count > 8 ? "\(indices.prefix(8))…" : "\(indices)") are not all within the input's \(channels) channels")
        }
        // A shuffle of g groups reads channel C/g second: that alone can tell g.
        let groups = indices.count == channels && channels > 1 && indices[1] > 0 && channels % indices[1] == 0 ? channels / indices[1] : 0
        if let first = indices.first, indices == Array(first..<(first + indices.count)) {
            emit(n, .channelSlice(start: first, count: indices.count), [x.index], rank: 3)
        } else if groups >= 2, indices == (0..<channels).map({ k in (k % groups) * (channels / groups) + k / groups }) {
            emit(n, .channelShuffle(groups: groups), [x.index], rank: 3)
        } else {
            throw n.unsupported("the channel indices are neither a range nor a channel shuffle")
        }
    }

    mutating func slice(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        let starts = try integers(n, 1) ?? [], ends = try integers(n, 2) ?? []
        let axes = try integers(n, 3) ?? [0], steps = try integers(n, 4) ?? [1]
        guard x.rank == 3, axes == [1] || axes == [-3], steps == [1], starts.count == 1, ends.count == 1,
              let channels = currentChannels(of: x.index) else {
            throw n.unsupported("only a slice of a feature map's channels (axis 1, step 1, constant bounds) is supported")
        }
        let clamp = { (v: Int) -> Int in min(max(v < 0 ? v + channels : v, 0), channels) }
        let (begin, end) = (clamp(starts[0]), clamp(ends[0]))
        guard end > begin else { throw n.unsupported("the slice [\(begin), \(end)) of \(channels) channels is empty") }
        emit(n, .channelSlice(start: begin, count: end - begin), [x.index], rank: 3)
    }

    /// A channel shuffle's views (`[N, g, C/g, H, W]`, then `[N, C, H, W]` after the
    /// transpose), or a flatten (`[N, F]`), or a shape kept 1-D. Sizes may be constants or
    /// folded from shapes.
    mutating func reshape(_ n: ONNXAttributes) throws {
        _ = try n.flag("allowzero")
        let target = try dimensions(n, 1)
        /// Throws unless entry `k` is a number, or the batch size.
        func batchOrNumber(_ k: Int) throws {
            if case .batch = target[k] { return }
            _ = try known(target[k], n, input: 1)
        }
        /// Throws unless the last two entries are numbers (a fixed-size export) or node `index`'s own H and W.
        func ownHeightAndWidth(of index: Int) throws {
            for (k, axis) in zip(target.indices.suffix(2), [2, 3]) where target[k] != .spatial(node: index, axis: axis) {
                _ = try known(target[k], n, input: 1)
            }
        }
        // A shape kept one-dimensional (the default exporter's sym_size reshapes).
        if case .shape(let dims)? = values[n.node.input[0]] {
            guard target.count == 1, try [-1, dims.count].contains(known(target[0], n, input: 1)) else {
                throw n.unsupported("reshapes a shape of \(dims.count) entries to \(target); only to one axis")
            }
            values[n.node.output[0]] = .shape(dims)
        // view(N, g, C/g, H, W) → transpose(1, 2) → view(N, C, H, W): a channel shuffle.
        } else if case .grouped(let index, let groups, true)? = values[n.node.input[0]], target.count == 4 {
            try batchOrNumber(0)
            try ownHeightAndWidth(of: index)
            let channels = try known(target[1], n, input: 1)
            if channels != -1, let actual = currentChannels(of: index), channels != actual {
                throw n.invalid("views a channel shuffle of \(actual) channels as \(channels)")
            }
            emit(n, .channelShuffle(groups: groups), [index], rank: 3)
        } else if target.count == 5, case .node(let index, 3)? = values[n.node.input[0]] {
            try batchOrNumber(0)
            try ownHeightAndWidth(of: index)
            let groups = try known(target[1], n, input: 1)
            _ = try known(target[2], n, input: 1)
            guard groups >= 1 else { throw n.invalid("a [N, groups, C/groups, H, W] view with \(groups) groups") }
            values[n.node.output[0]] = .grouped(index, groups: groups, transposed: false)
        } else {
            // A flatten: [N or -1 or 0, F or -1], at most one -1.
            guard target.count == 2 else {
                throw n.unsupported("reshapes to \(target); only a reshape to [batch, features] (a flatten) or a channel shuffle is supported")
            }
            let features = try known(target[1], n, input: 1), batch = target[0] == .batch ? 0 : try known(target[0], n, input: 1)
            guard batch >= -1, features >= -1, features != 0, !(features == -1 && batch == -1) else {
                throw n.unsupported("reshapes to \(target); only a reshape to [batch, features] (a flatten) or a channel shuffle is supported")
            }
            let x = try graphInput(n, 0)
            if x.rank == 1 { pass(n, x) } else { emit(n, .flatten, [x.index], rank: 1) }
        }
    }

    mutating func transpose(_ n: ONNXAttributes) throws {
        let perm = try n.ints("perm")
        guard case .grouped(let index, let groups, false)? = values[n.node.input[0]], perm == [0, 2, 1, 3, 4] else {
            throw n.unsupported("permutes by \(perm.map { "\($0)" } ?? "reversal"); Shears reads the transpose of a channel shuffle ([N, g, C/g, H, W], perm [0, 2, 1, 3, 4]) and ConvNeXt's channels-last ones. The default exporter also writes an AdaptiveAvgPool2d whose output size does not divide its input's (VGG's 7x7, AlexNet's 6x6 at small inputs) as Transpose → GatherND → ReduceMean, which Shears does not read: give that model as torch.save(model) or a .pt2 (torch.export.save) instead")
        }
        values[n.node.output[0]] = .grouped(index, groups: groups, transposed: true)
    }
}
