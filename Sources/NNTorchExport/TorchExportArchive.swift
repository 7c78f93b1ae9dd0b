// TorchExportArchive: the records of a `torch.export.save` file (a PT2 archive, format
// version 0) that Shears reads. The zip's first entry names the root folder `<root>`;
// `<root>/archive_format` says "pt2", `<root>/models/<model>.json` is the serialized
// ExportedProgram (one model per file), and `<root>/data/weights/<model>_weights_config.json`
// and `data/constants/<model>_constants_config.json` map each state-dict key to a record
// (a flat storage, little-endian) and its view of it (dtype, sizes, strides, storage offset),
// as torch's `_build_file_map` and `as_strided` read them. Every tensor's decoded size is
// checked against the MemoryBudget before any is decoded, and every view against its record.

import Foundation
import NNCore
import NNTorchIO

/// A PT2 archive's program and tensors.
struct TorchExportArchive {
    /// The model's name in the archive (`model` for `torch.export.save`).
    let modelName: String
    let program: SerializedProgram
    /// Parameters, buffers and tensor constants by state-dict key.
    let tensors: [String: StoredTensor]

    /// How many bytes the JSON decoder's tree may take per byte of JSON, for the budget.
    static let decodedBytesPerJSONByte = 16

    /// Whether `bytes` is a zip whose root folder has `archive_format` "pt2" (torch's
    /// `is_pt2_package`).
    static func isArchive(_ bytes: [UInt8]) -> Bool {
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), let archive = try? ZipArchive(bytes: bytes, path: ""),
              let root = archive.entries.first.map({ rootFolder(of: $0.name) }),
              let entry = archive.entry(named: root + "/archive_format"), let data = try? archive.data(of: entry) else { return false }
        return Array(data) == Array("pt2".utf8)
    }

    private static func rootFolder(of name: String) -> String {
        String(name.prefix { $0 != "/" })
    }

    /// Reads the archive `bytes` (the file at `path`).
    init(bytes: [UInt8], path: String) throws {
        func fail(_ reason: String) -> NNError { .malformed(path: path, reason: reason) }
        let archive = try ZipArchive(bytes: bytes, path: path)
        guard let first = archive.entries.first else { throw fail("the zip has no entries: not a torch.export archive") }
        let root = Self.rootFolder(of: first.name)
        func record(_ name: String) throws -> ArraySlice<UInt8>? {
            try archive.entry(named: "\(root)/\(name)").map(archive.data(of:))
        }
        guard let format = try record("archive_format"), Array(format) == Array("pt2".utf8) else {
            throw fail("no '\(root)/archive_format' record saying pt2: not a torch.export archive (write one with torch.export.save)")
        }
        if let version = try record("archive_version"), Array(version) != Array("0".utf8) {
            throw NNError.unsupported(path: path, reason: "PT2 archive version '\(String(decoding: version.prefix(20), as: UTF8.self))'; Shears reads version 0, which torch.export.save writes")
        }
        if let order = try record("byteorder"), Array(order) != Array("little".utf8) {
            throw NNError.unsupported(path: path, reason: "byteorder '\(String(decoding: order.prefix(20), as: UTF8.self))'; Shears reads little-endian archives")
        }
        let models = archive.entries.map(\.name).filter { $0.hasPrefix("\(root)/models/") && $0.hasSuffix(".json") }
        guard models.count == 1 else {
            throw NNError.unsupported(path: path, reason: models.isEmpty
                ? "no '\(root)/models/<name>.json' program (an AOTInductor package or an older format); write the file with torch.export.save"
                : "\(models.count) programs (\(models.prefix(3).joined(separator: ", "))); Shears reads an archive of one, as torch.export.save writes it")
        }
        modelName = String(models[0].dropFirst("\(root)/models/".count).dropLast(".json".count))
        program = try Self.decode(SerializedProgram.self, try record("models/\(modelName).json") ?? [], what: models[0], path: path)
        var payloads: [(key: String, meta: SerializedPayloadMeta, folder: String)] = []
        for folder in ["weights", "constants"] {
            let name = "data/\(folder)/\(modelName)_\(folder)_config.json"
            guard let data = try record(name) else {
                if folder == "constants" { continue }
                throw fail("no '\(root)/\(name)' record: the weights' table is missing")
            }
            let config = try Self.decode(SerializedPayloadConfig.self, data, what: "\(root)/\(name)", path: path)
            payloads += config.config.sorted { $0.key < $1.key }.map { ($0.key, $0.value, folder) }
        }
        var views: [(key: String, dtype: DType, shape: [Int], strides: [Int], offset: Int, record: String)] = []
        for (key, meta, folder) in payloads {
            guard !meta.use_pickle, let tensor = meta.tensor_meta else {
                throw NNError.unsupported(path: path, reason: "tensor '\(key)' is pickled (a tensor subclass); Shears reads plain tensors")
            }
            let layout = try TensorLayout(tensor, what: "tensor '\(key)'", path: path)
            views.append((key, layout.dtype, layout.shape, layout.strides, layout.offset, "\(root)/data/\(folder)/\(meta.path_name)"))
        }
        try DecodedTensorBudget.check(views.map { ($0.key, $0.shape, $0.dtype) }, path: path)
        var tensors: [String: StoredTensor] = [:]
        for view in views {
            guard let data = try archive.entry(named: view.record).map(archive.data(of:)) else {
                throw fail("tensor '\(view.key)': its record '\(view.record)' is missing")
            }
            tensors[view.key] = try TensorRebuilder.view(of: data, dtype: view.dtype, shape: view.shape, strides: view.strides,
                                                         offset: view.offset, path: path, context: "tensor '\(view.key)' in '\(view.record)'")
        }
        self.tensors = tensors
    }

    /// `T` decoded from the JSON record `what`; a decoding error becomes one line naming the
    /// record and the JSON path.
    private static func decode<T: Decodable>(_ type: T.Type, _ data: ArraySlice<UInt8>, what: String, path: String) throws -> T {
        try MemoryBudget.check(elements: data.count, of: decodedBytesPerJSONByte, for: "decoding the \(data.count)-byte JSON '\(what)'", path: path)
        do {
            return try JSONDecoder().decode(T.self, from: Data(data))
        } catch let error as DecodingError {
            throw NNError.malformed(path: path, reason: "'\(what)': \(Self.describe(error))")
        } catch {
            throw NNError.malformed(path: path, reason: "'\(what)' is not JSON")
        }
    }

    /// One line: where in the JSON, and what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let where_ = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return where_.isEmpty ? "at the top" : "at \(where_.prefix(200))"
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(at(context)): missing '\(key.stringValue)'"
        case .typeMismatch(let type, let context): return "\(at(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(at(context)): expected \(type), found null"
        case .dataCorrupted(let context):
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            return "\(at(context)): \(detail.replacingOccurrences(of: "\n", with: " ").prefix(200))"
        @unknown default: return "cannot be decoded"
        }
    }
}

