// TrainableModelTests: opening a model for training splits its tensors into parameters and
// buffers, and `model` writes them back under the same keys.

import NNCore
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

    func testRefusesAMomentumOutsideTheUnitInterval() {
        XCTAssertThrowsError(try TrainableModel(model(), batchNormMomentum: 1.5))
    }
}
