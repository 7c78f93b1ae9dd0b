// Optimizer+Adam: torch.optim.Adam's and AdamW's update of one parameter (`_single_tensor_adam`,
// not capturable), in float32 with torch's operation order; the bias corrections and the step
// size are Python floats (doubles), cast to float32 where the kernels take them. torch's `sqrt`
// of a large tensor goes through MKL's VML (within an ulp, not correctly rounded), so some
// elements differ from torch's by an ulp; everything else matches its kernels bit for bit.

import Foundation

extension Optimizer {
    /// With t the step count, γ the learning rate, wd the weight decay:
    /// Adam `g ← g + wd · p`, AdamW `p ← p · (1 − γ · wd)`;
    /// `m ← lerp(m, g, 1 − β1)`, `v ← β2 · v + (1 − β2) · g²` (AMSGrad: `v̂ ← max(v̂, v)`, used below for v);
    /// `denom = sqrt(v) / sqrt(1 − β2^t) + ε`; `p ← p − (γ / (1 − β1^t)) · m / denom`.
    func stepAdam(_ parameter: inout [Float], _ gradient: [Float], _ state: inout ParameterState, learningRate: Double, beta1: Double) {
        var g = gradient
        let count = parameter.count
        // The moments as local arrays (one owner each, updated in place), put back at the end.
        var m = state.expAvg.isEmpty ? [Float](repeating: 0, count: count) : state.expAvg
        var v = state.expAvgSq.isEmpty ? [Float](repeating: 0, count: count) : state.expAvgSq
        state.expAvg = []
        state.expAvgSq = []
        defer { state.expAvg = m; state.expAvgSq = v }
        if settings.weightDecay != 0 {
            if settings.kind == .adamw {
                let keep = Float(1 - learningRate * settings.weightDecay)
                for i in parameter.indices { parameter[i] *= keep }
            } else {
                let decay = Float(settings.weightDecay)
                for i in g.indices { g[i] = g[i].addingProduct(parameter[i], decay) }
            }
        }
        // exp_avg.lerp_(grad, 1 - beta1): ATen's lerp, `self + w · (end − self)` for |w| < 0.5,
        // else `end − (end − self) · (1 − w)`, fused; exp_avg_sq.mul_(beta2).addcmul_(grad, grad,
        // value=1 - beta2): `v · β2 + ((1 − β2) · g) · g`, the add fused.
        let weight = Float(1 - beta1)
        let small = abs(weight) < 0.5
        let beta2 = Float(settings.beta2), oneMinusBeta2 = Float(1 - settings.beta2)
        for i in 0..<count {
            let difference = g[i] - m[i]
            m[i] = small ? m[i].addingProduct(weight, difference) : g[i].addingProduct(-difference, 1 - weight)
            v[i] = (v[i] * beta2).addingProduct(oneMinusBeta2 * g[i], g[i])
        }
        if settings.amsgrad {
            if state.maxExpAvgSq.isEmpty { state.maxExpAvgSq = [Float](repeating: 0, count: count) }
            for i in 0..<count { state.maxExpAvgSq[i] = max(state.maxExpAvgSq[i], v[i]) }
        }
        let t = Double(state.step)
        let biasCorrection1 = 1 - pow(beta1, t)
        let biasCorrection2 = 1 - pow(settings.beta2, t)
        // param.addcdiv_(exp_avg, denom, value=-step_size): `p + ((−step_size) · m) / denom`.
        let stepSize = Float(-(learningRate / biasCorrection1))
        let correction2 = Float(biasCorrection2.squareRoot()), eps = Float(settings.eps)
        let second = settings.amsgrad ? state.maxExpAvgSq : v
        for i in 0..<count {
            let denominator = second[i].squareRoot() / correction2 + eps
            parameter[i] += stepSize * m[i] / denominator
        }
    }
}
