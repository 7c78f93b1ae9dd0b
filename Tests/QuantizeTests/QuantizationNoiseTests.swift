import XCTest
@testable import Quantize
import NN

/// Tests QuantizationNoise.swift and QuantizedModel+Noise.swift: RMSE and SQNR against
/// hand-computed values, +inf when exact, and the per-tensor report of a model.
final class QuantizationNoiseTests: XCTestCase {
    func testRMSEAndSQNRInDouble() {
        // Σw² = 1 + 4 + 9 + 16 = 30, Σ(w - w')² = 0.25 + 0 + 0.25 + 1 = 1.5
        let error = QuantizationNoise(name: "w", original: [1, 2, 3, 4], dequantized: [1.5, 2, 2.5, 5])
        XCTAssertEqual(error.count, 4)
        XCTAssertEqual(error.rmse, (1.5 / 4.0).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(error.sqnrDB, 10 * log10(20.0), accuracy: 1e-12)
    }

    func testExactValuesHaveInfiniteSQNR() {
        let error = QuantizationNoise(name: "w", original: [0.1, -3], dequantized: [0.1, -3])
        XCTAssertEqual(error.rmse, 0)
        XCTAssertEqual(error.sqnrDB, .infinity)
    }

    func testTotalSumsEnergies() {
        let total = QuantizationNoise.total([QuantizationNoise(name: "a", original: [1, 2, 3, 4], dequantized: [1.5, 2, 2.5, 5]),
                                       QuantizationNoise(name: "b", original: [2, 2], dequantized: [2, 1])])
        XCTAssertEqual(total, QuantizationNoise(name: "total", count: 6, signalEnergy: 38, noiseEnergy: 2.5))
    }

    func testModelNoiseCoversQuantizedTensorsAndShrinksWithMoreBits() throws {
        let original = BlobCodecTests.convModel(channels: 8)
        var previous = -Double.infinity
        for bits in 2...8 {
            let model = try Quantizer.quantize(original, config: QuantizationConfig(bits: bits))
            let errors = try model.noise(against: original)
            XCTAssertEqual(errors.map(\.name), model.quantizedNames)
            XCTAssertEqual(errors.count, 20)
            for error in errors {
                let conv = original.tensor(error.name)!
                let dequantized = model.dequantized().tensor(error.name)!
                let worst = zip(conv.scalars, dequantized.scalars).map { abs($0 - $1) }.max()!
                // min-max rounding error is at most half a step: (max - min) / levels / 2 (plus float32 rounding)
                let step = (conv.scalars.max()! - conv.scalars.min()!) / Float((1 << bits) - 1)
                XCTAssertLessThanOrEqual(worst, step / 2 * 1.0001, "\(error.name), \(bits) bits")
            }
            // uniform weights, noise uniform over a step: SQNR = 20·log10(2^b - 1), about 6 dB per bit
            let conv = QuantizationNoise.total(errors.filter { $0.name.hasSuffix("conv.weight") })
            XCTAssertEqual(conv.sqnrDB, 20 * log10(Double((1 << bits) - 1)), accuracy: 0.5, "\(bits) bits")
            XCTAssertGreaterThan(conv.sqnrDB, previous, "\(bits) bits")
            previous = conv.sqnrDB
        }
    }

    func testModelNoiseRejectsAMismatchedOriginal() throws {
        let original = QuantizerTests.smallModel()
        let model = try Quantizer.quantize(original, config: QuantizationConfig(bits: 8))
        var other = original
        other["fc.weight"] = nil
        XCTAssertThrowsError(try model.noise(against: other)) {
            XCTAssertEqual($0 as? QuantizeError, .mismatch(tensor: "fc.weight", reason: "missing from the original state dict"))
        }
        other.setTensor("fc.weight", Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        XCTAssertThrowsError(try model.noise(against: other)) {
            XCTAssertEqual(String(describing: $0), "'fc.weight': shape [3, 2] but the original has [2, 3]")
        }
        other["fc.weight"] = .integer(IntTensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]), .int64)
        XCTAssertThrowsError(try model.noise(against: other)) {
            XCTAssertEqual($0 as? QuantizeError, .mismatch(tensor: "fc.weight", reason: "the original is an integer tensor"))
        }
    }
}
