import XCTest
@testable import Quantize
import NN

/// Tests BlobCodec+Decode.swift (and BlobFields.swift): every damaged field is rejected
/// with a one-line error naming the tensor; unknown keys are ignored.
final class BlobCodecDecodeTests: XCTestCase {
    /// A valid blob: smallModel, 3 bits per channel (conv.weight [2,1,2,2] → 3 bytes of codes).
    private func validBlob() throws -> PickleValue {
        BlobCodec.blobValue(try Quantizer.quantize(QuantizerTests.smallModel(), config: QuantizationConfig(bits: 3, perChannel: true),
                                                   architecture: "plain-cnn", source: "model.pt"))
    }

    /// `value` with the field at `path` (dict keys) replaced, or removed when `new` is nil.
    private func replacing(_ value: PickleValue, _ path: [String], with new: PickleValue?) -> PickleValue {
        guard case .dict(let pairs) = value, let key = path.first else { return new ?? .none }
        if path.count == 1, new == nil { return .dict(pairs.filter { $0.0 != key }) }
        return .dict(pairs.map { $0.0 == key ? ($0.0, replacing($0.1, Array(path.dropFirst()), with: new)) : $0 })
    }

    private func assertRejects(_ path: [String], _ new: PickleValue?, _ reason: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let blob = replacing(try validBlob(), path, with: new)
        XCTAssertThrowsError(try BlobCodec.decode(blob, path: "m.pkl"), file: file, line: line) {
            XCTAssertEqual(($0 as? QuantizeError)?.description, "m.pkl: not a valid Shears blob: \(reason)", file: file, line: line)
        }
    }

    func testAcceptsTheValidBlobAndIgnoresUnknownKeys() throws {
        let blob = try validBlob()
        guard case .dict(let pairs) = blob else { return XCTFail() }
        let model = try BlobCodec.decode(.dict(pairs + [("comment", .string("from a newer writer"))]), path: "m.pkl")
        XCTAssertEqual(model.architecture, "plain-cnn")
        XCTAssertEqual(model.source, "model.pt")
        XCTAssertEqual(model.quantizedNames, ["conv.weight", "conv.bias", "bn.weight", "bn.running_var", "fc.weight"])
    }

    func testRejectsTopLevelDamage() throws {
        XCTAssertThrowsError(try BlobCodec.decode(.list([]), path: "m.pkl")) {
            XCTAssertEqual($0 as? QuantizeError, .malformedBlob(path: "m.pkl", reason: "the blob is not a dict"))
        }
        try assertRejects(["format"], .string("torch"), "the blob: format is \"torch\", expected \"shears-quantized\"")
        try assertRejects(["version"], .int(2), "the blob: version 2 is not supported (this Shears reads 1)")
        try assertRejects(["bits"], .int(9), "the blob: bits is 9, expected 2 to 8")
        try assertRejects(["per_channel"], .int(1), "the blob: \"per_channel\" is not a bool")
        try assertRejects(["architecture"], .int(1), "the blob: \"architecture\" is neither a str nor None")
        try assertRejects(["source"], nil, "the blob: missing \"source\"")
        try assertRejects(["tensors"], .list([]), "the blob: \"tensors\" is not a dict")
    }

    func testRejectsTensorDamageNamingTheTensor() throws {
        let conv = ["tensors", "conv.weight"]
        try assertRejects(conv, .int(3), "tensor 'conv.weight' is not a dict")
        try assertRejects(conv + ["data"], .bytes([0, 0]),
                          "tensor 'conv.weight': data has 2 bytes, expected 3 for 8 3-bit codes")
        try assertRejects(conv + ["data"], nil, "tensor 'conv.weight': missing \"data\"")
        try assertRejects(conv + ["bits"], .int(1), "tensor 'conv.weight': bits is 1, expected 2 to 8")
        try assertRejects(conv + ["dtype"], .string("float16"), "tensor 'conv.weight': dtype \"float16\" is not uint8, float32 or int64")
        try assertRejects(conv + ["shape"], .tuple([.int(2), .int(-1)]), "tensor 'conv.weight': \"shape\" holds -1, not a size")
        try assertRejects(conv + ["shape"], .tuple([.int(2), .string("4")]), "tensor 'conv.weight': \"shape\" holds a str, not a size")
        try assertRejects(conv + ["shape"], .tuple([.int(1 << 40), .int(1 << 40)]),
                          "tensor 'conv.weight': shape [1099511627776, 1099511627776] has too many elements")
        try assertRejects(conv + ["min_per_channel"], .list([.float(0)]),
                          "tensor 'conv.weight': 1 channel minima and 2 maxima for 2 channels")
        try assertRejects(conv + ["max_per_channel"], .list([.float(2), .string("x")]),
                          "tensor 'conv.weight': \"max_per_channel\"[1] is not a float")
        try assertRejects(conv + ["max_per_channel"], .list([.float(2), .float(-5)]),
                          "tensor 'conv.weight': channel 1 range -0.75...-5.0 is not valid")
        try assertRejects(conv + ["min"], .float(3), "tensor 'conv.weight': \"min\"/\"max\" range 3.0...2.0 is not valid")
        try assertRejects(conv + ["max"], .float(1e39), "tensor 'conv.weight': \"max\" is 1e+39, not a finite float32")
        try assertRejects(["tensors", "scale", "data"], .bytes([0, 0, 0]),
                          "tensor 'scale': data has 3 bytes, expected 4 for 1 float32 values")
        try assertRejects(["tensors", "scale", "bits"], .int(16), "tensor 'scale': bits is 16 for dtype float32, expected 32")
        try assertRejects(["tensors", "bn.num_batches_tracked", "data"], .bytes([1]),
                          "tensor 'bn.num_batches_tracked': data has 1 bytes, expected 8 for 1 int64 values")
    }

    func testAcceptsListsForTuplesAndIntsForFloats() throws {
        let conv = ["tensors", "conv.weight"]
        var blob = replacing(try validBlob(), conv + ["shape"], with: .list([.int(2), .int(1), .int(2), .int(2)]))
        blob = replacing(blob, conv + ["min_per_channel"], with: .list([.int(-1), .float(-0.75)]))
        let model = try BlobCodec.decode(blob, path: "m.pkl")
        XCTAssertEqual(model.tensors[0].codes?.ranges.first, MinMaxRange(min: -1, max: 2))
    }
}
