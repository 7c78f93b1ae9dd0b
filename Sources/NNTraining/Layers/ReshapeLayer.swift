// ReshapeLayer: ops that move or rescale values without parameters: channel slice and
// shuffle, flatten, identity, channel affine; forward and backward (the backward moves the
// gradient back where each value came from, or scales it by the affine's constant).

import NNCore

enum ReshapeLayer {
    /// channelSlice: channels `start ..< start + count`; channelShuffle: output channel `j·g + i`
    /// is input channel `i·(C/g) + j`; flatten: `[N, C·H·W]`; identity; channelAffine:
    /// `y[n, c] = x[n, c] · scale[c] + shift[c]`.
    static func forward(_ node: Node, _ x: Tensor) throws -> Tensor {
        switch node.op {
        case .identity:
            return x
        case .flatten:
            guard x.rank >= 1 else { throw TrainingError.shapeMismatch("\(node.name): flattens a batch, got \(x.shape)") }
            return Tensor(shape: [x.shape[0], x.count / max(x.shape[0], 1)], scalars: x.scalars)
        case .channelSlice(let start, let count):
            let map = try featureMaps(node, x)
            guard start >= 0, count >= 1, start <= map.channels, count <= map.channels - start else {
                throw TrainingError.shapeMismatch("\(node.name): channels \(start) ..< \(start) + \(count) are not within the input's \(map.channels)")
            }
            var scalars = [Float]()
            scalars.reserveCapacity(map.batch * count * map.spatial)
            for n in 0..<map.batch {
                let from = (n * map.channels + start) * map.spatial
                scalars.append(contentsOf: x.scalars[from ..< from + count * map.spatial])
            }
            return Tensor(shape: [map.batch, count, x.shape[2], x.shape[3]], scalars: scalars)
        case .channelShuffle(let groups):
            let map = try featureMaps(node, x)
            guard groups >= 1, map.channels % groups == 0 else {
                throw TrainingError.shapeMismatch("\(node.name): \(map.channels) channels do not split into \(groups) groups")
            }
            return permuteChannels(x, map) { j in (j % groups) * (map.channels / groups) + j / groups }
        case .channelAffine(let scale, let shift):
            let map = try affineMaps(node, x, scale.count, shift.count)
            return affine(x, map, scale: scale, shift: shift)
        default:
            throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "it is not a reshape")
        }
    }

    /// The gradient moved back: into the slice's channels (zeros elsewhere), through the inverse
    /// shuffle, reshaped to the input's shape, passed through, or `g · scale[c]` for the affine.
    static func backward(_ context: BackwardContext) throws -> NodeGradient {
        guard context.needsInputGradient.first == true else { return NodeGradient(inputs: [nil]) }
        let node = context.node, x = context.inputs[0], g = context.gradient
        guard g.shape == context.output.shape else {
            throw TrainingError.shapeMismatch("\(node.name): the gradient at the output is \(g.shape), the output \(context.output.shape)")
        }
        switch node.op {
        case .identity, .flatten:
            guard g.count == x.count else { throw TrainingError.shapeMismatch("\(node.name): the gradient is \(g.shape), the input \(x.shape)") }
            return NodeGradient(inputs: [Tensor(shape: x.shape, scalars: g.scalars)])
        case .channelSlice(let start, let count):
            let map = try featureMaps(node, x)
            guard g.shape == [map.batch, count, x.shape[2], x.shape[3]], start >= 0, start <= map.channels, count <= map.channels - start else {
                throw TrainingError.shapeMismatch("\(node.name): the gradient is \(g.shape) for channels \(start) ..< \(start) + \(count) of \(x.shape)")
            }
            var dx = Tensor(shape: x.shape)
            let run = count * map.spatial
            for n in 0..<map.batch {
                let to = (n * map.channels + start) * map.spatial
                dx.scalars.replaceSubrange(to ..< to + run, with: g.scalars[n * run ..< (n + 1) * run])
            }
            return NodeGradient(inputs: [dx])
        case .channelShuffle(let groups):
            let map = try featureMaps(node, x)
            guard g.shape == x.shape, groups >= 1, map.channels % groups == 0 else {
                throw TrainingError.shapeMismatch("\(node.name): the gradient is \(g.shape), the input \(x.shape)")
            }
            let perGroup = map.channels / groups
            return NodeGradient(inputs: [permuteChannels(g, map) { c in (c % perGroup) * groups + c / perGroup }])
        case .channelAffine(let scale, let shift):
            let map = try affineMaps(node, try context.gradientOfInputShape(), scale.count, shift.count)
            return NodeGradient(inputs: [affine(g, map, scale: scale, shift: nil)])
        default:
            throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "it is not a reshape")
        }
    }

    /// A batch of feature maps' sizes.
    private struct Maps { let batch: Int, channels: Int, spatial: Int }

    /// `x`'s sizes; throws unless it is `[N, C, H, W]`.
    private static func featureMaps(_ node: Node, _ x: Tensor) throws -> Maps {
        guard x.rank == 4 else { throw TrainingError.shapeMismatch("\(node.name): expects a batch of feature maps [N, C, H, W], got \(x.shape)") }
        return Maps(batch: x.shape[0], channels: x.shape[1], spatial: x.shape[2] * x.shape[3])
    }

    /// `x`'s sizes; throws unless it has a scale and a shift per channel.
    private static func affineMaps(_ node: Node, _ x: Tensor, _ scales: Int, _ shifts: Int) throws -> Maps {
        let map = try featureMaps(node, x)
        guard scales == map.channels, shifts == map.channels else {
            throw TrainingError.shapeMismatch("\(node.name): \(scales) scales and \(shifts) shifts for \(map.channels) channels")
        }
        return map
    }

    /// Output channel `c` of each sample is input channel `source(c)`.
    private static func permuteChannels(_ x: Tensor, _ map: Maps, source: (Int) -> Int) -> Tensor {
        var scalars = [Float]()
        scalars.reserveCapacity(x.count)
        for n in 0..<map.batch {
            for c in 0..<map.channels {
                let from = (n * map.channels + source(c)) * map.spatial
                scalars.append(contentsOf: x.scalars[from ..< from + map.spatial])
            }
        }
        return Tensor(shape: x.shape, scalars: scalars)
    }

    /// `value · scale[c] + shift[c]` (no shift when nil) for every value of channel `c`.
    private static func affine(_ x: Tensor, _ map: Maps, scale: [Float], shift: [Float]?) -> Tensor {
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            for plane in 0..<map.batch * map.channels {
                let c = plane % map.channels, row = base + plane * map.spatial
                let (s, b) = (scale[c], shift?[c] ?? 0)
                for i in 0..<map.spatial { row[i] = row[i] * s + b }
            }
        }
        return y
    }
}
