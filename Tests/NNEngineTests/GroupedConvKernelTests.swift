// GroupedConvKernelTests: grouped convs that are not depthwise, against the naive loop, on the
// grouped kernel (ConvStep+GroupedGrid), on the direct kernel per group (ConvStep+GroupedDirect:
// large maps, many channels a group) and on im2col + GEMM (too many taps for the grouped kernel).

import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

final class GroupedConvKernelTests: ConvKernelTestCase {
    private typealias Case = (cin: Int, cout: Int, k: Int, a: Conv2dAttributes, size: (Int, Int))

    /// Runs each case with each op after the conv for batches `batches` on two threads, checks
    /// the plan chose `kernel` (by name) and compares with the naive loop.
    private func check(_ cases: [Case], ops: [Op], batches: [Int], kernel: String) throws {
        for (cin, cout, k, a, size) in cases {
            let w = random([cout, cin / a.groups, k, k]), b = random([cout])
            var dict = StateDict()
            dict.setTensor("conv.weight", w)
            dict.setTensor("conv.bias", b)
            let out = ((size.0 + 2 * a.padding.h - a.dilation.h * (k - 1) - 1) / a.stride.h + 1,
                       (size.1 + 2 * a.padding.w - a.dilation.w * (k - 1) - 1) / a.stride.w + 1)
            for op in ops {
                var g = GraphBuilder()
                let conv = g.add("conv", .conv2d(a), g.input)
                g.add("act", op, conv)
                let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
                let shapes = try ShapeInference(model: model, input: [cin, size.0, size.1]).shapes
                let plan = try ExecutionPlan(model: model, shapes: shapes, maxBatch: 1, foldBatchNorm: true, sparseDensityLimit: nil,
                                             winograd: true, outputSplits: 2)
                guard case .conv(let step) = plan.steps.first, step.kernel.name == kernel else {
                    return XCTFail("\(cin)->\(cout) \(k)x\(k) \(a) \(size): \(plan.steps)")
                }
                let activation = Activation(op)
                for batch in batches {
                    let x = random([batch, cin, size.0, size.1])
                    let y = try Executor(model: model, input: [cin, size.0, size.1], maxBatch: batch, threads: 2).run(x)
                    let expected = naiveConv(x, w, b, a, out: out).map { activation?.apply($0) ?? $0 }
                    assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5, "\(cin)->\(cout) \(k)x\(k) \(a) \(size) \(op) batch \(batch)")
                }
            }
        }
    }

    /// Groups 2 to 32 with 1 to 16 channels a group (in and out differing, most no multiple of
    /// the tile's four channels), strides 1, 2 (the vector fill), 3 (`shears_direct_source`)
    /// and 2x1, padding up to past the window, dilation,
    /// 1x1, 5x5 and 7x7 windows, 1x1 and 7x7 maps and odd ones, a ReLU (in the store) and a
    /// Hardswish (after it), batches 1 to 3; one image's groups split over two threads where the
    /// conv has work enough (the 30x29 maps).
    func testGroupedConvsOnTheGroupedKernel() throws {
        let cases: [Case] = [
            (2, 6, 3, Conv2dAttributes(padding: Size2(1), groups: 2), (7, 7)),
            (12, 15, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(1), groups: 3), (9, 8)),
            (64, 96, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(1), groups: 32), (7, 7)),
            (15, 20, 1, Conv2dAttributes(groups: 5), (6, 5)),
            (32, 32, 3, Conv2dAttributes(padding: Size2(1), groups: 2), (1, 1)),
            (56, 72, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(2), dilation: Size2(2), groups: 8), (13, 11)),
            (9, 48, 7, Conv2dAttributes(padding: Size2(3), groups: 3), (7, 7)),
            (4, 6, 3, Conv2dAttributes(padding: Size2(4), groups: 2), (5, 5)),
            (10, 6, 5, Conv2dAttributes(padding: Size2(2), groups: 2), (8, 9)),
            (32, 40, 3, Conv2dAttributes(padding: Size2(1), groups: 4), (30, 29)),
            (16, 24, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(1), groups: 4), (30, 29)),
            (12, 10, 3, Conv2dAttributes(stride: Size2(2, 1), padding: Size2(1, 2), dilation: Size2(1, 2), groups: 2), (11, 9)),
            (6, 9, 3, Conv2dAttributes(stride: Size2(3), padding: Size2(1), groups: 3), (10, 8)),
        ]
        try check(cases, ops: [.relu, .hardSwish], batches: [1, 3], kernel: "grouped grid")
        try check([(8, 8, 3, Conv2dAttributes(padding: Size2(1), groups: 4), (4, 3))], ops: [.relu], batches: [2], kernel: "grouped grid")
    }

    /// Stride-1 maps of 28x28 and more with 64 channels a group (in and out) run per group on
    /// the direct kernel.
    func testManyChannelsAGroupOnLargeMapsRunPerGroupDirect() throws {
        let cases: [Case] = [
            (128, 130, 1, Conv2dAttributes(groups: 2), (28, 29)),
            (128, 128, 3, Conv2dAttributes(padding: Size2(1), groups: 2), (28, 28)),
        ]
        try check(cases, ops: [.relu], batches: [1], kernel: "grouped direct")
    }

    /// More taps an output than the grouped kernel takes: per-group im2col + GEMM.
    func testConvsWithTooManyTapsStayOnGEMM() throws {
        try check([(512, 4, 3, Conv2dAttributes(padding: Size2(1), groups: 2), (3, 3))], ops: [.relu], batches: [1, 2], kernel: "grouped")
    }
}
