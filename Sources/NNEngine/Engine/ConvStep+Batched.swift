// ConvStep+Batched: an ungrouped conv on a small map (fewer than `batchedPositions` outputs a
// plane: 4x4 and below; a dense one with a window, at most 16 output channels and at most 512
// rows of weights per output channel on 8x8 and below), where the direct kernels' 16- and 32-position panels would be mostly
// empty and OpenBLAS's sgemm spends more time packing than computing: one GEMM of Shears' own
// over all the lane's samples (small_conv.h), `Y [out, n·oh·ow] = W' [out, T·in] · cols [T·in,
// n·oh·ow]`, with the bias, a residual and the fused activation (all but GELU) in its store.
// Only the T live taps run (those that read the input at some output position: a 3x3, pad-1
// conv on a 1x1 map runs its centre tap only, a 9th of the work); a dead tap multiplies only
// the zero padding, so it is left out unless one of the conv's weights is not finite (0 · inf
// is NaN, which the full conv would give). The columns are gathered through a table of the
// plane offset each tap reads at each position; the table and the weights (in panels of 16
// output channels that a single image's threads share) are made once. Dense only: on such maps sparsity buys
// next to nothing. A 1x1 conv on a 1x1 map (squeeze-excite's) is a linear layer and runs as
// one (`LinearStep.product`: no gather, the bias stored first, a single image's GEMV split
// over the threads).

import CKernels

/// The small-map GEMM's weights: the taps it runs (row-major indices i·kw + j), the plane
/// offset each reads at each output position (`shears_small_conv_sources`) and the weights
/// packed for them by `shears_small_conv_pack`.
struct SmallConvWeights {
    let taps: [Int32]
    let sources: [Int32]
    let packed: [Float]
}

extension ConvStep {
    /// Output planes with fewer positions than this run batched.
    static let batchedPositions = 32

    /// Dense convs with a window (not 1x1) and at most 16 output channels (one panel) on planes
    /// of up to this many positions (8x8) run batched too when their panel fits L1
    /// (`batchedMaximumDepth` rows of 16 floats, 32 KiB) and no max pool is fused: the
    /// teacher's 16-channel 3x3 convs on 8x8 maps took 8 µs instead of the direct kernel's 11
    /// (one image), 59 µs instead of 62-84 (a batch of 8); with 128 output channels (GoogLeNet's
    /// 3x3 convs of 32 and 48 channels on 7x7 maps) the direct kernel was faster (59 and 83 µs
    /// against 75 and 91, one image).
    static let batchedWindowPositions = 64, batchedMaximumDepth = 512

    /// Whether a dense conv that Winograd does not take runs batched on an 8x8 map or smaller.
    var batchedWindowEligible: Bool {
        kh * kw > 1 && outC <= Int(SHEARS_SMALL_CONV_PANEL) && outH * outW <= Self.batchedWindowPositions
            && inC * kh * kw <= Self.batchedMaximumDepth && pool == nil
    }

    /// Whether the conv is a linear layer: 1x1 on 1x1 maps.
    private var isVectorConv: Bool { inputSize == inC && convSize == outC && kh * kw == 1 }

    /// The weights `.batched` runs with: nil for a 1x1 conv on 1x1 maps (a linear layer), else
    /// the live taps' (all taps when a weight is not finite) packed.
    func batchedWeights() -> SmallConvWeights? {
        if isVectorConv { return nil }
        var taps = [Int32](repeating: 0, count: kh * kw)
        let live = Int(shears_small_conv_live_taps(window, &taps))
        taps = weight.allSatisfy(\.isFinite) ? Array(taps.prefix(live)) : (0..<Int32(kh * kw)).map { $0 }
        var packed = [Float](repeating: 0, count: Int(shears_small_conv_packed_size(Int32(outC), Int32(inC), Int32(taps.count))))
        weight.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { p in
                shears_small_conv_pack(w.baseAddress, Int32(outC), Int32(inC), Int32(kh * kw), taps, Int32(taps.count), p.baseAddress)
            }
        }
        var sources = [Int32](repeating: 0, count: taps.count * outH * outW)
        shears_small_conv_sources(window, taps, Int32(taps.count), &sources)
        return SmallConvWeights(taps: taps, sources: sources, packed: packed)
    }

    /// Scratch: the columns of a lane's samples.
    var batchedScratchSize: Int {
        guard case .batched(let weights?) = kernel else { return 0 }
        return weights.taps.count * inC * outH * outW * capacity
    }

    /// `y = epilogue(conv(x) + bias + skip)` for `batch` samples (the epilogue applied in the
    /// store unless `Activation.kernelActivation` is nil for it; a linear layer applies a ReLU
    /// only, and no skip).
    func runBatched(_ weights: SmallConvWeights?, batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                    skip: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>) {
        guard let weights else { return runOnVectors(batch: batch, x: x, y: y) }
        let positions = outH * outW, depth = weights.taps.count * inC, panels = (outC + Int(SHEARS_SMALL_CONV_PANEL) - 1) / Int(SHEARS_SMALL_CONV_PANEL)
        let activation = storeActivation
        weights.sources.withUnsafeBufferPointer { sources in
            shears_small_conv_gather(x, Int32(batch), Int32(inC), Int64(inH * inW), sources.baseAddress, Int32(weights.taps.count),
                                     Int32(positions), scratch)
        }
        let parts = batch == 1 ? min(outputSplits, panels) : 1, share = (panels + parts - 1) / parts
        weights.packed.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                parallel(parts) { k in
                    let first = k * share, end = min(panels, first + share)
                    if first < end {
                        shears_small_conv(scratch, w.baseAddress, b.baseAddress, skip, Int32(outC), Int32(depth), Int32(batch),
                                          Int32(positions), Int32(first), Int32(end), activation, y)
                    }
                }
            }
        }
    }

    /// A 1x1 conv on 1x1 maps: `y[n, o] = Σ_i W[o, i] · x[n, i] + b[o]`, ReLU when fused.
    private func runOnVectors(batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        bias.withUnsafeBufferPointer { b in
            for n in 0..<batch { (y + n * outC).update(from: b.baseAddress!, count: outC) }
        }
        weight.withUnsafeBufferPointer { w in
            LinearStep.product(x, w.baseAddress!, y, batch: batch, inFeatures: inC, outFeatures: outC, pool: threads)
        }
        if reluFlag == 1 { for k in 0..<(batch * outC) { y[k] = max(y[k], 0) } }
    }
}
