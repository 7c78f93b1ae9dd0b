// ChannelScaleLayer: a per-channel learned scale (ConvNeXt's layer_scale), forward and backward.

import NNCore

enum ChannelScaleLayer {
    /// `y[n, c, p] = x[n, c, p] · s[c]`, with `s` (`[C, 1, 1]`) stored under the node's name.
    static func forward(_ node: Node, _ x: Tensor, _ model: TrainableModel) throws -> Tensor {
        let (scale, positions) = try parameter(node.name, input: x.shape, model)
        var y = x
        for i in y.scalars.indices { y.scalars[i] *= scale.scalars[(i / positions) % scale.count] }
        return y
    }

    /// `∂L/∂x = dy · s[c]`, `∂L/∂s[c] = Σ_{n, p} dy · x` (summed in Double).
    static func backward(_ context: BackwardContext, _ model: TrainableModel) throws -> NodeGradient {
        let name = context.node.name, x = context.inputs[0], dy = context.gradient
        let (scale, positions) = try parameter(name, input: x.shape, model)
        guard dy.shape == x.shape else {
            throw TrainingError.shapeMismatch("\(name): the gradient is \(dy.shape), the output \(x.shape)")
        }
        var sums = [Double](repeating: 0, count: scale.count)
        for i in x.scalars.indices { sums[(i / positions) % scale.count] += Double(dy.scalars[i]) * Double(x.scalars[i]) }
        var dx: Tensor?
        if context.needsInputGradient[0] {
            var input = dy
            for i in input.scalars.indices { input.scalars[i] *= scale.scalars[(i / positions) % scale.count] }
            dx = input
        }
        return NodeGradient(inputs: [dx], parameters: [(key: name, gradient: Tensor(shape: scale.shape, scalars: sums.map { Float($0) }))])
    }

    /// The scale (one value per channel) and the positions per channel of an input `[N, C, …]`.
    private static func parameter(_ name: String, input: [Int], _ model: TrainableModel) throws -> (Tensor, Int) {
        let scale = try model.parameter(name)
        guard input.count >= 2, input.allSatisfy({ $0 >= 1 }), scale.count == input[1] else {
            throw TrainingError.shapeMismatch("\(name): the layer scale is \(scale.shape), the input \(input)")
        }
        return (scale, input.dropFirst(2).reduce(1, *))
    }
}
