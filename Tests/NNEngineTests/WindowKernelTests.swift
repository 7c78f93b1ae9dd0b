import XCTest
import TestSupport
@testable import NNCore
@testable import NNEngine

/// The window kernels over padded planes (Sources/CKernels/window): max pooling with strides,
/// padding, dilation and ceil mode, and depthwise convolution split over threads, against naive
/// per-output loops.
final class WindowKernelTests: ConvKernelTestCase {
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

    /// Max pooling with padding, dilation, ceil mode and strides 1 to 3, NaN inputs kept, taps in
    /// row-major order, against the naive loop, exactly.
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
    /// Global average pooling (`shears_plane_means`) on 1x1, 7x7, odd and large maps with channel
    /// counts that are no multiple of eight, the planes of a large one split over two threads,
    /// against the sum in order; a 2x3 adaptive output keeps the per-cell loop.
    func testGlobalAveragePoolAgainstTheSumInOrder() throws {
        for (batch, channels, h, w, outH, outW) in [(2, 13, 1, 1, 1, 1), (3, 9, 7, 7, 1, 1), (2, 5, 5, 7, 1, 1), (1, 67, 56, 56, 1, 1),
                                                     (2, 11, 14, 14, 1, 1), (2, 3, 7, 9, 2, 3)] {
            let x = random([batch, channels, h, w])
            let y = try run(.adaptiveAvgPool(Size2(outH, outW)), input: x)
            var expected: [Float] = []
            for plane in 0..<(batch * channels) {
                for i in 0..<outH {
                    let r0 = i * h / outH, r1 = ((i + 1) * h + outH - 1) / outH
                    for j in 0..<outW {
                        let c0 = j * w / outW, c1 = ((j + 1) * w + outW - 1) / outW
                        var sum: Float = 0
                        for r in r0..<r1 { for c in c0..<c1 { sum += x.scalars[(plane * h + r) * w + c] } }
                        expected.append(sum / Float((r1 - r0) * (c1 - c0)))
                    }
                }
            }
            XCTAssertEqual(y.shape, [batch, channels, outH, outW])
            assertClose(y.scalars, expected, rtol: 1e-5, atol: 1e-6, "\(batch)x\(channels)x\(h)x\(w) to \(outH)x\(outW)")
        }
    }
}
