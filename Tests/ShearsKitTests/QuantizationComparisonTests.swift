// QuantizationComparisonTests: the student quantized in-process gives the blob, noise and
// accuracies `shears quantize` reports (QuantizeCommandTests, EvalCommandTests: 924 of the
// 1000 committed Fashion-MNIST images right before, 923 after, as PyTorch).

import XCTest
import ShearsKit
import TestSupport

final class QuantizationComparisonTests: XCTestCase {
    let root = Fixtures.repositoryRoot

    func student() throws -> Model { try ModelFile.read(root.appendingPathComponent("examples/models/student.pt").path).model }

    func testBlobErrorsAndDequantizedModelAreTheQuantizers() throws {
        let model = try student()
        let config = QuantizationConfig(bits: 8)
        let result = try QuantizationComparison(config: config, source: "student.pt").run(model)
        let quantized = try Quantizer.quantize(model.stateDict, config: config, architecture: model.architecture, source: "student.pt")
        XCTAssertEqual(result.blobBytes, BlobCodec.encode(quantized).count)
        XCTAssertEqual(result.blob, BlobCodec.encode(quantized))
        XCTAssertEqual(result.quantized, quantized)
        XCTAssertEqual(result.dequantized.stateDict, quantized.dequantized())
        XCTAssertEqual(result.noise, try quantized.noise(against: model.stateDict))
        XCTAssertEqual(result.total, QuantizationNoise.total(result.noise))
        XCTAssertNil(result.accuracyBefore)
        XCTAssertNil(result.accuracyAfter)
    }

    func testPruningFirstShrinksTheModelAndTheBlob() throws {
        let model = try student()
        let whole = try QuantizationComparison(config: QuantizationConfig(bits: 8)).run(model)
        let pruned = try QuantizationComparison(config: QuantizationConfig(bits: 8), prune: .channel, amount: 0.5).run(model)
        XCTAssertLessThan(ModelStatistics.parameterCount(of: pruned.model), ModelStatistics.parameterCount(of: model))
        XCTAssertLessThan(pruned.blobBytes, whole.blobBytes)
    }

    func testAccuracyBeforeAndAfterAreTheCLIs() throws {
        let preprocessing = try Preprocessing(resize: 36, crop: 32, mean: Preprocessing.food11.mean, std: Preprocessing.food11.std)
        let dataset = try ImageDataset(root: root.appendingPathComponent("examples/fashion").path, split: "validation")
        let images = try DecodedImages(dataset: dataset, preprocessing: preprocessing)
        let result = try QuantizationComparison(config: QuantizationConfig(bits: 8)).run(try student(), images: images)
        XCTAssertEqual(result.accuracyBefore ?? 0, 0.924, accuracy: 1e-12)
        XCTAssertEqual(result.accuracyAfter ?? 0, 0.923, accuracy: 1e-12)
    }
}
