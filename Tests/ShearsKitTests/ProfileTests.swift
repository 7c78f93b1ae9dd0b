// ProfileTests: the profile workflow on the student, in-process: one record per plan step
// (labelled with its layer, MACs those of the conv and linear layers ModelStatistics counts)
// and one for the whole plan, appended to results.jsonl in that order. Never asserts on a time.

import XCTest
import ShearsKit
import TestSupport

final class ProfileTests: XCTestCase {
    let path = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path

    func testRecordsAreOnePerStepThenTheTotalAndReachTheResultsFile() throws {
        let student = try ModelFile.read(path).model
        let profile = Profile(model: "student", network: student, input: [3, 32, 32], batch: 2, threads: 1, warmup: 0, iterations: 2)
        let folder = try Fixtures.temporaryDirectory(for: self).path
        let result = try ResultsFolder.withWriter(in: folder) { writer in try profile.run(writer: writer) }
        XCTAssertEqual(result.stepRecords.count, result.steps.count)
        XCTAssertEqual(result.stepRecords.map(\.layer), result.steps.map(\.label))
        XCTAssertEqual(Set(result.steps.map(\.label)).count, result.steps.count, "one step per node")
        let names = Set(student.graph.nodes.map(\.name))
        XCTAssertTrue(result.steps.allSatisfy { names.contains($0.label) })
        XCTAssertTrue(result.records.allSatisfy { $0.kind == .profile && $0.model == "student" && $0.batch == 2 })
        XCTAssertTrue(result.steps.allSatisfy { $0.milliseconds.count == 2 && $0.batch == 2 })
        // The MACs of the conv and linear layers, as `shears summary` counts them.
        let statistics = try ModelStatistics(model: student, input: [3, 32, 32])
        let counted = statistics.layers.filter { ["Conv2d", "Linear"].contains($0.type) }.reduce(0) { $0 + $1.macs }
        XCTAssertEqual(result.steps.reduce(0) { $0 + $1.macs }, counted)
        XCTAssertNil(result.total.layer)
        XCTAssertEqual(result.total.macs, counted)
        XCTAssertEqual(result.total.share, 1)
        XCTAssertEqual(result.total.latencyMs ?? 0, result.stepRecords.reduce(0) { $0 + ($1.latencyMs ?? 0) }, accuracy: 1e-9)
        XCTAssertEqual(result.stepRecords.reduce(0) { $0 + ($1.share ?? 0) }, 1, accuracy: 1e-9)
        XCTAssertEqual(result.stepRecords.first?.op, "Conv2d+BatchNorm2d+ReLU+MaxPool2d")
        XCTAssertEqual(try ResultsFile.read(path: "\(folder)/results.jsonl"), result.records)
    }
}
