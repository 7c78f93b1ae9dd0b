// ExecutionPlan+Lowering: the plan's fourth pass. Turns each node into the Step that computes
// it, reading and writing the buffers the assignment gave: a conv into a ConvStep carrying its
// folded BatchNorm, fused activation, max pool, residual add or gate (its kernel still unchosen), the other
// ops into their steps. Input, flatten and identity, and nodes folded or fused into a conv or
// add, get no step.

import NNCore

extension ExecutionPlan {
    /// Pass 4, lower. Takes the model, its per-node shapes, the folded and fused nodes and each
    /// node's buffer; gives the steps in node order, each with the node it computes.
    static func lower(_ model: Model, shapes: [[Int]], folding: Folding, fusion: Fusion, bufferOfNode: [Int]) -> [(node: Int, step: Step)] {
        model.graph.nodes.indices.compactMap { i in
            step(for: i, model: model, shapes: shapes, inputBuffers: model.graph.nodes[i].inputs.map { bufferOfNode[$0] },
                 output: bufferOfNode[i], skip: fusion.residualOf[i].map { bufferOfNode[$0.skip] }, gate: fusion.gateOf[i].map { bufferOfNode[$0.gate] },
                 folding: folding, fusion: fusion).map { (i, $0) }
        }
    }

    /// The step of node `i` (`skip`: the buffer a conv adds in its store, `gate`: the buffer of
    /// the per-channel factors its input is multiplied by); nil for nodes that
    /// only alias (and for a BatchNorm, activation, max pool or add folded or fused into its
    /// conv or add, whose step applies them).
    private static func step(for i: Int, model: Model, shapes: [[Int]], inputBuffers: [Int], output: Int,
                             skip: Int?, gate: Int?, folding: Folding, fusion: Fusion) -> Step? {
        let node = model.graph.nodes[i]
        let dict = model.stateDict
        let input = shapes[node.inputs.first ?? 0]
        let count = shapes[i].reduce(1, *)
        let isFolded = folding.convOfBatchNorm[i] != nil || fusion.fused.contains(i)
        let epilogue = (fusion.activationOf[i] ?? fusion.residualOf[i].flatMap { fusion.activationOf[$0.add] })
            .flatMap { Activation(model.graph.nodes[$0].op) }
        switch node.op {
        case .input, .flatten, .identity:
            return nil
        case .conv2d(let a):
            let pool = fusion.poolOf[i].flatMap { pool -> (Pool2dAttributes, [Int])? in
                guard case .maxPool(let attributes) = model.graph.nodes[pool].op else { return nil }
                return (attributes, shapes[pool])
            }
            var conv = ConvStep(attributes: a, weight: dict.tensor("\(node.name).weight")!,
                                bias: dict.tensor("\(node.name).bias"), input: input, output: shapes[i],
                                source: inputBuffers[0], destination: output, epilogue: epilogue, pool: pool,
                                skip: skip, gate: gate)
            if let bn = folding.batchNormOfConv[i] { conv.fold(bn) }
            return .conv(conv)
        case .batchNorm:
            if isFolded { return nil }
            return .affine(ChannelAffine(batchNorm: node.name, node: node, stateDict: dict), channels: input[0],
                           spatial: input[1] * input[2], source: inputBuffers[0], destination: output)
        case .channelAffine(let scale, let shift):
            return .affine(ChannelAffine(scale: scale, shift: shift), channels: input[0], spatial: input[1] * input[2],
                           source: inputBuffers[0], destination: output)
        case .relu, .relu6, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .silu, .gelu:
            if isFolded { return nil }
            return .activation(Activation(node.op)!, count: count, source: inputBuffers[0], destination: output)
        case .mul:
            if isFolded { return nil }
            let perChannel = shapes[node.inputs[1]] != shapes[i]
            return .mul(count: count, channels: input[0], perChannel: perChannel, first: inputBuffers[0], second: inputBuffers[1], destination: output)
        case .concat:
            return .concat(sizes: node.inputs.map { shapes[$0].reduce(1, *) }, sources: inputBuffers, destination: output)
        case .channelSlice(let start, _):
            let plane = input[1] * input[2]
            return .slice(size: input.reduce(1, *), start: start * plane, count: count, source: inputBuffers[0], destination: output)
        case .channelShuffle(let groups):
            return .shuffle(channels: input[0], spatial: input[1] * input[2], groups: groups, source: inputBuffers[0], destination: output)
        case .maxPool(let a):
            if isFolded { return nil }
            return .pool(PoolStep(max: true, attributes: a, input: input, output: shapes[i], source: inputBuffers[0], destination: output))
        case .avgPool(let a):
            return .pool(PoolStep(max: false, attributes: a, input: input, output: shapes[i], source: inputBuffers[0], destination: output))
        case .adaptiveAvgPool:
            return .adaptiveAvgPool(input: input, output: shapes[i], source: inputBuffers[0], destination: output)
        case .add:
            if isFolded { return nil }
            return .add(count: count, first: inputBuffers[0], second: inputBuffers[1], destination: output, epilogue: epilogue)
        case .linear:
            return .linear(LinearStep(weight: dict.tensor("\(node.name).weight")!, bias: dict.tensor("\(node.name).bias"),
                                      positions: shapes[i].dropFirst().reduce(1, *), source: inputBuffers[0], destination: output))
        case .layerNorm(let eps):
            return .layerNorm(LayerNormStep(name: node.name, eps: eps, stateDict: dict, shape: input,
                                            source: inputBuffers[0], destination: output))
        case .channelScale:
            return .affine(ChannelAffine(layerScale: node.name, stateDict: dict), channels: input[0],
                           spatial: input[1] * input[2], source: inputBuffers[0], destination: output)
        }
    }
}
