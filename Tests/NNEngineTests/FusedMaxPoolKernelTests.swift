import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// The max pools fused into the conv before them (the direct kernel's and the polyphase stem's,
/// which share one row routine, Sources/CKernels/common/max_pool_rows.h), against the conv and the
/// pool run as two models.
final class FusedMaxPoolKernelTests: ConvKernelTestCase {
    /// A max pool fused into the conv before it (alone, after a ReLU, ReLU6, clip or leaky ReLU, the stem's
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
            // Activations applied to the pooled map (they commute with the max), and a leaky ReLU
            // of negative slope that does not commute (applied before the pool).
            (3, 13, 7, Conv2dAttributes(stride: Size2(2), padding: Size2(3)), .leakyRelu(slope: 0.1),
             Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1)), (45, 50)),
            (6, 5, 1, Conv2dAttributes(), .clip(lower: -0.5, upper: 0.25), Pool2dAttributes(kernel: Size2(2), stride: Size2(2)), (15, 16)),
            (4, 9, 3, Conv2dAttributes(padding: Size2(1)), .leakyRelu(slope: -0.2),
             Pool2dAttributes(kernel: Size2(2), stride: Size2(2), ceilMode: true), (17, 19)),
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

    /// The fused pools' shared row routine (`max_pool_rows`) on conv outputs with NaNs (NaN
    /// inputs) and runs of equal maxima (zeros from the ReLU), pooled widths that are no multiple
    /// of 8 (a partial last vector) and one that is (the stem's columns in registers): the
    /// polyphase stem and the direct kernel (`winograd: false`) with a 3x3/2 pool, a strided conv
    /// with a ceil-mode 2x2/2 pool and a 1x1 conv with a stride-1 pool give the conv and the pool's
    /// answer, NaN where it has NaN.
    func testFusedMaxPoolRowsKeepNaNAndEqualMaxima() throws {
        let stemPool = Pool2dAttributes(kernel: Size2(3), stride: Size2(2), padding: Size2(1))
        let cases: [(cin: Int, cout: Int, k: Int, conv: Conv2dAttributes, pool: Pool2dAttributes, size: (Int, Int))] = [
            (3, 20, 7, Conv2dAttributes(stride: Size2(2), padding: Size2(3)), stemPool, (37, 128)),
            (3, 20, 7, Conv2dAttributes(stride: Size2(2), padding: Size2(3)), stemPool, (45, 67)),
            (5, 7, 3, Conv2dAttributes(stride: Size2(2), padding: Size2(1)),
             Pool2dAttributes(kernel: Size2(2), stride: Size2(2), ceilMode: true), (41, 75)),
            (4, 6, 1, Conv2dAttributes(), Pool2dAttributes(kernel: Size2(3), stride: Size2(1)), (13, 27)),
        ]
        for (cin, cout, k, conv, pool, size) in cases {
            var dict = StateDict()
            dict.setTensor("conv.weight", random([cout, cin, k, k]))
            dict.setTensor("conv.bias", random([cout]))
            var fused = GraphBuilder(), convOnly = GraphBuilder(), poolOnly = GraphBuilder()
            fused.add("pool", .maxPool(pool), fused.add("act", .relu, fused.add("conv", .conv2d(conv), fused.input)))
            convOnly.add("act", .relu, convOnly.add("conv", .conv2d(conv), convOnly.input))
            poolOnly.add("pool", .maxPool(pool), poolOnly.input)
            for (batch, winograd) in [(1, true), (2, true), (1, false), (2, false)] {
                var x = random([batch, cin, size.0, size.1])
                for i in stride(from: 5, to: x.count, by: 997) { x.scalars[i] = .nan }
                let input = [cin, size.0, size.1]
                let y = try Executor(model: Model(architecture: "test", graph: fused.graph, stateDict: dict), input: input,
                                     maxBatch: batch, threads: 2, winograd: winograd).run(x)
                let convolved = try Executor(model: Model(architecture: "test", graph: convOnly.graph, stateDict: dict), input: input,
                                             maxBatch: batch, threads: 2, winograd: winograd).run(x)
                let expected = try Executor(model: Model(architecture: "test", graph: poolOnly.graph, stateDict: StateDict()),
                                            input: Array(convolved.shape.dropFirst()), maxBatch: batch, threads: 2).run(convolved)
                let label = "\(conv) \(pool) \(size) batch \(batch) winograd \(winograd)"
                XCTAssertEqual(y.shape, expected.shape, label)
                XCTAssertTrue(expected.scalars.contains { $0.isNaN } && convolved.scalars.contains { $0 == 0 }, label)
                for (got, want) in zip(y.scalars, expected.scalars) where got.isNaN != want.isNaN || (!got.isNaN && abs(got - want) > 1e-6) {
                    XCTFail("\(label): \(got) vs \(want)")
                    break
                }
            }
        }
    }
}
