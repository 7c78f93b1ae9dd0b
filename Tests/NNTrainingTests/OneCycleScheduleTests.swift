// OneCycleScheduleTests: OneCycleLR stepped per batch gives torch's learning rates and cycled
// momentum (SGD's momentum, Adam's β1) over 30 steps, two-phase cosine and three-phase linear,
// within 1e-6 relative (Tests/Fixtures/optimizers/schedules.json); settings torch refuses or
// cannot compute are refused.

import NNTraining
import XCTest

final class OneCycleScheduleTests: XCTestCase {
    func testMatchesTorch() throws {
        let sequences = try ScheduleSequences.load()
        let cases: [(String, OneCycleSchedule, Double)] = [
            ("onecycle", OneCycleSchedule(totalSteps: 30), 0.1),
            ("onecycle-adam", OneCycleSchedule(totalSteps: 30), 3e-3),
            ("onecycle-linear-three-phase", OneCycleSchedule(totalSteps: 30, pctStart: 0.25, anneal: .linear, divFactor: 10, finalDivFactor: 100,
                                                             threePhase: true, baseMomentum: 0.8, maxMomentum: 0.9), 0.1),
        ]
        for (name, cycle, maxLR) in cases {
            let schedule = LearningRateSchedule.oneCycle(cycle)
            // 30 batches as 5 epochs of 6: the schedule counts batches across epochs.
            let positions = (0..<30).map { $0.quotientAndRemainder(dividingBy: 6) }
            let rates = try positions.map { try schedule.learningRate(base: maxLR, epoch: $0.quotient, step: $0.remainder, stepsPerEpoch: 6) }
            let momenta = try positions.map { try XCTUnwrap(schedule.momentum(epoch: $0.quotient, step: $0.remainder, stepsPerEpoch: 6)) }
            let expected = try XCTUnwrap(sequences[name])
            assertSequence(rates, expected.lr, "\(name) lr")
            assertSequence(momenta, expected.momentum, "\(name) momentum")
        }
    }

    func testMomentumDoesNotCycleWhenTurnedOff() throws {
        XCTAssertNil(try OneCycleSchedule(totalSteps: 10, cycleMomentum: false).momentum(step: 3))
    }

    func testRefusesWhatTorchRefusesOrCannotCompute() throws {
        let invalid = [OneCycleSchedule(totalSteps: 0), OneCycleSchedule(totalSteps: 10, pctStart: 1.5), OneCycleSchedule(totalSteps: 10, divFactor: 0),
                       OneCycleSchedule(totalSteps: 10, finalDivFactor: -1), OneCycleSchedule(totalSteps: 10, maxMomentum: 1),
                       OneCycleSchedule(totalSteps: 10, pctStart: 0.1)]  // phase one ends at step 0: torch divides by zero
        for schedule in invalid { XCTAssertThrowsError(try schedule.validate(), "\(schedule)") }
        let schedule = OneCycleSchedule(totalSteps: 10)
        XCTAssertNoThrow(try schedule.learningRate(maxLR: 0.1, step: 10))  // torch computes step total_steps, and no further
        XCTAssertThrowsError(try schedule.learningRate(maxLR: 0.1, step: 11))
        XCTAssertThrowsError(try LearningRateSchedule.oneCycle(schedule).learningRate(base: 0.1, epoch: 2, step: 1, stepsPerEpoch: 5))
    }
}
