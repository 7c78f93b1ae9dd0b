import Foundation
import XCTest
import TestSupport

final class PruneCommandTests: XCTestCase {
    /// A channel-removed checkpoint is smaller and loads back with no flags; torch.nn.utils.prune
    /// semantics give the sparsity asked for.
    func testWritesLoadableSmallerCheckpoint() throws {
        let root = Fixtures.repositoryRoot
        let dir = try Fixtures.temporaryDirectory(for: self)
        let student = root.appendingPathComponent("examples/models/student.pt").path
        let small = dir.appendingPathComponent("small.pt").path
        let removed = try CLI.run(["prune", student, "--method", "channel", "--amount", "0.25", "--round-to", "8", "-o", small, "--json"])
        XCTAssertEqual(removed.status, 0, removed.stderr)
        let summary = try CLI.run(["summary", small, "--input", "3x32x32", "--json"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        XCTAssertLessThan(try XCTUnwrap(object["parameters"] as? Int), 98_918)
        let masked = try CLI.run(["prune", student, "--method", "l1", "--amount", "0.5", "--json"])
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(masked.stdout.utf8)) as? [String: Any])
        for layer in try XCTUnwrap(record["layers"] as? [[String: Any]]) {
            XCTAssertEqual(layer["sparsity"] as? Double ?? 0, 0.5, accuracy: 0.01)
        }
    }

    func testParameterCountsAgreeOnAnUnprunedModel() throws {
        let student = Fixtures.repositoryRoot.appendingPathComponent("examples/models/student.pt").path
        let result = try CLI.run(["prune", student, "--method", "l1", "--amount", "0", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(record["parameters_before"] as? Int, record["parameters"] as? Int)
        XCTAssertEqual(record["parameters"] as? Int, 98_918)
    }

    func testBadAmountIsAUsageError() throws {
        let result = try CLI.run(["prune", "x.pt", "--method", "l1", "--amount", "1.5"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("[0, 1]"), result.stderr)
    }
}
