import XCTest
import TestSupport

final class QuantizeCommandTests: XCTestCase {
    func testJSONReportAndBlobEvaluatesWithoutArch() throws {
        let root = Fixtures.repositoryRoot
        let blob = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("student.pkl").path
        let data = root.appendingPathComponent("examples/fashion").path
        let result = try CLI.run(["quantize", root.appendingPathComponent("examples/models/student.pt").path, "-o", blob,
                                  "--eval", data, "--split", "validation", "--resize", "36", "--crop", "32", "--limit", "200", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["accuracy", "accuracy_before", "original_bytes", "blob_bytes"] { XCTAssertNotNil(object[key], key) }
        let original = try XCTUnwrap(object["original_bytes"] as? Int), blobBytes = try XCTUnwrap(object["blob_bytes"] as? Int)
        XCTAssertLessThan(blobBytes * 3, original)
        let eval = try CLI.run(["eval", blob, "--data", data, "--resize", "36", "--crop", "32", "--limit", "200", "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let evaluated = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(evaluated["accuracy"] as? Double, object["accuracy"] as? Double)
    }

    /// PyTorch, given the same dequantized weights (`--also-float`, then
    /// scripts/example/eval_torch.py), gets 923 of the 1000 committed images right.
    func testUint8AccuracyEqualsPyTorchWithTheSameDequantizedWeights() throws {
        let root = Fixtures.repositoryRoot
        let dir = try Fixtures.temporaryDirectory(for: self)
        let result = try CLI.run(["quantize", root.appendingPathComponent("examples/models/student.pt").path,
                                  "-o", dir.appendingPathComponent("s.pkl").path, "--also-float", dir.appendingPathComponent("s.pth").path,
                                  "--eval", root.appendingPathComponent("examples/fashion").path, "--resize", "36", "--crop", "32", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["accuracy"] as? Double ?? 0, 0.923, accuracy: 1e-12)
        let reread = try CLI.run(["eval", dir.appendingPathComponent("s.pth").path, "--data", root.appendingPathComponent("examples/fashion").path,
                                  "--resize", "36", "--crop", "32", "--json"])
        XCTAssertTrue(reread.stdout.contains("\"correct\":923"), reread.stdout + reread.stderr)
    }
}
