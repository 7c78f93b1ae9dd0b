// TrainableModel+Forward: the forward over a batch that keeps every node's output, with
// BatchNorm in training mode (batch statistics; running statistics updated as torch does)
// or evaluation mode, dropout seeded in training mode. Each op's forward lives with its backward in Layers/.

import NNCore

extension TrainableModel {
    /// Runs the graph on `input` (`[N, C, H, W]`), keeping each node's output for `backward`.
    /// In training mode BatchNorm normalises with the batch's statistics and updates the
    /// running ones (so this mutates the buffers) and dropout draws its masks from
    /// `dropoutGenerator` (advancing it); in evaluation mode nothing changes.
    public mutating func forward(_ input: Tensor, training: Bool) throws -> ForwardPass {
        guard input.rank == 4, input.shape[0] >= 1 else {
            throw TrainingError.shapeMismatch("a batch must be [N, C, H, W] with N >= 1, got \(input.shape)")
        }
        var outputs: [Tensor] = [input]
        outputs.reserveCapacity(graph.nodes.count)
        var masks: [Int: Tensor] = [:]
        for (index, node) in graph.nodes.enumerated().dropFirst() {
            let inputs = node.inputs.map { outputs[$0] }
            outputs.append(try forward(node, inputs, training: training, mask: &masks[index]))
        }
        return ForwardPass(outputs: outputs, training: training, dropoutMasks: masks)
    }

    /// One node's forward; a dropout in training mode sets `mask`, its factors (DropoutLayer).
    private mutating func forward(_ node: Node, _ inputs: [Tensor], training: Bool, mask: inout Tensor?) throws -> Tensor {
        switch node.op {
        case .input: throw TrainingError.shapeMismatch("\(node.name): a second input node")
        case .conv2d(let attributes): return try ConvolutionLayer.forward(node, inputs[0], attributes, self)
        case .linear: return try LinearLayer.forward(node, inputs[0], self)
        case .batchNorm(let eps): return try BatchNormLayer.forward(node, inputs[0], eps: eps, training: training, &self)
        case .layerNorm(let eps): return try LayerNormLayer.forward(node, inputs[0], eps: eps, self)
        case .channelScale: return try ChannelScaleLayer.forward(node, inputs[0], self)
        case .relu, .relu6, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .silu, .gelu:
            return try ActivationLayer.forward(node.op, inputs[0])
        case .maxPool, .avgPool, .adaptiveAvgPool: return try PoolLayer.forward(node, inputs[0])
        case .add, .mul, .concat: return try JoinLayer.forward(node, inputs)
        case .channelSlice, .channelShuffle, .flatten, .identity, .channelAffine: return try ReshapeLayer.forward(node, inputs[0])
        case .dropout(let p, let wholeChannels):
            let result = try DropoutLayer.forward(node, inputs[0], p: p, wholeChannels: wholeChannels, training: training, &dropoutGenerator)
            mask = result.mask
            return result.output
        }
    }
}
