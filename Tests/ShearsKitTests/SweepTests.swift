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
