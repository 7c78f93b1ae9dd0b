import XCTest
@testable import Quantize
import NN

/// Tests QuantizedModel.swift and QuantizedTensor.swift: the dequantized state dict
/// (order, dtypes, raw tensors exact) and the data byte counts.
final class QuantizedModelTests: XCTestCase {
    func testDequantizedKeepsOrderAndRawTensorsExactly() throws {
        let original = QuantizerTests.smallModel()
        let model = try Quantizer.quantize(original, config: QuantizationConfig(bits: 8, onlyWeights: true))
        let restored = model.dequantized()
        XCTAssertEqual(restored.keys, original.keys)
        for name in ["conv.bias", "bn.weight", "bn.running_var", "bn.running_mean", "scale", "bn.num_batches_tracked"] {
            XCTAssertEqual(restored[name], original[name], name)
        }
        XCTAssertEqual(restored["conv.weight"]?.dtype, .float32)
        XCTAssertEqual(restored["conv.weight"]?.shape, [2, 1, 2, 2])
        // both ends of each range come back exactly
        let conv = try XCTUnwrap(restored.tensor("conv.weight"))
        XCTAssertEqual(conv.scalars.min(), -1)
        XCTAssertEqual(conv.scalars.max(), 2)
    }

    func testIntegerAndNarrowFloatTensorsAreStoredAsInt64AndFloat32() throws {
        var original = StateDict()
        original["steps"] = .integer(IntTensor(shape: [2], scalars: [3, -4]), .int32)
        original["half"] = .float(Tensor(shape: [], scalars: [0.5]), .float16)
        let restored = try Quantizer.quantize(original, config: QuantizationConfig()).dequantized()
        XCTAssertEqual(restored["steps"], .integer(IntTensor(shape: [2], scalars: [3, -4]), .int64))
        XCTAssertEqual(restored["half"], .float(Tensor(shape: [], scalars: [0.5]), .float32))
    }

    func testDataByteCount() throws {
        let model = try Quantizer.quantize(QuantizerTests.smallModel(), config: QuantizationConfig(bits: 3))
        // codes: 8 + 2 + 2 + 2 + 6 = 20 × 3 bits → 3 + 1 + 1 + 1 + 3 bytes; raw: running_mean, scale (4 each), int64 (8)
        XCTAssertEqual(model.tensors.map(\.dataByteCount), [3, 1, 1, 1, 4, 4, 8, 3])
        XCTAssertEqual(model.dataByteCount, 25)
    }
}
