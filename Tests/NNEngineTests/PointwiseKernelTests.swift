// PointwiseKernelTests: the pointwise conv kernel (Sources/CKernels/pointwise) against a naive
// loop, called directly (odd channel counts, position counts around its 16-wide panels, every
// activation, with and without a residual, split ranges) and through the Executor (kernel
// selection, fused activations, one image split over threads, batches).

import XCTest
import CKernels
import TestSupport
@testable import NNCore
@testable import NNEngine

final class PointwiseKernelTests: ConvKernelTestCase {
    /// Every activation the Executor fuses into a conv.
    private let activations: [Activation] = [
        .relu, .relu6, .leaky(0.1), .clip(-0.5, 0.7), .sigmoid, .hardSigmoid(0.2, 0.5), .hardSigmoid(1 / 6, 0.5), .hardSwish, .silu,
    ]

    /// `act(Σ_c w[o, c] · x[c, p] + bias[o] + skip[o, p])` for one sample.
    private func naive(_ x: [Float], _ w: [Float], _ bias: [Float], skip: [Float]?, inC: Int, outC: Int, positions: Int,
                       _ activation: Activation?) -> [Float] {
        var y = [Float](repeating: 0, count: outC * positions)
        for o in 0..<outC {
            for p in 0..<positions {
                var sum: Float = 0
                for c in 0..<inC { sum += w[o * inC + c] * x[c * positions + p] }
                let v = sum + bias[o] + (skip?[o * positions + p] ?? 0)
                y[o * positions + p] = activation?.apply(v) ?? v
            }
        }
        return y
    }

    /// `shears_pointwise_conv` over [firstOut, endOut) x [firstPos, endPos) of one sample, the
    /// rest of y left at its fill value.
    private func kernel(_ x: [Float], _ w: [Float], _ bias: [Float], skip: [Float]?, inC: Int, outC: Int, positions: Int,
                        _ activation: Activation?, channels: Range<Int>, span: Range<Int>, fill: Float) -> [Float] {
        var packed = [Float](repeating: 0, count: Int(shears_pointwise_packed_size(Int32(outC), Int32(inC))))
        shears_pointwise_pack(w, Int32(outC), Int32(inC), &packed)
        var scratch = [Float](repeating: 0, count: Int(shears_pointwise_scratch_size(Int32(inC))))
        var y = [Float](repeating: fill, count: outC * positions)
        let act = activation?.kernelActivation ?? shears_activation(kind: Int32(SHEARS_ACTIVATION_NONE.rawValue), a: 0, b: 0)
        if let skip {
            skip.withUnsafeBufferPointer { s in
                shears_pointwise_conv(x, packed, bias, s.baseAddress, Int32(outC), Int32(inC), Int64(positions), Int32(channels.lowerBound),
                                      Int32(channels.upperBound), Int64(span.lowerBound), Int64(span.upperBound), act, &scratch, &y)
            }
        } else {
            shears_pointwise_conv(x, packed, bias, nil, Int32(outC), Int32(inC), Int64(positions), Int32(channels.lowerBound),
                                  Int32(channels.upperBound), Int64(span.lowerBound), Int64(span.upperBound), act, &scratch, &y)
        }
        return y
    }

    private func values(_ count: Int) -> [Float] { random([count]).scalars }

