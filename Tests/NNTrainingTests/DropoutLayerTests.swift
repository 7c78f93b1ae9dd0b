// DropoutLayerTests: the training-mode mask keeps about 1 − p of the values (of the channels
// for Dropout2d) and scales them by 1/(1 − p) as torch does; the backward multiplies by the
// forward's mask; evaluation mode and p = 0 are the identity, p = 1 gives zeros. The draws
// are Shears' SplitMix64, not torch's: the statistics are compared, not torch's mask.

import NNCore
@testable import NNTraining
import XCTest

final class DropoutLayerTests: XCTestCase {
    private func node(_ p: Float, wholeChannels: Bool = false) -> Node {
        Node(name: "drop", op: .dropout(p: p, wholeChannels: wholeChannels), inputs: [0])
    }

    /// Values 1 + i mod 7 (no zeros, so a dropped value is told from a kept one).
    private func input(_ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { Float(1 + $0 % 7) })
    }

    /// 200 000 values at p 0.3: the kept fraction within 0.005 of 0.7 (σ ≈ 0.001); each kept
    /// value exactly `x · Float(1 / 0.7)` (torch's scale), each dropped one 0, the mask its factors.
    func testKeepsAboutOneMinusPScaledByItsInverse() throws {
        var generator = SplitMix64(seed: 1)
        let x = input([50, 4, 20, 50])
        let (y, mask) = try DropoutLayer.forward(node(0.3), x, p: 0.3, wholeChannels: false, training: true, &generator)
        let factors = try XCTUnwrap(mask)
        let scale = Float(1 / (1 - Double(Float(0.3))))
        XCTAssertEqual(factors.shape, x.shape)
        XCTAssertTrue(factors.scalars.allSatisfy { $0 == 0 || $0 == scale })
        for i in x.scalars.indices { XCTAssertEqual(y.scalars[i], x.scalars[i] * factors.scalars[i]) }
        let kept = Double(factors.scalars.filter { $0 != 0 }.count) / Double(x.count)
        XCTAssertEqual(kept, 0.7, accuracy: 0.005)
    }

    /// Dropout2d: one factor per channel of each sample, shared by its H·W values; 4 000
    /// channels at p 0.5 keep half within 0.04 (σ ≈ 0.008).
    func testDropout2dDropsWholeChannels() throws {
        var generator = SplitMix64(seed: 2)
        let x = input([8, 500, 2, 3])
        let (_, mask) = try DropoutLayer.forward(node(0.5, wholeChannels: true), x, p: 0.5, wholeChannels: true, training: true, &generator)
        let factors = try XCTUnwrap(mask).scalars
        let channels = stride(from: 0, to: factors.count, by: 6).map { Array(factors[$0 ..< $0 + 6]) }
        XCTAssertTrue(channels.allSatisfy { Set($0).count == 1 })
        XCTAssertEqual(Double(channels.filter { $0[0] == 2 }.count) / 4000, 0.5, accuracy: 0.04)
        XCTAssertThrowsError(try DropoutLayer.forward(node(0.5, wholeChannels: true), input([2, 3]), p: 0.5, wholeChannels: true, training: true, &generator))
    }

    /// Evaluation mode and p = 0 return x itself with no mask and draw nothing; p = 1 gives
    /// x · 0 and a zero gradient; a p outside [0, 1] is refused.
    func testIdentityInEvaluationAndAtZeroZerosAtOne() throws {
        let x = input([2, 3, 4, 4])
        var generator = SplitMix64(seed: 3), untouched = SplitMix64(seed: 3)
        for (p, training) in [(Float(0.5), false), (0, true)] {
            let (y, mask) = try DropoutLayer.forward(node(p), x, p: p, wholeChannels: false, training: training, &generator)
            XCTAssertEqual(y, x)
            XCTAssertNil(mask)
        }
        XCTAssertEqual(generator.next(), untouched.next())
        let (y, mask) = try DropoutLayer.forward(node(1), x, p: 1, wholeChannels: false, training: true, &generator)
        XCTAssertTrue(y.scalars.allSatisfy { $0 == 0 })
        let context = BackwardContext(node: node(1), inputs: [x], output: y, gradient: x, needsInputGradient: [true], training: true, dropoutMask: mask)
        XCTAssertTrue(try XCTUnwrap(try DropoutLayer.backward(context).inputs[0]).scalars.allSatisfy { $0 == 0 })
        XCTAssertThrowsError(try DropoutLayer.forward(node(.nan), x, p: .nan, wholeChannels: false, training: true, &generator))
    }

    /// `∂L/∂x = ∂L/∂y · m` with the forward's factors; without a mask the gradient passes.
    func testBackwardUsesTheForwardsMask() throws {
        var generator = SplitMix64(seed: 4)
        let x = input([4, 3, 5, 5]), g = input([4, 3, 5, 5]).scalars.map { $0 * -0.5 }
        let (y, mask) = try DropoutLayer.forward(node(0.4), x, p: 0.4, wholeChannels: false, training: true, &generator)
        let factors = try XCTUnwrap(mask)
        let gradient = Tensor(shape: x.shape, scalars: g)
        let dx = try XCTUnwrap(try DropoutLayer.backward(BackwardContext(node: node(0.4), inputs: [x], output: y, gradient: gradient,
                                                                         needsInputGradient: [true], training: true, dropoutMask: factors)).inputs[0])
        XCTAssertEqual(dx.scalars, zip(g, factors.scalars).map { $0 * $1 })
        let passed = try DropoutLayer.backward(BackwardContext(node: node(0.4), inputs: [x], output: x, gradient: gradient, needsInputGradient: [true], training: false))
        XCTAssertEqual(passed.inputs[0], gradient)
    }
}
