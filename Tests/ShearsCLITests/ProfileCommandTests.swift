// ProfileCommandTests: `shears profile` end to end on the student: the columns it prints, its
// JSON lines (one per step, then the total) decoding as result records, `--out` records that
// `shears report` turns into a "Time per layer" section, and a bad `--input` refused in one line.

import Foundation
import XCTest
import ShearsKit
import TestSupport

final class ProfileCommandTests: XCTestCase {
    let student = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path
    let quick = ["--input", "3x32x32", "--warmup", "0", "--iterations", "2", "--threads", "1"]

    func testPrintsOneRowPerStepAndTheTotal() throws {
        let result = try CLI.run(["profile", student] + quick)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("layer") == true && lines.first?.contains("GFLOP/s") == true, result.stdout)
        XCTAssertTrue(lines[2].hasPrefix("conv1 ") && lines[2].contains("Conv2d+BatchNorm2d+ReLU+MaxPool2d"), result.stdout)
        XCTAssertTrue(lines.last?.hasPrefix("total ") == true && lines.last?.contains("100.0%") == true, result.stdout)
    }

    func testJSONLinesDecodeAsOneRecordPerStepThenTheTotal() throws {
        let result = try CLI.run(["profile", student, "--batch", "2", "--json"] + quick)
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(ResultRecord.self, from: Data($0.utf8)) }
        XCTAssertGreaterThan(records.count, 2)
        XCTAssertTrue(records.allSatisfy { $0.kind == .profile && $0.model == "student" && $0.batch == 2 })
        XCTAssertTrue(records.dropLast().allSatisfy { $0.layer != nil && $0.kernel != nil && $0.op != nil })
        XCTAssertNil(records.last?.layer)
        XCTAssertEqual(records.last?.macs, records.dropLast().reduce(0) { $0 + ($1.macs ?? 0) })
        XCTAssertEqual(records.first?.layer, "conv1")
    }

    func testOutRecordsBecomeTheReportsTimePerLayerSection() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let runs = dir.appendingPathComponent("runs").path
        let profile = try CLI.run(["profile", student, "--out", runs] + quick)
        XCTAssertEqual(profile.status, 0, profile.stderr)
        let report = try CLI.run(["report", "\(runs)/results.jsonl", "-o", dir.appendingPathComponent("report").path])
        XCTAssertEqual(report.status, 0, report.stderr)
        let markdown = try String(contentsOfFile: dir.appendingPathComponent("report/report.md").path, encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Time per layer"), markdown)
        XCTAssertTrue(markdown.contains("(profile-student-b1.png)"), markdown)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report/profile-student-b1.gp").path))
    }

    func testABadInputIsAOneLineError() throws {
        let result = try CLI.run(["profile", student, "--input", "3x32"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.crashed)
        XCTAssertTrue(result.stderr.contains("--input"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    }
}
