// DepthwiseConvolution: a conv with one filter per channel (groups == C == O) as direct loops
// over each kernel tap's in-bounds stretches (no im2col: a depthwise filter has too few taps
// for a GEMM to pay off), forward and backward, the channels spread over the cores.

extension ConvolutionGeometry {
    /// `y[n, c, oy, ox] = Σ_tap w[c, tap] · x[n, c, oy·sh + i·dh − ph, ox·sw + j·dw − pw]`
    /// for the whole batch (no bias); `w` is `[C, 1, kh, kw]`.
    func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let taps = kh * kw, strideW = attributes.stride.w
        forEachChannelInParallel { channel in
            let wc = w + channel * taps
            for n in 0..<batch {
                let plane = n * inChannels + channel, xp = x + plane * inPlane, yp = y + plane * outPlane
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
    }

    /// `∂L/∂w[c, tap] = Σ_{n, oy, ox} dy[n, c, oy, ox] · x[n, c, …]` (summed in Double over
    /// the batch) into `dw`, and when `dx` is given `∂L/∂x` (overwritten), the transpose of the forward.
    func depthwiseBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                           dw: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?) {
        let taps = kh * kw, strideW = attributes.stride.w
        forEachChannelInParallel { channel in
            let wc = w + channel * taps
            // Per tap and output column, Σ over one plane's rows of dy · x (element-wise, so the
            // loop vectorises); each plane's products then go into `sums` in Double.
            var products = [Float](repeating: 0, count: taps * outW), sums = [Double](repeating: 0, count: taps)
            products.withUnsafeMutableBufferPointer { products in
                let products = products.baseAddress!
                for n in 0..<batch {
                    let plane = n * inChannels + channel
                    let xp = x + plane * inPlane, dyp = dy + plane * outPlane, dxp = dx.map { $0 + plane * inPlane }
                    dxp?.update(repeating: 0, count: inPlane)
                    products.update(repeating: 0, count: taps * outW)
                    forEachInBoundsStretch { tap, outputOffset, inputOffset, count in
                        let g = dyp + outputOffset, src = xp + inputOffset, row = products + tap * outW + outputOffset % outW
                        if strideW == 1 {
                            for k in 0..<count { row[k] += g[k] * src[k] }
                        } else {
                            for k in 0..<count { row[k] += g[k] * src[k * strideW] }
                        }
                        guard let dxp else { return }
                        let weight = wc[tap], dst = dxp + inputOffset
                        if strideW == 1 {
                            for k in 0..<count { dst[k] += weight * g[k] }
                        } else {
                            for k in 0..<count { dst[k * strideW] += weight * g[k] }
                        }
                    }
                    for tap in 0..<taps {
                        var sum: Double = 0
                        for ox in 0..<outW { sum += Double(products[tap * outW + ox]) }
                        sums[tap] += sum
                    }
                }
            }
            for tap in 0..<taps { dw[channel * taps + tap] = Float(sums[tap]) }
        }
    }

    /// Runs `body(channel)` for every channel, the channels spread over the cores.
    private func forEachChannelInParallel(_ body: (Int) -> Void) {
        forEachRangeInParallel(inChannels, work: batch * outPlane * kh * kw) { channels in
            for channel in channels { body(channel) }
        }
    }
}
