// DepthwiseKernelTests: the depthwise conv kernel (Sources/CKernels/window/depthwise.c: rows of
// wide maps, eight-channel blocks of narrow ones, padded planes of dilated windows) with each
// fused activation, against the naive per-output loop.
import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// The depthwise kernel on odd shapes: channel counts that are not a multiple of the eight-channel
/// block, maps from 1x1 to 57x57 (narrow ones blocked, wide ones by rows), strides 1 and 2,
/// padding up to past half the window and asymmetric (ONNX), 3x3, 5x5, 1x3 and 7x7 windows,
/// dilation, every activation the kernel fuses and GELU (applied after it), against
/// `naiveConv` followed by `Activation.apply`.
final class DepthwiseKernelTests: ConvKernelTestCase {
    static let activations: [Op?] = [nil, .relu, .relu6, .clip(lower: -0.5, upper: 0.25), .leakyRelu(slope: 0.1),
                                     .hardSigmoid(alpha: 1 / 6, beta: 0.5), .hardSigmoid(alpha: 0.2, beta: 0.4), .hardSwish,
                                     .sigmoid, .silu, .gelu(tanh: false)]

    /// The depthwise conv `a` (a `kernel` filter per channel) on `[batch, channels, size]` inputs,
    /// then `activation`, through the Executor (the activation fused into the conv), against the
    /// naive loop.
    func check(channels: Int, size: (Int, Int), kernel: (Int, Int), _ a: Conv2dAttributes, activation: Op?, batch: Int = 1,
               file: StaticString = #filePath, line: UInt = #line) throws {
        var a = a
        a.groups = channels
        let x = random([batch, channels, size.0, size.1]), w = random([channels, 1, kernel.0, kernel.1]), b = random([channels])
        let spanH = size.0 + a.padding.h + a.paddingEnd.h - a.dilation.h * (kernel.0 - 1) - 1
        let spanW = size.1 + a.padding.w + a.paddingEnd.w - a.dilation.w * (kernel.1 - 1) - 1
        guard spanH >= 0, spanW >= 0 else { return }  // the window does not fit the padded map
        let (outH, outW) = (spanH / a.stride.h + 1, spanW / a.stride.w + 1)
        let model = convModel(a, weight: w, bias: b, activation: activation)
        let y = try Executor(model: model, input: [channels, size.0, size.1], maxBatch: batch, threads: 2).run(x)
        var expected = naiveConv(x, w, b, a, out: (outH, outW))
        if let activation, let f = Activation(activation) { expected = expected.map(f.apply) }
        XCTAssertEqual(y.shape, [batch, channels, outH, outW], file: file, line: line)
        assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5, "\(channels) \(size) \(kernel) \(a) \(String(describing: activation))",
                    file: file, line: line)
    }

    /// Every map size, window, stride and padding, channel counts and activations taking turns.
    func testOddShapesAgainstNaiveLoop() throws {
        let channels = [1, 3, 7, 9, 17], maps = [(1, 1), (2, 3), (7, 7), (13, 11), (57, 57)]
        var turn = 0
        for size in maps {
            for kernel in [(3, 3), (5, 5), (1, 3), (7, 7)] {
                for stride in [1, 2] {
                    for pad in 0...3 {
                        let a = Conv2dAttributes(stride: Size2(stride), padding: Size2(pad))
                        try check(channels: channels[turn % channels.count], size: size, kernel: kernel, a,
                                  activation: Self.activations[turn % Self.activations.count])
                        turn += 1
                    }
                }
            }
        }
    }

    /// Each activation on both paths (a narrow map blocked eight channels at a time, a wide one
    /// by rows), channel counts around the block.
    func testEveryActivationFused() throws {
        for activation in Self.activations {
            for (channels, size) in [(9, (14, 14)), (17, (13, 11)), (3, (45, 61))] {
                for stride in [1, 2] {
                    try check(channels: channels, size: size, kernel: (3, 3), Conv2dAttributes(stride: Size2(stride), padding: Size2(1)),
                              activation: activation)
                    try check(channels: channels, size: size, kernel: (5, 5), Conv2dAttributes(stride: Size2(stride), padding: Size2(2)),
                              activation: activation)
                }
            }
        }
    }

    /// ONNX's asymmetric padding (more at the end, or at the start), dilated windows and one of
    /// more than 256 taps (the padded-plane path), and a batch of samples.
    func testAsymmetricPaddingDilationAndBatch() throws {
        try check(channels: 9, size: (20, 21), kernel: (17, 17), Conv2dAttributes(padding: Size2(8)), activation: .leakyRelu(slope: 0.1))
        for size in [(7, 7), (13, 11), (57, 57)] {
            for stride in [1, 2] {
                let asymmetric = [Conv2dAttributes(stride: Size2(stride), padding: Size2(0), paddingEnd: Size2(1)),
                                  Conv2dAttributes(stride: Size2(stride), padding: Size2(2, 1), paddingEnd: Size2(0, 3))]
                for a in asymmetric {
                    try check(channels: 9, size: size, kernel: (3, 3), a, activation: .relu6)
                    try check(channels: 7, size: size, kernel: (5, 5), a, activation: .hardSwish)
                }
                let dilated = Conv2dAttributes(stride: Size2(stride), padding: Size2(2), dilation: Size2(2))
                try check(channels: 9, size: size, kernel: (3, 3), dilated, activation: .silu)
                try check(channels: 17, size: size, kernel: (3, 3), Conv2dAttributes(stride: Size2(stride), padding: Size2(1)),
                          activation: .relu6, batch: 3)
            }
        }
    }
}
