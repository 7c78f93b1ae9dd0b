// OptimizerSettingsTests: torch's defaults per optimizer, the settings torch refuses (and
// Shears with it), and a settings value surviving JSON.

import Foundation
@testable import NNTraining
import XCTest

final class OptimizerSettingsTests: XCTestCase {
    func testDefaultsAreTorchs() throws {
        let adamw = OptimizerSettings(kind: .adamw, learningRate: 1e-3)
        XCTAssertEqual([adamw.weightDecay, adamw.beta1, adamw.beta2, adamw.eps], [0.01, 0.9, 0.999, 1e-8])
        XCTAssertEqual(OptimizerSettings(kind: .adam, learningRate: 1e-3).weightDecay, 0)
        let sgd = OptimizerSettings(kind: .sgd, learningRate: 0.1)
        XCTAssertEqual([sgd.momentum, sgd.dampening, sgd.weightDecay], [0, 0, 0])
        XCTAssertFalse(sgd.nesterov)
        for settings in [adamw, sgd, OptimizerSettings(kind: .sgd, learningRate: 0, momentum: 0.9, nesterov: true)] {
            XCTAssertNoThrow(try settings.validate())
        }
    }

    func testRefusesWhatTorchRefuses() {
        let invalid: [(String, OptimizerSettings)] = [
            ("learning rate", OptimizerSettings(kind: .sgd, learningRate: -0.1)),
            ("learning rate", OptimizerSettings(kind: .adam, learningRate: .infinity)),
            ("weight decay", OptimizerSettings(kind: .sgd, learningRate: 0.1, weightDecay: -1e-4)),
            ("momentum", OptimizerSettings(kind: .sgd, learningRate: 0.1, momentum: 1)),
            ("momentum", OptimizerSettings(kind: .sgd, learningRate: 0.1, momentum: -0.1)),
            ("dampening", OptimizerSettings(kind: .sgd, learningRate: 0.1, momentum: 0.9, dampening: 1.5)),
            ("nesterov", OptimizerSettings(kind: .sgd, learningRate: 0.1, nesterov: true)),
            ("nesterov", OptimizerSettings(kind: .sgd, learningRate: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)),
            ("beta1", OptimizerSettings(kind: .adam, learningRate: 0.1, beta1: 1)),
            ("beta2", OptimizerSettings(kind: .adamw, learningRate: 0.1, beta2: -0.5)),
            ("eps", OptimizerSettings(kind: .adamw, learningRate: 0.1, eps: 0)),
        ]
        for (name, settings) in invalid {
            XCTAssertThrowsError(try settings.validate(), name) { error in
                guard case .invalidSetting(let setting, _)? = error as? TrainingError else { return XCTFail("\(error)") }
                XCTAssertEqual(setting, name)
            }
            XCTAssertThrowsError(try Optimizer(settings), name)
        }
    }

    func testSurvivesJSON() throws {
        let settings = OptimizerSettings(kind: .sgd, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4)
        let decoded = try JSONDecoder().decode(OptimizerSettings.self, from: try JSONEncoder().encode(settings))
        XCTAssertEqual(decoded, settings)
    }
}
