// ExecutionPlan+BufferAssignment: the plan's third pass. Walks the nodes in order and gives
// each output a buffer by liveness: a buffer returns to the free list once its last reader has
// run, and a new output takes the first free buffer large enough (else the last freed, grown).
// Flatten, identity, a folded BatchNorm and a fused activation or pool alias their input's
// buffer (a fused residual add its conv's, releasing the skip; a fused gate its map's, its
// per-channel operand kept until the conv has read it; a fused concat gets none of its own,
// its inputs living on until the affine step that reads them has run, in a buffer of its
// own); element-wise ops (BatchNorm, add, mul, LayerNorm, channel scale or affine, any
// activation) run in place when nothing else still reads their first input.

import NNCore

extension ExecutionPlan {
    /// Which buffer holds each node's output, and each buffer's per-sample size.
    struct BufferAssignment {
        /// Buffer index holding each node's output (the input node's is 0).
        var bufferOfNode: [Int]
        /// Per-sample capacity of each buffer (floats).
        var bufferSampleSizes: [Int] = []
    }

    /// Pass 3, assign buffers. Takes the graph, its per-node shapes and the folded and fused
    /// nodes; gives each node's buffer and each buffer's size (a conv with a fused max pool
    /// stores the pooled map, so its buffer needs only the pool's size; a conv whose average
    /// pool runs first holds its pooled input).
    static func assignBuffers(_ graph: Graph, shapes: [[Int]], folding: Folding, fusion: Fusion) -> BufferAssignment {
        let consumers = graph.consumers
        let sizes = shapes.map { $0.reduce(1, *) }
        var assignment = BufferAssignment(bufferOfNode: Array(repeating: -1, count: graph.nodes.count))
        var remainingUses: [Int] = []
        var free: [Int] = []

        func uses(_ node: Int) -> Int { consumers[node].count + (node == graph.outputIndex ? 1 : 0) }
        func allocate(_ size: Int) -> Int {
            if let k = free.firstIndex(where: { assignment.bufferSampleSizes[$0] >= size }) ?? free.indices.last {
                let b = free.remove(at: k)
                assignment.bufferSampleSizes[b] = max(assignment.bufferSampleSizes[b], size)
                return b
            }
            assignment.bufferSampleSizes.append(size)
            remainingUses.append(0)
            return assignment.bufferSampleSizes.count - 1
        }
        func release(_ buffers: ArraySlice<Int>) {
            for input in buffers {
                remainingUses[input] -= 1
                if remainingUses[input] == 0 { free.append(input) }
            }
        }

        let residualOfAdd = Dictionary(uniqueKeysWithValues: fusion.residualOf.values.map { ($0.add, $0) })
        let gateOfMul = Dictionary(uniqueKeysWithValues: fusion.gateOf.values.map { ($0.mul, $0) })
        for (i, node) in graph.nodes.enumerated() {
            let inputBuffers = node.inputs.map { assignment.bufferOfNode[$0] }
            let aliasesAlways: Bool
            switch node.op {
            case .flatten, .identity, .dropout: aliasesAlways = true
            case .batchNorm: aliasesAlways = folding.convOfBatchNorm[i] != nil
            default: aliasesAlways = fusion.fused.contains(i)
            }
            let inPlaceCapable: Bool
            switch node.op {
            case .batchNorm, .add, .mul, .layerNorm, .channelScale, .channelAffine: inPlaceCapable = true
            default: inPlaceCapable = Activation(node.op) != nil
            }
            // A fused max pool's conv stores the pooled map; a conv with its average pool run
            // first stores its pooled input.
            let pooledInput = fusion.poolBefore[i].map { shapes[node.inputs[0]][0] * shapes[$0][1] * shapes[$0][2] }
            let size = fusion.poolOf[i].map { sizes[$0] } ?? pooledInput ?? sizes[i]
            let b: Int
            if case .input = node.op {
                b = allocate(size)
                remainingUses[b] = uses(i)
            } else if let residual = residualOfAdd[i] {
                b = assignment.bufferOfNode[residual.operand]
                remainingUses[b] += uses(i) - 1
                release([assignment.bufferOfNode[residual.skip]])
            } else if let gate = gateOfMul[i] {
                b = assignment.bufferOfNode[gate.map]
                remainingUses[b] += uses(i) - 1
            } else if aliasesAlways {
                // (A fused concat's stands for no buffer: its inputs keep their use for its affine.)
                b = inputBuffers[0]
                remainingUses[b] += uses(i) - 1
            } else if let concat = fusion.concatOf[i] {
                b = allocate(size)
                remainingUses[b] = uses(i)
                release(graph.nodes[concat].inputs.map { assignment.bufferOfNode[$0] }[...])
            } else if inPlaceCapable && remainingUses[inputBuffers[0]] == 1 && (inputBuffers.count == 1 || inputBuffers[1] != inputBuffers[0]) {
                b = inputBuffers[0]
                remainingUses[b] = uses(i)
                // Inputs other than the one written in place still lose a use.
                release(inputBuffers.dropFirst())
            } else {
                b = allocate(size)
                remainingUses[b] = uses(i)
                release(inputBuffers[...])
                if let gate = fusion.gateOf[i] { release([assignment.bufferOfNode[gate.gate]]) }
            }
            assignment.bufferOfNode[i] = b
        }
        return assignment
    }
}
