// ModelLoading: `--arch` and `--arch-from`, and the CLI's one way from a path to a model:
// ShearsKit's ModelFile.read, with its warnings (a guessed forward pass, the catalog standing
// in for a module tree) on stderr.

import ArgumentParser
import Foundation
import ShearsKit

/// `--arch` and `--classes`, shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Architecture: \(ArchitectureCatalog.names.joined(separator: ", ")). Detected from the checkpoint's keys when omitted.",
        valueName: "name"))
    var arch: String?

    @Option(name: .customLong("arch-from"), help: ArgumentHelp(
        "The text print(model) wrote: the graph comes from this module tree, the weights from the checkpoint.",
        valueName: "model.txt"))
    var archFrom: String?

    func validate() throws {
        if arch != nil && archFrom != nil { throw ValidationError("give --arch or --arch-from, not both") }
        if let arch, !ArchitectureCatalog.names.contains(arch) {
            throw ValidationError("unknown --arch '\(arch)': choose one of \(ArchitectureCatalog.names.joined(separator: ", "))")
        }
    }
}

/// Reads `path` with `options` (ShearsKit's ModelFile.read), printing its warnings on stderr;
/// `inputSize` (`--input`, the crop) places a plain CNN's last pool.
func loadModel(_ path: String, _ options: ModelOptions, inputSize: Int? = nil) throws -> LoadedModel {
    let loaded = try ModelFile.read(path, architecture: options.arch, moduleTreeText: options.archFrom, inputSize: inputSize)
    for warning in loaded.warnings { printError("warning: \(warning.message { $0.flags() })") }
    return loaded
}
