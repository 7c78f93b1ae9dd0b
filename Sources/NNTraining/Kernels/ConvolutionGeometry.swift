// ConvolutionGeometry: the sizes of one conv2d over a batch (input, weight, output, groups),
// checked once.

import NNCore

/// The shapes of `y = conv2d(x, w)`: `x [N, C, H, W]`, `w [O, C/groups, kh, kw]`,
/// `y [N, O, outH, outW]` with `outH = (H + padTop + padBottom − dilation·(kh − 1) − 1) / stride + 1`.
struct ConvolutionGeometry {
    let batch: Int, inChannels: Int, inH: Int, inW: Int
    let outChannels: Int, kh: Int, kw: Int, outH: Int, outW: Int
    let attributes: Conv2dAttributes

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
        for (what, sizes) in [("output", [batch, outChannels, outH, outW]), ("im2col matrix", [columnRows, outH, outW])] {
            try MemoryBudget.check(elements: sizes.checkedProduct ?? -1, of: MemoryLayout<Float>.size, for: "the \(what) of conv \(name)", path: "the training batch")
        }
    }

    var groups: Int { attributes.groups }
    /// Input channels per group.
    var groupInChannels: Int { inChannels / groups }
    /// Output channels per group.
    var groupOutChannels: Int { outChannels / groups }
    /// Rows of one group's im2col matrix, `C/groups · kh · kw` (the GEMM's inner size).
    var columnRows: Int { groupInChannels * kh * kw }
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
