// ExecutionPlan+Folding: the plan's first pass. A BatchNorm whose input is a conv that feeds
// nothing else folds into that conv: the conv's step applies it in its weights and bias
// (`ConvStep.fold`: `w'[o] = w[o]·scale[o]`, `b'[o] = b[o]·scale[o] + shift[o]`), and the
// BatchNorm gets no step of its own and aliases the conv's buffer.

import NNCore

extension ExecutionPlan {
    /// The BatchNorms folded into the conv before them.
    struct Folding {
        /// BatchNorm node → the conv node it folds into.
        var convOfBatchNorm: [Int: Int] = [:]
        /// Conv node → the eval-mode affine of the BatchNorm folded into it
        /// (`scale = γ / √(σ² + ε)`, `shift = β − μ · scale`).
        var batchNormOfConv: [Int: ChannelAffine] = [:]
    }

    /// Pass 1, fold. Takes the model; gives each BatchNorm whose input is a conv read by
    /// nothing else, paired with that conv and its affine map.
    static func foldBatchNorms(_ model: Model) -> Folding {
        let graph = model.graph, consumers = graph.consumers
        var folding = Folding()
        for (i, node) in graph.nodes.enumerated() {
            guard case .batchNorm = node.op, case .conv2d = graph.nodes[node.inputs[0]].op, consumers[node.inputs[0]] == [i] else { continue }
            folding.convOfBatchNorm[i] = node.inputs[0]
            folding.batchNormOfConv[node.inputs[0]] = ChannelAffine(batchNorm: node.name, node: node, stateDict: model.stateDict)
        }
        return folding
    }
}
