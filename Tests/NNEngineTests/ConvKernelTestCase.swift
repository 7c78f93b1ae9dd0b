import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// What the conv and pool kernel tests share: seeded random tensors, a one-layer model run by the
/// Executor (which selects the CKernels kernel or GEMM path for the shape), and the naive
/// per-output conv loop they are compared with. Each test starts from the same seed.
class ConvKernelTestCase: XCTestCase {
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

    /// A model of one conv `a` with `weight` and `bias`, then `activation`.
    func convModel(_ a: Conv2dAttributes, weight: Tensor, bias: Tensor, activation: Op? = nil) -> Model {
        var dict = StateDict()
        dict.setTensor("conv.weight", weight)
        dict.setTensor("conv.bias", bias)
        var g = GraphBuilder()
        let conv = g.add("conv", .conv2d(a), g.input)
        if let activation { g.add("act", activation, conv) }
        return Model(architecture: "test", graph: g.graph, stateDict: dict)
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
}
