// FineTuneTests: the fine-tuning workflow on the bundled student and a slice of the bundled
// training split: its per-epoch records, that pruned weights stay zero, that a run without
// shuffling or augmentation is exactly the Trainer's loop over the images in listing order,
// and its refusals. Small runs (a few steps of a few images); never asserts on a time.

import XCTest
import ShearsKit
import TestSupport

final class FineTuneTests: XCTestCase {
    let root = Fixtures.repositoryRoot.appendingPathComponent("examples").path

    /// The example's preprocessing at 32x32.
    private func preprocessing() throws -> Preprocessing {
        try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
    }

    private func student() throws -> Model { try ModelFile.read("\(root)/models/student.pt").model }

    /// The first `count` training images (sorted: class 0 first), with `augmentation`.
    private func training(_ count: Int, _ augmentation: Augmentation = .none) throws -> TrainingImages {
        let dataset = try ImageDataset(root: "\(root)/fashion", split: "training")
        let spread = stride(from: 0, to: dataset.samples.count, by: dataset.samples.count / count).prefix(count).map { dataset.samples[$0] }
        return try TrainingImages(samples: spread, preprocessing: try preprocessing(), augmentation: augmentation)
    }

    private let adam = OptimizerSettings(kind: .adam, learningRate: 1e-3)

    func testEpochRecordsAndValidation() throws {
        let validation = try DecodedImages(dataset: try ImageDataset(root: "\(root)/fashion", split: "validation"),
                                           preprocessing: try preprocessing(), limit: 50)
        var seen: [Int] = []
        let settings = FineTuneSettings(epochs: 2, batchSize: 8, optimizer: adam)
        let (trained, epochs) = try FineTune.run(try student(), training: try training(20), validation: validation, settings: settings) { seen.append($0.epoch) }
        XCTAssertEqual(seen, [1, 2])
        XCTAssertEqual(epochs.map(\.steps), [3, 3])
        XCTAssertTrue(epochs.allSatisfy { $0.loss.isFinite && $0.loss > 0 && (0...1).contains($0.trainingAccuracy) && $0.validationAccuracy != nil })
        XCTAssertNotEqual(trained.stateDict.tensor("fc.weight"), try student().stateDict.tensor("fc.weight"))
        XCTAssertEqual(trained.stateDict.keys, try student().stateDict.keys)
    }

    func testMaxStepsStopsAcrossEpochs() throws {
        let settings = FineTuneSettings(epochs: 3, maxSteps: 4, batchSize: 8, optimizer: adam)
        let (_, epochs) = try FineTune.run(try student(), training: try training(20), settings: settings)
        XCTAssertEqual(epochs.map(\.steps), [3, 1])
    }

    func testPrunedWeightsStayZero() throws {
        let (pruned, _) = try Pruner.prune(try student(), method: .l1, amount: .fraction(0.5))
        let masks = FineTune.zeroMasks(pruned)
        XCTAssertEqual(Set(masks.keys), Set(pruned.graph.nodes.filter { if case .conv2d = $0.op { return true }; if case .linear = $0.op { return true }; return false }.map { "\($0.name).weight" }))
        XCTAssertTrue(FineTune.zeroMasks(try student()).isEmpty, "a dense model trained by PyTorch has no exact zeros to hold")
        let settings = FineTuneSettings(epochs: 1, batchSize: 8, optimizer: OptimizerSettings(kind: .sgd, learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4))
        let (trained, _) = try FineTune.run(pruned, training: try training(16, .flip), settings: settings, masks: masks)
        for (key, mask) in masks {
            let weight = try XCTUnwrap(trained.stateDict.tensor(key))
            XCTAssertTrue(zip(weight.scalars, mask.scalars).allSatisfy { $1 != 0 || $0 == 0 }, "\(key) moved a pruned weight")
            XCTAssertNotEqual(weight, pruned.stateDict.tensor(key), "\(key) did not train")
        }
    }

    /// Without shuffling or augmentation the steps are the Trainer's over the images in the
    /// order `shears eval` lists them, so a PyTorch loop over that order reproduces them.
    func testUnshuffledRunIsTheTrainersLoopInListingOrder() throws {
        let images = try training(12)
        let settings = FineTuneSettings(epochs: 1, batchSize: 5, optimizer: adam, shuffle: false)
        let (trained, epochs) = try FineTune.run(try student(), training: images, settings: settings)
        let decoded = try DecodedImages(samples: images.samples, preprocessing: try preprocessing())
        var trainer = Trainer(model: try TrainableModel(try student()), optimizer: try Optimizer(adam), loss: .crossEntropy(CrossEntropyLoss()))
        var losses: [Double] = []
        for batch in try decoded.batches(size: 5) {
            let result = try trainer.step(batch.images, labels: batch.labels.map { $0 ?? -1 }, learningRate: 1e-3)
            losses.append(Double(result.loss) * Double(batch.labels.count))
        }
        XCTAssertEqual(trained, trainer.model.model)
        XCTAssertEqual(epochs[0].loss, losses.reduce(0, +) / 12, accuracy: 1e-12)
    }

    func testDistillationNeedsATeacherAndATeacherNeedsDistillation() throws {
        let kd = TrainingLoss.distillation(try DistillationLoss(alpha: 0.5, temperature: 4))
        XCTAssertThrowsError(try FineTune.run(try student(), training: try training(8), settings: FineTuneSettings(optimizer: adam, loss: kd)))
        XCTAssertThrowsError(try FineTune.run(try student(), training: try training(8), teacher: try student(), settings: FineTuneSettings(optimizer: adam)))
        let teacher = try ModelFile.read("\(root)/models/teacher.pt").model
        let (_, epochs) = try FineTune.run(try student(), training: try training(8), teacher: teacher, settings: FineTuneSettings(batchSize: 8, optimizer: adam, loss: kd))
        XCTAssertEqual(epochs.count, 1)
    }

    func testStopsWhenTheLossDiverges() throws {
        let settings = FineTuneSettings(epochs: 1, batchSize: 4, optimizer: OptimizerSettings(kind: .sgd, learningRate: 1e30, momentum: 0.9))
        XCTAssertThrowsError(try FineTune.run(try student(), training: try training(16), settings: settings)) { error in
            guard case TrainingError.diverged(let step, _) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(step, 1)
        }
    }

    func testRefusesSettingsThatCannotWork() throws {
        for settings in [FineTuneSettings(epochs: 0), FineTuneSettings(maxSteps: 0), FineTuneSettings(batchSize: 0),
                         FineTuneSettings(schedule: .step(size: 0, gamma: 0.1))] {
            XCTAssertThrowsError(try FineTune.run(try student(), training: try training(8), settings: settings)) { error in
                XCTAssertTrue(error is TrainingError, "\(error)")
            }
        }
    }
}
