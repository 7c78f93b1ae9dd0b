import Foundation
import XCTest
import TestSupport

/// `.pt2` files (torch.export.save) through the CLI: summary counts torch's parameters, eval
/// and prune run them, an archive is known by its content whatever its name, and an op Shears
/// does not map is refused in one line with no output written.
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
}
