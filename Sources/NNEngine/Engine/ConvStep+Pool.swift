// ConvStep+Pool: a max pool fused into the conv before it (the plan fuses one that is the
// only reader of the conv's output, after any folded BatchNorm and fused activation). The
// step stores only the pooled map: a dense direct conv pools bands of its rows while they are
// in cache (`shears_direct_conv_max_pool`), a polyphase one its ring of rows (with a ReLU6,
// clip or leaky ReLU, which commute with the max, applied to the pooled map); any other conv's
// output goes one sample at a time to scratch for `shears_max_pool`. Either way a lane's batch
// of full-size maps never goes through memory (a 224x224 stem's output is 3.2 MB a sample).

import NNCore
import CKernels

/// A max pool over a conv's output planes.
struct FusedPool {
    /// The pool's window over one conv output plane.
    let window: shears_window
    /// Floats of the pooled map per sample.
    let size: Int

    init(attributes a: Pool2dAttributes, conv: [Int], output: [Int]) {
        window = shears_window(stride: a.stride, padding: a.padding, dilation: a.dilation, kernel: a.kernel,
                               input: Size2(conv[1], conv[2]), output: Size2(output[1], output[2]))
        size = output.reduce(1, *)
    }
}

extension ConvStep {
    /// Whether the pool runs in the kernel's store: a dense direct or polyphase conv with a
    /// ReLU, no activation or one applied to the pooled map after (`activatesPooledMap`).
    private var poolsInKernel: Bool {
        switch kernel {
        case .direct, .polyphase: return epilogue == nil || epilogue == .relu || activatesPooledMap(pool)
        default: return false
        }
    }

    /// Whether the activation runs on the pooled map instead of the conv's (a quarter of the
    /// floats for a 2x2 pool): `max(act(a), act(b)) = act(max(a, b))` for ReLU6, a clip and a
    /// leaky ReLU of slope ≥ 0, non-decreasing in floats too (a NaN stays NaN and wins either
    /// way), provided every pool window reads the conv's output (a window of padding alone
    /// would give −inf, which the activation changes).
    private func activatesPooledMap(_ pool: FusedPool?) -> Bool {
        guard let pool else { return false }
        switch epilogue {
        case .relu6?, .clip?: break
        case .leaky(let slope)?: guard slope >= 0 else { return false }
        default: return false
        }
        let w = pool.window
        return w.pad_h <= (w.kernel_h - 1) * w.dilation_h && w.pad_w <= (w.kernel_w - 1) * w.dilation_w
            && (w.out_h - 1) * w.stride_h - w.pad_h < w.in_h && (w.out_w - 1) * w.stride_w - w.pad_w < w.in_w
    }

    /// Scratch: the fused kernel's; else the conv kernel's, one sample's conv output, and the
    /// pool's padded plane.
    func pooledScratchSize(_ pool: FusedPool) -> Int {
        guard poolsInKernel else { return kernelScratchSize + convSize + Int(shears_padded_plane_size(pool.window)) }
        if case .polyphase = kernel { return polyphaseScratchSize(pool: pool) }
        return directScratchSize(pool: pool)
    }

    /// Conv, epilogue and max pool of `batch` samples: in the direct kernel's store, or one
    /// sample at a time through scratch.
    func runPooled(_ pool: FusedPool, batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                   scratch: UnsafeMutablePointer<Float>) {
        if poolsInKernel {
            switch kernel {
            case .direct(let packed): runDirect(.dense(packed, pool: pool), batch: batch, x: x, y: y, scratch: scratch)
            case .polyphase(let filters): runPolyphase(filters, pool: pool, batch: batch, x: x, y: y, scratch: scratch)
            default: break
            }
            if let epilogue, activatesPooledMap(pool) { epilogue.apply(y, y, count: batch * pool.size, pool: threads) }
            return
        }
        let convOutput = scratch + kernelScratchSize, planes = convOutput + convSize
        for n in 0..<batch {
            runConv(batch: 1, x: x + n * inputSize, y: convOutput, scratch: scratch)
            shears_max_pool(convOutput, y + n * pool.size, Int32(outC), pool.window, planes)
        }
    }
}
