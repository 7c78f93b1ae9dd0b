// ONNXTensors: an ONNX file read into memory with its initializers decoded: the ModelProto
// (swift-protobuf, Sources/ONNXProto) and every TensorProto as float32 or int64 values,
// inline (`raw_data` little-endian, or `float_data`/`int64_data`/`int32_data`) or as ONNX
// "external data" (`data_location` EXTERNAL, `external_data` keys `location`, `offset`,
// `length`, the location relative to the .onnx file's folder, as torch's default exporter
// writes `NAME.onnx.data`). An external location must resolve (symlinks followed, `realpath`)
// to a regular file inside the real path of that folder; its offset and length are checked
// with overflow checks against the file's size, and the length against the `MemoryBudget`.
// The model file itself is read through `InputFile` (regular files only, size budgeted).

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
    /// Bytes the decoded values take (4 a float, 8 an integer).
    var decodedBytes: Int { count * (floats == nil ? 8 : 4) }
}

/// Reads `.onnx` files and decodes their tensors.
enum ONNXFile {
    /// ONNX `TensorProto.DataType` codes Shears decodes.
    static let float = 1, int32 = 6, int64 = 7, double = 11

    /// The model in the file at `path`.
    static func read(path: String) throws -> Onnx_ModelProto {
        try parse(try InputFile.data(path), path: path)
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
    ///
    /// - Parameter decodedBefore: bytes of the constants decoded before; with this tensor's raw
    ///   and decoded values they must fit the `MemoryBudget`, checked before anything is read.
    static func decode(_ tensor: Onnx_TensorProto, path: String, decodedBefore: Int = 0) throws -> ONNXConstant {
        let dims = tensor.dims.map(Int.init)
        guard dims.allSatisfy({ $0 >= 0 }) else { throw NNError.malformed(path: path, reason: "tensor '\(tensor.name)' has negative dims \(dims)") }
        // At most 8 bytes a value: a larger count could not be held in any file.
        guard let count = dims.checkedProduct, count <= Int.max / 8 else {
            throw NNError.malformed(path: path, reason: "tensor '\(tensor.name)' declares dims \(dims), more values than any file holds")
        }
        let type = Int(tensor.dataType)
        guard let width = [float: 4, double: 8, int32: 4, int64: 8][type] else {
            throw NNError.unsupported(path: path, reason: "tensor '\(tensor.name)' has ONNX data type \(type); Shears reads float, double, int32 and int64")
        }
        let isFloat = type == float || type == double
        let (needed, overflow) = count.multipliedReportingOverflow(by: width + (isFloat ? 4 : 8))
        let (total, overflowTotal) = needed.addingReportingOverflow(decodedBefore)
        try MemoryBudget.check(overflow || overflowTotal ? nil : total, for: "tensor '\(tensor.name)' (\(count) values, read and decoded, with the constants before it)",
                               path: path)
        var raw: [UInt8]?
        if tensor.dataLocation == .external {
            raw = try externalBytes(tensor, path: path)
        } else if !tensor.rawData.isEmpty {
            raw = [UInt8](tensor.rawData)
        }
        func mismatch(_ have: Int) -> NNError {
            .malformed(path: path, reason: "tensor '\(tensor.name)' declares \(dims) (\(count) values) but holds \(have)")
        }
        /// The `count` values of `width` little-endian bytes each in `raw`, each made by `value`.
        func words<T>(_ raw: [UInt8], width: Int, _ value: (UInt64) -> T) throws -> [T] {
            guard raw.count == count * width else { throw mismatch(raw.count / width) }
            return (0..<count).map { i in value((0..<width).reduce(UInt64(0)) { $0 | UInt64(raw[i * width + $1]) << UInt64(8 * $1) }) }
        }
        if isFloat {
            let floats: [Float]
            if let raw {
                floats = try words(raw, width: width) { bits in
                    type == float ? Float(bitPattern: UInt32(truncatingIfNeeded: bits)) : Float(Double(bitPattern: bits))
                }
            } else {
                floats = type == float ? tensor.floatData : tensor.doubleData.map(Float.init)
            }
            guard floats.count == count else { throw mismatch(floats.count) }
            return ONNXConstant(dims: dims, floats: floats)
        } else {
            let integers: [Int64]
            if let raw {
                integers = try words(raw, width: width) { bits in
                    type == int64 ? Int64(bitPattern: bits) : Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: bits)))
                }
            } else {
                integers = type == int64 ? tensor.int64Data : tensor.int32Data.map(Int64.init)
            }
            guard integers.count == count else { throw mismatch(integers.count) }
            return ONNXConstant(dims: dims, integers: integers)
        }
    }

    /// The bytes `location`/`offset`/`length` name, from a regular file inside the model's folder.
    ///
    /// - Throws: `.malformed` (no location, an absolute one, a bad offset or length), `.refused`
    ///   (resolving outside the folder), `.io` (missing, not a regular file), `.overBudget`;
    ///   each names the model file and the location.
    private static func externalBytes(_ tensor: Onnx_TensorProto, path: String) throws -> [UInt8] {
        let entries = Dictionary(tensor.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        let location = entries["location"] ?? ""
        let what = "tensor '\(tensor.name)': external data '\(location)'"
        guard !location.isEmpty, !location.hasPrefix("/") else {
            throw NNError.malformed(path: path, reason: "\(what) is not a file name relative to the model's folder")
        }
        let folder = realPath((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        guard let folder, let dataPath = realPath((folder as NSString).appendingPathComponent(location)) else {
            throw NNError.io(path: path, reason: "\(what) is missing: \(String(cString: strerror(errno)))")
        }
        guard dataPath.hasPrefix(folder == "/" ? "/" : folder + "/") else {
            throw NNError.refused(path: path, reason: "\(what) resolves to \(dataPath), outside the model's folder \(folder)")
        }
        let size: Int
        do {
            size = try InputFile.requireRegular(dataPath)
        } catch NNError.io(_, let reason) {
            throw NNError.io(path: path, reason: "\(what) (\(dataPath)): \(reason)")
        }
        guard let offset = Int(entries["offset"] ?? "0"), offset >= 0, offset <= size else {
            throw NNError.malformed(path: path, reason: "\(what): offset \(entries["offset"] ?? "") is not within its \(size) bytes")
        }
        let declared: Int? = entries["length"].map { Int($0) } ?? size - offset
        guard let length = declared, length >= 0, length <= size - offset else {
            throw NNError.malformed(path: path, reason: "\(what): length \(entries["length"] ?? "") from offset \(offset) is not within its \(size) bytes")
        }
        try MemoryBudget.check(length, for: "\(what) of \(length) bytes", path: path)
        guard let handle = FileHandle(forReadingAtPath: dataPath) else { throw NNError.unreadable(dataPath) }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let bytes = [UInt8](try handle.read(upToCount: length) ?? Data())
        guard bytes.count == length else {
            throw NNError.malformed(path: path, reason: "\(what): read \(bytes.count) of \(length) bytes (the file changed while read)")
        }
        return bytes
    }

    /// `realpath(3)` of `path` (symlinks resolved, absolute); nil when it does not exist.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
