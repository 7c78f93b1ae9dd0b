import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// Convolution (ungrouped, grouped, depthwise, 1x1, 7x7) and max pooling with strides, padding
/// (asymmetric too), dilation and ceil mode, run by the Executor (the CKernels C kernels and
/// the GEMM paths), against a naive per-output loop written here.
final class WindowKernelTests: XCTestCase {
    var generator = SplitMix64(seed: 7)

    func random(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextUnit()) * 2 - 1 })
    }

    func run(_ op: Op, input: Tensor, stateDict: StateDict = StateDict(), sparseDensityLimit: Double? = nil) throws -> Tensor {
        var g = GraphBuilder()
        _ = g.add("layer", op, g.input)
        let model = Model(architecture: "test", graph: g.graph, stateDict: stateDict)
        return try Executor(model: model, input: Array(input.shape.dropFirst()), maxBatch: input.shape[0], threads: 2,
                            sparseDensityLimit: sparseDensityLimit).run(input)
    }

    /// The absolute tolerance for a conv against `naiveConv`: 1e-5, or 2e-5 of the largest
    /// output where it runs as Winograd: F(4x4, 3x3) (ungrouped, 3x3, stride 1, undilated), whose
    /// transforms scale the GEMM's rounding by up to 64 (worst measured: 6e-6 of the largest), or
    /// F(4x4, 4x4) over the stride phases (ungrouped, 7x7 or 8x8, stride 2, undilated; worst
    /// measured: 2e-6 of the largest).
    func convTolerance(_ a: Conv2dAttributes, kernel: (Int, Int), expected: [Float]) -> Float {
        let undilated = a.groups == 1 && a.dilation == Size2(1)
        let winograd = undilated && kernel == (3, 3) && a.stride == Size2(1)
        let polyphase = undilated && (7...8).contains(kernel.0) && (7...8).contains(kernel.1) && a.stride == Size2(2)
        return winograd || polyphase ? 2e-5 * max(1, expected.map(abs).max() ?? 0) : 1e-5
    }

    /// `y[n, o, oy, ox] = b[o] + Σ_{c in o's group, i, j} w[o, c, i, j] · x[n, c, oy·s − p + i·d, ox·s − p + j·d]`.
    func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ a: Conv2dAttributes, out: (Int, Int)) -> [Float] {
        let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, cinG, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        var y: [Float] = []
        for s in 0..<n {
            for o in 0..<cout {
                let group = o / (cout / a.groups)
                for oy in 0..<out.0 {
                    for ox in 0..<out.1 {
                        var sum: Float = 0
                        for c in 0..<cinG {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let iy = oy * a.stride.h - a.padding.h + i * a.dilation.h
                                    let ix = ox * a.stride.w - a.padding.w + j * a.dilation.w
                                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                                    let channel = group * cinG + c
                                    sum += w.scalars[((o * cinG + c) * kh + i) * kw + j] * x.scalars[((s * cin + channel) * h + iy) * wd + ix]
                                }
                            }
                        }
                        y.append(sum + b.scalars[o])
                    }
                }
            }
        }
        return y
    }

    /// Every conv kernel: tiny maps (under 32 positions: one batched GEMM over the samples),
    /// the direct kernel on small and wide maps (16-position panels read in place or packed,
    /// partial last panels), Winograd, grouped and depthwise convs; channel counts that are no
    /// multiple of 4 or 8, strides 1, 2 and 3, dilation, asymmetric padding.
    func testConvolutionsWithStridePaddingDilationAndGroups() throws {
        let cases: [(cin: Int, cout: Int, k: (Int, Int), a: Conv2dAttributes, size: (Int, Int))] = [
            (3, 5, (3, 3), Conv2dAttributes(stride: Size2(1), padding: Size2(1)), (9, 11)),
            (4, 6, (3, 2), Conv2dAttributes(stride: Size2(2, 3), padding: Size2(2, 1), dilation: Size2(2, 1)), (9, 11)),
            (4, 4, (3, 3), Conv2dAttributes(stride: Size2(2), padding: Size2(1), groups: 4), (9, 11)),
            (6, 6, (5, 5), Conv2dAttributes(stride: Size2(1), padding: Size2(4), dilation: Size2(2), groups: 6), (9, 11)),
            (4, 6, (3, 3), Conv2dAttributes(stride: Size2(1), padding: Size2(0), groups: 2), (9, 11)),
            (3, 2, (7, 7), Conv2dAttributes(stride: Size2(3), padding: Size2(3)), (9, 11)),
            (5, 7, (1, 1), Conv2dAttributes(), (9, 11)),
            (3, 13, (7, 7), Conv2dAttributes(stride: Size2(2), padding: Size2(3)), (70, 75)),
            (13, 9, (3, 3), Conv2dAttributes(stride: Size2(1), padding: Size2(1), paddingEnd: Size2(0)), (33, 37)),
            (13, 11, (1, 1), Conv2dAttributes(), (33, 37)),
            (6, 10, (3, 3), Conv2dAttributes(stride: Size2(1), padding: Size2(2), dilation: Size2(2), groups: 2), (33, 37)),
            (13, 13, (3, 3), Conv2dAttributes(stride: Size2(1), padding: Size2(1), groups: 13), (20, 75)),
            (13, 13, (3, 3), Conv2dAttributes(stride: Size2(2), padding: Size2(1), groups: 13), (20, 75)),
            (13, 13, (5, 5), Conv2dAttributes(stride: Size2(3), padding: Size2(2), groups: 13), (20, 75)),
            (6, 9, (3, 3), Conv2dAttributes(stride: Size2(2), padding: Size2(1)), (7, 9)),
            (8, 5, (3, 3), Conv2dAttributes(padding: Size2(1)), (2, 3)),
            (7, 6, (1, 1), Conv2dAttributes(), (1, 1)),
        ]
        for (cin, cout, k, a, size) in cases {
            let x = random([3, cin, size.0, size.1])
            let w = random([cout, cin / a.groups, k.0, k.1]), b = random([cout])
            var dict = StateDict()
            dict.setTensor("layer.weight", w)
            dict.setTensor("layer.bias", b)
            let outH = (size.0 + a.padding.h + a.paddingEnd.h - a.dilation.h * (k.0 - 1) - 1) / a.stride.h + 1
            let outW = (size.1 + a.padding.w + a.paddingEnd.w - a.dilation.w * (k.1 - 1) - 1) / a.stride.w + 1
            let y = try run(.conv2d(a), input: x, stateDict: dict)
            XCTAssertEqual(y.shape, [3, cout, outH, outW], "\(a)")
            let expected = naiveConv(x, w, b, a, out: (outH, outW))
            assertClose(y.scalars, expected, rtol: 1e-5, atol: convTolerance(a, kernel: k, expected: expected), "\(a) \(size)")
        }
    }

    /// The direct sparse kernel (CSR weights over the padded, phase-split input, or the input
    /// itself) on masked weights: stride 1 and 2, 1x1, position counts that are no multiple of 8.
    func testSparseKernelOnMaskedWeights() throws {
        let cases: [(cin: Int, cout: Int, k: Int, a: Conv2dAttributes, size: (Int, Int))] = [
            (5, 7, 3, Conv2dAttributes(padding: Size2(1)), (9, 11)),
            (13, 9, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(1)), (45, 51)),
            (13, 11, 1, Conv2dAttributes(), (33, 37)),
            (6, 5, 1, Conv2dAttributes(), (5, 7)),
        ]
        for (cin, cout, k, a, size) in cases {
            let x = random([3, cin, size.0, size.1])
            var w = random([cout, cin, k, k])
            for i in w.scalars.indices where generator.nextUnit() < 0.85 { w.scalars[i] = 0 }
            let b = random([cout])
            var dict = StateDict()
            dict.setTensor("layer.weight", w)
            dict.setTensor("layer.bias", b)
            let outH = (size.0 + 2 * a.padding.h - (k - 1) - 1) / a.stride.h + 1, outW = (size.1 + 2 * a.padding.w - (k - 1) - 1) / a.stride.w + 1
            let sparse = try run(.conv2d(a), input: x, stateDict: dict, sparseDensityLimit: 1)
            assertClose(sparse.scalars, naiveConv(x, w, b, a, out: (outH, outW)), rtol: 1e-5, atol: 1e-5, "\(a) \(size)")
        }
    }

    /// Winograd F(4x4, 3x3) on stride-1 3x3 convs: odd output sizes (partial edge tiles), no
    /// padding, symmetric and asymmetric padding, a fused ReLU; chunks that split a sample (70x70:
    /// 324 tiles, two chunks) and chunks that span samples (7x7 and 14x14 maps, batch 5 on one
    /// lane); against the direct kernel (`winograd: false`) on the same convs.
    func testWinogradConvolutions() throws {
        let cases: [(cin: Int, cout: Int, a: Conv2dAttributes, size: (Int, Int), batch: Int)] = [
            (13, 9, Conv2dAttributes(padding: Size2(1)), (21, 37), 2),
            (8, 16, Conv2dAttributes(padding: Size2(0)), (20, 20), 2),
            (5, 7, Conv2dAttributes(padding: Size2(2)), (17, 23), 2),
            (5, 7, Conv2dAttributes(padding: Size2(1), paddingEnd: Size2(0)), (18, 19), 2),
            (3, 5, Conv2dAttributes(padding: Size2(1)), (70, 70), 1),
            (11, 6, Conv2dAttributes(padding: Size2(1)), (7, 7), 5),
            (9, 10, Conv2dAttributes(padding: Size2(1)), (14, 14), 5),
        ]
        for (cin, cout, a, size, batch) in cases {
            let x = random([batch, cin, size.0, size.1]), w = random([cout, cin, 3, 3]), b = random([cout])
            var dict = StateDict()
            dict.setTensor("layer.weight", w)
            dict.setTensor("layer.bias", b)
            let outH = size.0 + a.padding.h + a.paddingEnd.h - 2, outW = size.1 + a.padding.w + a.paddingEnd.w - 2
            var g = GraphBuilder()
            g.add("relu", .relu, g.add("layer", .conv2d(a), g.input))
            let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
            let expected = naiveConv(x, w, b, a, out: (outH, outW)).map { max($0, 0) }
            for winograd in [true, false] {
                let y = try Executor(model: model, input: [cin, size.0, size.1], maxBatch: batch, threads: 1, winograd: winograd).run(x)
                XCTAssertEqual(y.shape, [batch, cout, outH, outW])
                let tolerance = winograd ? convTolerance(a, kernel: (3, 3), expected: expected) : 1e-5
                assertClose(y.scalars, expected, rtol: 1e-5, atol: tolerance, "\(a) \(size) winograd \(winograd)")
            }
        }
    }

    /// Stride-2 7x7 and 8x8 convs (stems) on polyphase Winograd F(4x4, 4x4): output sizes that
    /// are no multiple of the 4x4 tile, asymmetric padding, channel counts that are no multiple of
    /// its 16-channel block, a single image's rows split over two threads (at a tile boundary,
    /// inside a tile, pool windows across the split) and batches on two lanes, with a ReLU and a
    /// max pool fused or not; against the naive loop (and the naive loop's pool).
    func testPolyphaseWinogradStems() throws {
        let pool = Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1))
        let cases: [(cin: Int, cout: Int, k: (Int, Int), a: Conv2dAttributes, size: (Int, Int), pool: Pool2dAttributes?)] = [
            (3, 13, (7, 7), Conv2dAttributes(stride: Size2(2), padding: Size2(3)), (61, 44), nil),
            (3, 40, (7, 7), Conv2dAttributes(stride: Size2(2), padding: Size2(3)), (38, 29), pool),
            (5, 17, (8, 7), Conv2dAttributes(stride: Size2(2), padding: Size2(2, 3), paddingEnd: Size2(4, 1)), (45, 26), nil),
            (4, 16, (7, 8), Conv2dAttributes(stride: Size2(2), padding: Size2(0)), (55, 30),
             Pool2dAttributes(kernel: Size2(2), stride: Size2(2), ceilMode: true)),
        ]
        for (cin, cout, k, a, size, pool) in cases {
            let w = random([cout, cin, k.0, k.1]), b = random([cout])
            var dict = StateDict()
            dict.setTensor("layer.weight", w)
            dict.setTensor("layer.bias", b)
            let outH = (size.0 + a.padding.h + a.paddingEnd.h - k.0) / 2 + 1, outW = (size.1 + a.padding.w + a.paddingEnd.w - k.1) / 2 + 1
            // Each conv has work enough (a million multiply-adds) for a single image to split.
            XCTAssertGreaterThanOrEqual(cout * cin * k.0 * k.1 * outH * outW, ConvStep.splitWork)
            for relu in [false, true] {
                var g = GraphBuilder(), convOnly = GraphBuilder()
                var last = g.add("layer", .conv2d(a), g.input)
                if relu { last = g.add("relu", .relu, last) }
                if let pool { g.add("pool", .maxPool(pool), last) }
                convOnly.add("pool", .maxPool(pool ?? Pool2dAttributes(kernel: Size2(1), stride: Size2(1))), convOnly.input)
                for (batch, threads) in [(1, 2), (3, 2)] {
                    let x = random([batch, cin, size.0, size.1])
                    let conv = naiveConv(x, w, b, a, out: (outH, outW)).map { relu ? max($0, 0) : $0 }
                    let expected = try Executor(model: Model(architecture: "test", graph: convOnly.graph, stateDict: StateDict()),
                                                input: [cout, outH, outW], maxBatch: batch, threads: 1)
                        .run(Tensor(shape: [batch, cout, outH, outW], scalars: conv))
                    let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
                    let y = try Executor(model: model, input: [cin, size.0, size.1], maxBatch: batch, threads: threads).run(x)
                    XCTAssertEqual(y.shape, expected.shape)
                    assertClose(y.scalars, expected.scalars, rtol: 1e-5, atol: convTolerance(a, kernel: k, expected: conv),
                                "\(a) \(k) \(size) relu \(relu) pool \(pool != nil) batch \(batch)")
                }
            }
        }
    }

    /// A single image on two threads splits the direct kernels' output channels (dense: at a
    /// multiple of the four-channel tile; sparse: anywhere): channel counts that are no multiple
    /// of 4, the 7x7 stride-2 stem, a stride-2 3x3 and a 1x1 conv.
    func testDirectKernelsSplitOneImageOverThreads() throws {
        let cases: [(cin: Int, cout: Int, k: Int, a: Conv2dAttributes, size: (Int, Int))] = [
            (3, 13, 7, Conv2dAttributes(stride: Size2(2), padding: Size2(3)), (40, 46)),
            (7, 9, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(1)), (15, 17)),
            (10, 6, 1, Conv2dAttributes(), (9, 9)),
        ]
        for (cin, cout, k, a, size) in cases {
            let x = random([1, cin, size.0, size.1])
            var w = random([cout, cin, k, k])
            let b = random([cout])
            let outH = (size.0 + 2 * a.padding.h - k) / a.stride.h + 1, outW = (size.1 + 2 * a.padding.w - k) / a.stride.w + 1
            for limit in [0.0, 1.0] {
                if limit == 1 { for i in w.scalars.indices where generator.nextUnit() < 0.7 { w.scalars[i] = 0 } }
                var dict = StateDict()
                dict.setTensor("layer.weight", w)
                dict.setTensor("layer.bias", b)
                var g = GraphBuilder()
                g.add("layer", .conv2d(a), g.input)
                let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
                let y = try Executor(model: model, input: [cin, size.0, size.1], maxBatch: 1, threads: 2, sparseDensityLimit: limit).run(x)
                let expected = naiveConv(x, w, b, a, out: (outH, outW))
                let tolerance = limit == 1 ? 1e-5 : convTolerance(a, kernel: (k, k), expected: expected)
                assertClose(y.scalars, expected, rtol: 1e-5, atol: tolerance, "\(a) \(size) sparse \(limit == 1)")
            }
        }
    }

    /// A single image's depthwise conv (a million multiply-adds or more) splits its channels over
    /// two threads, each on its own padded plane: stride 1 and 2, a channel count that is odd.
    func testDepthwiseSplitsOneImageOverThreads() throws {
        for (channels, stride, size) in [(64, 1, (45, 47)), (67, 2, (90, 77))] {
            let a = Conv2dAttributes(stride: Size2(stride), padding: Size2(1), groups: channels)
            let x = random([1, channels, size.0, size.1]), w = random([channels, 1, 3, 3]), b = random([channels])
            var dict = StateDict()
            dict.setTensor("layer.weight", w)
            dict.setTensor("layer.bias", b)
            let outH = (size.0 - 1) / stride + 1, outW = (size.1 - 1) / stride + 1
            XCTAssertGreaterThanOrEqual(channels * 9 * outH * outW, ConvStep.splitWork)
            let y = try run(.conv2d(a), input: x, stateDict: dict)
            assertClose(y.scalars, naiveConv(x, w, b, a, out: (outH, outW)), rtol: 1e-5, atol: 1e-5, "\(a) \(size)")
        }
    }

    /// A NaN weight makes its output channel NaN through every kernel's fused ReLU, as
    /// `torch.relu` keeps NaN (a mask `v > 0` would turn it into 0 and a model with NaN weights
    /// into one that scores well): depthwise, direct, Winograd, polyphase stem, grouped and
    /// tiny-map convs.
    func testFusedReLUKeepsNaN() throws {
        let cases: [(cin: Int, cout: Int, k: Int, a: Conv2dAttributes, size: Int)] = [
            (8, 8, 3, Conv2dAttributes(padding: Size2(1), groups: 8), 20),
            (4, 6, 5, Conv2dAttributes(padding: Size2(2)), 20),
            (32, 32, 3, Conv2dAttributes(padding: Size2(1)), 24),
            (3, 16, 7, Conv2dAttributes(stride: Size2(2), padding: Size2(3)), 32),
            (4, 6, 3, Conv2dAttributes(padding: Size2(1), groups: 2), 20),
            (4, 6, 3, Conv2dAttributes(padding: Size2(1)), 4),
        ]
        for c in cases {
            var w = random([c.cout, c.cin / c.a.groups, c.k, c.k])
            w.scalars[w.count / c.cout + 1] = .nan  // output channel 1
            var dict = StateDict()
            dict.setTensor("conv.weight", w)
            dict.setTensor("conv.bias", random([c.cout]))
            var g = GraphBuilder()
            g.add("act", .relu, g.add("conv", .conv2d(c.a), g.input))
            let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
            let y = try Executor(model: model, input: [c.cin, c.size, c.size], maxBatch: 1, threads: 2).run(random([1, c.cin, c.size, c.size]))
            let plane = y.count / c.cout
            XCTAssertTrue(y.scalars[plane + plane / 2].isNaN, "\(c.a) k\(c.k): channel 1 lost its NaN")
            XCTAssertFalse(y.scalars[0..<plane].contains { $0.isNaN }, "\(c.a) k\(c.k): channel 0")
        }
    }

    /// A ReLU (or ReLU6) after a conv, or after a BatchNorm folded into it, runs in the conv's
    /// epilogue; the result is the conv's, clamped.
    func testActivationsFusedIntoTheConvEpilogue() throws {
        for (activation, withBatchNorm) in [(Op.relu, false), (.relu6, true), (.leakyRelu(slope: 0.1), false)] {
            let x = random([2, 5, 33, 37]), w = random([7, 5, 3, 3]), b = random([7])
            var dict = StateDict()
            dict.setTensor("conv.weight", w)
            dict.setTensor("conv.bias", b)
            var g = GraphBuilder()
            var last = g.add("conv", .conv2d(Conv2dAttributes(padding: Size2(1))), g.input)
            if withBatchNorm {
                for (key, value) in [("weight", Float(1)), ("bias", 0), ("running_mean", 0), ("running_var", 1 - 1e-5)] {
                    dict.setTensor("bn.\(key)", Tensor(shape: [7], scalars: Array(repeating: value, count: 7)))
                }
                last = g.add("bn", .batchNorm(eps: 1e-5), last)
            }
            g.add("act", activation, last)
            let model = Model(architecture: "test", graph: g.graph, stateDict: dict)
            let y = try Executor(model: model, input: [5, 33, 37], maxBatch: 2, threads: 2).run(x)
            let expected = naiveConv(x, w, b, Conv2dAttributes(padding: Size2(1)), out: (33, 37)).map { Activation(activation)!.apply($0) }
            assertClose(y.scalars, expected, rtol: 1e-5, atol: convTolerance(Conv2dAttributes(padding: Size2(1)), kernel: (3, 3), expected: expected),
                        "\(activation)")
        }
    }

    /// A max pool fused into the conv before it (alone, after a ReLU or a ReLU6, the stem's
    /// 7x7/2 conv and 3x3/2 pool, a ceil-mode and a stride-1 pool, a 3x3 conv on Winograd)
    /// gives what the conv and the pool give as two models, on one and on several samples.
    func testMaxPoolFusedIntoTheConv() throws {
        let cases: [(cin: Int, cout: Int, k: Int, conv: Conv2dAttributes, activation: Op?, pool: Pool2dAttributes, size: (Int, Int))] = [
            (3, 13, 7, Conv2dAttributes(stride: Size2(2), padding: Size2(3)), .relu,
             Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1)), (45, 50)),
            (5, 6, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(1)), nil,
             Pool2dAttributes(kernel: Size2(3), stride: Size2(2), ceilMode: true), (30, 29)),
            (4, 9, 3, Conv2dAttributes(padding: Size2(1)), .relu6,
             Pool2dAttributes(kernel: Size2(3), stride: Size2(1), padding: Size2(1)), (17, 19)),
            (6, 5, 1, Conv2dAttributes(), .relu, Pool2dAttributes(kernel: Size2(2), stride: Size2(2)), (15, 16)),
        ]
        for (cin, cout, k, conv, activation, pool, size) in cases {
            var dict = StateDict()
            dict.setTensor("conv.weight", random([cout, cin, k, k]))
            dict.setTensor("conv.bias", random([cout]))
            var fused = GraphBuilder(), convOnly = GraphBuilder(), poolOnly = GraphBuilder()
            var last = fused.add("conv", .conv2d(conv), fused.input), convLast = convOnly.add("conv", .conv2d(conv), convOnly.input)
            if let activation {
                last = fused.add("act", activation, last)
                convLast = convOnly.add("act", activation, convLast)
            }
            fused.add("pool", .maxPool(pool), last)
            poolOnly.add("pool", .maxPool(pool), poolOnly.input)
            for batch in [1, 3] {
                let x = random([batch, cin, size.0, size.1])
                let y = try Executor(model: Model(architecture: "test", graph: fused.graph, stateDict: dict), input: [cin, size.0, size.1],
                                     maxBatch: batch, threads: 2).run(x)
                let convolved = try Executor(model: Model(architecture: "test", graph: convOnly.graph, stateDict: dict), input: [cin, size.0, size.1],
                                             maxBatch: batch, threads: 2).run(x)
                let expected = try Executor(model: Model(architecture: "test", graph: poolOnly.graph, stateDict: StateDict()),
                                            input: Array(convolved.shape.dropFirst()), maxBatch: batch, threads: 2).run(convolved)
                XCTAssertEqual(y.shape, expected.shape)
                assertClose(y.scalars, expected.scalars, rtol: 1e-6, atol: 1e-6, "\(conv) \(pool) batch \(batch)")
            }
        }
    }

    func testMaxPoolWithPaddingDilationAndCeilMode() throws {
        let cases = [
            (Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1)), (9, 10)),
            (Pool2dAttributes(kernel: Size2(2, 3), stride: Size2(2, 1), padding: Size2(1), dilation: Size2(2)), (9, 10)),
            (Pool2dAttributes(kernel: Size2(3), stride: Size2(2), ceilMode: true), (9, 10)),
            (Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1)), (21, 83)),
            (Pool2dAttributes(kernel: Size2(3), stride: Size2(1), padding: Size2(1)), (21, 83)),
            (Pool2dAttributes(kernel: Size2(2), stride: Size2(3), ceilMode: true), (21, 83)),
        ]
        for (a, size) in cases {
            let (h, wd) = size
            var x = random([2, 3, h, wd])
            x.scalars[17] = .nan
            x.scalars[h * wd + 40] = .nan
            let y = try run(.maxPool(a), input: x)
            let (outH, outW) = (y.shape[2], y.shape[3])
            var expected: [Float] = []
            for plane in 0..<6 {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var best = -Float.infinity
                        for i in 0..<a.kernel.h {
                            for j in 0..<a.kernel.w {
                                let iy = oy * a.stride.h - a.padding.h + i * a.dilation.h
                                let ix = ox * a.stride.w - a.padding.w + j * a.dilation.w
                                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                                let v = x.scalars[(plane * h + iy) * wd + ix]
                                if v > best || v.isNaN { best = v }
                            }
                        }
                        expected.append(best)
                    }
                }
            }
            XCTAssertEqual(y.scalars.count, expected.count, "\(a)")
            for (got, want) in zip(y.scalars, expected) {
                XCTAssertTrue(got == want || (got.isNaN && want.isNaN), "\(a): \(got) vs \(want)")
            }
        }
    }
}
