import XCTest
import ShearsKit
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

    /// With a NaN among a model's logits `torch.argmax` takes the NaN as the maximum (the first
    /// NaN wins), so PyTorch's accuracy is the share of images of the NaN's class: a NaN in
    /// class 3's bias makes every prediction 3; a NaN in the first conv's weights makes every
    /// logit NaN and every prediction 0. (Comparing with `>` reported 0.829.)
    func testNaNLogitsArePredictedAsTorchArgmaxDoes() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        let student = try ModelFile.read(model("student")).model
        let labels = try FileManager.default.contentsOfDirectory(atPath: "\(data)/validation").compactMap { Int($0.prefix { $0 != "_" }) }
        let classifier = try XCTUnwrap(student.stateDict.keys.last { $0.hasSuffix(".bias") && student.stateDict.tensor($0)?.shape == [10] })
        let firstConv = try XCTUnwrap(student.stateDict.keys.first { $0.hasSuffix(".weight") && student.stateDict.tensor($0)?.rank == 4 })
        for (key, index, predicted) in [(classifier, 3, 3), (firstConv, 0, 0)] {
            var poisoned = student
            var tensor = try XCTUnwrap(poisoned.stateDict.tensor(key))
            tensor.scalars[index] = .nan
            poisoned.stateDict.setTensor(key, tensor)
            let path = folder.appendingPathComponent("nan-\(predicted).pt").path
            try ModelFile.write(poisoned, to: path)
            let result = try CLI.run(["eval", path, "--data", data, "--resize", "36", "--crop", "32", "--json"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["correct"] as? Int, labels.filter { $0 == predicted }.count, "NaN in \(key)")
        }
    }

    /// A model whose classifier fixes its input size, run at another (the food11 preset's 224
    /// crop for a 32x32 model), is refused in one line naming the file and the flag.
    func testAnInputSizeTheModelCannotRunAtNamesTheFileAndTheFlag() throws {
        let path = Fixtures.path("architectures/teachernet.module.pt")
        let eval = try CLI.run(["eval", path, "--data", Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path])
        XCTAssertEqual(eval.status, 1)
        XCTAssertEqual(eval.stderr.split(separator: "\n").last, "Error: \(path): unsupported: cannot run at 3x224x224 (layer 'fc.0': weight [11, 256] expects 256 input features, got [12544]); give --crop with the size the model was built for")
        let summary = try CLI.run(["summary", Fixtures.path("architectures/teachernet.onnx"), "--input", "3x64x64"])
        XCTAssertEqual(summary.status, 1)
        XCTAssertTrue(summary.stderr.contains("teachernet.onnx: unsupported: cannot run at 3x64x64") && summary.stderr.contains("give --input"), summary.stderr)
    }
}
