// ConvStep+GroupedDirect: a grouped conv that is not depthwise, on a stride-1 map of at least
// `groupedDirectPositions` outputs with at least `groupedDirectChannels` input and output
// channels a group, on the dense direct kernel (direct_conv.h) once per group:
// the group's input planes are its own conv's input (their padded source filled per group),
// its weights packed per group at plan time, its output channels a slice of y. A single
// image's groups are split over `outputSplits` threads, each with its own source and panels.
// Measured on one core against the grouped kernel (ConvStep+GroupedGrid), 3x3 convs: 64
// channels a group at 56x56 and 28x28 1.04-1.13x; 32 at 56x56 par; 4 to 32 channels a group
// (ResNeXt-50 32x4d, RegNetY) 0.55-0.62x (those run on the grouped kernel).

import CKernels
import NNCore

extension ConvStep {
    /// Stride-1 grouped convs with at least this many outputs a plane run per group direct.
    static let groupedDirectPositions = 28 * 28
    /// ... and with at least this many input and output channels a group.
    static let groupedDirectChannels = 64

    /// Whether the per-group direct kernel applies.
    var groupedDirectEligible: Bool {
        attributes.stride == Size2(1) && outH * outW >= Self.groupedDirectPositions
            && min(inC, outC) / groups >= Self.groupedDirectChannels
    }

    /// Floats of one group's packed weights.
    private var groupPackedSize: Int {
        Int(shears_direct_packed_size(Int32(outC / groups), Int32(inC / groups), window))
    }

    /// The weights of each group packed for `shears_direct_conv`, one group after the other.
    func groupPackedWeights() -> [Float] {
        let coutG = outC / groups, perGroup = coutG * (inC / groups) * kh * kw, size = groupPackedSize
        var packed = [Float](repeating: 0, count: size * groups)
        weight.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { p in
                for g in 0..<groups {
                    shears_direct_pack(w.baseAddress! + g * perGroup, Int32(coutG), Int32(inC / groups), window,
                                       p.baseAddress! + g * size)
                }
            }
        }
        return packed
    }

    /// Floats of one thread's scratch: a group's source, then its panels.
    private var groupPartSize: Int {
        let cinG = Int32(inC / groups)
        return Int(shears_direct_source_size(cinG, window)) + Int(shears_direct_scratch_size(cinG, window))
    }

    /// Scratch: one part per thread.
    var groupedDirectScratchSize: Int { groupPartSize * outputSplits }

    /// `y = conv(x)` for `batch` samples, bias and ReLU fused, per group on the direct kernel.
    func runGroupedDirect(_ packed: [Float], batch: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                          scratch: UnsafeMutablePointer<Float>) {
        let cinG = inC / groups, coutG = outC / groups, plane = inH * inW, outPlane = outH * outW
        let sourceSize = Int(shears_direct_source_size(Int32(cinG), window)), size = groupPackedSize, relu = reluFlag
        packed.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                forEachSample(batch: batch, extent: groups, alignment: 1, prepare: { _ in }, part: { n, part, first, end in
                    let source = scratch + part * groupPartSize, panels = source + sourceSize
                    for g in Int(first)..<Int(end) {
                        let xg = x + n * inputSize + g * cinG * plane
                        if sourceSize > 0 { shears_direct_source(xg, Int32(cinG), window, source) }
                        shears_direct_conv(sourceSize > 0 ? source : xg, w.baseAddress! + g * size, b.baseAddress! + g * coutG,
                                           Int32(coutG), Int32(cinG), window, 0, Int32(coutG), relu, panels,
                                           y + n * convSize + g * coutG * outPlane)
                    }
                })
            }
        }
    }
}
