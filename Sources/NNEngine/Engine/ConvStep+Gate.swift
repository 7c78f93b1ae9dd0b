// ConvStep+Gate: a squeeze-excite gate fused into the conv that reads it (ExecutionPlan+Fusion),
// `y = conv(x · g)` with one factor g[n, c] per sample and input channel. On the pointwise
// kernel with fewer output channels than positions, each sample's packed weights are scaled
// instead (`w'[o, c] = w[o, c] · g[c]`: out·in multiplies against in·h·w, and no pass over x);
// otherwise x · g is written to scratch and the conv reads it from there (as the mul step did).

extension ConvStep {
    /// Whether the gate is applied to the weights (pointwise kernel, fewer output channels than
    /// positions) rather than to x.
    var gatesWeights: Bool {
        guard gate != nil, case .pointwise = kernel else { return false }
        return outC < outH * outW
    }

    /// Floats of scratch the gate takes before the kernel's: one sample's scaled packed weights,
    /// or the lane's gated inputs (rounded up to 16, so that the kernel's scratch stays aligned).
    var gateScratchSize: Int {
        guard gate != nil else { return 0 }
        var floats = capacity * inputSize
        if gatesWeights, case .pointwise(let packed) = kernel { floats = packed.count }
        return (floats + 15) / 16 * 16
    }

    /// `xg[n, c, p] = x[n, c, p] · gate[n·inC + c]` for `batch` samples.
    func gateInputs(batch: Int, x: UnsafePointer<Float>, gate: UnsafePointer<Float>, into xg: UnsafeMutablePointer<Float>) {
        let spatial = inH * inW
        Step.planeAffine(planes: batch * inC, spatial: spatial, x: { x + $0 * spatial }, xg, scale: { gate[$0] }, shift: nil,
                         epilogue: nil, pool: threads)
    }

    /// `scaled[(t·inC + c)·tile + r] = packed[(t·inC + c)·tile + r] · gate[c]`: the pointwise
    /// kernel's packed weights (`shears_pointwise_pack`, `tile` output channels a block) with
    /// one sample's gate folded in.
    func gatePackedWeights(_ packed: UnsafePointer<Float>, count: Int, tile: Int, gate: UnsafePointer<Float>,
                           into scaled: UnsafeMutablePointer<Float>) {
        var k = 0
        while k < count {
            for c in 0..<inC {
                let g = gate[c]
                for r in k..<(k + tile) { scaled[r] = packed[r] * g }
                k += tile
            }
        }
    }
}
