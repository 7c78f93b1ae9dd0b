// ConvolutionGeometry: the sizes of one conv2d over a batch (input, weight, output, groups),
// checked once, and its live taps: on a map smaller than the kernel's reach (a 3x3 conv on a
// 1x1 map), the taps that read only padding drop out of the GEMMs.

import CKernels
import NNCore

/// The shapes of `y = conv2d(x, w)`: `x [N, C, H, W]`, `w [O, C/groups, kh, kw]`,
/// `y [N, O, outH, outW]` with `outH = (H + padTop + padBottom − dilation·(kh − 1) − 1) / stride + 1`.
struct ConvolutionGeometry {
    let batch: Int, inChannels: Int, inH: Int, inW: Int
    let outChannels: Int, kh: Int, kw: Int, outH: Int, outW: Int
    let attributes: Conv2dAttributes
    /// The window CKernels' kernels take.
    let window: shears_window
    /// The taps `i·kw + j` that read the input at some output position, in row-major order
    /// (CKernels' `shears_small_conv_live_taps`): every tap but on maps smaller than the kernel's
    /// reach; tap 0 alone when none does.
    let liveTaps: [Int32]

    /// Checks `input` (the batch's shape) against `weight` and `attributes`; `name` names the node in errors.
    init(_ name: String, input: [Int], weight: [Int], _ attributes: Conv2dAttributes) throws {
        let a = attributes
        guard input.count == 4, weight.count == 4, input.allSatisfy({ 1...ShapeInference.maximumDimension ~= $0 }),
              weight.allSatisfy({ 1...ShapeInference.maximumDimension ~= $0 }) else {
            throw TrainingError.shapeMismatch("\(name): conv2d needs a [N, C, H, W] input and a [O, C/groups, kh, kw] weight, got \(input) and \(weight)")
        }
        let settings = [a.stride.h, a.stride.w, a.dilation.h, a.dilation.w, a.padding.h, a.padding.w, a.paddingEnd.h, a.paddingEnd.w]
        guard a.groups >= 1, a.stride.h >= 1, a.stride.w >= 1, a.dilation.h >= 1, a.dilation.w >= 1,
              settings.allSatisfy({ 0...ShapeInference.maximumWindow ~= $0 }),
              input[1] % a.groups == 0, weight[0] % a.groups == 0, weight[1] * a.groups == input[1],
              weight[2] >= 1, weight[3] >= 1 else {
            throw TrainingError.shapeMismatch("\(name): conv2d weight \(weight) with groups \(a.groups) does not fit the input \(input) (or a stride, dilation or padding is out of range)")
        }
        let outH = (input[2] + a.padding.h + a.paddingEnd.h - a.dilation.h * (weight[2] - 1) - 1) / a.stride.h + 1
        let outW = (input[3] + a.padding.w + a.paddingEnd.w - a.dilation.w * (weight[3] - 1) - 1) / a.stride.w + 1
        guard input[2] + a.padding.h + a.paddingEnd.h >= a.dilation.h * (weight[2] - 1) + 1,
              input[3] + a.padding.w + a.paddingEnd.w >= a.dilation.w * (weight[3] - 1) + 1 else {
            throw TrainingError.shapeMismatch("\(name): the \(weight[2])x\(weight[3]) kernel does not fit the padded \(input[2])x\(input[3]) map")
        }
        (batch, inChannels, inH, inW) = (input[0], input[1], input[2], input[3])
        (outChannels, kh, kw) = (weight[0], weight[2], weight[3])
        (self.outH, self.outW) = (outH, outW)
        self.attributes = a
        window = shears_window(in_h: Int32(inH), in_w: Int32(inW), out_h: Int32(outH), out_w: Int32(outW),
                               kernel_h: Int32(kh), kernel_w: Int32(kw), stride_h: Int32(a.stride.h), stride_w: Int32(a.stride.w),
                               pad_h: Int32(a.padding.h), pad_w: Int32(a.padding.w),
                               dilation_h: Int32(a.dilation.h), dilation_w: Int32(a.dilation.w))
        try MemoryBudget.check(elements: weight[2] * weight[3], of: MemoryLayout<Int32>.size, for: "the taps of conv \(name)", path: "the training batch")
        var taps = [Int32](repeating: 0, count: weight[2] * weight[3])
        let live = Int(shears_small_conv_live_taps(window, &taps))
        // No tap reads the input (every output in the padding): tap 0 stands in, its columns all
        // zero, so the GEMMs keep an inner size of at least one.
        liveTaps = live > 0 ? Array(taps.prefix(live)) : [0]
        for (what, sizes) in [("output", [batch, outChannels, outH, outW]), ("im2col matrix", [columnRows, outH, outW])] {
            try MemoryBudget.check(elements: sizes.checkedProduct ?? -1, of: MemoryLayout<Float>.size, for: "the \(what) of conv \(name)", path: "the training batch")
        }
    }

    var groups: Int { attributes.groups }
    /// Input channels per group.
    var groupInChannels: Int { inChannels / groups }
    /// Output channels per group.
    var groupOutChannels: Int { outChannels / groups }
    /// Rows of one group's im2col matrix, `C/groups · live taps` (the GEMM's inner size).
    var columnRows: Int { groupInChannels * liveTaps.count }

    /// Whether every tap reads the input somewhere (the weight is the GEMMs' as it is).
    var allTapsLive: Bool { liveTaps.count == kh * kw }

    /// The weight as the GEMMs take it, `[O, C/groups · live taps]`: `weight` (`[O, C/groups, kh,
    /// kw]`) itself when every tap is live, else its live taps' entries.
    func gemmWeight(_ weight: [Float]) -> [Float] {
        guard !allTapsLive else { return weight }
        let taps = kh * kw, rows = outChannels * groupInChannels
        return (0..<(rows * liveTaps.count)).map { index in
            weight[index / liveTaps.count * taps + Int(liveTaps[index % liveTaps.count])]
        }
    }

    /// `dw += share` for a weight gradient in the GEMMs' layout (`gemmWeight`'s), `dw` in the
    /// weight's: a dead tap's entries stay as they are (0: its gradient is a sum of products with padding).
    func addGEMMGradient(_ share: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
        let taps = kh * kw, live = liveTaps.count
        for row in 0..<(outChannels * groupInChannels) {
            for k in 0..<live { dw[row * taps + Int(liveTaps[k])] += share[row * live + k] }
        }
    }
    var inPlane: Int { inH * inW }
    var outPlane: Int { outH * outW }
    var outputShape: [Int] { [batch, outChannels, outH, outW] }

    /// A 1x1, stride-1, unpadded conv: the input planes are the im2col matrix.
    var isPointwise: Bool {
        kh == 1 && kw == 1 && attributes.stride == Size2(1) && attributes.padding == Size2(0) && attributes.paddingEnd == Size2(0)
    }

    /// One filter per channel (`groups == C == O`): direct loops beat im2col.
    var isDepthwise: Bool { groups == inChannels && groups == outChannels }
}
