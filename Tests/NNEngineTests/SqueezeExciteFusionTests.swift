// SqueezeExciteFusionTests: a squeeze-excite block's gate (`x · g`, g per channel) fused into the
// 1x1 conv that reads it (ExecutionPlan+Fusion, ConvStep+Gate), against the naive loop: the
// gate folded into the pointwise kernel's weights (fewer output channels than positions) or
// applied to x in scratch (every other case: 7x7 and 1x1 maps, more output channels than
// positions), with and without a fused activation and residual, one image on two threads and
// batches.

import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

final class SqueezeExciteFusionTests: ConvKernelTestCase {
    /// `x → pool → fc1 (ReLU) → fc2 (hard sigmoid) → g`; `conv(x · g)`, then `act`, then `+ x`
    /// when `residual` (the add's activation after it).
    private func block(channels: Int, squeezed: Int, out: Int, act: Op?, residual: Bool) -> (GraphBuilder, StateDict) {
        var g = GraphBuilder()
        let pool = g.add("pool", .adaptiveAvgPool(Size2(1)), g.input)
        let fc1 = g.add("fc1", .conv2d(Conv2dAttributes()), pool)
        let relu = g.add("relu", .relu, fc1)
        let fc2 = g.add("fc2", .conv2d(Conv2dAttributes()), relu)
        let gate = g.add("gate", .hardSigmoid(alpha: 1 / 6, beta: 0.5), fc2)
        let mul = g.add("mul", .mul, g.input, gate)
        var y = g.add("conv", .conv2d(Conv2dAttributes()), mul)
        if residual { y = g.add("add", .add, y, g.input) }
        if let act { g.add("act", act, y) }
        var dict = StateDict()
        for (name, shape) in [("fc1", [squeezed, channels]), ("fc2", [channels, squeezed]), ("conv", [out, channels])] {
            dict.setTensor("\(name).weight", random(shape + [1, 1]))
            dict.setTensor("\(name).bias", random([shape[0]]))
        }
        return (g, dict)
    }

    func testGatedConvAgainstNaiveLoop() throws {
        let cases: [(channels: Int, out: Int, size: (Int, Int), batch: Int)] = [
            (24, 11, (14, 14), 1), (24, 11, (14, 14), 3), (40, 37, (20, 20), 1), (13, 5, (7, 7), 2), (9, 70, (8, 8), 2),
            (6, 6, (1, 1), 2), (16, 16, (12, 11), 1), (19, 19, (9, 9), 2),
        ]
        for (channels, out, size, batch) in cases {
            for act in [nil, Op.relu6, .hardSwish] {
                for residual in out == channels ? [false, true] : [false] {
                    let (graph, dict) = block(channels: channels, squeezed: 3, out: out, act: act, residual: residual)
                    let x = random([batch, channels, size.0, size.1])
                    let model = Model(architecture: "test", graph: graph.graph, stateDict: dict)
                    let executor = try Executor(model: model, input: [channels, size.0, size.1], maxBatch: batch, threads: 2)
                    let y = try executor.run(x)
                    let expected = naive(x, dict, channels: channels, out: out, size: size, act: act.flatMap(Activation.init), residual: residual)
                    assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5, "\(channels)->\(out) \(size) x\(batch) \(String(describing: act)) residual \(residual)")
                }
            }
        }
    }

    /// The plan has no mul step: the gate runs in the conv.
    func testTheMulRunsInTheConv() throws {
        let (graph, dict) = block(channels: 24, squeezed: 3, out: 11, act: nil, residual: false)
        let model = Model(architecture: "test", graph: graph.graph, stateDict: dict)
        let plan = try ExecutionPlan(model: model, shapes: try ShapeInference(model: model, input: [24, 14, 14]).shapes, maxBatch: 1,
                                     foldBatchNorm: true, sparseDensityLimit: nil, winograd: true, outputSplits: 1)
        XCTAssertFalse(plan.steps.contains { if case .mul = $0 { return true } else { return false } })
        guard case .conv(let conv) = plan.steps.last else { return XCTFail("\(String(describing: plan.steps.last))") }
        XCTAssertNotNil(conv.gate)
        XCTAssertTrue(conv.gatesWeights)
    }

    /// The block computed naively, one sample at a time.
    private func naive(_ x: Tensor, _ dict: StateDict, channels: Int, out: Int, size: (Int, Int), act: Activation?, residual: Bool) -> [Float] {
        let plane = size.0 * size.1, batch = x.shape[0]
        func dense(_ name: String, _ v: [Float]) -> [Float] {
            let w = dict.tensor("\(name).weight")!.scalars, b = dict.tensor("\(name).bias")!.scalars
            return b.indices.map { o in
                var sum: Float = 0
                for c in v.indices { sum += w[o * v.count + c] * v[c] }
                return sum + b[o]
            }
        }
        var y: [Float] = []
        for n in 0..<batch {
            let xs = Array(x.scalars[(n * channels * plane)..<((n + 1) * channels * plane)])
            let pooled = (0..<channels).map { c in xs[(c * plane)..<((c + 1) * plane)].reduce(0, +) / Float(plane) }
            let gate = dense("fc2", dense("fc1", pooled).map { max($0, 0) }).map { Activation.hardSigmoid(1 / 6, 0.5).apply($0) }
            let gated = Tensor(shape: [1, channels, size.0, size.1], scalars: xs.indices.map { xs[$0] * gate[$0 / plane] })
            let conv = naiveConv(gated, dict.tensor("conv.weight")!, dict.tensor("conv.bias")!, Conv2dAttributes(), out: size)
            y += conv.indices.map { k in
                let v = conv[k] + (residual ? xs[k] : 0)
                return act?.apply(v) ?? v
            }
        }
        return y
    }
}
