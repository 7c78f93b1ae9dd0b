import Foundation
import XCTest
import TestSupport

/// `shears sweep` against PyTorch's torch.nn.utils.prune numbers, and its resume after SIGKILL.
final class SweepCommandTests: XCTestCase {
    let root = Fixtures.repositoryRoot
    var data: String { root.appendingPathComponent("examples/fashion").path }
    var teacher: String { root.appendingPathComponent("examples/models/teacher.pt").path }

    func arguments(_ out: String, ratios: String) -> [String] {
        ["sweep", teacher, "--data", data, "--resize", "36", "--crop", "32", "--methods", "l1,global-l1",
         "--ratios", ratios, "--timing-iterations", "0", "--out", out]
    }

    func records(_ out: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: "\(out)/results.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// Starts `shears` with `args` in the background and waits (up to a minute) until its
    /// results file in `out` holds `untilPoints` lines.
    func startSweep(_ args: [String], out: String, untilPoints: Int) throws -> Process {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = args
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = (try? String(contentsOfFile: "\(out)/results.jsonl", encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= untilPoints { break }
            usleep(20_000)
        }
        return process
    }

    /// Accuracies written by scripts/example/prune_torch.py (torch.nn.utils.prune) on the same 1000 images.
    func testAccuracyEqualsTorchPruneAtEveryRatio() throws {
        let out = try Fixtures.temporaryDirectory(for: self).path
        let result = try CLI.run(arguments(out, ratios: "0,0.5,0.9"))
        XCTAssertEqual(result.status, 0, result.stderr)
        let expected: [String: [Double: Int]] = ["l1": [0: 917, 0.5: 802, 0.9: 100], "global-l1": [0: 917, 0.5: 907, 0.9: 177]]
        let got = try records(out)
        XCTAssertEqual(got.count, 6)
        for record in got {
            let method = try XCTUnwrap(record["method"] as? String), ratio = try XCTUnwrap(record["ratio"] as? Double)
            XCTAssertEqual(record["correct"] as? Int, expected[method]?[ratio], "\(method) \(ratio)")
            for key in ["accuracy", "parameters", "nonzero", "macs", "file_bytes"] { XCTAssertNotNil(record[key], key) }
        }
    }

    /// Three shards (`--shard i/3`) into three folders, merged by `shears report`, hold exactly
    /// the points of one unsharded run with the same measurements.
    func testThreeShardsMergedEqualOneRun() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let extra = ["--iterative", "0.5", "--steps", "2", "--quant-bits", "4,8", "--limit", "200"]
        let single = directory.appendingPathComponent("single").path
        XCTAssertEqual(try CLI.run(arguments(single, ratios: "0,0.3,0.6") + extra).status, 0)
        var shards: [String] = []
        for i in 1...3 {
            let out = directory.appendingPathComponent("shard-\(i)").path
            let result = try CLI.run(arguments(out, ratios: "0,0.3,0.6") + extra + ["--shard", "\(i)/3"])
            XCTAssertEqual(result.status, 0, result.stderr)
            shards.append("\(out)/results.jsonl")
        }
        func measured(_ records: [[String: Any]]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: records.map { r in
                ("\(r["kind"]!) \(r["method"]!) \(r["ratio"]!) \(r["step"] ?? "-") \(r["steps"] ?? "-") \(r["bits"] ?? "-")",
                 "\(r["correct"]!) \(r["nonzero"]!) \(r["parameters"]!)")
            })
        }
        let perShard = try (1...3).map { try records(directory.appendingPathComponent("shard-\($0)").path) }
        XCTAssertTrue(perShard.allSatisfy { !$0.isEmpty }, "every shard measures some points")
        XCTAssertEqual(perShard.map(\.count).reduce(0, +), try records(single).count, "no point measured twice or lost")
        XCTAssertEqual(measured(perShard.flatMap { $0 }), measured(try records(single)))
        let report = try CLI.run(["report"] + shards + ["-o", directory.appendingPathComponent("plots").path, "--json"])
        XCTAssertEqual(report.status, 0, report.stderr)
    }

