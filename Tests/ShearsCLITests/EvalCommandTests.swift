import XCTest
import TestSupport

/// `shears eval` on the committed Fashion-MNIST subset against PyTorch's numbers
/// (examples/models/README.md: scripts/example/eval_torch.py on the same 1000 files).
final class EvalCommandTests: XCTestCase {
    let data = Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path

    func model(_ name: String) -> String { Fixtures.repositoryRoot.appendingPathComponent("examples/models/\(name).pt").path }

    func testAccuracyEqualsPyTorchOnTheCommittedSubset() throws {
        for (name, correct) in [("teacher", 917), ("student", 924)] {
            let result = try CLI.run(["eval", model(name), "--data", data, "--split", "validation", "--resize", "36", "--crop", "32", "--json"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["correct"] as? Int, correct, name)
            XCTAssertEqual(object["images"] as? Int, 1000)
            XCTAssertEqual(object["accuracy"] as? Double ?? 0, Double(correct) / 1000, accuracy: 1e-12)
            XCTAssertNotNil(object["images_per_second"] as? Double)
        }
    }

    func testBadImageStopsOrIsSkipped() throws {
        let folder = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("validation")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: data).appendingPathComponent("validation")
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted().prefix(5) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        let bad = folder.appendingPathComponent("3_999.jpg")
        try Data("not a jpeg".utf8).write(to: bad)
        let root = folder.deletingLastPathComponent().path
        let stopped = try CLI.run(["eval", model("student"), "--data", root, "--resize", "36", "--crop", "32"])
        XCTAssertNotEqual(stopped.status, 0)
        XCTAssertTrue(stopped.stderr.contains("3_999.jpg"), stopped.stderr)
        let skipped = try CLI.run(["eval", model("student"), "--data", root, "--resize", "36", "--crop", "32", "--skip-bad", "--json"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("3_999.jpg"), skipped.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(skipped.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["images"] as? Int, 5)
        XCTAssertEqual((object["skipped"] as? [String])?.count, 1)
    }
}
