import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// Every conv path the Executor selects (the CKernels direct, sparse, Winograd, polyphase and
/// depthwise kernels, im2col + GEMM for grouped convs and tiny maps) on one sweep of shapes, and
/// the epilogue they all fuse (bias, ReLU keeping NaN, other activations), against the naive loop.
final class ConvKernelTests: ConvKernelTestCase {
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
}
