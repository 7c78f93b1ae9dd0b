// PoolStep and AdaptiveAvgPool: max and average pooling over NCHW buffers, with torch's
// window rules (padding counts as −inf for max, `shears_max_pool`; avg divides by the window
// clipped to input+padding when countIncludePad, by the in-bounds count otherwise).

import NNCore
import CKernels

/// A compiled `nn.MaxPool2d` or `nn.AvgPool2d`.
struct PoolStep {
    let max: Bool
    let attributes: Pool2dAttributes
    let input: [Int]
    let output: [Int]
    let source: Int, destination: Int
    /// The window over one input plane, as the C kernels take it.
    private let window: shears_window

    init(max: Bool, attributes: Pool2dAttributes, input: [Int], output: [Int], source: Int, destination: Int) {
        self.max = max
        self.attributes = attributes
        self.input = input
        self.output = output
        self.source = source
        self.destination = destination
        window = shears_window(stride: attributes.stride, padding: attributes.padding, dilation: attributes.dilation,
                               kernel: attributes.kernel, input: Size2(input[1], input[2]), output: Size2(output[1], output[2]))
    }

    /// Floats of scratch a max pool needs (one padded plane); 0 for average pooling.
    var scratchSize: Int { max ? Int(shears_padded_plane_size(window)) : 0 }

    /// Pools `batch` samples; a single image's average pool splits its planes over `pool`.
    func run(batch: Int, buffers: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>, pool: WorkerPool?) {
        let (c, inH, inW) = (input[0], input[1], input[2])
        let (outH, outW) = (output[1], output[2])
        let x = buffers[source], y = buffers[destination]
        if max { return shears_max_pool(x, y, Int32(batch * c), window, scratch) }
        Step.forRanges(batch * c, itemSize: inH * inW, pool: pool) { planes in
            for plane in planes {
                averagePool(x + plane * inH * inW, y + plane * outH * outW, inH: inH, inW: inW, outH: outH, outW: outW)
            }
        }
    }

    /// torch's average: window end clipped to input + padding for the divisor, to the input for the sum.
    private func averagePool(_ xp: UnsafeMutablePointer<Float>, _ yp: UnsafeMutablePointer<Float>, inH: Int, inW: Int, outH: Int, outW: Int) {
        let a = attributes
        if a.kernel == Size2(2) && a.stride == Size2(2) && a.padding == Size2(0) && a.paddingEnd == Size2(0) && a.dilation == Size2(1)
            && 2 * outH <= inH && 2 * outW <= inW {
            // Every window whole (DenseNet's transitions): the same sums in the same order, with
            // no clipping per output.
            for oy in 0..<outH {
                let top = xp + 2 * oy * inW, bottom = top + inW, row = yp + oy * outW
                for ox in 0..<outW {
                    row[ox] = (0 + top[2 * ox] + top[2 * ox + 1] + bottom[2 * ox] + bottom[2 * ox + 1]) / 4
                }
            }
            return
        }
        for oy in 0..<outH {
            let y0 = oy * a.stride.h - a.padding.h
            for ox in 0..<outW {
                let x0 = ox * a.stride.w - a.padding.w
                let yEnd = Swift.min(y0 + a.kernel.h, inH + a.paddingEnd.h), xEnd = Swift.min(x0 + a.kernel.w, inW + a.paddingEnd.w)
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
/// columns `[⌊j·W/ow⌋, ⌈(j+1)·W/ow⌉)`; a 1x1 output (global pooling) by `shears_plane_means`.
enum AdaptiveAvgPool {
    /// Pools `batch` samples, a single image's planes split over `pool`.
    static func run(batch: Int, input: [Int], output: [Int], x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                    pool: WorkerPool?) {
        let (c, inH, inW) = (input[0], input[1], input[2])
        let (outH, outW) = (output[1], output[2])
        Step.forRanges(batch * c, itemSize: inH * inW, pool: pool) { planes in
            if outH == 1 && outW == 1 {
                return shears_plane_means(x + planes.lowerBound * inH * inW, y + planes.lowerBound, Int64(planes.count), Int64(inH * inW))
            }
            for plane in planes {
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
}
