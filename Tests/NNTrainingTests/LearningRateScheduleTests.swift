// LearningRateScheduleTests: constant, StepLR and CosineAnnealingLR stepped per epoch give
// torch.optim.lr_scheduler's learning rates over 30 epochs (Tests/Fixtures/optimizers/
// schedules.json, written by scripts/fixtures/optimizers.py), within 1e-6 relative;
// positions outside training and invalid schedules are refused.

import Foundation
import NNTraining
import TestSupport
import XCTest

/// schedules.json: per schedule, the lr (and momentum) in effect at each of 30 steps.
struct ScheduleSequences: Decodable {
    let lr: [Double]
    let momentum: [Double]

    static func load() throws -> [String: ScheduleSequences] {
        try Fixtures.json("optimizers/schedules.json")
    }
}

/// Asserts each value within 1e-6 of torch's, relative to torch's value.
func assertSequence(_ actual: [Double], _ expected: [Double], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, label, file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= 1e-6 * abs(e)) {
        XCTFail("\(label) at \(i): \(a) vs torch's \(e)", file: file, line: line)
    }
}

final class LearningRateScheduleTests: XCTestCase {
    /// The lr at epochs 0 ... 29 (any step of an epoch).
    private func perEpoch(_ schedule: LearningRateSchedule, base: Double) throws -> [Double] {
        try (0..<30).map { epoch in
            let rate = try schedule.learningRate(base: base, epoch: epoch, step: epoch % 3, stepsPerEpoch: 3)
            XCTAssertNil(try schedule.momentum(epoch: epoch, step: 0, stepsPerEpoch: 3))
            return rate
        }
    }

    func testPerEpochSchedulesMatchTorch() throws {
        let sequences = try ScheduleSequences.load()
        let cases: [(String, LearningRateSchedule, Double)] = [
            ("constant", .constant, 0.05),
            ("step", .step(size: 7, gamma: 0.3), 0.1),
            ("cosine", .cosine(epochs: 12, minimum: 1e-3), 0.1),
            ("cosine-zero-min", .cosine(epochs: 30, minimum: 0), 0.1),
        ]
        for (name, schedule, base) in cases {
            assertSequence(try perEpoch(schedule, base: base), try XCTUnwrap(sequences[name]).lr, name)
        }
    }

    func testRefusesPositionsOutsideTrainingAndInvalidSchedules() {
        let schedule = LearningRateSchedule.step(size: 2, gamma: 0.1)
        for (epoch, step, steps) in [(-1, 0, 4), (0, 4, 4), (0, -1, 4), (0, 0, 0), (Int.max, 3, 4)] {
            XCTAssertThrowsError(try schedule.learningRate(base: 0.1, epoch: epoch, step: step, stepsPerEpoch: steps), "\(epoch) \(step) \(steps)")
        }
        XCTAssertThrowsError(try schedule.learningRate(base: -0.1, epoch: 0, step: 0, stepsPerEpoch: 1))
        for invalid: LearningRateSchedule in [.step(size: 0, gamma: 0.1), .step(size: 1, gamma: .nan), .cosine(epochs: 0, minimum: 0),
                                              .cosine(epochs: 10, minimum: -1)] {
            XCTAssertThrowsError(try invalid.validate(), "\(invalid)")
            XCTAssertThrowsError(try invalid.learningRate(base: 0.1, epoch: 0, step: 0, stepsPerEpoch: 1), "\(invalid)")
        }
    }

    func testSurvivesJSON() throws {
        for schedule: LearningRateSchedule in [.constant, .step(size: 3, gamma: 0.5), .cosine(epochs: 10, minimum: 0),
                                               .oneCycle(OneCycleSchedule(totalSteps: 100, threePhase: true))] {
            XCTAssertEqual(try JSONDecoder().decode(LearningRateSchedule.self, from: try JSONEncoder().encode(schedule)), schedule)
        }
    }
}
