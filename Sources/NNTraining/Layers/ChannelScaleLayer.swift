// ChannelScaleLayer: a per-channel learned scale (ConvNeXt's layer_scale), forward and backward.

import NNCore

enum ChannelScaleLayer {
    /// `y[n, c, p] = x[n, c, p] · s[c]`, with `s` (`[C, 1, 1]`) stored under the node's name.
    static func forward(_ node: Node, _ x: Tensor, _ model: TrainableModel) throws -> Tensor {
        let (scale, positions) = try parameter(node.name, input: x.shape, model)
        return scaled(x, by: scale, positions: positions)
    }

    /// `∂L/∂x = dy · s[c]`, `∂L/∂s[c] = Σ_{n, p} dy · x` (summed in Double).
    static func backward(_ context: BackwardContext, _ model: TrainableModel) throws -> NodeGradient {
        let name = context.node.name, x = context.inputs[0], dy = try context.gradientOfInputShape()
        let (scale, positions) = try parameter(name, input: x.shape, model)
        var sums = [Double](repeating: 0, count: scale.count)
        x.scalars.withUnsafeBufferPointer { xb in
            dy.scalars.withUnsafeBufferPointer { gb in
                for plane in 0..<(x.count / positions) {
                    var sum: Double = 0
                    for i in (plane * positions)..<((plane + 1) * positions) { sum += Double(gb[i]) * Double(xb[i]) }
                    sums[plane % scale.count] += sum
                }
            }
        }
        let dx = context.needsInputGradient[0] ? scaled(dy, by: scale, positions: positions) : nil
        return NodeGradient(inputs: [dx], parameters: [(key: name, gradient: Tensor(shape: scale.shape, scalars: sums.map { Float($0) }))])
    }

    /// `t[n, c, p] · s[c]`.
    private static func scaled(_ t: Tensor, by scale: Tensor, positions: Int) -> Tensor {
        var result = t
        result.scalars.withUnsafeMutableBufferPointer { rb in
            for plane in 0..<(t.count / positions) {
                let s = scale.scalars[plane % scale.count]
                for i in (plane * positions)..<((plane + 1) * positions) { rb[i] *= s }
            }
        }
        return result
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
