import Foundation
import XCTest
import ShearsKit
import TestSupport

/// The README's library example, verbatim in `example()`, run from the repository root, gives
/// the numbers of `shears quantize … --prune channel --amount 0.5 --eval … --json`.
final class LibraryExampleTests: XCTestCase {
    // README: begin library example
    func example() throws -> (accuracy: Double, parameters: Int, blobBytes: Int) {
        let student = try ModelLoader.load("examples/models/student.pt").model
        let (small, pruning) = try Pruner.prune(student, method: .channel, amount: .fraction(0.5))
        let quantized = try Quantizer.quantize(small.stateDict, config: QuantizationConfig(bits: 8),
                                               architecture: small.architecture, source: "student.pt")
        var model = small
        model.stateDict = quantized.dequantized()
        let preprocessing = try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        let images = try DecodedImages(dataset: try ImageDataset(root: "examples/fashion", split: "validation"), preprocessing: preprocessing)
        let point = SweepPoint(model: "student", images: images, batch: 64, timingIterations: 0,
                               writer: try ResultsWriter(path: "out/library-example/results.jsonl"))
        let record = try point.measure(ResultRecord(kind: .prune, model: "student", method: .pruning(.channel), ratio: 0.5, bits: 8), model)
        return (record.accuracy!, pruning.parameters, BlobCodec.encode(quantized).count)
    }
    // README: end library example

    func testReadmeExampleGivesTheCLIsNumbers() throws {
        let root = Fixtures.repositoryRoot.path
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(root))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        try? FileManager.default.removeItem(atPath: "out/library-example")
        let result = try example()
        let blob = try Fixtures.temporaryDirectory(for: self).appendingPathComponent("student.pkl").path
        let cli = try CLI.run(["quantize", "examples/models/student.pt", "--prune", "channel", "--amount", "0.5", "-o", blob,
                               "--eval", "examples/fashion", "--resize", "36", "--crop", "32", "--json"], in: URL(fileURLWithPath: root))
        XCTAssertEqual(cli.status, 0, cli.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["accuracy"] as? Double, result.accuracy)
        XCTAssertEqual(json["blob_bytes"] as? Int, result.blobBytes)
        let readme = try String(contentsOfFile: "README.md", encoding: .utf8)
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let body = source.components(separatedBy: "// README: begin library example\n")[1].components(separatedBy: "    // README: end")[0]
        // The body without the `func` line, the closing brace and the `return` (a `print` in the README).
        let lines = body.split(separator: "\n").dropFirst().dropLast(2).map { String($0.dropFirst(8)) }
        XCTAssertTrue(readme.contains(lines.joined(separator: "\n")), "README's library example differs from the tested one")
        XCTAssertGreaterThan(result.parameters, 0)
    }
}