    /// The kernel on its own: channel counts that are no multiple of 4, 6 or 16, input channels
    /// past one chunk (256), 1, 7, 49, 50 and 12545 positions, each activation (and none), with
    /// and without a residual.
    func testKernelAgainstNaiveLoop() {
        let shapes: [(inC: Int, outC: Int, positions: Int)] = [
            (1, 1, 1), (3, 7, 7), (17, 13, 49), (5, 16, 50), (300, 5, 50), (600, 25, 7), (13, 97, 49), (3, 11, 12545), (17, 6, 1),
        ]
        for shape in shapes {
            let x = values(shape.inC * shape.positions), w = values(shape.outC * shape.inC), bias = values(shape.outC)
            let skip = values(shape.outC * shape.positions)
            for activation in [nil] + activations.map(Optional.some) {
                for withSkip in [false, true] {
                    let s = withSkip ? skip : nil
                    let y = kernel(x, w, bias, skip: s, inC: shape.inC, outC: shape.outC, positions: shape.positions, activation,
                                   channels: 0..<shape.outC, span: 0..<shape.positions, fill: .nan)
                    let expected = naive(x, w, bias, skip: s, inC: shape.inC, outC: shape.outC, positions: shape.positions, activation)
                    assertClose(y, expected, rtol: 1e-5, atol: 1e-5, "\(shape) \(String(describing: activation)) skip \(withSkip)")
                }
            }
        }
    }

    /// A call over a range of channels (from a multiple of 6) and positions computes exactly
    /// that range and leaves the rest of y alone.
    func testKernelComputesOnlyItsRange() {
        let (inC, outC, positions) = (9, 23, 75)
        let x = values(inC * positions), w = values(outC * inC), bias = values(outC), skip = values(outC * positions)
        let channels = 6..<19, span = 5..<62
        let y = kernel(x, w, bias, skip: skip, inC: inC, outC: outC, positions: positions, .relu6, channels: channels, span: span, fill: -7)
        let expected = naive(x, w, bias, skip: skip, inC: inC, outC: outC, positions: positions, .relu6)
        for o in 0..<outC {
            for p in 0..<positions {
                let inside = channels.contains(o) && span.contains(p), value = y[o * positions + p]
                if inside {
                    XCTAssertEqual(value, expected[o * positions + p], accuracy: 1e-5, "(\(o), \(p))")
                } else {
                    XCTAssertEqual(value, -7, "(\(o), \(p)) outside the range")
                }
            }
        }
    }

    /// NaN stays NaN through every activation the store applies in registers.
    func testNaNPropagates() {
        let x: [Float] = [.nan, 1], w: [Float] = [1], bias: [Float] = [0]
        for activation in activations {
            let y = kernel(x, w, bias, skip: nil, inC: 1, outC: 1, positions: 2, activation, channels: 0..<1, span: 0..<2, fill: 0)
            XCTAssertTrue(y[0].isNaN, "\(activation)")
        }
    }

