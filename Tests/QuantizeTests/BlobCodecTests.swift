import XCTest
@testable import Quantize
import NN
import TestSupport

/// Tests BlobCodec.swift: the pickle byte layout, the value tree, round trips through
/// BlobCodec+Decode.swift, and the size overhead of the format.
final class BlobCodecTests: XCTestCase {
    /// SHORT_BINUNICODE.
    private func str(_ s: String) -> [UInt8] { [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }

    func testByteLayout() {
        let model = QuantizedModel(architecture: nil, source: "m.pt", bits: 4, perChannel: false, tensors: [
            QuantizedTensor(name: "w", shape: [3], payload: .codes(QuantizedCodes(
                bits: 4, codes: [1, 2, 15], ranges: [MinMaxRange(min: -1, max: 2)], perChannel: false))),
            QuantizedTensor(name: "s", shape: [], payload: .float32([0.5])),
            QuantizedTensor(name: "n", shape: [], payload: .int64([5])),
        ])
        var expected: [UInt8] = [0x80, 0x04, 0x7D, 0x28]
        expected += str("format") + str("shears-quantized") + str("version") + [0x4B, 1]
        expected += str("architecture") + [0x4E] + str("source") + str("m.pt")
        expected += str("bits") + [0x4B, 4] + str("per_channel") + [0x89]
        expected += str("tensors") + [0x7D, 0x28]
        expected += str("w") + [0x7D, 0x28] + str("shape") + [0x4B, 3, 0x85] + str("dtype") + str("uint8")
        expected += str("bits") + [0x4B, 4]
        expected += str("min") + [0x47, 0xBF, 0xF0, 0, 0, 0, 0, 0, 0]   // -1.0, big-endian double
        expected += str("max") + [0x47, 0x40, 0x00, 0, 0, 0, 0, 0, 0]   // 2.0
        expected += str("data") + [0x43, 2, 0x21, 0x0F] + [0x75]         // SHORT_BINBYTES, low nibble first
        expected += str("s") + [0x7D, 0x28] + str("shape") + [0x29] + str("dtype") + str("float32")
        expected += str("bits") + [0x4B, 32] + str("data") + [0x43, 4, 0x00, 0x00, 0x00, 0x3F] + [0x75]
        expected += str("n") + [0x7D, 0x28] + str("shape") + [0x29] + str("dtype") + str("int64")
        expected += str("bits") + [0x4B, 64] + str("data") + [0x43, 8, 5, 0, 0, 0, 0, 0, 0, 0] + [0x75]
        expected += [0x75, 0x75, 0x2E]
        XCTAssertEqual(BlobCodec.encode(model), expected)
    }

    func testPerChannelTensorsListTheirRanges() throws {
        let model = try Quantizer.quantize(QuantizerTests.smallModel(), config: QuantizationConfig(bits: 8, perChannel: true))
        guard case .dict(let top) = BlobCodec.blobValue(model), case .dict(let tensors)? = top.last?.1,
              case .dict(let conv)? = tensors.first?.1 else { return XCTFail("not a dict of dicts") }
        XCTAssertEqual(conv.map(\.0), ["shape", "dtype", "bits", "min", "max", "min_per_channel", "max_per_channel", "data"])
        XCTAssertEqual(conv[0].1, .tuple([.int(2), .int(1), .int(2), .int(2)]))
        XCTAssertEqual(conv[3].1, .float(-1))
        XCTAssertEqual(conv[4].1, .float(2))
        XCTAssertEqual(conv[5].1, .list([.float(-1), .float(-0.75)]))
        XCTAssertEqual(conv[6].1, .list([.float(2), .float(1.5)]))
        // channel 0: (0.5 + 1) / 3 * 255 = 127.5 rounds to even 128; channel 1 has its own range
        XCTAssertEqual(conv[7].1, .bytes([128, 0, 106, 255, 0, 255, 85, 198]))
    }

    func testDecodeInvertsBlobValue() throws {
        for bits in 2...8 {
            for perChannel in [false, true] {
                let config = QuantizationConfig(bits: bits, perChannel: perChannel)
                let model = try Quantizer.quantize(Self.convModel(channels: 6), config: config,
                                                   architecture: bits == 3 ? nil : "resnet18", source: "teacher.pth")
                let decoded = try BlobCodec.decode(BlobCodec.blobValue(model), path: "teacher.pkl")
                XCTAssertEqual(decoded, model, "\(bits) bits, per channel \(perChannel)")
                XCTAssertEqual(decoded.dequantized(), model.dequantized())
            }
        }
    }

    func testBlobSizeIsDataPlusASmallHeaderPerTensor() throws {
        let stateDict = Self.convModel(channels: 64)
        for config in [QuantizationConfig(bits: 8), QuantizationConfig(bits: 4), QuantizationConfig(bits: 4, perChannel: true)] {
            let model = try Quantizer.quantize(stateDict, config: config)
            let size = BlobCodec.encode(model).count
            // per tensor: ≤ 100 bytes of keys and opcodes plus its name; per channel: two BINFLOATs (9 bytes each)
            let channelRanges = model.tensors.reduce(0) { $0 + (($1.codes?.perChannel ?? false) ? 2 * 9 * $1.shape[0] : 0) }
            let estimate = model.dataByteCount + channelRanges + model.tensors.reduce(0) { $0 + 100 + $1.name.utf8.count }
            XCTAssertLessThanOrEqual(size, estimate, "\(config)")
            XCTAssertLessThan(abs(Double(size - estimate)), 0.01 * Double(estimate), "\(config): \(size) bytes, estimate \(estimate)")
        }
        let model = try Quantizer.quantize(stateDict, config: QuantizationConfig(bits: 4))
        XCTAssertEqual(model.dataByteCount, 4 * 64 * 64 * 9 / 2 + 4 * 4 * 64 / 2 + 4 * 8)
    }

    func testWriteStoresTheEncodedBytes() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let path = directory.appendingPathComponent("model.pkl").path
        let model = try Quantizer.quantize(QuantizerTests.smallModel(), config: QuantizationConfig(bits: 2))
        try AtomicFile.write(BlobCodec.encode(model), to: path)
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), BlobCodec.encode(model))
    }

    /// Four 3x3 convolutions of `channels` → `channels`, each followed by BatchNorm (resnet-like).
    static func convModel(channels: Int) -> StateDict {
        var generator = SplitMix64(seed: 42)
        var d = StateDict()
        for layer in 0..<4 {
            let prefix = "layer\(layer)"
            d.setTensor("\(prefix).conv.weight", Tensor(shape: [channels, channels, 3, 3],
                                                         scalars: generator.floats(channels * channels * 9, scale: 0.1)))
            d.setTensor("\(prefix).bn.weight", Tensor(shape: [channels], scalars: generator.floats(channels, scale: 1)))
            d.setTensor("\(prefix).bn.bias", Tensor(shape: [channels], scalars: generator.floats(channels, scale: 0.1)))
            d.setTensor("\(prefix).bn.running_mean", Tensor(shape: [channels], scalars: generator.floats(channels, scale: 0.5)))
            d.setTensor("\(prefix).bn.running_var", Tensor(shape: [channels], scalars: generator.floats(channels, scale: 1).map { $0 + 1.5 }))
            d["\(prefix).bn.num_batches_tracked"] = .integer(IntTensor(shape: [], scalars: [Int64(1000 + layer)]), .int64)
        }
        return d
    }
}
