// PoolStep and AdaptiveAvgPool: max and average pooling over NCHW buffers, with torch's
// window rules (padding counts as −inf for max; avg divides by the window clipped to
// input+padding when countIncludePad, by the in-bounds count otherwise).

/// A compiled `nn.MaxPool2d` or `nn.AvgPool2d`.
struct PoolStep {
    let max: Bool
    let attributes: Pool2dAttributes
    let input: [Int]
    let output: [Int]
    let source: Int, destination: Int

    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>]) {
        let (c, inH, inW) = (input[0], input[1], input[2])
        let (outH, outW) = (output[1], output[2])
        let x = buffers[source], y = buffers[destination]
        for plane in 0..<(batch * c) {
            let xp = x + plane * inH * inW
            let yp = y + plane * outH * outW
            if max {
                maxPool(xp, yp, inH: inH, inW: inW, outH: outH, outW: outW)
            } else {
                averagePool(xp, yp, inH: inH, inW: inW, outH: outH, outW: outW)
            }
        }
    }

    /// `y[oy, ox] = max over the in-bounds taps (i, j) of x[oy·s − p + i·d, ox·s − p + j·d]` (a NaN wins),
    /// taken tap by tap over the outputs where the tap reads inside the input (same order as a
    /// per-output loop, so the same result).
    private func maxPool(_ xp: UnsafeMutablePointer<Float>, _ yp: UnsafeMutablePointer<Float>, inH: Int, inW: Int, outH: Int, outW: Int) {
        let a = attributes
        yp.update(repeating: -Float.infinity, count: outH * outW)
        for i in 0..<a.kernel.h {
            let rows = inBoundsOutputs(outH, inputSize: inH, stride: a.stride.h, padding: a.padding.h, offset: i * a.dilation.h)
            for j in 0..<a.kernel.w {
                let columns = inBoundsOutputs(outW, inputSize: inW, stride: a.stride.w, padding: a.padding.w, offset: j * a.dilation.w)
                let sw = a.stride.w
                for oy in rows {
                    let to = yp + oy * outW + columns.lowerBound
                    let from = xp + (oy * a.stride.h - a.padding.h + i * a.dilation.h) * inW + (columns.lowerBound * sw - a.padding.w + j * a.dilation.w)
                    for k in 0..<columns.count {
                        let v = from[k &* sw], best = to[k]
                        to[k] = v > best || v != v ? v : best
                    }
                }
            }
        }
    }

    /// torch's average: window end clipped to input + padding for the divisor, to the input for the sum.
    private func averagePool(_ xp: UnsafeMutablePointer<Float>, _ yp: UnsafeMutablePointer<Float>, inH: Int, inW: Int, outH: Int, outW: Int) {
        let a = attributes
        for oy in 0..<outH {
            let y0 = oy * a.stride.h - a.padding.h
            for ox in 0..<outW {
                let x0 = ox * a.stride.w - a.padding.w
                let yEnd = Swift.min(y0 + a.kernel.h, inH + a.padding.h), xEnd = Swift.min(x0 + a.kernel.w, inW + a.padding.w)
                let poolSize = (yEnd - y0) * (xEnd - x0)
                let ys = Swift.max(y0, 0), xs = Swift.max(x0, 0)
                let ye = Swift.min(yEnd, inH), xe = Swift.min(xEnd, inW)
                var sum: Float = 0
                for iy in ys..<Swift.max(ye, ys) { for ix in xs..<Swift.max(xe, xs) { sum += xp[iy * inW + ix] } }
                let divisor = a.countIncludePad ? poolSize : (ye - ys) * (xe - xs)
                yp[oy * outW + ox] = sum / Float(Swift.max(divisor, 1))
            }
        }
    }
}

/// `nn.AdaptiveAvgPool2d`: output cell (i, j) averages rows `[⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉)` and
/// columns `[⌊j·W/ow⌋, ⌈(j+1)·W/ow⌉)`.
enum AdaptiveAvgPool {
    static func run(batch: Int, input: [Int], output: [Int], x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let (c, inH, inW) = (input[0], input[1], input[2])
        let (outH, outW) = (output[1], output[2])
        for plane in 0..<(batch * c) {
            let xp = x + plane * inH * inW
            let yp = y + plane * outH * outW
            for i in 0..<outH {
                let r0 = (i * inH) / outH, r1 = ((i + 1) * inH + outH - 1) / outH
                for j in 0..<outW {
                    let c0 = (j * inW) / outW, c1 = ((j + 1) * inW + outW - 1) / outW
                    var sum: Float = 0
                    for r in r0..<r1 { for q in c0..<c1 { sum += xp[r * inW + q] } }
                    yp[i * outW + j] = sum / Float((r1 - r0) * (c1 - c0))
                }
            }
        }
    }
}
