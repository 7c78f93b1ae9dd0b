// JoinLayer: the ops that read several inputs: add, mul (with a squeeze-excite gate's
// broadcast) and concat along the channels, forward and backward.

import NNCore

enum JoinLayer {
    /// `a + b` (equal shapes); `a · b` with `b` of `a`'s shape or a gate `[N, C, 1, 1]` broadcast
    /// over H·W; `torch.cat(inputs, dim=1)` (equal sizes but along dim 1).
    static func forward(_ node: Node, _ inputs: [Tensor]) throws -> Tensor {
        switch node.op {
        case .add:
            let (a, b) = try pair(node, inputs)
            guard a.shape == b.shape else { throw TrainingError.shapeMismatch("\(node.name): adds \(a.shape) and \(b.shape)") }
            return try Tensor.zipped(a, b, node.name) { $0 + $1 }
        case .mul:
            let (a, b) = try pair(node, inputs)
            if a.shape == b.shape { return try Tensor.zipped(a, b, node.name) { $0 * $1 } }
            let spatial = try gateSpatial(node, a, b)
            var y = a
            y.scalars.withUnsafeMutableBufferPointer { out in
                b.scalars.withUnsafeBufferPointer { gate in
                    guard let base = out.baseAddress else { return }
                    for plane in gate.indices {
                        let scale = gate[plane], row = base + plane * spatial
                        for i in 0..<spatial { row[i] *= scale }
                    }
                }
            }
            return y
        case .concat:
            let blocks = try concatBlocks(node, inputs)
            let batch = inputs[0].shape[0], total = blocks.reduce(0, +)
            var shape = inputs[0].shape
            shape[1] = inputs.reduce(0) { $0 + $1.shape[1] }
            var scalars = [Float]()
            scalars.reserveCapacity(batch * total)
            for n in 0..<batch {
                for (input, block) in zip(inputs, blocks) { scalars.append(contentsOf: input.scalars[n * block ..< (n + 1) * block]) }
            }
            return Tensor(shape: shape, scalars: scalars)
        default:
            throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "it is not a join")
        }
    }

    /// add: `g` to both inputs. mul: `∂a = g · b` (broadcast), `∂b = g · a`, summed over H·W for a
    /// gate. concat: each input's channels of `g`.
    static func backward(_ context: BackwardContext) throws -> NodeGradient {
        let node = context.node, g = context.gradient, needs = context.needsInputGradient
        guard needs.count == context.inputs.count, g.shape == context.output.shape else {
            throw TrainingError.shapeMismatch("\(node.name): the gradient at the output is \(g.shape), the output \(context.output.shape)")
        }
        switch node.op {
        case .add:
            let (a, b) = try pair(node, context.inputs)
            guard a.shape == g.shape, b.shape == g.shape else { throw TrainingError.shapeMismatch("\(node.name): adds \(a.shape) and \(b.shape)") }
            return NodeGradient(inputs: [needs[0] ? g : nil, needs[1] ? g : nil])
        case .mul:
            let (a, b) = try pair(node, context.inputs)
            guard a.shape == g.shape else { throw TrainingError.shapeMismatch("\(node.name): the gradient is \(g.shape), the input \(a.shape)") }
            if a.shape == b.shape {
                return NodeGradient(inputs: [needs[0] ? try Tensor.zipped(g, b, node.name) { $0 * $1 } : nil,
                                             needs[1] ? try Tensor.zipped(g, a, node.name) { $0 * $1 } : nil])
            }
            let spatial = try gateSpatial(node, a, b)
            return NodeGradient(inputs: [needs[0] ? try forward(node, [g, b]) : nil, needs[1] ? gateGradient(g, a, b.shape, spatial: spatial) : nil])
        case .concat:
            let blocks = try concatBlocks(node, context.inputs)
            let batch = context.inputs[0].shape[0], total = blocks.reduce(0, +)
            guard g.count == batch * total else {
                throw TrainingError.shapeMismatch("\(node.name): the gradient is \(g.shape) for inputs \(context.inputs.map(\.shape))")
            }
            var offset = 0, gradients: [Tensor?] = []
            for (k, (input, block)) in zip(context.inputs, blocks).enumerated() {
                defer { offset += block }
                guard needs[k] else { gradients.append(nil); continue }
                var scalars = [Float]()
                scalars.reserveCapacity(batch * block)
                for n in 0..<batch { scalars.append(contentsOf: g.scalars[n * total + offset ..< n * total + offset + block]) }
                gradients.append(Tensor(shape: input.shape, scalars: scalars))
            }
            return NodeGradient(inputs: gradients)
        default:
            throw TrainingError.unsupportedOp(node: node.name, op: "\(node.op)", wayOut: "it is not a join")
        }
    }

    /// The two inputs of an add or mul.
    private static func pair(_ node: Node, _ inputs: [Tensor]) throws -> (Tensor, Tensor) {
        guard inputs.count == 2 else { throw TrainingError.shapeMismatch("\(node.name): reads \(inputs.count) inputs, takes 2") }
        return (inputs[0], inputs[1])
    }

    /// H·W of `a` when `b` is a gate `[N, C, 1, 1]` for the feature maps `a` `[N, C, H, W]`.
    private static func gateSpatial(_ node: Node, _ a: Tensor, _ b: Tensor) throws -> Int {
        guard a.rank == 4, b.shape == [a.shape[0], a.shape[1], 1, 1] else {
            throw TrainingError.shapeMismatch("\(node.name): multiplies \(a.shape) by \(b.shape), which is neither the same shape nor [N, C, 1, 1]")
        }
        return a.shape[2] * a.shape[3]
    }

    /// A gate's gradient: per sample and channel, `Σ_p g[p] · a[p]` over the plane (accumulated in Double).
    private static func gateGradient(_ g: Tensor, _ a: Tensor, _ shape: [Int], spatial: Int) -> Tensor {
        let planes = shape[0] * shape[1]
        let sums = [Float](unsafeUninitializedCapacity: planes) { out, initialized in
            g.scalars.withUnsafeBufferPointer { gp in
                a.scalars.withUnsafeBufferPointer { ap in
                    for plane in 0..<planes {
                        var sum = 0.0
                        for i in plane * spatial ..< (plane + 1) * spatial { sum += Double(gp[i]) * Double(ap[i]) }
                        out[plane] = Float(sum)
                    }
                }
            }
            initialized = planes
        }
        return Tensor(shape: shape, scalars: sums)
    }

    /// Floats per sample of each input of a concat; throws unless all are batches of equal
    /// rank (at least 2) and sizes but along dim 1.
    private static func concatBlocks(_ node: Node, _ inputs: [Tensor]) throws -> [Int] {
        guard let first = inputs.first, first.rank >= 2,
              inputs.allSatisfy({ $0.rank == first.rank && $0.shape[0] == first.shape[0] && $0.shape[2...] == first.shape[2...] }) else {
            throw TrainingError.shapeMismatch("\(node.name): concatenates \(inputs.map(\.shape)), not batches of equal sizes but along dim 1")
        }
        return inputs.map { $0.count / max($0.shape[0], 1) }
    }
}
