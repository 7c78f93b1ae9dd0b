// DistillationLossTests: the homework's loss_fn_kd (alpha 0.5 at T 1, alpha 0.7 at T 4): loss
// and gradient wrt the student's logits against torch, and what it refuses.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class DistillationLossTests: XCTestCase {
    /// Loss and gradient within 1e-6 of max |torch| (computed in Double; the issue asks 1e-4).
    func testMatchesTheHomeworksLoss() throws {
        try GradientCase.each(["distillation"], expected: 2) { c, t in
            let a = c.attributes
            let loss = try DistillationLoss(alpha: try XCTUnwrap(a.alpha), temperature: try XCTUnwrap(a.temperature))
            let (value, gradient) = try loss(student: try XCTUnwrap(t["logits"]), teacher: try XCTUnwrap(t["teacher"]), labels: try XCTUnwrap(a.labels))
            assertRelativelyClose(Tensor(shape: [1], scalars: [value]), t["loss"], 1e-6, "\(c.name) loss")
            assertRelativelyClose(gradient, t["gradient"], 1e-6, "\(c.name) gradient")
        }
    }

    func testRefusesMismatchedTensorsAndSettings() throws {
        let loss = try DistillationLoss(alpha: 0.5, temperature: 4)
        XCTAssertThrowsError(try loss(student: Tensor(shape: [2, 3]), teacher: Tensor(shape: [2, 4]), labels: [0, 1]))
        XCTAssertThrowsError(try loss(student: Tensor(shape: [2, 3]), teacher: Tensor(shape: [2, 3]), labels: [0, 5])) { error in
            XCTAssertEqual(error as? TrainingError, .labelOutOfRange(label: 5, sample: 1, classes: 3))
        }
        XCTAssertThrowsError(try DistillationLoss(alpha: 0.5, temperature: 0))
        XCTAssertThrowsError(try DistillationLoss(alpha: .infinity, temperature: 1))
    }
}
