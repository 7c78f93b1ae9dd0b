// SmallConvKernelTests: the small-map conv kernel (Sources/CKernels/small, `.batched`) against a
// naive loop through the Executor: maps of 1x1 to 3x5, channel counts no multiple of 8 or 16,
// strides, pads (symmetric and not), dilations, batches of 1 to 3, one image split over two
// threads, every fused activation, a residual in the store; which taps run (live ones only, all
// of them when a weight is not finite).

import XCTest
import CKernels
import TestSupport
@testable import NNCore
@testable import NNEngine

final class SmallConvKernelTests: ConvKernelTestCase {
    /// The conv step of `model`'s plan for inputs `input`.
    private func conv(_ model: Model, input: [Int]) throws -> ConvStep {
        let shapes = try ShapeInference(model: model, input: input).shapes
        let plan = try ExecutionPlan(model: model, shapes: shapes, maxBatch: 1, foldBatchNorm: true, sparseDensityLimit: nil,
                                     winograd: true, outputSplits: 1)
        for case .conv(let conv) in plan.steps { return conv }
        throw XCTSkip("no conv step")
    }

    /// The taps the batched kernel runs for `model`, nil unless it runs `.batched` with weights.
    private func taps(_ model: Model, input: [Int]) throws -> [Int32]? {
        guard case .batched(let weights?) = try conv(model, input: input).kernel else { return nil }
        return weights.taps
    }

