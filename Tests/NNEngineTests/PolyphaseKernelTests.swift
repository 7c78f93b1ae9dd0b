import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// Polyphase Winograd F(4x4, 4x4) for stride-2 7x7 and 8x8 stems (Sources/CKernels/polyphase),
/// with and without its fused max pool, against the naive loop.
final class PolyphaseKernelTests: ConvKernelTestCase {
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
}
