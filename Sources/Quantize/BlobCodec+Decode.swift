// BlobCodec+Decode: a blob's Python value tree (from the checkpoint module's unpickler)
// back to a QuantizedModel, checking every field: format and version, bit widths, shapes,
// data lengths, ranges. Every error names the tensor. Unknown keys are ignored.

import NNCore
import NNTorchIO

extension BlobCodec {
    /// Decodes the value `pickle.load` would return for the blob at `path`.
    ///
    /// - Parameter path: the blob's file name, used in error messages only.
    /// - Throws: `QuantizeError.malformedBlob(path:reason:)` naming the field or tensor.
    public static func decode(_ value: PickleValue, path: String) throws -> QuantizedModel {
        let top = try BlobFields(value, context: "the blob", path: path)
        let format = try top.string("format")
        guard format == Self.format else { throw top.error("format is \"\(format)\", expected \"\(Self.format)\"") }
        let version = try top.int("version")
        guard version == Self.version else { throw top.error("version \(version) is not supported (this Shears reads \(Self.version))") }
        let architecture = try top.optionalString("architecture")
        let source = try top.string("source")
        let bits = try top.int("bits")
        guard (2...8).contains(bits) else { throw top.error("bits is \(bits), expected 2 to 8") }
        let perChannel = try top.bool("per_channel")
        guard case .dict(let entries) = try top.value("tensors") else { throw top.error("\"tensors\" is not a dict") }
        var seen = Set<String>()
        let tensors = try entries.map { name, entry -> QuantizedTensor in
            guard seen.insert(name).inserted else { throw top.error("tensor '\(name)' appears twice") }
            return try decodeTensor(name: name, entry, path: path)
        }
        return QuantizedModel(architecture: architecture, source: source, bits: bits,
                              perChannel: perChannel, tensors: tensors)
    }

    /// One entry of "tensors".
    static func decodeTensor(name: String, _ value: PickleValue, path: String) throws -> QuantizedTensor {
        let fields = try BlobFields(value, context: "tensor '\(name)'", path: path)
        let shape = try fields.shape()
        let count = shape.reduce(1, *)  // bounded by BlobFields.shape()
        let data = try fields.bytes("data")
        let dtype = try fields.string("dtype")
        func expectData(_ expected: Int, _ what: String) throws {
            guard data.count == expected else {
                throw fields.error("data has \(data.count) bytes, expected \(expected) for \(count) \(what)")
            }
        }
        func expectBits(_ expected: Int) throws {
            if fields.has("bits"), try fields.int("bits") != expected {
                throw fields.error("bits is \(try fields.int("bits")) for dtype \(dtype), expected \(expected)")
            }
        }
        let payload: QuantizedTensor.Payload
        switch dtype {
        case "float32":
            try expectBits(32)
            try expectData(count * 4, "float32 values")
            payload = .init(raw: RawTensorDecoder.decode(data[...], dtype: .float32, shape: shape, bigEndian: false))
        case "int64":
            try expectBits(64)
            try expectData(count * 8, "int64 values")
            payload = .init(raw: RawTensorDecoder.decode(data[...], dtype: .int64, shape: shape, bigEndian: false))
        case "uint8":
            let bits = try fields.int("bits")
            guard (2...8).contains(bits) else { throw fields.error("bits is \(bits), expected 2 to 8") }
            try expectData(BitPacking.byteCount(codes: count, bits: bits), "\(bits)-bit codes")
            let overall = try fields.range("min", "max")
            var ranges = [overall]
            let perChannel = fields.has("min_per_channel") || fields.has("max_per_channel")
            if perChannel {
                guard let channels = shape.first else { throw fields.error("per-channel ranges on a 0-dim tensor") }
                let mins = try fields.floats("min_per_channel"), maxs = try fields.floats("max_per_channel")
                guard mins.count == channels, maxs.count == channels else {
                    throw fields.error("\(mins.count) channel minima and \(maxs.count) maxima for \(channels) channels")
                }
                ranges = try zip(mins, maxs).enumerated().map { c, pair in
                    try fields.checkedRange(pair.0, pair.1, what: "channel \(c)")
                }
            }
            let codes = BitPacking.unpack(data[...], bits: bits, count: count)
            payload = .codes(QuantizedCodes(bits: bits, codes: codes, ranges: ranges, perChannel: perChannel))
        default:
            throw fields.error("dtype \"\(dtype)\" is not uint8, float32 or int64")
        }
        return QuantizedTensor(name: name, shape: shape, payload: payload)
    }
}
