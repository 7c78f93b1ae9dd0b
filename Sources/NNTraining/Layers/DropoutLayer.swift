// DropoutLayer: nn.Dropout / nn.Dropout2d in training: a seeded 0/1 mask scaled by 1/(1 − p),
// kept on the tape for the backward; the identity in evaluation mode and for p = 0. The mask
// is drawn from Shears' SplitMix64 stream (TrainableModel.dropoutGenerator), not torch's
// generator: the same keep probability and scaling as torch, not torch's very mask.

import NNCore

enum DropoutLayer {
    /// `y = x · m`, `m` the factor per element: `1/(1 − p)` where kept (probability `1 − p`:
    /// a draw `u` uniform in [0, 1) with `u ≥ p`), 0 where dropped; `p = 1` drops everything
    /// (`y = x · 0`, torch's zeros). Dropout draws one factor per element of `x` (`[N, …]`),
    /// Dropout2d one per channel of `[N, C, H, W]`, shared by its H·W values. Returns the
    /// output and the factors (`x`'s shape; nil when nothing is dropped: evaluation, p = 0).
    static func forward(_ node: Node, _ x: Tensor, p: Float, wholeChannels: Bool, training: Bool,
                        _ generator: inout SplitMix64) throws -> (output: Tensor, mask: Tensor?) {
        guard p >= 0, p <= 1 else { throw TrainingError.invalidSetting(name: "dropout p of \(node.name)", reason: "\(p) is not in [0, 1]") }
        guard training, p > 0 else { return (x, nil) }
        if wholeChannels, x.rank != 4 {
            throw TrainingError.shapeMismatch("\(node.name): Dropout2d drops channels of [N, C, H, W], got \(x.shape)")
        }
        // torch: scale = 1 / (1 − p) in double, applied as a float; 0 when p = 1.
        let keep = p < 1 ? Float(1 / (1 - Double(p))) : 0
        let run = wholeChannels ? x.shape[2] * x.shape[3] : 1
        var mask = Tensor(shape: x.shape)
        var y = x
        var start = 0
        while start < x.count {
            let factor: Float = generator.nextUnit() >= Double(p) ? keep : 0
            for i in start ..< start + run {
                mask.scalars[i] = factor
                y.scalars[i] = x.scalars[i] * factor
            }
            start += run
        }
        return (y, mask)
    }

    /// `∂L/∂x = ∂L/∂y · m` with the forward's factors (`context.dropoutMask`; `∂L/∂y` itself
    /// without one).
    static func backward(_ context: BackwardContext) throws -> NodeGradient {
        guard context.needsInputGradient.first == true else { return NodeGradient(inputs: [nil]) }
        let g = try context.gradientOfInputShape()
        guard let mask = context.dropoutMask else { return NodeGradient(inputs: [g]) }
        guard mask.shape == g.shape else { throw TrainingError.shapeMismatch("\(context.node.name): the mask is \(mask.shape), the gradient \(g.shape)") }
        var dx = g
        for i in dx.scalars.indices { dx.scalars[i] *= mask.scalars[i] }
        return NodeGradient(inputs: [dx])
    }
}
