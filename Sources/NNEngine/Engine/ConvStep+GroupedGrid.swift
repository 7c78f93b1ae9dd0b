// ConvStep+GroupedGrid: a grouped conv that is not depthwise on the grouped kernel
// (grouped_conv.h): per group, its channels' padded source in scratch, then tiles of four output
// channels by sixteen source-grid positions, the weights of every group packed once at plan time,
// bias and ReLU in the store. A single image's groups are split over `outputSplits` threads,
// each with its own scratch. Measured on one core against per-group im2col + GEMM
// (ConvStep+Grouped), 3x3 convs of RegNetY-400MF and ResNeXt-50 32x4d: 1.4-2.0x strided,
// 1.5-3.0x at stride 1 (the 7x7 maps most), and 1.6-1.8x the per-group direct kernel
// (ConvStep+GroupedDirect) at stride 1 with up to 32 channels a group.

import CKernels
import NNCore

extension ConvStep {
    /// Whether the grouped kernel applies: at most `SHEARS_GROUPED_MAX_TAPS` taps an output.
    var groupedGridEligible: Bool { (inC / groups) * kh * kw <= Int(SHEARS_GROUPED_MAX_TAPS) }

    /// The kernel of a grouped conv that is not depthwise: per group direct on large maps with
    /// many channels a group, else the grouped kernel, else (too many taps) im2col and GEMM.
    func groupedKernel() -> Kernel {
        if groupedDirectEligible { return .groupedDirect(groupPackedWeights()) }
        guard groupedGridEligible else { return .grouped }
        let groups32 = Int32(groups)
        var packed = [Float](repeating: 0, count: Int(shears_grouped_packed_size(Int32(outC), Int32(inC), groups32, window)))
        weight.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { shears_grouped_pack(w.baseAddress!, Int32(outC), Int32(inC), groups32, window, $0.baseAddress!) }
        }
        return .groupedGrid(packed)
    }

    /// Floats of one thread's scratch.
    private var groupedGridPartSize: Int { Int(shears_grouped_scratch_size(Int32(outC), Int32(inC), Int32(groups), window)) }

    /// Scratch: one part per thread.
    var groupedGridScratchSize: Int { groupedGridPartSize * outputSplits }

    /// `y = conv(x)` for `batch` samples, bias and ReLU fused, on the grouped kernel.
    func runGroupedGrid(_ packed: [Float], batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                        scratch: UnsafeMutablePointer<Float>) {
        let relu = reluFlag, partSize = groupedGridPartSize
        packed.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                forEachSample(batch: batch, extent: groups, alignment: 1, prepare: { _ in }, part: { n, part, first, end in
                    shears_grouped_conv(x + n * inputSize, w.baseAddress!, b.baseAddress!, Int32(outC), Int32(inC), Int32(groups),
                                        window, first, end, relu, scratch + part * partSize, y + n * convSize)
                })
            }
        }
    }
}
