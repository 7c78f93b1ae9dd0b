// DepthwiseConvolution: a conv with one filter per channel (groups == C == O) as direct loops
// (no im2col: a depthwise filter has too few taps for a GEMM to pay off), forward by the
// engine's kernel (CKernels' shears_depthwise_conv, the samples spread over the cores) and
// backward by CKernels' shears_depthwise_backward (the channels spread over the cores).

import CKernels

extension ConvolutionGeometry {
    /// `y[n, c, oy, ox] = Σ_tap w[c, tap] · x[n, c, oy·sh + i·dh − ph, ox·sw + j·dw − pw]`
    /// (taps in row-major order) for the whole batch (no bias: the kernel adds a zero one); `w` is `[C, 1, kh, kw]`.
    func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let window = window, scratch = Int(shears_depthwise_scratch_size(window))
        let zeroBias = [Float](repeating: 0, count: inChannels), identity = shears_activation(kind: Int32(SHEARS_ACTIVATION_NONE.rawValue), a: 0, b: 0)
        zeroBias.withUnsafeBufferPointer { bias in
            forEachRangeInParallel(batch, work: inChannels * outPlane * kh * kw) { samples in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { scratch in
                    for n in samples {
                        shears_depthwise_conv(x + n * inChannels * inPlane, w, bias.baseAddress!, y + n * inChannels * outPlane,
                                              Int32(inChannels), window, identity, scratch.baseAddress!)
                    }
                }
            }
        }
    }

    /// `∂L/∂w[c, tap] = Σ_{n, oy, ox} dy[n, c, oy, ox] · x[n, c, …]` (each plane's sum in float
    /// lanes, the planes in Double) into `dw`, and when `dx` is given `∂L/∂x` (overwritten),
    /// the transpose of the forward.
    func depthwiseBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                           dw: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?) {
        let window = window, scratch = Int(shears_depthwise_backward_scratch_size(window))
        forEachRangeInParallel(inChannels, work: batch * outPlane * kh * kw) { channels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { scratch in
                shears_depthwise_backward(x, w, dy, dw, dx, Int32(batch), Int32(inChannels), Int32(channels.lowerBound),
                                          Int32(channels.count), window, scratch.baseAddress!)
            }
        }
    }
}
