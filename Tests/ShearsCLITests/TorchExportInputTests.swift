import Foundation
import XCTest
import TestSupport

/// `.pt2` files (torch.export.save) through the CLI: summary counts torch's parameters, eval
/// and prune run them, an archive is known by its content whatever its name, and an op Shears
/// does not map is refused in one line with no output written. Without `--input` or `--crop`
/// commands run at the size the archive was exported at; a size its graph cannot run at is
/// refused naming the file and the exported size.
final class TorchExportInputTests: XCTestCase {
    struct Case: Decodable { let parameters: Int }

    static func path(_ name: String) -> String { Fixtures.path("pt2/\(name)") }

    func testSummaryCountsTorchsParameters() throws {
        let manifest: [String: Case] = try Fixtures.json("pt2/manifest.json")
        for (name, c) in manifest {
            let result = try CLI.run(["summary", Self.path("\(name).pt2"), "--input", "3x32x32", "--json"])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stderr, "", name)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(json["parameters"] as? Int, c.parameters, name)
            XCTAssertEqual(json["architecture"] as? String, "torch.export", name)
        }
    }

    func testEvalAndPruneRunAnArchiveKnownByContent() throws {
        let folder = try Fixtures.temporaryDirectory(for: self)
        let renamed = folder.appendingPathComponent("model.bin").path
        try FileManager.default.copyItem(atPath: Self.path("functional.pt2"), toPath: renamed)
        let eval = try CLI.run(["eval", renamed, "--data", Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path,
                                "--resize", "36", "--crop", "32", "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["images"] as? Int, 1000)
        let pruned = folder.appendingPathComponent("resnet.onnx").path
        let prune = try CLI.run(["prune", Self.path("narrow-resnet.pt2"), "--method", "channel", "--amount", "0.3", "-o", pruned])
        XCTAssertEqual(prune.status, 0, prune.stderr)
        XCTAssertTrue(prune.stdout.contains("channels layer1.0.conv1: 4 -> 3"), prune.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: pruned))
    }

    func testUnmappedOpIsRefusedWithoutOutput() throws {
        let out = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("out.pt").path
        let result = try CLI.run(["prune", Self.path("bad-op.pt2"), "--method", "l1", "--amount", "0.5", "-o", out])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("bad-op.pt2: unsupported: node 'erf' (aten.erf.default)"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testCommandsDefaultToTheExportedSize() throws {
        let summary = try CLI.run(["summary", Self.path("plain-cnn.pt2"), "--json"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["input"] as? [Int], [3, 32, 32])
        let bench = try CLI.run(["bench", Self.path("plain-cnn.pt2"), "--batch", "1", "--warmup", "0", "--iterations", "1", "--methods", "l1", "--json"])
        XCTAssertEqual(bench.status, 0, bench.stderr)
        // eval crops to the exported 32 and resizes to the preset's ratio of it (36): the zoo's
        // trained ConvNeXt then gets PyTorch's count under Resize(36) + CenterCrop(32).
        struct Zoo: Decodable { let fashion_correct: Int }
        let zoo: [String: Zoo] = try Fixtures.json("architectures/manifest.json")
        let eval = try CLI.run(["eval", Fixtures.path("architectures/convnext.pt2"), "--data",
                                Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path, "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(result["correct"] as? Int, try XCTUnwrap(zoo["convnext"]).fashion_correct)
    }

    func testASizeTheGraphCannotRunAtNamesTheExportedSize() throws {
        let path = Self.path("plain-cnn.pt2")
        let summary = try CLI.run(["summary", path, "--input", "3x64x64"])
        XCTAssertNotEqual(summary.status, 0)
        XCTAssertTrue(summary.stderr.contains("\(path): unsupported: its graph was exported at 3x32x32 and cannot run at 3x64x64 (layer 'fc.0'"), summary.stderr)
        XCTAssertTrue(summary.stderr.contains("give --input 3x32x32"), summary.stderr)
        XCTAssertEqual(summary.stderr.split(separator: "\n").count, 1, summary.stderr)
        let eval = try CLI.run(["eval", path, "--data", Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path, "--crop", "64"])
        XCTAssertNotEqual(eval.status, 0)
        XCTAssertTrue(eval.stderr.contains("exported at 3x32x32 and cannot run at 3x64x64"), eval.stderr)
        XCTAssertTrue(eval.stderr.contains("give --crop 32"), eval.stderr)
        // A size the graph runs at is taken as given.
        let larger = try CLI.run(["summary", Self.path("narrow-resnet.pt2"), "--input", "3x64x64", "--json"])
        XCTAssertEqual(larger.status, 0, larger.stderr)
    }
}
