// ONNXTensors: an ONNX file read into memory with its initializers decoded: the ModelProto
// (swift-protobuf, Sources/ONNXProto) and every TensorProto as float32 or int64 values,
// inline (`raw_data` little-endian, or `float_data`/`int64_data`/`int32_data`) or as ONNX
// "external data" (`data_location` EXTERNAL, `external_data` keys `location`, `offset`,
// `length`, the location relative to the .onnx file's folder, as torch's default exporter
// writes `NAME.onnx.data`). An external location may not leave that folder.

import NNCore
import Foundation
import ONNXProto
import SwiftProtobuf

/// A decoded ONNX constant: dims and values (floats, or integers for shapes and indices).
struct ONNXConstant {
    var dims: [Int]
    var floats: [Float]?
    var integers: [Int64]?
    var count: Int { dims.reduce(1, *) }
}

/// Reads `.onnx` files and decodes their tensors.
enum ONNXFile {
    /// ONNX `TensorProto.DataType` codes Shears decodes.
    static let float = 1, int32 = 6, int64 = 7, double = 11

    /// The model in the file at `path`.
    static func read(path: String) throws -> Onnx_ModelProto {
        guard FileManager.default.fileExists(atPath: path) else { throw NNError.io(path: path, reason: "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw NNError.io(path: path, reason: "cannot read file") }
        return try parse(data, path: path)
    }

    /// The model in `data`, the contents of the file `path` (named in errors).
    static func parse(_ data: Data, path: String) throws -> Onnx_ModelProto {
        guard !data.isEmpty else { throw NNError.malformed(path: path, reason: "empty file (0 bytes), not an ONNX model") }
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            let model = try Onnx_ModelProto(serializedBytes: data, options: options)
            guard model.hasGraph, !model.graph.node.isEmpty else {
                throw NNError.malformed(path: path, reason: "no graph: not an ONNX model (or an empty one)")
            }
            return model
        } catch let error as NNError {
            throw error
        } catch {
            throw NNError.malformed(path: path, reason: "not a readable ONNX protobuf (\(error)); truncated or not an .onnx file")
        }
    }

    /// The values of `tensor`, reading external data beside `path`.
    static func decode(_ tensor: Onnx_TensorProto, path: String) throws -> ONNXConstant {
        let dims = tensor.dims.map(Int.init)
        guard dims.allSatisfy({ $0 >= 0 }) else { throw NNError.malformed(path: path, reason: "tensor '\(tensor.name)' has negative dims \(dims)") }
        // At most 8 bytes a value: a larger count could not be held in any file.
        guard let count = dims.checkedProduct, count <= Int.max / 8 else {
            throw NNError.malformed(path: path, reason: "tensor '\(tensor.name)' declares dims \(dims), more values than any file holds")
        }
        let type = Int(tensor.dataType)
        var raw: [UInt8]?
        if tensor.dataLocation == .external {
            raw = try externalBytes(tensor, path: path)
        } else if !tensor.rawData.isEmpty {
            raw = [UInt8](tensor.rawData)
        }
        func mismatch(_ have: Int) -> NNError {
            .malformed(path: path, reason: "tensor '\(tensor.name)' declares \(dims) (\(count) values) but holds \(have)")
        }
        /// The `count` little-endian words of `width` bytes in `raw`.
        func words(_ raw: [UInt8], width: Int) throws -> [UInt64] {
            guard raw.count == count * width else { throw mismatch(raw.count / width) }
            return (0..<count).map { i in (0..<width).reduce(UInt64(0)) { $0 | UInt64(raw[i * width + $1]) << UInt64(8 * $1) } }
        }
        switch type {
        case float, double:
            let floats: [Float]
            if let raw {
                floats = try words(raw, width: type == float ? 4 : 8).map { bits in
                    type == float ? Float(bitPattern: UInt32(bits)) : Float(Double(bitPattern: bits))
                }
            } else {
                floats = type == float ? tensor.floatData : tensor.doubleData.map(Float.init)
            }
            guard floats.count == count else { throw mismatch(floats.count) }
            return ONNXConstant(dims: dims, floats: floats)
        case int64, int32:
            let integers: [Int64]
            if let raw {
                integers = try words(raw, width: type == int64 ? 8 : 4).map { bits in
                    type == int64 ? Int64(bitPattern: bits) : Int64(Int32(bitPattern: UInt32(bits)))
                }
            } else {
                integers = type == int64 ? tensor.int64Data : tensor.int32Data.map(Int64.init)
            }
            guard integers.count == count else { throw mismatch(integers.count) }
            return ONNXConstant(dims: dims, integers: integers)
        default:
            throw NNError.unsupported(path: path, reason: "tensor '\(tensor.name)' has ONNX data type \(type); Shears reads float, double, int32 and int64")
        }
    }

    /// The bytes `location`/`offset`/`length` name, from a file in the model's folder.
    private static func externalBytes(_ tensor: Onnx_TensorProto, path: String) throws -> [UInt8] {
        let entries = Dictionary(tensor.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        guard let location = entries["location"], !location.isEmpty, !location.hasPrefix("/"),
              !location.split(separator: "/").contains("..") else {
            throw NNError.malformed(path: path, reason: "tensor '\(tensor.name)': external data location '\(entries["location"] ?? "")' is not a file beside the model")
        }
        let dataPath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(location)
        guard let handle = FileHandle(forReadingAtPath: dataPath) else {
            throw NNError.io(path: dataPath, reason: "external data of '\(tensor.name)' in \(path) is missing")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        let offset = Int(entries["offset"] ?? "0") ?? -1
        let length = entries["length"].flatMap { Int($0) } ?? (size - max(offset, 0))
        guard offset >= 0, length >= 0, offset + length <= size else {
            throw NNError.malformed(path: dataPath, reason: "tensor '\(tensor.name)' wants bytes \(offset)..<\(offset + length), the file has \(size)")
        }
        try handle.seek(toOffset: UInt64(offset))
        return [UInt8](try handle.read(upToCount: length) ?? Data())
    }
}
