import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO
@testable import NNVision
@testable import NNEvaluation

/// BatchNorm re-estimation against torch's adaptive-BN recipe (`reset_running_stats()`,
/// momentum None, `train()`, forward the first 300 validation images in batches of 64 under
/// no_grad, then `eval()`): the correct counts on the 1000 bundled validation images are
/// torch's, 839 (teacher) and 848 (student).
final class BatchNormRecalibrationTests: XCTestCase {
    func testMatchesTorchsTrainModeRecalibration() throws {
        let root = Fixtures.repositoryRoot
        let preprocessing = try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        let dataset = try ImageDataset(root: root.appendingPathComponent("examples/fashion").path, split: "validation")
        let validation = try DecodedImages(dataset: dataset, preprocessing: preprocessing)
        let calibration = try DecodedImages(dataset: dataset, preprocessing: preprocessing, limit: 300)
        for (name, expected) in [("teacher", 839), ("student", 848)] {
            let model = try ArchitectureCatalog.build(try Checkpoint.contents(path: root.appendingPathComponent("examples/models/\(name).pt").path).stateDict)
            let recalibrated = try BatchNormRecalibration.recalibrate(model, on: calibration, batch: 64)
            XCTAssertNotEqual(recalibrated.stateDict, model.stateDict, name)
            XCTAssertEqual(try Evaluator.evaluate(recalibrated, on: validation).classification.correct, expected, name)
        }
    }
}