    /// Through the Executor: a 1x1 conv then an activation (fused into the kernel's store; GELU
    /// after it), one image on two threads (split by positions on a 20x20 map, by channels on an
    /// 8x8 one) and a batch of three.
    func testExecutorRunsPointwiseConvsWithFusedActivations() throws {
        let cases: [(cin: Int, cout: Int, size: (Int, Int), batch: Int)] = [
            (37, 29, (20, 20), 1), (19, 50, (8, 8), 1), (5, 9, (6, 9), 3), (270, 13, (17, 16), 1),
        ]
        for (cin, cout, size, batch) in cases {
            let x = random([batch, cin, size.0, size.1]), w = random([cout, cin, 1, 1]), b = random([cout])
            var dict = StateDict()
            dict.setTensor("conv.weight", w)
            dict.setTensor("conv.bias", b)
            let ops: [Op?] = [nil, .relu6, .leakyRelu(slope: 0.2), .hardSwish, .silu, .gelu(tanh: false)]
            for op in ops {
                var g = GraphBuilder()
                let conv = g.add("conv", .conv2d(Conv2dAttributes()), g.input)
                if let op { g.add("act", op, conv) }
                let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
                let executor = try Executor(model: model, input: [cin, size.0, size.1], maxBatch: batch, threads: 2)
                let y = try executor.run(x)
                let activation = op.flatMap(Activation.init)
                let expected = naiveConv(x, w, b, Conv2dAttributes(), out: size).map { activation?.apply($0) ?? $0 }
                assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5, "\(cin)->\(cout) \(size) \(String(describing: op))")
            }
        }
    }

    /// A residual block `act(x + conv_b(relu6(conv_a(x))))` of 1x1 convs, the add's operands
    /// in either order, conv_b with a BatchNorm folded in or not: the add and its activation run
    /// in conv_b's store (the plan has two conv steps and nothing else), results as the naive
    /// loop's, for one image on two threads and a batch; on the sparse kernel (all weights taken
    /// as sparse), the skip and the ReLU after it in the pass after the kernel. The add stays a
    /// step where the skip is computed after the conv and is no pointwise conv itself (here: a
    /// 3x3 conv on x after conv_b).
    func testResidualAddRunsInThePointwiseStore() throws {
        let (c, hidden, size) = (8, 12, (9, 10))
        let wa = random([hidden, c, 1, 1]), ba = random([hidden]), wb = random([c, hidden, 1, 1]), bb = random([c])
        let wc = random([c, c, 3, 3]), same = Conv2dAttributes(padding: Size2(1))
        for (skipFirst, batchNorm, late, sparse) in [(true, false, false, false), (false, true, false, false), (true, true, true, false),
                                                     (true, false, false, true)] {
            var dict = StateDict()
            dict.setTensor("a.weight", wa)
            dict.setTensor("a.bias", ba)
            dict.setTensor("b.weight", wb)
            dict.setTensor("b.bias", bb)
            dict.setTensor("c.weight", wc)
            let scale = random([c]).scalars.map { $0 + 2 }, shift = random([c]).scalars
            dict.setTensor("bn.weight", Tensor(shape: [c], scalars: scale))
            dict.setTensor("bn.bias", Tensor(shape: [c], scalars: shift))
            dict.setTensor("bn.running_mean", Tensor(shape: [c], repeating: 0))
            dict.setTensor("bn.running_var", Tensor(shape: [c], repeating: 1))
            var g = GraphBuilder()
            let a = g.add("a", .conv2d(Conv2dAttributes()), g.input)
            let act = g.add("act", .relu6, a)
            var b = g.add("b", .conv2d(Conv2dAttributes()), act)
            if batchNorm { b = g.add("bn", .batchNorm(eps: 0), b) }
            let skip = late ? g.add("c", .conv2d(same), g.input) : g.input
            let add = skipFirst ? g.add("add", .add, skip, b) : g.add("add", .add, b, skip)
            g.add("relu", .relu, add)
            let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
            let shapes = try ShapeInference(model: model, input: [c, size.0, size.1]).shapes
            let plan = try ExecutionPlan(model: model, shapes: shapes, maxBatch: 1, foldBatchNorm: true, sparseDensityLimit: nil,
                                         winograd: true, outputSplits: 1)
            let adds = plan.steps.filter { if case .add = $0 { return true } else { return false } }
            XCTAssertEqual(plan.steps.count, late ? 4 : 2, "\(plan.steps)")
            XCTAssertEqual(adds.count, late ? 1 : 0)
            for batch in [1, 3] {
                let x = random([batch, c, size.0, size.1])
                let y = try Executor(model: model, input: [c, size.0, size.1], maxBatch: batch, threads: 2,
                                     sparseDensityLimit: sparse ? 1 : nil).run(x)
                let zero = Tensor(shape: [c], repeating: 0)
                let hiddenMaps = naiveConv(x, wa, ba, Conv2dAttributes(), out: size).map { min(max($0, 0), 6) }
                var projected = naiveConv(Tensor(shape: [batch, hidden, size.0, size.1], scalars: hiddenMaps), wb, bb, Conv2dAttributes(), out: size)
                if batchNorm {
                    let plane = size.0 * size.1
                    for k in projected.indices { let o = k / plane % c; projected[k] = projected[k] * scale[o] + shift[o] }
                }
                let skipped = late ? naiveConv(x, wc, zero, same, out: size) : x.scalars
                let expected = zip(projected, skipped).map { max($0 + $1, 0) }
                assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-4, "skip first \(skipFirst) bn \(batchNorm) late \(late) sparse \(sparse) batch \(batch)")
            }
        }
    }
}
