// ModelLoading: the CLI's one way from a path to a runnable Model: reads the file
// (torch.save checkpoint, safetensors, or a Shears quantized blob), then builds the
// catalog architecture, detected or forced with --arch.

import ArgumentParser
import Foundation
import NN

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
    let model: Model
    let path: String
    /// Size of the file on disk.
    let fileBytes: Int
    /// Short label for tables ("teacher" for teacher.pt).
    var label: String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }
}

/// Reads `path` and builds its model.
func loadModel(_ path: String, arch: String?) throws -> LoadedModel {
    let stateDict = try readStateDict(path)
    let model = try ArchitectureCatalog.build(stateDict, architecture: arch)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return LoadedModel(model: model, path: path, fileBytes: size ?? 0)
}

/// The state dict stored in `path`, whatever its format.
func readStateDict(_ path: String) throws -> StateDict {
    try SafetensorsReader.read(path: path)
}
