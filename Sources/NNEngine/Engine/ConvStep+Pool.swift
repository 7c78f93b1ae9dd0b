// ConvStep+Pool: a max pool fused into the conv before it (the plan fuses one that is the
// only reader of the conv's output, after any folded BatchNorm and fused activation). The
// step stores only the pooled map: a dense direct conv pools bands of its rows while they are
// in cache (`shears_direct_conv_max_pool`), a polyphase one its ring of rows; any other conv's
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
    /// ReLU or no activation.
    private var poolsInKernel: Bool {
        switch kernel {
        case .direct, .polyphase: return epilogue == nil || epilogue == .relu
        default: return false
        }
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
            case .direct(let packed): return runDirect(.dense(packed, pool: pool), batch: batch, x: x, y: y, scratch: scratch)
            case .polyphase(let filters): return runPolyphase(filters, pool: pool, batch: batch, x: x, y: y, scratch: scratch)
            default: break
            }
        }
        let convOutput = scratch + kernelScratchSize, planes = convOutput + convSize
        for n in 0..<batch {
            runConv(batch: 1, x: x + n * inputSize, y: convOutput, scratch: scratch)
            shears_max_pool(convOutput, y + n * pool.size, Int32(outC), pool.window, planes)
        }
    }
}
