import XCTest
import TestSupport

/// `shears predict --logits` on the bundled unlabelled images against PyTorch's logits
/// (Tests/Fixtures/predict, written by scripts/fixtures/predict.py).
final class PredictCommandTests: XCTestCase {
    struct Entry: Decodable {
        let files: [String]
        let logits_shape: [Int]
    }

    func testLogitsEqualPyTorchsOnTheBundledImages() throws {
        let manifest = try Fixtures.json("predict/manifest.json", as: [String: Entry].self)
        let data = Fixtures.repositoryRoot.appendingPathComponent("examples/fashion").path
        for (name, entry) in manifest.sorted(by: { $0.key < $1.key }) {
            let model = Fixtures.repositoryRoot.appendingPathComponent("examples/models/\(name).pt").path
            let result = try CLI.run(["predict", model, "--data", data, "--split", "evaluation",
                                      "--resize", "36", "--crop", "32", "--logits"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let rows = result.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
            let classes = entry.logits_shape[1]
            XCTAssertEqual(rows.first, ["Id", "Category"] + (0..<classes).map { "logit_\($0)" })
            let body = Array(rows.dropFirst())
            XCTAssertEqual(body.map { $0[0] + ".jpg" }, entry.files, name)
            let logits = body.flatMap { $0.dropFirst(2).compactMap(Float.init) }
            assertClose(logits, try Fixtures.float32("predict/\(name).evaluation.logits.f32"), rtol: 0, atol: 1e-4)
            for row in body {
                let values = row.dropFirst(2).compactMap(Float.init)
                XCTAssertEqual(Int(row[1]), values.indices.max { values[$0] < values[$1] }, "\(name) \(row[0])")
            }
        }
    }
}
