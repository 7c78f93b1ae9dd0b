// TrainableModel+Backward: reverse-mode differentiation over a ForwardPass. Nodes run in
// reverse graph order; a node read by several others receives the sum of their gradients
// (torch's autograd accumulation); parameter gradients are summed under their keys.

import NNCore

extension TrainableModel {
    /// `∂L/∂parameter` for every trainable parameter the output depends on, given `∂L/∂output`
    /// for the pass's output (`outputGradient`, the output's shape). A parameter no gradient
    /// reaches has no entry, as its `.grad` stays None in torch (so an optimizer skips it).
    public func backward(_ pass: ForwardPass, outputGradient: Tensor) throws -> [String: Tensor] {
        guard outputGradient.shape == pass.output.shape else {
            throw TrainingError.shapeMismatch("the output gradient is \(outputGradient.shape), the output \(pass.output.shape)")
        }
        var gradients = [Tensor?](repeating: nil, count: graph.nodes.count)
        gradients[graph.outputIndex] = outputGradient
        var parameterGradients: [String: Tensor] = [:]
        for index in graph.nodes.indices.reversed() where index > 0 {
            guard let gradient = gradients[index] else { continue }
            gradients[index] = nil
            let node = graph.nodes[index]
            let context = BackwardContext(node: node, inputs: node.inputs.map { pass.outputs[$0] }, output: pass.outputs[index],
                                          gradient: gradient, needsInputGradient: node.inputs.map { $0 > 0 }, training: pass.training,
                                          dropoutMask: pass.dropoutMasks[index])
            let result = try backward(context)
            for (input, inputGradient) in zip(node.inputs, result.inputs) where input > 0 {
                guard let inputGradient else { continue }
                gradients[input] = try gradients[input].map { try Tensor.zipped($0, inputGradient, "\(node.name)'s input gradients") { $0 + $1 } } ?? inputGradient
            }
            for (key, parameterGradient) in result.parameters {
                parameterGradients[key] = try parameterGradients[key].map { try Tensor.zipped($0, parameterGradient, "\(key)'s gradients") { $0 + $1 } } ?? parameterGradient
            }
        }
        return parameterGradients
    }

    /// One node's backward.
    private func backward(_ context: BackwardContext) throws -> NodeGradient {
        switch context.node.op {
        case .input: return NodeGradient(inputs: [])
        case .conv2d(let attributes): return try ConvolutionLayer.backward(context, attributes, self)
        case .linear: return try LinearLayer.backward(context, self)
        case .batchNorm(let eps): return try BatchNormLayer.backward(context, eps: eps, self)
        case .layerNorm(let eps): return try LayerNormLayer.backward(context, eps: eps, self)
        case .channelScale: return try ChannelScaleLayer.backward(context, self)
        case .relu, .relu6, .leakyRelu, .clip, .sigmoid, .hardSigmoid, .hardSwish, .silu, .gelu:
            return NodeGradient(inputs: [try ActivationLayer.backward(context.node.op, context)])
        case .maxPool, .avgPool, .adaptiveAvgPool: return try PoolLayer.backward(context)
        case .add, .mul, .concat: return try JoinLayer.backward(context)
        case .channelSlice, .channelShuffle, .flatten, .identity, .channelAffine: return try ReshapeLayer.backward(context)
        case .dropout: return try DropoutLayer.backward(context)
        }
    }
}
