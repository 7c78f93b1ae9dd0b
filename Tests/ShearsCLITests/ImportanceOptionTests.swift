// Tests for `--importance` (ImportanceOption): it reaches the pruner in prune, sweep and bench
// (the written model, the results and the report name the ranking: "channel-bn-scale"),
// and a BN-scale sweep beside an L1 one in the same results file is a series of its own.
// Bad values are refused in BadInputCases+Options.

import Foundation
import NN
import ShearsKit
import TestSupport
import XCTest

final class ImportanceOptionTests: XCTestCase {
    let root = Fixtures.repositoryRoot
    var student: String { root.appendingPathComponent("examples/models/student.pt").path }
    var teacher: String { root.appendingPathComponent("examples/models/teacher.pt").path }

    /// The float tensors of `stateDict` by key (compared without the keys' order).
    func floats(_ stateDict: StateDict) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: stateDict.keys.compactMap { key in stateDict.tensor(key).map { (key, $0) } })
    }

    func json(_ line: Substring) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// The written model is the library's BN-scale channel removal, not the L1 one.
    func testPruneRemovesTheChannelsBatchNormScaleRanksLowest() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let out = dir.appendingPathComponent("slim.safetensors").path
        let result = try CLI.run(["prune", student, "--method", "channel", "--importance", "bn-scale", "--step", "0.2", "--steps", "2",
                                  "-o", out, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try json(result.stdout[...])["method"] as? String, "channel-bn-scale")
        let original = try ModelFile.read(student).model
        var expected = original
        try Pruner.run(original, method: .channel(importance: .batchNormScale), schedule: .iterative(step: .fraction(0.2), steps: 2)) { _, model, _ in
            expected = model
        }
        let written = try SafetensorsReader.read(path: out)
        XCTAssertTrue(floats(written) == floats(expected.stateDict), "the written model is Pruner.run's with bn-scale")
        var l1 = original
        try Pruner.run(original, method: .channel, schedule: .iterative(step: .fraction(0.2), steps: 2)) { _, model, _ in l1 = model }
        XCTAssertFalse(floats(written) == floats(l1.stateDict), "L1 keeps other channels")
        // The method's own name does the same.
        let named = try CLI.run(["prune", student, "--method", "channel-bn-scale", "--step", "0.2", "--steps", "2", "--json"])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertEqual(try json(named.stdout[...])["parameters"] as? Int, ModelStatistics.parameterCount(of: expected))
    }

    /// An L1 sweep, then a BN-scale one into the same folder: the second measures its own points
    /// (not skipped as done), and the report names both series.
    func testSweepAndReportKeepTheBatchNormScaleSeriesApart() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let out = dir.appendingPathComponent("sweep").path
        let data = root.appendingPathComponent("examples/fashion").path
        for extra in [[], ["--importance", "bn-scale"]] {
            let result = try CLI.run(["sweep", teacher, "--data", data, "--resize", "36", "--crop", "32", "--methods", "channel",
                                      "--ratios", "0.3", "--timing-iterations", "0", "--out", out] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let text = try String(contentsOfFile: "\(out)/results.jsonl", encoding: .utf8)
        let records = try text.split(separator: "\n").map(json)
        XCTAssertEqual(records.map { $0["method"] as? String }, ["channel", "channel-bn-scale"])
        XCTAssertNotEqual(records[0]["parameters"] as? Int, nil)
        let plots = dir.appendingPathComponent("plots").path
        let report = try CLI.run(["report", "\(out)/results.jsonl", "-o", plots])
        XCTAssertEqual(report.status, 0, report.stderr)
        let markdown = try String(contentsOfFile: "\(plots)/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("| channel-bn-scale |"), markdown)
        XCTAssertTrue(markdown.contains("| channel |"), markdown)
    }

    func testBenchTimesTheBatchNormScaleVariant() throws {
        let result = try CLI.run(["bench", student, "--methods", "l1,channel", "--importance", "bn-scale", "--ratios", "0.5", "--batch", "1",
                                  "--input", "3x32x32", "--warmup", "0", "--iterations", "1", "--threads", "1", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try result.stdout.split(separator: "\n").map(json)
        XCTAssertEqual(rows.map { "\($0["variant"] ?? "") \($0["method"] ?? "")" },
                       ["dense dense", "masked-unstructured l1", "masked-sparse l1", "channel-removed channel-bn-scale"])
    }
}
