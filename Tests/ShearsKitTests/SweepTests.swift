import Foundation
import XCTest
import ShearsKit
import TestSupport

/// The sweep in-process: its plan's order and count, shards that partition it, resume by key,
/// and the measured points against torch.nn.utils.prune's numbers.
final class SweepTests: XCTestCase {
    static let teacher = Fixtures.repositoryRoot.appendingPathComponent("examples/models/teacher.pt").path

    static func images(limit: Int? = nil) throws -> DecodedImages {
        let preprocessing = try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        let dataset = try ImageDataset(root: Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path, split: "validation")
        return try DecodedImages(dataset: dataset, preprocessing: preprocessing, limit: limit)
    }

    let plan = SweepPlan(methods: [.l1, .channel], ratios: [0, 0.5], iterativeRates: [0.5], iterativeSteps: 2, quantizationBits: [4, 8])

    func testPlanListsEveryPointOnceInItsOrder() {
        let records = plan.records(model: "m")
        XCTAssertEqual(Double(records.count), plan.pointCount)
        XCTAssertEqual(records.count, 2 * 2 + 3 + 2)
        XCTAssertEqual(records.map(\.method.description), ["l1", "l1", "channel", "channel", "l1", "l1", "l1", "min-max", "min-max"])
        XCTAssertEqual(records[4...6].map(\.steps), [0, 1, 2])
        XCTAssertEqual(records[6].ratio, 0.75, accuracy: 1e-12)
        XCTAssertEqual(Set(records.map(\.key)).count, records.count)
    }

    func testRecalibrationAddsAChannelSeries() throws {
        var recalibrated = plan
        recalibrated.batchNormRecalibration = try Self.images(limit: 2)
        let methods = recalibrated.records(model: "m").map(\.method.description)
        XCTAssertEqual(methods.filter { $0 == "channel+bn-recal" }.count, 2)
        XCTAssertEqual(recalibrated.pointCount, plan.pointCount + 2)
    }

    func testEachChannelRankingIsItsOwnSeriesWithItsRecalibration() throws {
        var plan = SweepPlan(methods: [.channel, .channel(importance: .batchNormScale)], ratios: [0.5])
        XCTAssertEqual(plan.records(model: "m").map(\.method.description), ["channel", "channel-bn-scale"])
        plan.batchNormRecalibration = try Self.images(limit: 2)
        XCTAssertEqual(plan.records(model: "m").map(\.method.description),
                       ["channel", "channel+bn-recal", "channel-bn-scale", "channel-bn-scale+bn-recal"])
        XCTAssertEqual(plan.pointCount, 4)
    }

    /// Network slimming's iterative schedule in a sweep: every round ranks by BatchNorm scale
    /// (the points are those of `Pruner.run` with that method), and its one-shot point is the
    /// one-step schedule; L1's points differ.
    func testIterativeChannelRemovalRanksEveryRoundByTheMethodsImportance() throws {
        let loaded = try ModelFile.read(Self.teacher)
        let folder = try Fixtures.temporaryDirectory(for: self).path
        let slimming = PruningMethod.channel(importance: .batchNormScale)
        let plan = SweepPlan(methods: [slimming, .channel], ratios: [0.1], iterativeRates: [0.1], iterativeSteps: 2, iterativeMethod: slimming)
        let records = try ResultsFolder.withWriter(in: folder) { writer in
            try Sweep(plan: plan).run(loaded, point: SweepPoint(model: "teacher", images: try Self.images(limit: 16), batch: 16,
                                                                timingIterations: 0, writer: writer))
        }
        var expected: [Int] = []
        try Pruner.run(loaded.model, method: slimming, schedule: .iterative(step: .fraction(0.1), steps: 2)) { _, _, record in
            expected.append(record.parameters)
        }
        let iterative = records.filter { $0.step != nil }.sorted { $0.steps! < $1.steps! }
        XCTAssertEqual(iterative.map(\.method.description), ["channel-bn-scale", "channel-bn-scale", "channel-bn-scale"])
        XCTAssertEqual(iterative.dropFirst().map(\.parameters), expected)
        let oneShot = Dictionary(uniqueKeysWithValues: records.filter { $0.step == nil }.map { ($0.method.description, $0) })
        XCTAssertEqual(oneShot["channel-bn-scale"]?.accuracy, iterative[1].accuracy)
        XCTAssertEqual(oneShot["channel-bn-scale"]?.parameters, iterative[1].parameters)
        let l1 = try Pruner.prune(loaded.model, method: .channel, amount: .fraction(0.1)).0
        let bn = try Pruner.prune(loaded.model, method: slimming, amount: .fraction(0.1)).0
        XCTAssertNotEqual(l1.stateDict, bn.stateDict, "the teacher's L1 and BN-scale rankings keep other channels")
    }

    static let student = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path

    /// The first `limit` training images, unaugmented.
    static func training(limit: Int) throws -> TrainingImages {
        let preprocessing = try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        let dataset = try ImageDataset(root: Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path, split: "training")
        return try TrainingImages(dataset: dataset, preprocessing: preprocessing, augmentation: .none, limit: limit)
    }

