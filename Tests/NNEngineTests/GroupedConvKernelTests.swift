// GroupedConvKernelTests: grouped convs that are not depthwise on the direct kernel per group
// (ConvStep+GroupedDirect), against the naive loop, and where they stay on im2col + GEMM.

import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

final class GroupedConvKernelTests: ConvKernelTestCase {
    /// Per-group channel counts that are no multiple of the tile (3, 5, 4 → 6), a 5x5, a dilated
    /// and a 1x1 window, a ReLU and a Hardswish after the conv, one image on two threads (groups
    /// split) and a batch of two, all on stride-1 maps of 28x28 and more.
    func testGroupedConvsPerGroupOnTheDirectKernel() throws {
        let cases: [(cin: Int, cout: Int, k: Int, a: Conv2dAttributes, size: (Int, Int))] = [
            (12, 12, 3, Conv2dAttributes(padding: Size2(1), groups: 3), (30, 29)),
            (10, 6, 5, Conv2dAttributes(padding: Size2(2), groups: 2), (28, 31)),
            (16, 24, 3, Conv2dAttributes(padding: Size2(2), dilation: Size2(2), groups: 4), (29, 28)),
            (15, 20, 1, Conv2dAttributes(groups: 5), (28, 28)),
        ]
        for (cin, cout, k, a, size) in cases {
            let w = random([cout, cin / a.groups, k, k]), b = random([cout])
            var dict = StateDict()
            dict.setTensor("conv.weight", w)
            dict.setTensor("conv.bias", b)
            let out = ((size.0 + 2 * a.padding.h - a.dilation.h * (k - 1) - 1) + 1, (size.1 + 2 * a.padding.w - a.dilation.w * (k - 1) - 1) + 1)
            for op in [Op.relu, .hardSwish] {
                var g = GraphBuilder()
                let conv = g.add("conv", .conv2d(a), g.input)
                g.add("act", op, conv)
                let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
                let shapes = try ShapeInference(model: model, input: [cin, size.0, size.1]).shapes
                let plan = try ExecutionPlan(model: model, shapes: shapes, maxBatch: 1, foldBatchNorm: true, sparseDensityLimit: nil,
                                             winograd: true, outputSplits: 2)
                guard case .conv(let step) = plan.steps.first, case .groupedDirect = step.kernel else {
                    return XCTFail("\(a) \(size): \(plan.steps)")
                }
                let activation = Activation(op)
                for batch in [1, 2] {
                    let x = random([batch, cin, size.0, size.1])
                    let y = try Executor(model: model, input: [cin, size.0, size.1], maxBatch: batch, threads: 2).run(x)
                    let expected = naiveConv(x, w, b, a, out: out).map { activation?.apply($0) ?? $0 }
                    assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5, "\(a) \(size) \(op) batch \(batch)")
                }
            }
        }
    }

    /// Strided grouped convs and those on maps under 28x28 stay on per-group im2col + GEMM.
    func testSmallOrStridedGroupedConvsStayOnGEMM() throws {
        for (a, size) in [(Conv2dAttributes(stride: Size2(2), padding: Size2(1), groups: 2), 56), (Conv2dAttributes(padding: Size2(1), groups: 2), 27)] {
            var dict = StateDict()
            dict.setTensor("conv.weight", random([8, 4, 3, 3]))
            var g = GraphBuilder()
            g.add("conv", .conv2d(a), g.input)
            let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
            let shapes = try ShapeInference(model: model, input: [8, size, size]).shapes
            let plan = try ExecutionPlan(model: model, shapes: shapes, maxBatch: 1, foldBatchNorm: true, sparseDensityLimit: nil,
                                         winograd: true, outputSplits: 1)
            guard case .conv(let step) = plan.steps.first, case .grouped = step.kernel else { return XCTFail("\(a) \(size): \(plan.steps)") }
        }
    }
}
