// ONNXImporter+Reshape: the ops that view a tensor in another shape. Flatten (from axis 1);
// Reshape to `[batch, features]` (a flatten), a shape kept one-dimensional, or ShuffleNet's
// view → transpose → view (`[N, g, C/g, H, W]`, Transpose [0, 2, 1, 3, 4], `[N, C, H, W]`) as
// a channel shuffle, its view sizes constant or computed from the tensor's own shape (the
// batch, its own H and W, channel counts: ONNXImporter+Folding). ConvNeXt's channels-last
// Transposes and the pooled map's Reshape to [-1] are ONNXImporter+LayerNorm's.

import NNCore

extension ONNXImporter.GraphTranslation {
    mutating func flatten(_ n: ONNXAttributes) throws {
        let x = try graphInput(n, 0)
        let axis = try n.int("axis", 1, in: Int.min...Int.max)
        guard axis == 1 || (axis == -3 && x.rank == 3) else { throw n.unsupported("flattens from axis \(axis); only 1") }
        flattening(n, x)
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
            flattening(n, try graphInput(n, 0))
        }
    }

    mutating func transpose(_ n: ONNXAttributes) throws {
        let perm = try n.ints("perm")
        guard case .grouped(let index, let groups, false)? = values[n.node.input[0]], perm == [0, 2, 1, 3, 4] else {
            throw n.unsupported("permutes by \(perm.map { "\($0)" } ?? "reversal"); Shears reads the transpose of a channel shuffle ([N, g, C/g, H, W], perm [0, 2, 1, 3, 4]) and ConvNeXt's channels-last ones. The default exporter also writes an AdaptiveAvgPool2d whose output size does not divide its input's (VGG's 7x7, AlexNet's 6x6 at small inputs) as Transpose → GatherND → ReduceMean, which Shears does not read: give that model as torch.save(model) or a .pt2 (torch.export.save) instead")
        }
        values[n.node.output[0]] = .grouped(index, groups: groups, transposed: true)
    }

    /// `n`'s output is `x` flattened to `[batch, features]` (a vector already passes as is).
    private mutating func flattening(_ n: ONNXAttributes, _ x: (index: Int, rank: Int)) {
        if x.rank == 1 { pass(n, x) } else { emit(n, .flatten, [x.index], rank: 1) }
    }
}