    /// `--recalibrate-bn` adds a `channel+bn-recal` point beside each channel-removal point.
    func testRecalibratedSeriesBesideChannelRemoval() throws {
        let out = try Fixtures.temporaryDirectory(for: self).path
        let result = try CLI.run(["sweep", teacher, "--data", data, "--resize", "36", "--crop", "32", "--methods", "channel",
                                  "--ratios", "0.5", "--timing-iterations", "0", "--recalibrate-bn", "100",
                                  "--recalibration-split", "validation", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let accuracy = Dictionary(uniqueKeysWithValues: try records(out).map { ($0["method"] as? String ?? "", $0["accuracy"] as? Double ?? 0) })
        XCTAssertEqual(Set(accuracy.keys), ["channel", "channel+bn-recal"])
        XCTAssertGreaterThan(accuracy["channel+bn-recal"] ?? 0, accuracy["channel"] ?? 1)
    }

    /// `--finetune-epochs` adds an `l1+ft` point carrying its recipe beside the `l1` one, and
    /// `--teacher` an `l1+kd` one; a rerun measures nothing; the report shows every series.
    func testFineTunedSeriesBesideEachMethodResumesAndReports() throws {
        let out = try Fixtures.temporaryDirectory(for: self).path
        let student = root.appendingPathComponent("examples/models/student.pt").path
        let args = ["sweep", student, "--data", data, "--resize", "36", "--crop", "32", "--methods", "l1", "--ratios", "0.5",
                    "--timing-iterations", "0", "--limit", "64", "--finetune-epochs", "1", "--train-limit", "32", "--finetune-batch", "16",
                    "--max-steps", "2", "--augment", "none", "--optimizer", "adam", "--lr", "0.001", "--teacher", teacher, "--temperature", "4",
                    "--out", out]
        let result = try CLI.run(args)
        XCTAssertEqual(result.status, 0, result.stderr)
        let first = try records(out)
        XCTAssertEqual(first.map { $0["method"] as? String }, ["l1", "l1+ft", "l1+kd"])
        let recipe = try XCTUnwrap(first[1]["fine_tuning"] as? [String: Any])
        XCTAssertEqual(recipe["optimizer"] as? String, "adam")
        XCTAssertEqual(recipe["lr"] as? Double, 0.001)
        XCTAssertEqual(recipe["training_images"] as? Int, 32)
        XCTAssertEqual(recipe["max_steps"] as? Int, 2)
        XCTAssertNil(recipe["teacher"])
        let distilled = try XCTUnwrap(first[2]["fine_tuning"] as? [String: Any])
        XCTAssertEqual(distilled["teacher"] as? String, "teacher")
        XCTAssertEqual(distilled["temperature"] as? Double, 4)
        XCTAssertEqual(distilled["alpha"] as? Double, 0.5)
        XCTAssertEqual(first[1]["nonzero"] as? Int, first[0]["nonzero"] as? Int, "the pruned weights stayed zero")
        XCTAssertEqual(first[2]["nonzero"] as? Int, first[0]["nonzero"] as? Int, "the pruned weights stayed zero")
        let rerun = try CLI.run(args)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try records(out).count, 3, "the rerun measured a point again")
        let plots = "\(out)/plots"
        XCTAssertEqual(try CLI.run(["report", "\(out)/results.jsonl", "-o", plots]).status, 0)
        let csv = try String(contentsOfFile: "\(plots)/results.csv", encoding: .utf8)
        XCTAssertTrue(csv.contains("student,l1+ft,one-shot,0.50,"), csv)
        XCTAssertTrue(csv.contains("student,l1+kd,one-shot,0.50,"), csv)
        XCTAssertTrue(csv.hasPrefix("model,method,step,ratio,accuracy,"), csv)
        XCTAssertTrue(csv.contains("fine-tuning"), csv)
    }

    /// A second sweep into the same --out while the first runs stops at once with one line;
    /// the first finishes with every point once.
    func testConcurrentSweepOfTheSameOutIsRefused() throws {
        let out = try Fixtures.temporaryDirectory(for: self).path
        let args = arguments(out, ratios: "0:0.9:0.1")
        let process = try startSweep(args, out: out, untilPoints: 1)
        let second = try CLI.run(args)
        process.waitUntilExit()
        XCTAssertNotEqual(second.status, 0)
        XCTAssertEqual(second.stderr.split(separator: "\n").count, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("another run is writing"), second.stderr)
        XCTAssertEqual(process.terminationStatus, 0)
        let keys = try records(out).map { "\($0["method"]!) \($0["ratio"]!)" }
        XCTAssertEqual(keys.count, 20)
        XCTAssertEqual(Set(keys).count, 20)
    }

    func testKilledSweepResumesWithEveryPointOnce() throws {
        let out = try Fixtures.temporaryDirectory(for: self).path
        let args = arguments(out, ratios: "0:0.9:0.1")
        let process = try startSweep(args, out: out, untilPoints: 3)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = try records(out).count
        XCTAssertLessThan(partial, 20, "the sweep finished before it could be killed")
        let rerun = try CLI.run(args)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let all = try records(out)
        let keys = all.map { "\($0["method"]!) \($0["ratio"]!)" }
        XCTAssertEqual(all.count, 20)
        XCTAssertEqual(Set(keys).count, 20, "a point was measured twice")
    }
}