    /// Two SGD steps of 16 images: enough to move the weights, small enough for a test.
    static func fineTuning(teacher: Model? = nil) throws -> SweepFineTuning {
        let settings = FineTuneSettings(epochs: 1, maxSteps: 2, batchSize: 16, shuffle: false)
        return SweepFineTuning(training: try training(limit: 32), settings: settings,
                               teacher: try teacher.map { SweepFineTuning.Teacher(model: $0, label: "teacher", loss: try DistillationLoss(alpha: 0.5, temperature: 4)) })
    }

    /// Fine-tuning adds a "+ft" twin after every one-shot point and a fine-tuned copy of every
    /// iterative schedule, and a teacher a "+kd" one; each carries its recipe, and every key differs.
    func testFineTuningAddsATrainedTwinOfEveryPruningPoint() throws {
        var plan = SweepPlan(methods: [.l1, .channel], ratios: [0.5], iterativeRates: [0.5], iterativeSteps: 1, quantizationBits: [8])
        plan.fineTuning = try Self.fineTuning()
        let records = plan.records(model: "m")
        XCTAssertEqual(records.map(\.method.description), ["l1", "l1+ft", "channel", "channel+ft", "l1", "l1", "l1+ft", "l1+ft", "min-max"])
        XCTAssertEqual(Double(records.count), plan.pointCount)
        XCTAssertEqual(Set(records.map(\.key)).count, records.count)
        let recipe = try XCTUnwrap(records[1].fineTuning)
        XCTAssertEqual([recipe.epochs, recipe.maxSteps, recipe.batch, recipe.trainingImages], [1, 2, 16, 32])
        XCTAssertEqual(recipe.optimizer, "sgd")
        XCTAssertNil(recipe.teacher)
        XCTAssertNil(records[0].fineTuning)
        plan.fineTuning = try Self.fineTuning(teacher: try ModelFile.read(Self.teacher).model)
        let distilled = plan.records(model: "m")
        XCTAssertEqual(distilled.map(\.method.description).prefix(3), ["l1", "l1+ft", "l1+kd"])
        XCTAssertEqual(distilled[2].fineTuning?.teacher, "teacher")
        XCTAssertEqual(distilled[2].fineTuning?.temperature, 4)
        XCTAssertEqual(Double(distilled.count), plan.pointCount)
        XCTAssertEqual(distilled.count, 3 * 2 + 2 * 3 + 1)
    }

    /// The fine-tuned one-shot point is the pruned model trained with its masks held (as many
    /// nonzero weights as the pruned one, a better accuracy), a channel-removed one trains at its
    /// smaller size; a second run measures nothing.
    func testFineTunedPointsKeepTheirMasksAndResume() throws {
        let loaded = try ModelFile.read(Self.student)
        let folder = try Fixtures.temporaryDirectory(for: self).path
        var plan = SweepPlan(methods: [.l1, .channel], ratios: [0.5])
        plan.fineTuning = try Self.fineTuning()
        let images = try Self.images(limit: 64)
        var runs: [[ResultRecord]] = []
        for _ in 0..<2 {
            runs.append(try ResultsFolder.withWriter(in: folder) { writer in
                try Sweep(plan: plan).run(loaded, point: SweepPoint(model: "student", images: images, batch: 64, timingIterations: 0, writer: writer))
            })
        }
        XCTAssertEqual(runs[1].count, 0, "the resumed run redid a point")
        let byMethod = Dictionary(uniqueKeysWithValues: runs[0].map { ($0.method.description, $0) })
        XCTAssertEqual(Set(byMethod.keys), ["l1", "l1+ft", "channel", "channel+ft"])
        XCTAssertEqual(byMethod["l1+ft"]?.nonzero, byMethod["l1"]?.nonzero, "the pruned weights stayed zero")
        XCTAssertEqual(byMethod["channel+ft"]?.parameters, byMethod["channel"]?.parameters)
        XCTAssertNotEqual(byMethod["l1+ft"]?.correct, byMethod["l1"]?.correct)
        XCTAssertGreaterThan(byMethod["channel+ft"]?.accuracy ?? 0, byMethod["channel"]?.accuracy ?? 1)
        XCTAssertEqual(try ResultsFile.read(path: "\(folder)/results.jsonl"), runs[0])
    }

