// TrainableModelTests: opening a model for training splits its tensors into parameters and
// buffers, and `model` writes them back under the same keys.

import NNCore
import TestSupport
@testable import NNTraining
import XCTest

final class TrainableModelTests: XCTestCase {
    /// `input → conv → bn → relu → pool → flatten → fc`, with a bias-free conv.
    private func model() -> Model {
        var graph = GraphBuilder()
        let conv = graph.add("conv", .conv2d(Conv2dAttributes(padding: Size2(1))), graph.input)
        let bn = graph.add("bn", .batchNorm(eps: 1e-5), conv)
        let relu = graph.add("relu", .relu, bn)
        let pool = graph.add("pool", .adaptiveAvgPool(Size2(1)), relu)
        let flat = graph.add("flatten", .flatten, pool)
        graph.add("fc", .linear, flat)
        var dict = StateDict()
        dict.setTensor("conv.weight", Tensor(shape: [4, 3, 3, 3], repeating: 0.1))
        for suffix in ["weight", "bias", "running_mean", "running_var"] { dict.setTensor("bn.\(suffix)", Tensor(shape: [4], repeating: 1)) }
        dict["bn.num_batches_tracked"] = .integer(IntTensor(shape: [], scalars: [7]), .int64)
        dict.setTensor("fc.weight", Tensor(shape: [2, 4], repeating: 0.5))
        dict.setTensor("fc.bias", Tensor(shape: [2], repeating: 0))
        return Model(architecture: "test", graph: graph.graph, stateDict: dict)
    }

    func testSplitsParametersFromBuffers() throws {
        let trainable = try TrainableModel(model())
        XCTAssertEqual(trainable.parameterKeys, ["conv.weight", "bn.weight", "bn.bias", "fc.weight", "fc.bias"])
        XCTAssertEqual(Set(trainable.buffers.keys), ["bn.running_mean", "bn.running_var"])
        XCTAssertEqual(trainable.batchesTracked, ["bn": 7])
    }

    func testWritesBackUnderTheSameKeys() throws {
        var trainable = try TrainableModel(model())
        trainable.parameters["fc.bias"] = Tensor(shape: [2], scalars: [1, -1])
        trainable.buffers["bn.running_var"] = Tensor(shape: [4], repeating: 2)
        trainable.batchesTracked["bn"] = 8
        let written = trainable.model
        XCTAssertEqual(written.stateDict.keys, model().stateDict.keys)
        XCTAssertEqual(written.stateDict.tensor("fc.bias")?.scalars, [1, -1])
        XCTAssertEqual(written.stateDict.tensor("bn.running_var")?.scalars, [2, 2, 2, 2])
        XCTAssertEqual(written.stateDict["bn.num_batches_tracked"], .integer(IntTensor(shape: [], scalars: [8]), .int64))
    }

    /// `input → flatten → fc1 → dropout(0.5) → fc2`, weights `w[o, i] = 0.1 · (o − i)`, biases 0.
    private func dropoutModel() -> Model {
        var graph = GraphBuilder()
        let flat = graph.add("flatten", .flatten, graph.input)
        let fc1 = graph.add("fc1", .linear, flat)
        let drop = graph.add("drop", .dropout(p: 0.5, wholeChannels: false), fc1)
        graph.add("fc2", .linear, drop)
        var dict = StateDict()
        for (name, out, inp) in [("fc1", 16, 12), ("fc2", 3, 16)] {
            dict.setTensor("\(name).weight", Tensor(shape: [out, inp], scalars: (0..<out * inp).map { Float($0 / inp - $0 % inp) * 0.1 }))
            dict.setTensor("\(name).bias", Tensor(shape: [out], repeating: 0))
        }
        return Model(architecture: "test", graph: graph.graph, stateDict: dict)
    }

    /// The same seed gives the same masks forward after forward; each training forward draws
    /// new ones; another seed others; evaluation mode drops nothing.
    func testDropoutIsSeededAndAdvancesPerForward() throws {
        let x = Tensor(shape: [4, 3, 2, 2], scalars: (0..<48).map { Float($0 % 5) - 1.5 })
        var a = try TrainableModel(dropoutModel(), dropoutSeed: 7), b = try TrainableModel(dropoutModel(), dropoutSeed: 7)
        var c = try TrainableModel(dropoutModel(), dropoutSeed: 8)
        let (a1, b1, c1) = (try a.forward(x, training: true), try b.forward(x, training: true), try c.forward(x, training: true))
        XCTAssertEqual(a1.dropoutMasks, b1.dropoutMasks)
        XCTAssertEqual(a1.output, b1.output)
        XCTAssertNotEqual(a1.dropoutMasks, c1.dropoutMasks)
        XCTAssertNotEqual(try a.forward(x, training: true).dropoutMasks, a1.dropoutMasks)
        let evaluation = try a.forward(x, training: false)
        XCTAssertEqual(evaluation.dropoutMasks, [:])
        XCTAssertEqual(evaluation.outputs[3], evaluation.outputs[2])
    }

    /// fc1's weight gradient goes through the forward's mask: `∂L/∂W1 = ((g · W2) ⊙ m)ᵀ · x`
    /// (computed here by hand, exactly as the layers sum, within 1e-5 relative).
    func testBackwardThroughDropoutUsesTheForwardsMask() throws {
        var trainable = try TrainableModel(dropoutModel(), dropoutSeed: 1)
        let x = Tensor(shape: [4, 3, 2, 2], scalars: (0..<48).map { Float($0 % 5) - 1.5 })
        let pass = try trainable.forward(x, training: true)
        let mask = try XCTUnwrap(pass.dropoutMasks[3]).scalars
        XCTAssertTrue(mask.contains(0) && mask.contains(2))
        let g = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0 % 4) - 1 })
        let gradients = try trainable.backward(pass, outputGradient: g)
        let w2 = try trainable.parameter("fc2.weight").scalars
        var expected = [Float](repeating: 0, count: 16 * 12)
        for n in 0..<4 {
            for o in 0..<16 {
                var dh: Float = 0
                for k in 0..<3 { dh += g.scalars[n * 3 + k] * w2[k * 16 + o] }
                dh *= mask[n * 16 + o]
                for i in 0..<12 { expected[o * 12 + i] += dh * x.scalars[n * 12 + i] }
            }
        }
        assertClose(try XCTUnwrap(gradients["fc1.weight"]).scalars, expected, rtol: 1e-5, atol: 1e-6)
    }

    func testRefusesAMomentumOutsideTheUnitInterval() {
        XCTAssertThrowsError(try TrainableModel(model(), batchNormMomentum: 1.5))
    }
}
