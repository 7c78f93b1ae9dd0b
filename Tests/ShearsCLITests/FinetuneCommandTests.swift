// FinetuneCommandTests: `shears finetune` on the bundled student: a short fine-tune of a
// channel-removed checkpoint written and loaded back, distillation from the teacher, JSON,
// and one-line refusals. A few steps on a few images each; never asserts on a time.

import Foundation
import XCTest
import TestSupport

final class FinetuneCommandTests: XCTestCase {
    let root = Fixtures.repositoryRoot.appendingPathComponent("examples").path

    private func finetune(_ checkpoint: String, _ more: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try CLI.run(["finetune", checkpoint, "--data", "\(root)/fashion", "--resize", "36", "--crop", "32",
                                  "--limit", "40", "--batch", "16"] + more)
        return (result.status, result.stdout, result.stderr)
    }

    func testFineTunesAChannelRemovedCheckpointAndWritesIt() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let small = dir.appendingPathComponent("small.pt").path, tuned = dir.appendingPathComponent("tuned.pt").path
        XCTAssertEqual(try CLI.run(["prune", "\(root)/models/student.pt", "--method", "channel", "--amount", "0.5", "-o", small]).status, 0)
        let result = try finetune(small, ["--epochs", "2", "--max-steps", "4", "--optimizer", "adam", "--lr", "0.001", "--json", "-o", tuned])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let epochs = try XCTUnwrap(object["epochs"] as? [[String: Any]])
        XCTAssertEqual(epochs.compactMap { $0["steps"] as? Int }, [3, 1])
        XCTAssertNotNil(object["validation_accuracy_before"] as? Double)
        XCTAssertNotNil(object["validation_accuracy"] as? Double)
        XCTAssertEqual(object["training_images"] as? Int, 40)
        let eval = try CLI.run(["eval", tuned, "--data", "\(root)/fashion", "--resize", "36", "--crop", "32", "--limit", "40", "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
    }

    func testDistillsFromTheTeacherAndHoldsPrunedZeros() throws {
        let dir = try Fixtures.temporaryDirectory(for: self)
        let masked = dir.appendingPathComponent("masked.pt").path
        XCTAssertEqual(try CLI.run(["prune", "\(root)/models/student.pt", "--method", "l1", "--amount", "0.5", "-o", masked]).status, 0)
        let result = try finetune(masked, ["--max-steps", "2", "--teacher", "\(root)/models/teacher.pt", "--alpha", "0.5",
                                           "--temperature", "4", "--val-split", "none", "-o", dir.appendingPathComponent("kd.pt").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("holding the zeros of 10 pruned weight tensors"), result.stderr)
        let sparsity = try CLI.run(["prune", dir.appendingPathComponent("kd.pt").path, "--method", "l1", "--amount", "0", "--json"])
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sparsity.stdout.utf8)) as? [String: Any])
        for layer in try XCTUnwrap(record["layers"] as? [[String: Any]]) {
            XCTAssertEqual(layer["sparsity"] as? Double ?? 0, 0.5, accuracy: 0.01, "\(layer["name"] ?? "")")
        }
    }

    func testRefusesInOneLine() throws {
        let student = "\(root)/models/student.pt"
        for (arguments, expected) in [
            (["--alpha", "0.5"], "--alpha and --temperature need --teacher"),
            (["--schedule", "linear"], "unknown --schedule 'linear'"),
            (["--epochs", "0"], "--epochs must be at least 1"),
            (["--lr=-1"], "learning rate"),
            (["--split", "evaluation"], "has no label"),
        ] {
            let result = try finetune(student, arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").filter { !$0.hasPrefix("decoding") }.count, 1, result.stderr)
        }
    }
}
