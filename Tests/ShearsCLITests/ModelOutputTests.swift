import Foundation
import XCTest
import TestSupport

/// `shears prune … -o` and `quantize --also-float` in every output format: the ONNX file a
/// channel-pruned ONNX model becomes is the one ONNX Runtime ran in the fixture script, and
/// every output loads back into Shears.
final class ModelOutputTests: XCTestCase {
    func testChannelPrunedOnnxIsTheFileOnnxRuntimeRan() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        for name in ["ta-student", "squeezenet", "narrow-resnet"] {
            let out = directory.appendingPathComponent("\(name).onnx").path
            let result = try CLI.run(["prune", Fixtures.path("architectures/\(name).onnx"), "--method", "channel", "--amount", "0.3", "-o", out])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try Data(Fixtures.bytes("architectures/\(name).channel.onnx")), name)
        }
    }

    func testEveryFormatLoadsBack() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let source = Fixtures.path("architectures/mobilenet-v2.module.pt")
        for file in ["l1.onnx", "l1.safetensors", "l1.pt"] {
            let out = directory.appendingPathComponent(file).path
            let pruned = try CLI.run(["prune", source, "--method", "l1", "--amount", "0.5", "-o", out])
            XCTAssertEqual(pruned.status, 0, pruned.stderr)
            let reload = file.hasSuffix(".onnx") ? [out] : [out, "--arch-from", Fixtures.path("architectures/mobilenet-v2.txt")]
            let summary = try CLI.run(["summary"] + reload + ["--input", "3x32x32", "--json"])
            XCTAssertEqual(summary.status, 0, summary.stderr)
        }
        let blob = directory.appendingPathComponent("q.bin").path, float = directory.appendingPathComponent("q.onnx").path
        let quantized = try CLI.run(["quantize", source, "-o", blob, "--also-float", float])
        XCTAssertEqual(quantized.status, 0, quantized.stderr)
        XCTAssertEqual(try CLI.run(["summary", float, "--input", "3x32x32"]).status, 0)
    }
}

/// Module trees through the CLI: a guessed forward pass is a warning on stderr, and a
/// print(model) text that does not fit the checkpoint is one line naming the file and key.
final class ModuleTreeInputTests: XCTestCase {
    func testGuessedForwardIsAWarningOnStderr() throws {
        let result = try CLI.run(["summary", Fixtures.path("architectures/ta-student.module.pt"), "--input", "3x32x32"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("warning: ") && result.stderr.contains("(StudentNet): forward() assumed to be its children in order")
                      && result.stderr.contains("model.pt2"), result.stderr)
        let known = try CLI.run(["summary", Fixtures.path("architectures/mobilenet-v2.module.pt"), "--input", "3x32x32"])
        XCTAssertEqual(known.stderr, "")
    }

    func testMismatchedTextIsOneLineNamingFileAndKey() throws {
        let out = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("out.onnx").path
        let result = try CLI.run(["prune", Fixtures.path("architectures/ta-student.pt"), "--arch-from",
                                  Fixtures.path("architectures/ta-student.mismatch.txt"), "--amount", "0.5", "-o", out])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("ta-student.mismatch.txt") && result.stderr.contains("cnn.0.weight"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
