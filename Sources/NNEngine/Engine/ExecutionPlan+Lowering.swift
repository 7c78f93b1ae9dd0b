// ExecutionPlan+Lowering: the plan's fourth pass. Turns each node into the Step that computes
// it, reading and writing the buffers the assignment gave: a conv into a ConvStep carrying its
// folded BatchNorm, fused activation, max pool, residual add or squeeze-excite gate (its kernel
// still unchosen), an affine into one carrying its fused activation and reading its fused
// concat's inputs, a 1x1 conv whose average pool runs first into that pool's step and the pool
// into the conv's, the other ops into their steps. Input, flatten and identity, and nodes
// folded or fused into a conv, add or affine, get no step.

import NNCore

extension ExecutionPlan {
    /// Pass 4, lower. Takes the model, its per-node shapes, the folded and fused nodes and each
    /// node's buffer; gives the steps in node order, each with the node it computes.
    static func lower(_ model: Model, shapes: [[Int]], folding: Folding, fusion: Fusion, bufferOfNode: [Int]) -> [(node: Int, step: Step)] {
        model.graph.nodes.indices.compactMap { i in
            let concat = fusion.concatOf[i].map { model.graph.nodes[$0].inputs }
            let sources = concat.map { ChannelSources(buffers: $0.map { bufferOfNode[$0] }, channels: $0.map { shapes[$0][0] }) }
            return step(for: i, model: model, shapes: shapes, inputBuffers: model.graph.nodes[i].inputs.map { bufferOfNode[$0] },
                        concat: sources, output: bufferOfNode[i], skip: fusion.residualOf[i].map { bufferOfNode[$0.skip] },
                        gate: fusion.gateOf[i].map { bufferOfNode[$0.gate] }, folding: folding, fusion: fusion).map { (i, $0) }
        }
    }

    /// The step of node `i` (`skip`: the buffer a conv adds in its store; `gate`: the buffer of
    /// the per-channel factors a conv's input is multiplied by; `concat`: the inputs
    /// of the concat fused into an affine step, which it reads); nil for nodes that only alias
    /// (and for a BatchNorm, activation, concat, max pool or add folded or fused into its conv,
    /// add or affine, whose step applies them).
    private static func step(for i: Int, model: Model, shapes: [[Int]], inputBuffers: [Int], concat: ChannelSources?, output: Int,
                             skip: Int?, gate: Int?, folding: Folding, fusion: Fusion) -> Step? {
        let node = model.graph.nodes[i]
        let dict = model.stateDict
        let input = shapes[node.inputs.first ?? 0]
        let count = shapes[i].reduce(1, *)
        let isFolded = folding.convOfBatchNorm[i] != nil || fusion.fused.contains(i)
        let sources = { concat ?? ChannelSources(buffer: inputBuffers[0], channels: input[0]) }
        let epilogue = (fusion.activationOf[i] ?? fusion.residualOf[i].flatMap { fusion.activationOf[$0.add] })
            .flatMap { Activation(model.graph.nodes[$0].op) }
        switch node.op {
        case .input, .flatten, .identity, .dropout:
            return nil
        case .conv2d(let a):
            if let pooled = fusion.poolBefore[i], case .avgPool(let p) = model.graph.nodes[pooled].op {
                return .pool(PoolStep(max: false, attributes: p, input: input, output: [input[0]] + shapes[pooled][1...],
                                      source: inputBuffers[0], destination: output))
            }
            let pool = fusion.poolOf[i].flatMap { pool -> (Pool2dAttributes, [Int])? in
                guard case .maxPool(let attributes) = model.graph.nodes[pool].op else { return nil }
                return (attributes, shapes[pool])
            }
            return .conv(convStep(i, a, model: model, input: input, output: shapes[i], source: inputBuffers[0], destination: output,
                                  epilogue: epilogue, pool: pool, skip: skip, gate: gate, folding: folding))
        case .batchNorm:
            if isFolded { return nil }
            return .affine(ChannelAffine(batchNorm: node.name, node: node, stateDict: dict), spatial: input[1] * input[2],
                           sources: sources(), destination: output, epilogue: epilogue)
        case .channelAffine(let scale, let shift):
            return .affine(ChannelAffine(scale: scale, shift: shift), spatial: input[1] * input[2], sources: sources(),
                           destination: output, epilogue: epilogue)
        case .relu, .relu6, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .silu, .gelu:
            if isFolded { return nil }
            return .activation(Activation(node.op)!, count: count, source: inputBuffers[0], destination: output)
        case .mul:
            if isFolded { return nil }
            let perChannel = shapes[node.inputs[1]] != shapes[i]
            return .mul(count: count, channels: input[0], perChannel: perChannel, first: inputBuffers[0], second: inputBuffers[1], destination: output)
        case .concat:
            if isFolded { return nil }
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
            let c = node.inputs[0]
            if fusion.poolBefore[c] == i, case .conv2d(let conv) = model.graph.nodes[c].op {
                let pooled = [shapes[model.graph.nodes[c].inputs[0]][0]] + shapes[i][1...]
                return .conv(convStep(c, conv, model: model, input: pooled, output: shapes[i], source: inputBuffers[0], destination: output,
                                      epilogue: epilogue, pool: nil, skip: nil, gate: nil, folding: folding))
            }
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
            return .affine(ChannelAffine(layerScale: node.name, stateDict: dict), spatial: input[1] * input[2], sources: sources(),
                           destination: output, epilogue: epilogue)
        }
    }

    /// The ConvStep of conv node `i` (attributes `a`) from `input` to `output` (per-sample
    /// shapes), its folded BatchNorm applied.
    private static func convStep(_ i: Int, _ a: Conv2dAttributes, model: Model, input: [Int], output: [Int], source: Int, destination: Int,
                                 epilogue: Activation?, pool: (Pool2dAttributes, [Int])?, skip: Int?, gate: Int?, folding: Folding) -> ConvStep {
        let name = model.graph.nodes[i].name
        var conv = ConvStep(attributes: a, weight: model.stateDict.tensor("\(name).weight")!, bias: model.stateDict.tensor("\(name).bias"),
                            input: input, output: output, source: source, destination: destination, epilogue: epilogue, pool: pool, skip: skip,
                            gate: gate)
        if let bn = folding.batchNormOfConv[i] { conv.fold(bn) }
        return conv
    }
}
