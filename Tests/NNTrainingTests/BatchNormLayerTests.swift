// BatchNormLayerTests: nn.BatchNorm2d against PyTorch in training mode (output, gradients
// through the batch statistics, running statistics and num_batches_tracked after the
// forward) and evaluation mode (max|Shears − torch| / max|torch| <= 1e-4 per tensor; the
// running statistics within 1e-6), with and without affine parameters, and the refusal of
// one value per channel in training mode.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class BatchNormLayerTests: XCTestCase {
    /// Checks the case, and in training mode the running statistics torch has after its forward.
    private func check(_ name: String) throws {
        let fixture = try ParametricFixture.load(name)
        let model = try fixture.check()
        let before = try fixture.model()
        if fixture.training {
            try fixture.compare(try XCTUnwrap(model.buffers["layer.running_mean"]), "running_mean_after", tolerance: 1e-6)
            try fixture.compare(try XCTUnwrap(model.buffers["layer.running_var"]), "running_var_after", tolerance: 1e-6)
            XCTAssertEqual(model.batchesTracked["layer"], 1)
        } else {
            XCTAssertEqual(model.buffers, before.buffers)
            XCTAssertEqual(model.batchesTracked["layer"], 0)
        }
    }

    func testTraining() throws { try check("bn-train") }
    func testEvaluation() throws { try check("bn-eval") }
    func testTrainingOnOneByOneMaps() throws { try check("bn-train-1x1") }
    func testTrainingWithoutAffineParameters() throws { try check("bn-train-noaffine") }

    /// The forward through the model's tape updates the buffers too, once per batch.
    func testModelForwardUpdatesTheRunningStatistics() throws {
        let fixture = try ParametricFixture.load("bn-train")
        var model = try fixture.model()
        let pass = try model.forward(try XCTUnwrap(try fixture.tensor("x")), training: true)
        try fixture.compare(pass.output, "y")
        try fixture.compare(try XCTUnwrap(model.buffers["layer.running_var"]), "running_var_after", tolerance: 1e-6)
        XCTAssertEqual(model.batchesTracked["layer"], 1)
        _ = try model.forward(try XCTUnwrap(try fixture.tensor("x")), training: false)
        XCTAssertEqual(model.batchesTracked["layer"], 1)
    }

    func testRefusesOneValuePerChannelInTraining() throws {
        var model = try ParametricFixture.load("bn-train-1x1").model()
        let x = Tensor(shape: [1, 5, 1, 1], repeating: 1)
        XCTAssertThrowsError(try model.forward(x, training: true)) { error in
            XCTAssertEqual("\(error)", "shape mismatch: layer: BatchNorm in training mode needs more than 1 value per channel, got input [1, 5, 1, 1] (use a batch of 2 or more)")
        }
        XCTAssertEqual(model.batchesTracked["layer"], 0)
        XCTAssertNoThrow(try model.forward(x, training: false))
    }
}
