import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// The direct kernels (Sources/CKernels/direct): the sparse kernel on masked weights, and the
/// dense and sparse kernels splitting one image's output channels over threads, against the naive
/// loop.
final class DirectConvKernelTests: ConvKernelTestCase {
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
}
