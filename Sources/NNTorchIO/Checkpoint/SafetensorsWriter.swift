// SafetensorsWriter: a StateDict as a safetensors file (docs/FORMATS.md §1.4): u64 little-endian
// header length, a compact JSON header `{"name": {"dtype", "shape", "data_offsets": [begin,
// end]}}` padded with spaces to a multiple of 8, then the tensors packed little-endian in
// state-dict order. Floating tensors are written as F32, integer ones as I64 (the dtypes
// Shears computes in), as TorchCheckpointWriter does.

import NNCore
import Foundation

/// Writes safetensors files.
public enum SafetensorsWriter {
    /// Writes `stateDict` to `path` atomically.
    public static func write(_ stateDict: StateDict, to path: String) throws {
        try AtomicFile.write(serialize(stateDict), to: path)
    }

    /// The file's bytes.
    public static func serialize(_ stateDict: StateDict) -> [UInt8] {
        var header: [String] = [], data: [UInt8] = []
        for (key, value) in stateDict.entries {
            let begin = data.count
            let dtype: String
            switch value {
            case .float(let t, _):
                dtype = "F32"
                t.scalars.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data += $0 }
            case .integer(let t, _):
                dtype = "I64"
                t.scalars.map { $0.littleEndian }.withUnsafeBytes { data += $0 }
            }
            let shape = value.shape.map(String.init).joined(separator: ",")
            header.append("\(jsonString(key)):{\"dtype\":\"\(dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var text = Array("{\(header.joined(separator: ","))}".utf8)
        text += [UInt8](repeating: UInt8(ascii: " "), count: (8 - text.count % 8) % 8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(text.count).littleEndian) { bytes += $0 }
        return bytes + text + data
    }

    /// `key` as a JSON string literal.
    private static func jsonString(_ key: String) -> String {
        let encoded = try? JSONSerialization.data(withJSONObject: [key], options: [.fragmentsAllowed])
        return encoded.flatMap { String(data: $0, encoding: .utf8) }.map { String($0.dropFirst().dropLast()) } ?? "\"\""
    }
}
