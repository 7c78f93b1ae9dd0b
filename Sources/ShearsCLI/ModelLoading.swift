// ModelLoading: the CLI's one way from a path to a runnable Model: reads the file
// (torch.save checkpoint, safetensors, or a Shears quantized blob), then builds the
// catalog architecture, detected or forced with --arch; an `.onnx` file carries its own graph.

import ArgumentParser
import Foundation
import NN
import Quantize

/// `--arch` and `--classes`, shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Architecture: \(ArchitectureCatalog.names.joined(separator: ", ")). Detected from the checkpoint's keys when omitted.",
        valueName: "name"))
    var arch: String?

    func validate() throws {
        if let arch, !ArchitectureCatalog.names.contains(arch) {
            throw ValidationError("unknown --arch '\(arch)': choose one of \(ArchitectureCatalog.names.joined(separator: ", "))")
        }
    }
}

/// A model read from a file, with what the reports need to know about that file.
struct LoadedModel {
    var model: Model
    let path: String
    /// Size of the file on disk.
    let fileBytes: Int
    /// Short label for tables ("teacher" for teacher.pt).
    var label: String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }
}

/// Reads `path` and builds its model. A Shears blob is dequantized and names its own architecture.
func loadModel(_ path: String, arch: String?) throws -> LoadedModel {
    let model: Model
    if path.lowercased().hasSuffix(".onnx") {
        model = try ONNXImporter.load(path: path)
    } else if let head = FileHandle(forReadingAtPath: path).map({ [UInt8]($0.readData(ofLength: 3)) }), BlobCodec.looksLikeBlob(head) {
        let blob = try BlobCodec.read(path: path)
        model = try ArchitectureCatalog.build(blob.dequantized(), architecture: arch ?? blob.architecture)
    } else {
        model = try ArchitectureCatalog.build(try Checkpoint.load(path: path), architecture: arch)
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return LoadedModel(model: model, path: path, fileBytes: size)
}