    /// Odd shapes on maps under 32 positions, through the Executor on two threads, as the
    /// naive loop computes them.
    func testKernelAgainstNaiveLoop() throws {
        typealias Case = (inC: Int, outC: Int, size: (Int, Int), kernel: (Int, Int), attributes: Conv2dAttributes, batch: Int)
        let cases: [Case] = [
            (1, 1, (1, 1), (1, 1), Conv2dAttributes(padding: Size2(1)), 1),
            (3, 17, (1, 1), (3, 3), Conv2dAttributes(padding: Size2(1)), 2),
            (20, 33, (2, 2), (3, 3), Conv2dAttributes(padding: Size2(1)), 3),
            (13, 9, (2, 2), (3, 3), Conv2dAttributes(stride: Size2(2), padding: Size2(1)), 1),
            (7, 24, (3, 5), (3, 3), Conv2dAttributes(padding: Size2(1)), 2),
            (7, 24, (3, 5), (2, 3), Conv2dAttributes(stride: Size2(2, 1), padding: Size2(1, 2), dilation: Size2(2, 1)), 3),
            (5, 18, (4, 4), (3, 3), Conv2dAttributes(padding: Size2(2), dilation: Size2(2)), 1),
            (6, 10, (3, 3), (3, 3), Conv2dAttributes(padding: Size2(0), paddingEnd: Size2(2)), 2),
            (4, 8, (1, 1), (7, 7), Conv2dAttributes(stride: Size2(3), padding: Size2(5)), 2),
            (9, 35, (8, 8), (3, 3), Conv2dAttributes(stride: Size2(2), padding: Size2(1)), 3),
            (5, 7, (3, 5), (1, 1), Conv2dAttributes(), 2),
            // 8x8 and 7x7 maps: windows with at most 512 rows of weights per output channel.
            (16, 16, (8, 8), (3, 3), Conv2dAttributes(padding: Size2(1)), 2),
            (20, 9, (7, 7), (5, 5), Conv2dAttributes(padding: Size2(2)), 1),
            // 1.1M multiply-adds: a single image's panels are split over the two threads.
            (300, 100, (2, 2), (3, 3), Conv2dAttributes(padding: Size2(1)), 1),
        ]
        for c in cases {
            let w = random([c.outC, c.inC, c.kernel.0, c.kernel.1]), b = random([c.outC])
            let m = convModel(c.attributes, weight: w, bias: b, activation: .relu)
            let shapes = try ShapeInference(model: m, input: [c.inC, c.size.0, c.size.1]).shapes
            let out = (shapes[1][1], shapes[1][2])
            XCTAssertNotNil(try taps(m, input: [c.inC, c.size.0, c.size.1]), "\(c)")
            let x = random([c.batch, c.inC, c.size.0, c.size.1])
            let y = try Executor(model: m, input: [c.inC, c.size.0, c.size.1], maxBatch: c.batch, threads: 2).run(x)
            let expected = naiveConv(x, w, b, c.attributes, out: out).map { max($0, 0) }
            // Float rounding grows with the sum's length (2700 terms: 1e-4).
            let depth = c.inC * c.kernel.0 * c.kernel.1
            assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5 * Float(max(1, depth / 256)), "\(c)")
        }
    }

    /// Every fused activation (GELU in the pass after the kernel) on a 2x3 map.
    func testActivationsInTheStore() throws {
        let ops: [Op] = [.relu6, .leakyRelu(slope: 0.1), .clip(lower: -0.3, upper: 0.4), .sigmoid, .hardSigmoid(alpha: 0.2, beta: 0.5),
                         .hardSwish, .silu, .gelu(tanh: false)]
        let attributes = Conv2dAttributes(padding: Size2(1)), w = random([19, 5, 3, 3]), b = random([19])
        let x = random([2, 5, 2, 3])
        for op in ops {
            let m = convModel(attributes, weight: w, bias: b, activation: op)
            let y = try Executor(model: m, input: [5, 2, 3], maxBatch: 2, threads: 1).run(x)
            let activation = try XCTUnwrap(Activation(op))
            let expected = naiveConv(x, w, b, attributes, out: (2, 3)).map { activation.apply($0) }
            assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5, "\(op)")
        }
    }

    /// The kernel called directly with a residual (the plan fuses none into a conv on a map
    /// this small today): `relu6(conv(x) + bias + skip)` over a 3x3 conv on a 3x3 map, a batch
    /// of two, 21 output channels (a panel and a part), computed by a second call for the
    /// second panel, as the naive loop gives it.
    func testResidualInTheStore() {
        let (inC, outC, batch) = (6, 21, 2), attributes = Conv2dAttributes(padding: Size2(1))
        let x = random([batch, inC, 3, 3]), w = random([outC, inC, 3, 3]), b = random([outC]), skip = random([batch, outC, 3, 3]).scalars
        let window = shears_window(attributes: attributes, kernel: Size2(3), input: Size2(3), output: Size2(3))
        var taps = [Int32](repeating: 0, count: 9)
        XCTAssertEqual(shears_small_conv_live_taps(window, &taps), 9)
        var packed = [Float](repeating: 0, count: Int(shears_small_conv_packed_size(Int32(outC), Int32(inC), 9)))
        shears_small_conv_pack(w.scalars, Int32(outC), Int32(inC), 9, taps, 9, &packed)
        var cols = [Float](repeating: .nan, count: 9 * inC * batch * 9), y = [Float](repeating: .nan, count: batch * outC * 9)
        var sources = [Int32](repeating: 0, count: 9 * 9)
        shears_small_conv_sources(window, taps, 9, &sources)
        shears_small_conv_gather(x.scalars, Int32(batch), Int32(inC), 9, sources, 9, 9, &cols)
        let relu6 = Activation.relu6.kernelActivation!
        for panel in 0..<2 {
            shears_small_conv(cols, packed, b.scalars, skip, Int32(outC), Int32(9 * inC), Int32(batch), 9, Int32(panel), Int32(panel + 1), relu6, &y)
        }
        let expected = zip(naiveConv(x, w, b, attributes, out: (3, 3)), skip).map { min(max($0 + $1, 0), 6) }
        assertClose(y, expected, rtol: 1e-5, atol: 1e-5)
    }

    /// On 8x8 maps: convs with a window, at most 16 output channels and at most 512 rows of
    /// weights per output channel run batched; 1x1 ones (pointwise), wider or deeper ones and
    /// ones with a fused max pool do not.
    func testEightByEightMapsRunBatchedWithFewRows() throws {
        func batched(_ w: [Int], _ attributes: Conv2dAttributes = Conv2dAttributes(padding: Size2(1)), pool: Bool = false) throws -> Bool {
            var dict = StateDict()
            dict.setTensor("conv.weight", random(w))
            var g = GraphBuilder()
            let node = g.add("conv", .conv2d(attributes), g.input)
            if pool { g.add("pool", .maxPool(Pool2dAttributes(kernel: Size2(2))), node) }
            let step = try conv(Model(architecture: "test", graph: g.graph, stateDict: dict), input: [w[1], 8, 8])
            if case .batched = step.kernel { return true } else { return false }
        }
        XCTAssertTrue(try batched([16, 16, 3, 3]))
        XCTAssertTrue(try batched([13, 56, 3, 3]))
        XCTAssertFalse(try batched([13, 57, 3, 3]))
        XCTAssertFalse(try batched([17, 16, 3, 3]))
        XCTAssertFalse(try batched([24, 16, 1, 1], Conv2dAttributes()))
        XCTAssertFalse(try batched([16, 16, 3, 3], pool: true))
    }

    /// Only the live taps run: the centre one of a 3x3, pad-1 conv on a 1x1 map, four of a
    /// stride-2 one from 2x2 to 1x1, the two rows and columns of a 7x7, stride-3, pad-5 conv on
    /// a 1x1 map that read it (not contiguous), none where the padding is all a tap reads.
    func testOnlyLiveTapsRun() throws {
        func live(_ attributes: Conv2dAttributes, kernel: Int, size: Int) throws -> [Int32]? {
            try taps(convModel(attributes, weight: random([8, 4, kernel, kernel]), bias: random([8])), input: [4, size, size])
        }
        XCTAssertEqual(try live(Conv2dAttributes(padding: Size2(1)), kernel: 3, size: 1), [4])
        XCTAssertEqual(try live(Conv2dAttributes(stride: Size2(2), padding: Size2(1)), kernel: 3, size: 2), [4, 5, 7, 8])
        XCTAssertEqual(try live(Conv2dAttributes(stride: Size2(3), padding: Size2(5)), kernel: 7, size: 1), [16, 19, 37, 40])
        XCTAssertEqual(try live(Conv2dAttributes(padding: Size2(1)), kernel: 3, size: 4)?.count, 9)
        // A 1x1 conv, stride 2, pad 1, on a 1x1 map: its two outputs per row read only padding.
        let m = convModel(Conv2dAttributes(stride: Size2(2), padding: Size2(1)), weight: random([8, 4, 1, 1]), bias: random([8]))
        XCTAssertEqual(try taps(m, input: [4, 1, 1]), [])
        let y = try Executor(model: m, input: [4, 1, 1], maxBatch: 2, threads: 1).run(random([2, 4, 1, 1]))
        let b = try XCTUnwrap(m.stateDict.tensor("conv.bias")).scalars
        XCTAssertEqual(y.scalars, (0..<2).flatMap { _ in b.flatMap { [Float](repeating: $0, count: 4) } })
    }

    /// A weight that is not finite keeps every tap: an infinite corner weight of a 3x3, pad-1
    /// conv on a 1x1 map multiplies the zero padding, so its output channel is NaN as in the
    /// full conv (torch's); the other channels stay finite.
    func testNonFiniteWeightKeepsEveryTap() throws {
        var w = random([3, 2, 3, 3]).scalars
        w[0] = .infinity
        let m = convModel(Conv2dAttributes(padding: Size2(1)), weight: Tensor(shape: [3, 2, 3, 3], scalars: w), bias: random([3]))
        XCTAssertEqual(try taps(m, input: [2, 1, 1])?.count, 9)
        let y = try Executor(model: m, input: [2, 1, 1], maxBatch: 1, threads: 1).run(random([1, 2, 1, 1]))
        XCTAssertTrue(y.scalars[0].isNaN)
        XCTAssertTrue(y.scalars[1].isFinite && y.scalars[2].isFinite)
    }
}