    /// Fine-tuned iterative rounds chain, the homework's recipe: round 2 prunes the model round 1
    /// fine-tuned (with round 1's masks composed), and that model fine-tuned is the point measured.
    func testIterativeFineTuningPrunesTheModelTheRoundBeforeFineTuned() throws {
        let loaded = try ModelFile.read(Self.student)
        let folder = try Fixtures.temporaryDirectory(for: self).path
        let fineTuning = try Self.fineTuning()
        var plan = SweepPlan(methods: [], ratios: [], iterativeRates: [0.5], iterativeSteps: 2)
        plan.fineTuning = fineTuning
        let images = try Self.images(limit: 64)
        let records = try ResultsFolder.withWriter(in: folder) { writer in
            try Sweep(plan: plan).run(loaded, point: SweepPoint(model: "student", images: images, batch: 64, timingIterations: 0, writer: writer))
        }
        let trained = records.filter { $0.method.recovery == .fineTuning }.sorted { $0.steps! < $1.steps! }
        XCTAssertEqual(trained.map(\.steps), [0, 1, 2])
        let (first, firstRecord) = try Pruner.prune(loaded.model, method: .l1, amount: .fraction(0.5))
        let round1 = try fineTuning.train(first, masks: firstRecord.masks, recovery: .fineTuning)
        let (second, secondRecord) = try Pruner.prune(round1, method: .l1, amount: .fraction(0.5), previous: firstRecord)
        let round2 = try fineTuning.train(second, masks: secondRecord.masks, recovery: .fineTuning)
        XCTAssertEqual(trained[1].correct, try Evaluator.evaluate(round1, on: images).classification.correct)
        XCTAssertEqual(trained[2].correct, try Evaluator.evaluate(round2, on: images).classification.correct)
        XCTAssertEqual(trained[2].nonzero, ModelStatistics.nonzeroCount(of: round2))
        XCTAssertEqual(trained[2].nonzero, secondRecord.nonzero, "the composed masks held through training")
        let unchained = try Pruner.prune(first, method: .l1, amount: .fraction(0.5), previous: firstRecord).1
        XCTAssertNotEqual(unchained.masks, secondRecord.masks, "round 2 ranks the fine-tuned weights, not round 1's plain ones")
        let plain = records.filter { $0.method.recovery == nil }.sorted { $0.steps! < $1.steps! }
        XCTAssertEqual(plain.map(\.steps), [0, 1, 2], "the unrecovered curve is measured as before")
    }

    func testShardsPartitionThePlan() throws {
        let sweep = Sweep(plan: plan)
        let shards = (0..<3).map { sweep.pending(model: "m", shard: try! XCTUnwrap(SweepShard(index: $0, count: 3))) }
        XCTAssertTrue(shards.allSatisfy { !$0.isEmpty })
        XCTAssertEqual(shards.flatMap { $0 }.map(\.key).sorted(), plan.records(model: "m").map(\.key).sorted())
        XCTAssertNil(SweepShard(index: 3, count: 3))
        XCTAssertNil(SweepShard(index: 0, count: 0))
    }

    func testPendingSkipsWhatTheResultsHoldAndDuplicates() {
        var doubled = plan
        doubled.ratios = [0, 0.5, 0.5]
        let all = Sweep(plan: doubled).pending(model: "m")
        XCTAssertEqual(all.count, plan.records(model: "m").count, "a ratio given twice is one point")
        let existing = Set(all.prefix(3).map(\.key))
        XCTAssertEqual(Sweep(plan: doubled).pending(model: "m", existing: existing).map(\.key), all.dropFirst(3).map(\.key))
    }

    /// Two shards into one results file measure every point once with torch's numbers; a
    /// third run finds nothing left.
    func testShardedRunsMeasureEveryPointOnceWithTorchsNumbers() throws {
        let loaded = try ModelFile.read(Self.teacher)
        let folder = try Fixtures.temporaryDirectory(for: self).path
        let plan = SweepPlan(methods: [.l1, .globalL1], ratios: [0, 0.5, 0.9], iterativeRates: [0.5], iterativeSteps: 1, quantizationBits: [8])
        let images = try Self.images()
        var measured: [ResultRecord] = []
        for shard in [SweepShard(index: 0, count: 2), SweepShard(index: 1, count: 2), .all] {
            try ResultsFolder.withWriter(in: folder) { writer in
                let point = SweepPoint(model: "teacher", images: images, batch: 64, timingIterations: 0, writer: writer)
                measured += try Sweep(plan: plan).run(loaded, point: point, shard: try XCTUnwrap(shard))
            }
        }
        let records = try ResultsFile.read(path: "\(folder)/results.jsonl")
        XCTAssertEqual(records.count, plan.records(model: "teacher").count)
        XCTAssertEqual(measured.map(\.key).sorted(), records.map(\.key).sorted(), "the third run measured nothing")
        let expected: [String: [Double: Int]] = ["l1": [0: 917, 0.5: 802, 0.9: 100], "global-l1": [0: 917, 0.5: 907, 0.9: 177]]
        for record in records where record.kind == .prune && record.step == nil {
            XCTAssertEqual(record.correct, expected[record.method.description]?[record.ratio], "\(record.method) \(record.ratio)")
        }
        let quantized = try XCTUnwrap(records.first { $0.kind == .quantization })
        XCTAssertEqual(quantized.fileBytes, loaded.fileBytes)
        XCTAssertNotNil(quantized.blobBytes)
        let iterative = records.filter { $0.step != nil }.sorted { $0.steps! < $1.steps! }
        XCTAssertEqual(iterative.map(\.steps), [0, 1])
        XCTAssertEqual(iterative[1].correct, records.first { $0.method == .pruning(.l1) && $0.ratio == 0.5 && $0.step == nil }?.correct,
                       "one iterative step of 0.5 is the one-shot l1 at 0.5")
    }
}
