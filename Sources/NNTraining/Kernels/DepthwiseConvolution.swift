// DepthwiseConvolution: a conv with one filter per channel (groups == C == O) as direct loops
// over each kernel tap's in-bounds stretches (no im2col: a depthwise filter has too few taps
// for a GEMM to pay off), forward and backward.

extension ConvolutionGeometry {
    /// `y[n, c, oy, ox] = Σ_tap w[c, tap] · x[n, c, oy·sh + i·dh − ph, ox·sw + j·dw − pw]`
    /// for the whole batch (no bias); `w` is `[C, 1, kh, kw]`.
    func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let taps = kh * kw, strideW = attributes.stride.w
        for plane in 0..<(batch * inChannels) {
            let xp = x + plane * inPlane, yp = y + plane * outPlane, wc = w + (plane % inChannels) * taps
            yp.update(repeating: 0, count: outPlane)
            forEachInBoundsStretch { tap, outputOffset, inputOffset, count in
                let weight = wc[tap], dst = yp + outputOffset, src = xp + inputOffset
                if strideW == 1 {
                    for k in 0..<count { dst[k] += weight * src[k] }
                } else {
                    for k in 0..<count { dst[k] += weight * src[k * strideW] }
                }
            }
        }
    }

    /// `∂L/∂w[c, tap] = Σ_{n, oy, ox} dy[n, c, oy, ox] · x[n, c, …]` (summed in Double over
    /// the batch) into `dw`, and when `dx` is given `∂L/∂x` (overwritten), the transpose of the forward.
    func depthwiseBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                           dw: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?) {
        let taps = kh * kw, strideW = attributes.stride.w
        var sums = [Double](repeating: 0, count: inChannels * taps)
        sums.withUnsafeMutableBufferPointer { sums in
            for plane in 0..<(batch * inChannels) {
                let channel = plane % inChannels
                let xp = x + plane * inPlane, dyp = dy + plane * outPlane, wc = w + channel * taps
                let sc = sums.baseAddress! + channel * taps
                let dxp = dx.map { $0 + plane * inPlane }
                dxp?.update(repeating: 0, count: inPlane)
                forEachInBoundsStretch { tap, outputOffset, inputOffset, count in
                    let g = dyp + outputOffset, src = xp + inputOffset
                    var partial: Float = 0
                    for k in 0..<count { partial += g[k] * src[k * strideW] }
                    sc[tap] += Double(partial)
                    if let dxp {
                        let weight = wc[tap], dst = dxp + inputOffset
                        for k in 0..<count { dst[k * strideW] += weight * g[k] }
                    }
                }
            }
            for i in 0..<(inChannels * taps) { dw[i] = Float(sums[i]) }
        }
    }
}
