import Foundation
import XCTest
import TestSupport

/// `.onnx` files through the CLI: PyTorch's accuracy on the committed folder, and bad graphs
/// refused in one line with no output written.
final class ONNXInputTests: XCTestCase {
    struct Case: Decodable {
        /// The crop the model runs at (resized to 4 more first); nil: 32.
        let input_size: Int?
        let fashion_correct: Int
        let fashion_total: Int
        /// Which exports Shears reads; nil: both.
        let onnx_forms: [String]?
    }

    /// (`blocks` has 7 outputs: Fashion-MNIST's labels 7-9 count as wrong, as in PyTorch.)
    func testEvalOfBothExportsGivesPyTorchsCount() throws {
        var cases: [(folder: String, name: String, Case)] = []
        for folder in ["onnx", "architectures"] {
            let manifest: [String: Case] = try Fixtures.json("\(folder)/manifest.json")
            cases += manifest.map { (folder, $0.key, $0.value) }
        }
        XCTAssertGreaterThanOrEqual(cases.count, 22)
        for (folder, name, c) in cases {
            for file in (c.onnx_forms ?? [".onnx", ".legacy.onnx"]).map({ name + $0 }) {
                let result = try CLI.run(["eval", Fixtures.path("\(folder)/\(file)"), "--data",
                                          Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path,
                                          "--resize", "\((c.input_size ?? 32) + 4)", "--crop", "\(c.input_size ?? 32)", "--count-unknown-labels", "--json"])
                XCTAssertEqual(result.status, 0, result.stderr)
                let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                XCTAssertEqual(json["correct"] as? Int, c.fashion_correct, file)
                XCTAssertEqual(json["images"] as? Int, c.fashion_total, file)
            }
        }
    }

    func testBadGraphsAreRefusedWithoutOutput() throws {
        let out = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("out.pt").path
        for (file, mentions) in [("bad-unsupported-op.onnx", "'/erf/Erf' (Erf)"), ("bad-cycle.onnx", "cycle"),
                                 ("bad-dangling-input.onnx", "'ghost'")] {
            let result = try CLI.run(["prune", Fixtures.path("onnx/\(file)"), "--method", "l1", "--amount", "0.5", "-o", out])
            XCTAssertNotEqual(result.status, 0, file)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(mentions) && result.stderr.contains(file), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
