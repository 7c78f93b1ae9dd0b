import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// Winograd F(4x4, 3x3) (Sources/CKernels/winograd) against the naive loop and the direct kernel.
final class WinogradKernelTests: ConvKernelTestCase {
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
}
