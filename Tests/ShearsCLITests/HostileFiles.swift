// HostileFiles: hand-made bad inputs for BadInputTableTests, byte by byte, so that no Python
// is needed: raw pickle opcodes (pickletools' names), torch zip checkpoints around them,
// safetensors headers and JPEG headers with patched fields.

import Foundation
@testable import NN
@testable import NNTorchIO
import NNTestSupport

/// Pickle opcodes as bytes; `+` them into a program and end it with `stop`.
enum PickleOps {
    static func proto(_ version: UInt8) -> [UInt8] { [0x80, version] }
    /// GLOBAL: `c module\nname\n`.
    static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
    /// INST: `i module\nname\n`, called on the items since the last MARK.
    static func inst(_ module: String, _ name: String) -> [UInt8] { [0x69] + Array("\(module)\n\(name)\n".utf8) }
    /// SHORT_BINUNICODE.
    static func text(_ value: String) -> [UInt8] { [0x8C, UInt8(value.utf8.count)] + Array(value.utf8) }
    /// INT in decimal text, any size Python accepts.
    static func int(_ value: Int) -> [UInt8] { Array("I\(value)\n".utf8) }
    static let mark: [UInt8] = [0x28], tuple: [UInt8] = [0x74], emptyTuple: [UInt8] = [0x29], tuple1: [UInt8] = [0x85]
    static let emptyList: [UInt8] = [0x5D], append: [UInt8] = [0x61], emptyDict: [UInt8] = [0x7D], setItem: [UInt8] = [0x73]
    static let reduce: [UInt8] = [0x52], build: [UInt8] = [0x62], obj: [UInt8] = [0x6F], newObj: [UInt8] = [0x81]
    static let stackGlobal: [UInt8] = [0x93], binPersID: [UInt8] = [0x51], ext1: [UInt8] = [0x82], none: [UInt8] = [0x4E]
    static let newFalse: [UInt8] = [0x89], stop: [UInt8] = [0x2E]

    /// `collections.OrderedDict()` as torch writes it.
    static let orderedDict = global("collections", "OrderedDict") + emptyTuple + reduce

    /// `{"weight": torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}`
    /// over a zip-format storage id `('storage', torch.FloatStorage, '0', 'cpu', numel)`.
    static func stateDict(numel: Int, size: [Int], stride: [Int]) -> [UInt8] {
        let storage = mark + text("storage") + global("torch", "FloatStorage") + text("0") + text("cpu") + int(numel) + tuple + binPersID
        let tensor = global("torch._utils", "_rebuild_tensor_v2") + mark + storage + int(0)
            + mark + size.flatMap(int) + tuple + mark + stride.flatMap(int) + tuple + newFalse + orderedDict + tuple + reduce
        return proto(2) + orderedDict + text("weight") + tensor + setItem + stop
    }
}

enum HostileFiles {
    /// A torch zip checkpoint: `archive/data.pkl` holding `pickle`, the `version` record, and
    /// storage `0` holding `storageBytes` bytes.
    static func zipCheckpoint(_ pickle: [UInt8], storageBytes: Int = 16) -> [UInt8] {
        CheckpointBytes.zip(pickle, storageBytes: storageBytes)
    }

    /// `zip` with the first central-directory entry's sizes patched to `size` (no ZIP64 field).
    static func declaringEntrySize(_ size: UInt32, in zip: [UInt8]) -> [UInt8] {
        var bytes = zip
        let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        guard let start = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == signature }) else { return bytes }
        for field in [20, 24] {
            for k in 0..<4 { bytes[start + field + k] = UInt8(truncatingIfNeeded: size >> UInt32(8 * k)) }
        }
        return bytes
    }

    /// A safetensors file: the 8-byte little-endian `declaredLength` (the real header's length
    /// when nil), the JSON `header`, then `dataBytes` zero bytes.
    static func safetensors(_ header: String, declaredLength: UInt64? = nil, dataBytes: Int = 16) -> [UInt8] {
        let json = Array(header.utf8)
        let length = declaredLength ?? UInt64(json.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> UInt64(8 * $0)) } + json + [UInt8](repeating: 0, count: dataBytes)
    }

    /// `jpeg` with its start-of-frame header declaring `width` x `height` pixels.
    static func declaringSize(width: UInt16, height: UInt16, in jpeg: [UInt8]) -> [UInt8] {
        var bytes = jpeg
        let frameMarkers: Set<UInt8> = [0xC0, 0xC1, 0xC2]
        guard let start = (0..<(bytes.count - 9)).first(where: { bytes[$0] == 0xFF && frameMarkers.contains(bytes[$0 + 1]) }) else { return bytes }
        bytes[start + 5] = UInt8(height >> 8); bytes[start + 6] = UInt8(height & 0xFF)
        bytes[start + 7] = UInt8(width >> 8); bytes[start + 8] = UInt8(width & 0xFF)
        return bytes
    }
}
