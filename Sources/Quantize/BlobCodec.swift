// BlobCodec: the Shears quantized-model file, a Python pickle (protocol 4) that plain
// `pickle.load` reads with no numpy and no torch. Layout (docs/BLOB_FORMAT.md):
//   {"format": "shears-quantized", "version": 1, "architecture": str | None,
//    "source": str, "bits": b, "per_channel": bool,
//    "tensors": {name: {"shape": tuple, "dtype": "uint8" | "float32" | "int64",
//                       "bits": b | 32 | 64,
//                       uint8 only: "min": float, "max": float,
//                       per channel only: "min_per_channel": [float], "max_per_channel": [float],
//                       "data": bytes}}}
// uint8 "data" is BitPacking's little-endian bit stream; float32/int64 "data" are raw
// little-endian values. This file encodes; BlobCodec+Decode.swift decodes from a PickleValue
// (the bytes → PickleValue step is the checkpoint module's unpickler).

import NNCore
import NNTorchIO

/// Encodes and decodes Shears quantized blobs.
public enum BlobCodec {
    /// The "format" value of every blob.
    public static let format = "shears-quantized"
    /// The "version" value this codec writes and reads.
    public static let version = 1

    /// The blob's bytes: `blobValue(model)` pickled with protocol 4.
    public static func encode(_ model: QuantizedModel) -> [UInt8] {
        var writer = PickleWriter(protocol: 4)
        writer.write(blobValue(model))
        return writer.finish()
    }

    /// The blob as a Python value tree (the dict described at the top of this file).
    public static func blobValue(_ model: QuantizedModel) -> PickleValue {
        .dict([
            ("format", .string(format)),
            ("version", .int(version)),
            ("architecture", model.architecture.map { .string($0) } ?? .none),
            ("source", .string(model.source)),
            ("bits", .int(model.bits)),
            ("per_channel", .bool(model.perChannel)),
            ("tensors", .dict(model.tensors.map { ($0.name, tensorValue($0)) })),
        ])
    }

    /// One entry of "tensors".
    static func tensorValue(_ tensor: QuantizedTensor) -> PickleValue {
        var fields: [(String, PickleValue)] = [("shape", .tuple(tensor.shape.map { .int($0) }))]
        switch tensor.payload {
        case .codes(let codes):
            let overall = codes.overall
            fields += [
                ("dtype", .string("uint8")),
                ("bits", .int(codes.bits)),
                ("min", .float(Double(overall.min))),
                ("max", .float(Double(overall.max))),
            ]
            if codes.perChannel {
                fields += [
                    ("min_per_channel", .list(codes.ranges.map { .float(Double($0.min)) })),
                    ("max_per_channel", .list(codes.ranges.map { .float(Double($0.max)) })),
                ]
            }
            fields.append(("data", .bytes(BitPacking.pack(codes.codes, bits: codes.bits))))
        case .float32(let values):
            fields += [("dtype", .string("float32")), ("bits", .int(32)),
                       ("data", .bytes(littleEndianBytes(values.map(\.bitPattern))))]
        case .int64(let values):
            fields += [("dtype", .string("int64")), ("bits", .int(64)),
                       ("data", .bytes(littleEndianBytes(values.map { UInt64(bitPattern: $0) })))]
        }
        return .dict(fields)
    }

    /// Each word as its bytes, least significant first.
    static func littleEndianBytes<Word: FixedWidthInteger & UnsignedInteger>(_ words: [Word]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(words.count * Word.bitWidth / 8)
        for word in words {
            for shift in stride(from: 0, to: Word.bitWidth, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        return bytes
    }
}