/// A tensor's dtype, sizes, strides and storage offset from its `TensorMeta`, all concrete.
struct TensorLayout {
    let dtype: DType
    let shape: [Int]
    let strides: [Int]
    let offset: Int

    /// torch's `ScalarType` numbers (schema.py) of the dtypes Shears decodes.
    static let dtypes: [Int: DType] = [1: .uint8, 2: .int8, 3: .int16, 4: .int32, 5: .int64, 6: .float16,
                                       7: .float32, 8: .float64, 12: .bool, 13: .bfloat16]

    init(_ meta: SerializedTensorMeta, what: String, path: String) throws {
        guard let dtype = Self.dtypes[meta.dtype] else {
            throw NNError.unsupported(path: path, reason: "\(what) has torch ScalarType \(meta.dtype); Shears reads float, integer and bool tensors")
        }
        let shape = meta.sizes.compactMap(\.as_int), strides = meta.strides.compactMap(\.as_int)
        guard shape.count == meta.sizes.count, strides.count == meta.strides.count, let offset = meta.storage_offset.as_int else {
            throw NNError.unsupported(path: path, reason: "\(what) has symbolic sizes (dynamic shapes); export with static shapes (no dynamic_shapes)")
        }
        self.dtype = dtype; self.shape = shape; self.strides = strides; self.offset = offset
    }
}
