// Optimizer+SGD: torch.optim.SGD's update of one parameter (`_single_tensor_sgd`), in
// float32 with torch's operation order: `add(x, alpha=a)` is the fused `fma(x, a, self)` of
// ATen's vectorised kernel, and each Python scalar is cast to float32 where the kernel takes it.

extension Optimizer {
    /// With wd the weight decay, μ the momentum, τ the dampening, γ the learning rate:
    /// `g ← g + wd · p`; `buf ← g` on the first step with momentum, else `buf ← μ · buf + (1 − τ) · g`;
    /// `g ← g + μ · buf` (nesterov) or `g ← buf`; `p ← p − γ · g`.
    func stepSGD(_ parameter: inout [Float], _ gradient: [Float], _ state: inout ParameterState, learningRate: Double, momentum: Double) {
        var g = gradient
        if settings.weightDecay != 0 {
            let decay = Float(settings.weightDecay)
            for i in g.indices { g[i] = g[i].addingProduct(parameter[i], decay) }
        }
        if momentum != 0 {
            let mu = Float(momentum)
            var buffer = g
            if let previous = state.momentumBuffer {
                buffer = previous
                state.momentumBuffer = nil  // `buffer` is then the array's only owner: updated in place
                let keep = Float(1 - settings.dampening)
                for i in buffer.indices { buffer[i] = (buffer[i] * mu).addingProduct(g[i], keep) }
            }
            state.momentumBuffer = buffer
            if settings.nesterov {
                for i in g.indices { g[i] = g[i].addingProduct(buffer[i], mu) }
            } else {
                g = buffer
            }
        }
        let rate = Float(-learningRate)
        for i in parameter.indices { parameter[i] = parameter[i].addingProduct(g[i], rate) }
    }
}
