import XCTest
@testable import Quantize
import NN
import TestSupport

/// Tests Quantizer.swift: codes and dequantized values against numpy/torch fixtures
/// (scripts/fixtures/quantize.py), bit for bit; which tensors are quantized.
final class QuantizerTests: XCTestCase {
    struct Manifest: Decodable {
        struct Entry: Decodable { let shape: [Int]; let file: String }
        struct Case: Decodable {
            let tensor: String
            let bits: Int
            let per_channel: Bool
            let min: [Double]
            let max: [Double]
            let codes: String
            let dequantized: String
        }
        let tensors: [String: Entry]
        let cases: [Case]
    }

    func testCodesAndDequantizedValuesMatchNumpyBitForBit() throws {
        let manifest: Manifest = try Fixtures.json("quantize/manifest.json")
        XCTAssertEqual(manifest.cases.count, 33)
        for c in manifest.cases {
            let entry = try XCTUnwrap(manifest.tensors[c.tensor])
            var stateDict = StateDict()
            stateDict.setTensor(c.tensor, Tensor(shape: entry.shape, scalars: try Fixtures.float32("quantize/\(entry.file)")))
            let config = QuantizationConfig(bits: c.bits, perChannel: c.per_channel)
            let model = try Quantizer.quantize(stateDict, config: config)
            let label = "\(c.tensor) \(c.bits) bits per \(c.per_channel ? "channel" : "tensor")"
            let codes = try XCTUnwrap(model.tensors.first?.codes, label)

            XCTAssertEqual(codes.perChannel, c.per_channel, label)
            XCTAssertEqual(codes.ranges.map { Double($0.min) }, c.min, label)
            XCTAssertEqual(codes.ranges.map { Double($0.max) }, c.max, label)
            let expectedCodes = try Fixtures.bytes("quantize/\(c.codes)")
            XCTAssertEqual(codes.codes, expectedCodes, label)
            let expected = try Fixtures.float32("quantize/\(c.dequantized)")
            let actual = codes.dequantized()
            let differing = zip(actual, expected).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(actual.count, expected.count, label)
            XCTAssertEqual(differing, 0, "\(label): \(differing) values differ in bits; max |diff| \(maxAbsoluteDifference(actual, expected).value)")
        }
    }

    func testRankOneTensorsUseOneRangeEvenPerChannel() throws {
        var stateDict = StateDict()
        stateDict.setTensor("fc.bias", Tensor(shape: [3], scalars: [1, 2, 4]))
        let model = try Quantizer.quantize(stateDict, config: QuantizationConfig(bits: 8, perChannel: true))
        let codes = try XCTUnwrap(model.tensors[0].codes)
        XCTAssertFalse(codes.perChannel)
        XCTAssertEqual(codes.ranges, [MinMaxRange(min: 1, max: 4)])
    }

    func testSelectsFloatingTensorsWithMoreThanOneElement() throws {
        let model = try Quantizer.quantize(Self.smallModel(), config: QuantizationConfig(bits: 4),
                                           architecture: "plain-cnn", source: "model.pt")
        XCTAssertEqual(model.tensors.map(\.name), Self.smallModel().keys)
        XCTAssertEqual(model.quantizedNames, ["conv.weight", "conv.bias", "bn.weight", "bn.running_var", "fc.weight"])
        XCTAssertEqual(model.tensors[5].payload, .float32([0.5]))
        XCTAssertEqual(model.tensors[6].payload, .int64([12]))
        XCTAssertEqual(model.architecture, "plain-cnn")
        XCTAssertEqual(model.source, "model.pt")
        XCTAssertEqual(model.bits, 4)
    }

    func testOnlyWeightsKeepsBiasesAndBatchNormRaw() throws {
        let model = try Quantizer.quantize(Self.smallModel(), config: QuantizationConfig(bits: 8, onlyWeights: true))
        XCTAssertEqual(model.quantizedNames, ["conv.weight", "fc.weight"])
        XCTAssertEqual(model.tensors[1].payload, .float32([0.1, -0.2]))
    }

    func testRejectsBitWidthsOutsideTwoToEight() {
        for bits in [0, 1, 9, 16] {
            XCTAssertThrowsError(try Quantizer.quantize(Self.smallModel(), config: QuantizationConfig(bits: bits))) {
                XCTAssertEqual($0 as? QuantizeError, .invalidBits(bits))
            }
        }
    }

    func testRejectsNonFiniteValuesAndOverflowingRanges() {
        for (values, reason) in [([1, .nan], "it holds NaN or infinite values"),
                                 ([-3e38, 3e38], "range -3e+38...3e+38 is wider than float32 can hold")] as [([Float], String)] {
            var stateDict = StateDict()
            stateDict.setTensor("w", Tensor(shape: [2], scalars: values))
            XCTAssertThrowsError(try Quantizer.quantize(stateDict, config: QuantizationConfig())) {
                XCTAssertEqual($0 as? QuantizeError, .unquantizable(tensor: "w", reason: reason))
            }
        }
    }

    /// conv [2, 1, 2, 2] + bias, BN [2] (+ a scalar and num_batches_tracked), linear [3, 2].
    static func smallModel() -> StateDict {
        var d = StateDict()
        d.setTensor("conv.weight", Tensor(shape: [2, 1, 2, 2], scalars: [0.5, -1, 0.25, 2, -0.75, 1.5, 0, 1]))
        d.setTensor("conv.bias", Tensor(shape: [2], scalars: [0.1, -0.2]))
        d.setTensor("bn.weight", Tensor(shape: [2], scalars: [1, 0.9]))
        d.setTensor("bn.running_var", Tensor(shape: [2], scalars: [0.3, 2.5]))
        d.setTensor("bn.running_mean", Tensor(shape: [1], scalars: [0.7]))
        d.setTensor("scale", Tensor(shape: [], scalars: [0.5]))
        d["bn.num_batches_tracked"] = .integer(IntTensor(shape: [], scalars: [12]), .int64)
        d.setTensor("fc.weight", Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
        return d
    }
}
