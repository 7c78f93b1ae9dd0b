// ConvStep+Pointwise: a dense 1x1, stride-1, unpadded, ungrouped conv as a GEMM straight on
// the NCHW planes (pointwise_conv.h), `Y[out, h·w] = W[out, in] · X[in, h·w]`, one sample at a
// time, with the bias and the fused activation (all but GELU) applied in the kernel's store.
// A single image is split over `outputSplits` threads by positions on large maps (each thread
// reads its own share of X), by output channels on small ones.

import CKernels
import NNCore

extension ConvStep {
    /// Whether the pointwise kernel applies: ungrouped, 1x1, stride 1, no padding.
    var pointwiseEligible: Bool {
        groups == 1 && kh == 1 && kw == 1 && attributes.stride == Size2(1) && attributes.padding == Size2(0)
            && outH == inH && outW == inW
    }

    /// Pointwise convs on maps under this many positions (7x7) stay on the direct kernel: at
    /// par there with MobileNetV2's shapes, 1.1-1.2x on ResNet-50's 512→2048 and 2048→512 (one
    /// image; per-sample, one core). (At batch 8, im2col + one GEMM over the samples ran
    /// 1.1-1.4x the pointwise kernel on 7x7 maps with 160 to 2048 channels, but whole ResNet-50
    /// ran slower with it than on the direct kernel: left to measure against the direct one.)
    static let pointwiseMinimumPositions = 64

    /// Maps of at least this many positions are split over threads by positions.
    static let pointwisePositionSplit = 256

    /// The dense weights packed for `shears_pointwise_conv`.
    func pointwisePackedWeights() -> [Float] {
        var packed = [Float](repeating: 0, count: Int(shears_pointwise_packed_size(Int32(outC), Int32(inC))))
        weight.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { shears_pointwise_pack(w.baseAddress!, Int32(outC), Int32(inC), $0.baseAddress!) }
        }
        return packed
    }

    /// Scratch: one kernel scratch per thread (after the gated weights, ConvStep+Gate).
    var pointwiseScratchSize: Int { Int(shears_pointwise_scratch_size(Int32(inC))) * outputSplits }

    /// `y = epilogue(W·x + bias + skip)` for `batch` samples (the epilogue applied by the
    /// kernel unless `Activation.kernelActivation` is nil for it); with a gate, W's input
    /// channels scaled by each sample's gate first (into the start of scratch).
    func runPointwise(_ packed: [Float], batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                      skip: UnsafePointer<Float>?, gate: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>) {
        let positions = outH * outW, partSize = Int(shears_pointwise_scratch_size(Int32(inC)))
        let kernelScratch = scratch + (gate == nil ? 0 : gateScratchSize), tile = Int(SHEARS_POINTWISE_TILE_CHANNELS)
        let activation = storeActivation
        let byPositions = positions >= Self.pointwisePositionSplit
        packed.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                let weights = gate == nil ? w.baseAddress! : UnsafePointer(scratch)
                forEachSample(batch: batch, extent: byPositions ? positions : outC, alignment: byPositions ? 16 : tile, prepare: { n in
                    guard let gate else { return }
                    gatePackedWeights(w.baseAddress!, count: packed.count, tile: tile, gate: gate + n * inC, into: scratch)
                }, part: { n, part, first, end in
                    let (channels, span) = byPositions ? ((0, outC), (Int(first), Int(end))) : ((Int(first), Int(end)), (0, positions))
                    shears_pointwise_conv(x + n * inputSize, weights, b.baseAddress!, skip.map { $0 + n * convSize }, Int32(outC), Int32(inC),
                                          Int64(positions), Int32(channels.0), Int32(channels.1), Int64(span.0), Int64(span.1),
                                          activation, kernelScratch + part * partSize, y + n * convSize)
                })
            }
        }
    }
}
