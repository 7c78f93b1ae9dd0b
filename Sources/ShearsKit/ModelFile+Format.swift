// ModelFile+Format: the one place Shears tells model files apart. Reading: an `.onnx` name is
// ONNX (protobuf has no signature); otherwise the bytes, read once, decide: a Shears blob's
// pickle header, a torch.export archive (by its `.pt2` name or its `archive_format` entry),
// else a checkpoint, whose torch.save zip, legacy pickle or safetensors form NNTorchIO's
// `Checkpoint` tells apart. Writing: the extension names the format (ModelFile.write).

import Foundation

extension ModelFile {
    /// The formats Shears writes.
    public enum Format: String, CaseIterable, Sendable {
        case torch, safetensors, onnx

        /// The format `path`'s extension names: `.onnx`, `.safetensors`, else a torch.save zip
        /// (`.pt`, `.pth`, any other name).
        public init(path: String) {
            let lower = path.lowercased()
            self = ModelFile.isONNX(path) ? .onnx : lower.hasSuffix(".safetensors") ? .safetensors : .torch
        }
    }

    /// Whether `path` names an ONNX file (by its extension, as `read` decides).
    public static func isONNX(_ path: String) -> Bool { path.lowercased().hasSuffix(".onnx") }

    /// A file to read, told apart by its name and first bytes, with the bytes its reader takes.
    enum Source {
        case onnx
        case quantizedBlob([UInt8])
        case torchExport([UInt8])
        case checkpoint([UInt8])

        /// Reads `path` (a regular file within the memory budget) unless its name says ONNX.
        init(path: String) throws {
            if ModelFile.isONNX(path) { self = .onnx; return }
            let bytes = try InputFile.read(path)
            if BlobCodec.looksLikeBlob(bytes) {
                self = .quantizedBlob(bytes)
            } else if path.lowercased().hasSuffix(".pt2") || TorchExportImporter.isArchive(bytes) {
                self = .torchExport(bytes)
            } else {
                self = .checkpoint(bytes)
            }
        }
    }

    /// Writes `model` to `path` in the format its extension names (atomically); an ONNX file is
    /// written for images of `input` where a layer's form depends on the size (the notes say
    /// which). A `.pt2` name is refused: Shears does not write torch.export archives, and a
    /// torch.save zip under that name would not read back.
    @discardableResult
    public static func write(_ model: Model, to path: String, input: [Int]? = nil) throws -> [String] {
        if path.lowercased().hasSuffix(".pt2") {
            throw NNError.unsupported(path: path, reason: "Shears writes .pt, .safetensors or .onnx files, not torch.export archives: give one of those names")
        }
        switch Format(path: path) {
        case .onnx: return try ONNXExporter.write(model, to: path, input: input)
        case .safetensors: try SafetensorsWriter.write(model.stateDict, to: path)
        case .torch: try TorchCheckpointWriter.write(model.stateDict, to: path)
        }
        return []
    }
}
